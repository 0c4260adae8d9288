// The two hot responses of the reader, built by hand from synthetic rows with the project's real
// view code: the unread list page (layout() around entryList(), 50 entries, a sidebar of 1,000
// feeds in 20 folders) and the /api/counts JSON for those feeds.
import type { Entry, Feed, Folder, User } from '../../src/model/index.js';
import type { EntryView, SubscriptionView } from '../../src/store/index.js';
import { prng } from '../../src/testing/random.js';
import { html } from '../../src/web/html.js';
import { translator } from '../../src/web/i18n.js';
import { DEFAULT_SETTINGS } from '../../src/web/settings.js';
import { entryList, type ListPage } from '../../src/web/views/entries.js';
import { layout, type PageData } from '../../src/web/views/layout.js';
import { buildPools, chineseTitle, englishTitle, TAGS } from './text.js';
import { DEFAULT_FETCH_OPTIONS } from '../../src/subscribe/index.js';

const FEEDS = 1000;
const FOLDERS = 20;
const PER_PAGE = 50;
const DAY = 86_400_000;

export interface HotResponses {
  /** Renders the unread list page now (as the route does on every request). */
  unreadPage: () => string;
  /** The unread counts, as the route builds them from the subscriptions on every request. */
  counts: () => { total: number; feeds: Record<string, number>; folders: Record<string, number> };
}

export function hotResponses(seed = 11): HotResponses {
  const random = prng(seed);
  const now = Date.now();
  const user: User = { id: 1, username: 'reader', isAdmin: true, createdAt: now - 700 * DAY };
  const folders: Folder[] = Array.from({ length: FOLDERS }, (_, i) => ({
    id: i + 1,
    userId: 1,
    name: `${englishTitle(random).split(' ').slice(0, 2).join(' ')} ${i}`,
  }));
  const subs: SubscriptionView[] = Array.from({ length: FEEDS }, (_, i) => {
    const id = i + 1;
    const zh = random() < 0.15;
    const feed: Feed = {
      id,
      url: `https://blog-${id}.example.com/feed.xml`,
      siteUrl: `https://blog-${id}.example.com/`,
      title: zh
        ? `${chineseTitle(random).slice(0, 8)}技术博客`
        : `The ${englishTitle(random).split(' ').slice(0, 3).join(' ')} Blog`,
      description: null,
      iconUrl: random() < 0.8 ? `https://blog-${id}.example.com/favicon.ico` : null,
      language: zh ? 'zh-CN' : 'en',
      hubUrl: null,
      format: 'rss',
      options: DEFAULT_FETCH_OPTIONS,
      etag: null,
      lastModified: null,
      nextCheckAt: now + DAY,
      lastCheckedAt: now,
      lastSuccessAt: now,
      errorCount: 0,
      lastError: null,
      createdAt: now - 700 * DAY,
      webSubUntil: null,
      minCheckMinutes: null,
      itemCount: 0,
      ttlMinutes: null,
    };
    const folder = folders[Math.floor(random() * FOLDERS)] as Folder;
    return {
      subscription: {
        id,
        userId: 1,
        feedId: id,
        folderId: folder.id,
        title: null,
        paused: false,
        blockRules: null,
        keepRules: null,
        minCheckMinutes: null,
        createdAt: feed.createdAt,
      },
      feed,
      folderName: folder.name,
      unreadCount: Math.floor(random() * 400),
      entryCount: 1000,
      hasIcon: false,
    };
  });
  subs.sort(
    (a, b) =>
      (a.folderName ?? '').localeCompare(b.folderName ?? '') ||
      (a.feed.title ?? '').toLowerCase().localeCompare((b.feed.title ?? '').toLowerCase()),
  );

  const pools = buildPools(seed, 400, 200);
  const entries: EntryView[] = Array.from({ length: PER_PAGE }, (_, i) => {
    const sub = subs[Math.floor(random() * FEEDS)] as SubscriptionView;
    const zh = sub.feed.language === 'zh-CN';
    const pool = zh ? pools.chinese : pools.english;
    const paragraphs = Array.from(
      { length: 4 + Math.floor(random() * 8) },
      () => pool[Math.floor(random() * pool.length)],
    );
    const text = paragraphs.map((p) => p?.text ?? '').join('\n\n');
    const publishedAt = now - i * 3_600_000 - Math.floor(random() * 3_600_000);
    const link = `https://blog-${sub.feed.id}.example.com/posts/${1_000_000 - i}`;
    const entry: Entry = {
      id: 1_000_000 - i,
      feedId: sub.feed.id,
      guid: link,
      link,
      title: zh ? chineseTitle(random) : englishTitle(random),
      author: random() < 0.8 ? 'Ana Ferreira' : null,
      contentHtml: paragraphs.map((p) => p?.html ?? '').join('\n'),
      summaryText: text.length > 300 ? `${text.slice(0, 300)}…` : text,
      readingMinutes: 1 + Math.floor(random() * 12),
      publishedAt,
      updatedAt: null,
      createdAt: publishedAt,
      categories: [TAGS[Math.floor(random() * TAGS.length)] as string],
      enclosures: [],
      imageUrl: null,
      commentsUrl: null,
      language: zh ? 'zh-CN' : 'en',
      dedupeKey: link,
      contentHash: String(i),
    };
    return { entry, read: false, starred: random() < 0.02, readLater: false, changedAt: entry.createdAt };
  });

  const t = translator('en');
  const viewer = {
    user,
    csrf: 'bench-csrf-token-0123456789abcdefghijklmnopq',
    settings: DEFAULT_SETTINGS,
    t,
  };
  const last = entries[entries.length - 1]?.entry;
  return {
    unreadPage() {
      const page: PageData = {
        viewer,
        subs,
        folders,
        active: 'unread',
        now: Date.now(),
        proxy: (url) => url,
      };
      const list: ListPage = {
        title: t('Unread'),
        context: 'unread',
        entries,
        newerHref: null,
        olderHref: last ? `/unread?after=${last.publishedAt}.${last.id}` : null,
        markAllRead: {},
        filters: html`<span class="chips"
          ><a class="chip on" href="/unread?order=newest" aria-current="true">${t('Newest first')}</a
          ><a class="chip" href="/unread?order=oldest">${t('Oldest first')}</a></span
        >`,
        flash: null,
        empty: t('Nothing unread here.'),
      };
      return layout(page, list.title, entryList(page, list, '/unread')).value;
    },
    counts() {
      const feeds: Record<string, number> = {};
      const byFolder: Record<string, number> = {};
      let total = 0;
      for (const s of subs) {
        feeds[s.feed.id] = s.unreadCount;
        if (s.subscription.folderId !== null)
          byFolder[s.subscription.folderId] = (byFolder[s.subscription.folderId] ?? 0) + s.unreadCount;
        total += s.unreadCount;
      }
      return { total, feeds, folders: byFolder };
    },
  };
}
