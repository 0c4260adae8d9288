// What can be published and where it lives: `tag:NAME`, `folder:NAME`, `feed:URL`, `starred` and
// `search:QUERY` resolved against a user's subscriptions, slugs, and the public URLs.
import { GleanerError } from '../model/errors.js';
import type { NewPublication, PublicationKind, Store } from '../store/types.js';

/** A short, readable URL part: letters and digits of any script, lower-cased, joined by dashes. */
export function slugify(text: string, max = 60): string {
  const slug = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
  return Array.from(slug).slice(0, max).join('').replace(/-+$/, '');
}

const MAX_VALUE = 500;

/**
 * The publication a target names, for this user. Throws USAGE for a malformed target and
 * NOT_FOUND for a folder or feed the user does not have.
 */
export async function resolveTarget(
  store: Store,
  userId: number,
  target: string,
  options: { fullContent: boolean; title?: string },
): Promise<NewPublication> {
  const colon = target.indexOf(':');
  const kind = (colon < 0 ? target : target.slice(0, colon)).trim().toLowerCase();
  const raw = colon < 0 ? '' : target.slice(colon + 1).trim();
  const make = (k: PublicationKind, value: string, title: string): NewPublication => {
    const finalTitle = (options.title?.trim() || title).slice(0, 200);
    return {
      userId,
      kind: k,
      value,
      title: finalTitle,
      slug: slugify(k === 'tag' || k === 'search' ? `${value}` : finalTitle) || k,
      fullContent: options.fullContent,
    };
  };
  if (raw.length > MAX_VALUE)
    throw new GleanerError('USAGE', `the target is too long (over ${MAX_VALUE} characters)`);
  switch (kind) {
    case 'tag': {
      const tag = raw.toLowerCase();
      if (!tag) break;
      // Tags are kept lower-cased; the title spells it as the newest feed that uses it does.
      const [newest] = await store.queryEntries({ userId, tags: [tag], limit: 1, withContent: false });
      const spelled = newest?.entry.categories.map((c) => c.trim()).find((c) => c.toLowerCase() === tag);
      return make('tag', tag, raw === tag && spelled ? spelled : raw);
    }
    case 'folder': {
      if (!raw) break;
      const folder = (await store.listFolders(userId)).find(
        (f) => f.name === raw || String(f.id) === raw || f.name.toLowerCase() === raw.toLowerCase(),
      );
      if (!folder) throw new GleanerError('NOT_FOUND', `you have no folder "${raw}"; see gleaner feeds`);
      return make('folder', String(folder.id), folder.name);
    }
    case 'feed': {
      if (!raw) break;
      const sub = (await store.listSubscriptions(userId)).find(
        (s) => s.feed.url === raw || String(s.feed.id) === raw,
      );
      if (!sub) throw new GleanerError('NOT_FOUND', `you are not subscribed to ${raw}; see gleaner feeds`);
      return make('feed', String(sub.feed.id), sub.subscription.title ?? sub.feed.title ?? sub.feed.url);
    }
    case 'starred':
      return make('starred', '', 'Starred');
    case 'search':
      if (!raw) break;
      return make('search', raw, raw);
  }
  throw new GleanerError(
    'USAGE',
    `cannot publish "${target}"; give tag:NAME, folder:NAME, feed:URL, starred or search:QUERY`,
  );
}

/** The site's origin for absolute links: the configured base URL, else the request's host. */
export function publicOrigin(baseUrl: string | null, protocol: string, host: string | undefined): string {
  if (baseUrl) return baseUrl.replace(/\/+$/, '');
  // A Host header is the client's word: only a plain host[:port] is used, else the loopback name.
  const safeHost =
    host && /^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/i.test(host) ? host : 'localhost';
  return `${protocol === 'https' ? 'https' : 'http'}://${safeHost}`;
}

export const publicationPath = (slug: string): string => `/p/${encodeURIComponent(slug)}/`;

export function postPath(slug: string, entryId: number, title: string): string {
  const words = slugify(title, 80) || 'post';
  return `${publicationPath(slug)}${entryId}-${encodeURIComponent(words)}`;
}
