// Database rows to model values: the one place that knows column names on the way out.
import { createHash } from 'node:crypto';
import type {
  Enclosure,
  Entry,
  Feed,
  FeedFormat,
  FetchOptions,
  Folder,
  Subscription,
  User,
} from '../model/index.js';

export type Row = Record<string, unknown>;

// Column values are strings, numbers, bigints or null.
const str = (v: unknown): string | null => {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return v.toString();
  return null;
};
const num = (v: unknown): number | null => (v == null ? null : Number(v));

export function toUser(r: Row): User {
  return {
    id: Number(r.id),
    username: String(r.username),
    isAdmin: Number(r.is_admin) === 1,
    createdAt: Number(r.created_at),
  };
}

export function toFolder(r: Row): Folder {
  return { id: Number(r.id), userId: Number(r.user_id), name: String(r.name) };
}

export function toFeed(r: Row): Feed {
  return {
    id: Number(r.id),
    url: String(r.url),
    siteUrl: str(r.site_url),
    title: str(r.title),
    description: str(r.description),
    iconUrl: str(r.icon_url),
    language: str(r.language),
    hubUrl: str(r.hub_url),
    format: str(r.format) as FeedFormat | null,
    options: {
      userAgent: str(r.user_agent),
      cookie: str(r.cookie),
      username: str(r.username),
      password: str(r.password),
      fetchFullArticle: Number(r.fetch_full_article) === 1,
    },
    etag: str(r.etag),
    lastModified: str(r.last_modified),
    nextCheckAt: Number(r.next_check_at),
    lastCheckedAt: num(r.last_checked_at),
    lastSuccessAt: num(r.last_success_at),
    errorCount: Number(r.error_count),
    lastError: str(r.last_error),
    createdAt: Number(r.created_at),
  };
}

export function toSubscription(r: Row): Subscription {
  return {
    id: Number(r.id),
    userId: Number(r.user_id),
    feedId: Number(r.feed_id),
    folderId: num(r.folder_id),
    title: str(r.title),
    createdAt: Number(r.created_at),
  };
}

/**
 * Feeds are shared by subscribers who fetch them the same way; custom credentials or options make
 * a separate feed (so one user's cookie never fetches for another). '' for the default options.
 */
export function fetchOptionsKey(o: FetchOptions): string {
  if (!o.userAgent && !o.cookie && !o.username && !o.password && !o.fetchFullArticle) return '';
  const material = JSON.stringify([o.userAgent, o.cookie, o.username, o.password, o.fetchFullArticle]);
  return createHash('sha256').update(material).digest('hex').slice(0, 32);
}

function parseJsonArray<T>(v: unknown): T[] {
  if (typeof v !== 'string' || v === '') return [];
  try {
    const parsed: unknown = JSON.parse(v);
    return Array.isArray(parsed) ? (parsed as T[]) : [];
  } catch {
    return [];
  }
}

export function toEntry(r: Row): Entry {
  return {
    id: Number(r.id),
    feedId: Number(r.feed_id),
    guid: str(r.guid),
    link: str(r.link),
    title: String(r.title),
    author: str(r.author),
    contentHtml: String(r.content_html),
    contentText: String(r.content_text),
    summaryText: String(r.summary_text),
    readingMinutes: Number(r.reading_minutes),
    publishedAt: Number(r.published_at),
    updatedAt: num(r.updated_at),
    createdAt: Number(r.created_at),
    categories: parseJsonArray<string>(r.categories),
    enclosures: parseJsonArray<Enclosure>(r.enclosures),
    imageUrl: str(r.image_url),
    commentsUrl: str(r.comments_url),
    language: str(r.language),
    dedupeKey: String(r.dedupe_key),
    contentHash: String(r.content_hash),
  };
}
