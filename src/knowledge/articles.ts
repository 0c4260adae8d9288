// The articles a build reads, from the store: a user's entries, optionally only one feed's, one
// folder's, one tag's or one company's, optionally only those published since a time.
import { GleanerError } from '../model/errors.js';
import type { Store, SubscriptionView } from '../store/index.js';
import type { ArticleInput } from './analyze.js';
import { companyOf } from './entities.js';

export interface Selection {
  /** A feed's id, URL or title. */
  feed?: string;
  /** A folder's name. */
  folder?: string;
  tag?: string;
  /** A company's slug ("cloudflare"), as the wiki names it. */
  company?: string;
  /** Epoch ms: only articles published at or after it. */
  since?: number;
}

const PAGE = 500;

function feedTitle(view: SubscriptionView): string {
  return view.subscription.title ?? view.feed.title ?? view.feed.url;
}

function pickFeed(subs: SubscriptionView[], wanted: string): SubscriptionView {
  const found =
    subs.find((s) => String(s.feed.id) === wanted) ??
    subs.find((s) => s.feed.url === wanted) ??
    subs.find((s) => feedTitle(s).toLowerCase() === wanted.toLowerCase());
  if (!found) throw new GleanerError('NOT_FOUND', `no subscribed feed "${wanted}"; see gleaner feeds`);
  return found;
}

/** Every selected entry with a link, oldest first, as the wiki builder reads it. */
export async function collectArticles(
  store: Store,
  userId: number,
  selection: Selection,
): Promise<ArticleInput[]> {
  const subs = await store.listSubscriptions(userId);
  const byFeed = new Map(subs.map((s) => [s.feed.id, s]));
  let feeds = subs;
  if (selection.feed !== undefined) feeds = [pickFeed(subs, selection.feed)];
  if (selection.folder !== undefined) {
    const name = selection.folder.toLowerCase();
    feeds = feeds.filter((s) => s.folderName?.toLowerCase() === name);
    if (feeds.length === 0) throw new GleanerError('NOT_FOUND', `no feeds in a folder "${selection.folder}"`);
  }
  if (selection.company !== undefined) {
    feeds = feeds.filter(
      (s) => companyOf(feedTitle(s), s.feed.siteUrl ?? s.feed.url).slug === selection.company,
    );
    if (feeds.length === 0)
      throw new GleanerError('NOT_FOUND', `no subscribed feed belongs to "${selection.company}"`);
  }
  const wanted = new Set(feeds.map((s) => s.feed.id));
  const articles: ArticleInput[] = [];
  let after: { publishedAt: number; id: number } | undefined;
  for (;;) {
    const page = await store.queryEntries({
      userId,
      ...(selection.tag !== undefined ? { tags: [selection.tag.toLowerCase()] } : {}),
      ...(feeds.length === 1 && feeds[0] ? { feedId: feeds[0].feed.id } : {}),
      order: 'newest',
      limit: PAGE,
      ...(after ? { after } : {}),
    });
    for (const { entry } of page) {
      if (selection.since !== undefined && entry.publishedAt < selection.since) continue;
      const sub = byFeed.get(entry.feedId);
      if (!sub || !wanted.has(entry.feedId) || !entry.link) continue;
      articles.push({
        entryId: entry.id,
        url: entry.link,
        title: entry.title,
        author: entry.author,
        publishedAt: entry.publishedAt,
        feedTitle: feedTitle(sub),
        siteUrl: sub.feed.siteUrl ?? sub.feed.url,
        tags: entry.categories,
        contentHtml: entry.contentHtml,
      });
    }
    const last = page.at(-1);
    if (page.length < PAGE || !last) break;
    // Newest first: once a page ends before `since`, the rest is older still.
    if (selection.since !== undefined && last.entry.publishedAt < selection.since) break;
    after = { publishedAt: last.entry.publishedAt, id: last.entry.id };
  }
  return articles.reverse();
}
