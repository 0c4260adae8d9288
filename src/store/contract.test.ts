// The store contract: one suite, run against every store implementation (SQLite here; PostgreSQL
// joins it when it exists), so both answer every named operation the same way.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Entry, Feed, FetchOptions, PreparedEntry } from '../model/index.js';
import { ARRIVAL_WINDOW, RECENT_MATCHES } from './queries.js';
import { openSqliteStore } from './sqlite.js';
import type { EntryQuery, EntryView, FeedFetchUpdate, Store } from './types.js';
import { BODIES_TO_QUOTE } from '../testing/fetched.js';
import { packEntries } from '../refresh/digest.js';
import { DEFAULT_FETCH_OPTIONS } from '../subscribe/index.js';

const DEFAULT_OPTIONS: FetchOptions = DEFAULT_FETCH_OPTIONS;
const T0 = Date.UTC(2026, 10, 1);

function entry(n: number, over: Partial<PreparedEntry> = {}): PreparedEntry {
  // The HTML holds the text, as the sanitizer's output does: search results quote the HTML's text.
  const text = over.contentText ?? `Body ${n}`;
  return {
    guid: `guid-${n}`,
    link: `https://example.com/${n}`,
    title: `Entry ${n}`,
    author: 'Ann',
    contentHtml: `<p>${text.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p>`,
    contentText: text,
    summaryText: `Body ${n}`,
    readingMinutes: 1,
    publishedAt: T0 + n * 60_000,
    updatedAt: null,
    categories: ['x'],
    enclosures: [],
    imageUrl: null,
    commentsUrl: null,
    language: null,
    dedupeKey: `g:guid-${n}`,
    contentHash: `hash-${n}`,
    ...over,
  };
}

function update(checkedAt: number): FeedFetchUpdate {
  return {
    checkedAt,
    nextCheckAt: checkedAt + 3_600_000,
    etag: '"v1"',
    lastModified: null,
    title: 'Example',
    siteUrl: 'https://example.com/',
    description: null,
    iconUrl: null,
    language: 'en',
    hubUrl: null,
    format: 'rss',
  };
}

const backends: { name: string; open: () => Promise<{ store: Store; cleanup: () => Promise<void> }> }[] = [
  {
    name: 'sqlite',
    open: () => {
      const dir = mkdtempSync(join(tmpdir(), 'gleaner-store-'));
      const store = openSqliteStore(join(dir, 'test.db'));
      return Promise.resolve({
        store,
        cleanup: async () => {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      });
    },
  },
];

for (const backend of backends) {
  describe(`store contract: ${backend.name}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    before(async () => ({ store, cleanup } = await backend.open()));
    after(async () => cleanup());

    it('creates and finds users; names are unique', async () => {
      const ann = await store.createUser('ann', { isAdmin: true }, T0);
      assert.equal((await store.findUserByName('ann'))?.id, ann.id);
      assert.equal(await store.findUserByName('nobody'), null);
      await assert.rejects(store.createUser('ann', { isAdmin: false }, T0));
    });

    it('shares a feed between subscribers with the same fetch options, not with different ones', async () => {
      const a = await store.ensureFeed('https://shared.example/feed', DEFAULT_OPTIONS, T0);
      const b = await store.ensureFeed('https://shared.example/feed', DEFAULT_OPTIONS, T0);
      const c = await store.ensureFeed(
        'https://shared.example/feed',
        { ...DEFAULT_OPTIONS, cookie: 'session=1' },
        T0,
      );
      assert.equal(a.id, b.id);
      assert.notEqual(a.id, c.id);
      assert.equal(c.options.cookie, 'session=1');
    });

    it('changes a feed’s fetch options unless another feed has its URL with them, and counts its readers', async () => {
      const a = await store.ensureFeed('https://options.example/feed', DEFAULT_OPTIONS, T0);
      const b = await store.ensureFeed(
        'https://options.example/feed',
        { ...DEFAULT_OPTIONS, cookie: 'b' },
        T0,
      );
      const reader = await store.createUser('options-reader', { isAdmin: false }, T0);
      assert.equal(await store.countSubscribers(a.id), 0);
      await store.subscribe(reader.id, a.id, { folderId: null, title: null }, T0);
      assert.equal(await store.countSubscribers(a.id), 1);
      await store.recordFetchSuccess(
        a.id,
        { ...update(T0 + 1), lastModified: 'Mon, 23 Nov 2026 10:00:00 GMT' },
        [],
      );
      assert.equal((await store.getFeed(a.id))?.etag, '"v1"');
      const newer = {
        ...DEFAULT_OPTIONS,
        cookie: 'a2',
        fetchFullArticle: true,
        articleSelector: 'article .body',
        ignoreHttpCache: true,
        removeSelector: '.share, aside',
        fetchViaProxy: true,
        trustedCertificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
        scrape: {
          items: '.advisories tr',
          title: 'td.name',
          link: null,
          content: null,
          date: 'td:nth-child(3)',
          author: null,
          categories: null,
        },
        rewriteRules: 'add_image_title, replace("a"|"b")',
      };
      assert.equal(await store.setFeedOptions(a.id, newer, T0 + 5), true);
      const changed = await store.getFeed(a.id);
      assert.deepEqual(changed?.options, newer);
      assert.equal(changed?.nextCheckAt, T0 + 5, 'due now');
      assert.deepEqual([changed?.etag, changed?.lastModified], [null, null], 'fetched whole');
      assert.equal(
        (await store.ensureFeed('https://options.example/feed', newer, T0)).id,
        a.id,
        'found by them',
      );
      assert.equal(await store.setFeedOptions(a.id, b.options, T0 + 6), false, 'b has those');
      assert.deepEqual((await store.getFeed(a.id))?.options, newer);
      const elsewhere = { ...newer, articleSelector: '.post' };
      const other = await store.ensureFeed('https://options.example/feed', elsewhere, T0);
      assert.notEqual(other.id, a.id, 'another article selector stores other entries: another feed');
      assert.deepEqual((await store.getFeed(other.id))?.options, elsewhere, 'stored with all of them');
    });

    it('checks a feed at most as often as every active subscriber asks, the least of what they ask', async () => {
      const feed = await store.ensureFeed('https://pace.example/feed', DEFAULT_OPTIONS, T0);
      const [a, b] = await Promise.all(
        ['pace-a', 'pace-b'].map((name) => store.createUser(name, { isAdmin: false }, T0)),
      );
      assert.ok(a && b);
      const floor = async (): Promise<number | null | undefined> =>
        (await store.getFeed(feed.id))?.minCheckMinutes;
      await store.subscribe(a.id, feed.id, { folderId: null, title: null }, T0);
      assert.equal(await floor(), null, 'its own pace');
      await store.updateSubscription(a.id, feed.id, { minCheckMinutes: 360 });
      assert.equal(await floor(), 360);
      const [view] = await store.listSubscriptions(a.id);
      assert.equal(view?.subscription.minCheckMinutes, 360);
      await store.subscribe(b.id, feed.id, { folderId: null, title: null }, T0);
      assert.equal(await floor(), null, 'b wants its pace');
      await store.updateSubscription(b.id, feed.id, { minCheckMinutes: 60 });
      assert.equal(await floor(), 60, 'the least of what they ask');
      await store.updateSubscription(b.id, feed.id, { paused: true });
      assert.equal(await floor(), 360, 'a paused subscriber asks nothing');
      await store.updateSubscription(b.id, feed.id, { paused: false, minCheckMinutes: null });
      assert.equal(await floor(), null);
      assert.ok(await store.unsubscribe(b.id, feed.id));
      assert.equal(await floor(), 360, 'b gone');
      await store.updateSubscription(a.id, feed.id, { title: 'Renamed' });
      assert.equal(await floor(), 360, 'other changes leave it');
    });

    it('gives each subscriber the new entries their rules let through, and keeps the rules', async () => {
      const feed = await store.ensureFeed('https://rules.example/feed', DEFAULT_OPTIONS, T0);
      const [open, blocking, keeping] = await Promise.all(
        ['rules-open', 'rules-block', 'rules-keep'].map((name) =>
          store.createUser(name, { isAdmin: false }, T0),
        ),
      );
      assert.ok(open && blocking && keeping);
      for (const user of [open, blocking, keeping]) {
        await store.subscribe(user.id, feed.id, { folderId: null, title: null }, T0);
      }
      await store.recordFetchSuccess(feed.id, update(T0 + 1), [entry(1)]);
      assert.equal(
        await store.updateSubscription(blocking.id, feed.id, { blockRules: '(?i)sponsor|/ads/' }),
        true,
      );
      await store.updateSubscription(keeping.id, feed.id, { keepRules: 'Rust' });
      const titles = async (userId: number) =>
        (await store.queryEntries({ userId, feedId: feed.id, limit: 10 })).map((v) => v.entry.title).sort();
      await store.recordFetchSuccess(feed.id, update(T0 + 2), [
        entry(1, { contentHash: 'changed' }),
        entry(2, { title: 'A SPONSORED post' }),
        entry(3, { title: 'News', link: 'https://rules.example/ads/3' }),
        entry(4, { title: 'Rust 2.0', categories: ['Sponsor'] }),
        entry(5, { title: 'On Rust' }),
        entry(6, { title: 'Other news' }),
      ]);
      assert.deepEqual(await titles(open.id), [
        'A SPONSORED post',
        'Entry 1',
        'News',
        'On Rust',
        'Other news',
        'Rust 2.0',
      ]);
      // Entry 1 arrived before the rules and stays; entry 4's category is a sponsor's.
      assert.deepEqual(await titles(blocking.id), ['Entry 1', 'On Rust', 'Other news']);
      assert.deepEqual(await titles(keeping.id), ['Entry 1', 'On Rust', 'Rust 2.0']);
      const unread = await store.unreadCounts(keeping.id);
      assert.equal(unread.get(feed.id), 3, 'what a rule drops is not counted');
      const [sub] = (await store.listSubscriptions(keeping.id)).filter((v) => v.feed.id === feed.id);
      assert.deepEqual([sub?.subscription.blockRules, sub?.subscription.keepRules], [null, 'Rust']);
      await store.updateSubscription(keeping.id, feed.id, { keepRules: '' });
      await store.recordFetchSuccess(feed.id, update(T0 + 3), [entry(7, { title: 'Anything' })]);
      assert.ok((await titles(keeping.id)).includes('Anything'), 'an empty rule is none');
      const [cleared] = (await store.listSubscriptions(keeping.id)).filter((v) => v.feed.id === feed.id);
      assert.equal(cleared?.subscription.keepRules, null);
    });

    it('gives a subscriber who comes with rules only the stored entries they let through, and keeps it so', async () => {
      const feed = await store.ensureFeed('https://later-rules.example/feed', DEFAULT_OPTIONS, T0);
      const first = await store.createUser('later-first', { isAdmin: false }, T0);
      await store.subscribe(first.id, feed.id, { folderId: null, title: null }, T0);
      await store.recordFetchSuccess(feed.id, update(T0 + 1), [
        entry(1, { title: 'A SPONSORED post' }),
        entry(2, { title: 'On Rust', categories: ['Sponsor'] }),
        entry(3, { title: 'On Go' }),
      ]);
      const later = await store.createUser('later-ruled', { isAdmin: false }, T0);
      const sub = await store.subscribe(
        later.id,
        feed.id,
        { folderId: null, title: null, blockRules: '(?i)sponsor' },
        T0 + 2,
      );
      assert.deepEqual([sub.blockRules, sub.keepRules], ['(?i)sponsor', null]);
      const titles = async (userId: number) =>
        (await store.queryEntries({ userId, feedId: feed.id, limit: 10 })).map((v) => v.entry.title).sort();
      assert.deepEqual(await titles(later.id), ['On Go']);
      assert.equal((await store.unreadCounts(later.id)).get(feed.id), 1);
      assert.equal((await titles(first.id)).length, 3, 'the first reader’s as they were');
      // Subscribing again (into a folder) brings back none of what the rules left out.
      const folder = await store.ensureFolder(later.id, 'Later');
      await store.subscribe(later.id, feed.id, { folderId: folder.id, title: null }, T0 + 3);
      assert.deepEqual(await titles(later.id), ['On Go']);
      const keeping = await store.createUser('later-keeping', { isAdmin: false }, T0);
      await store.subscribe(keeping.id, feed.id, { folderId: null, title: null, keepRules: 'Rust' }, T0 + 4);
      assert.deepEqual(await titles(keeping.id), ['On Rust']);
    });

    it('replaces an entry’s body with its full article, search index included', async () => {
      const user = await store.createUser('article-reader', { isAdmin: false }, T0);
      const feed = await store.ensureFeed('https://articles.example/feed', DEFAULT_OPTIONS, T0);
      await store.subscribe(user.id, feed.id, { folderId: null, title: null }, T0);
      await store.recordFetchSuccess(feed.id, update(T0 + 1), [entry(1, { contentHtml: '<p>Teaser</p>' })]);
      const [before] = await store.queryEntries({ userId: user.id, feedId: feed.id, limit: 1 });
      assert.ok(before);
      const article = {
        html: '<p>The whole zeppelin story</p>',
        text: 'The whole zeppelin story',
        readingMinutes: 7,
      };
      assert.equal(await store.replaceEntryContent(before.entry.id, article, T0 + 5), true);
      const [after] = await store.queryEntries({ userId: user.id, entryIds: [before.entry.id], limit: 1 });
      assert.deepEqual([after?.entry.contentHtml, after?.entry.readingMinutes], [article.html, 7]);
      // A new version of the entry for a client that syncs what changed.
      assert.deepEqual([before.changedAt, after?.changedAt], [T0 + 1, T0 + 5]);
      const hits = await store.searchEntries({
        userId: user.id,
        text: 'zeppelin',
        sort: 'relevance',
        limit: 5,
        offset: 0,
      });
      assert.deepEqual(
        hits.map((h) => h.view.entry.id),
        [before.entry.id],
      );
      assert.equal(await store.replaceEntryContent(999_999_999, article, T0 + 6), false);
    });

    it('stores entries packed by a parse worker as it stores prepared ones, search index included', async () => {
      const user = await store.createUser('packed-reader', { isAdmin: false }, T0);
      const bodies = [
        'Ünïcödé “zeppelin” café',
        '飞艇的历史 and 日本語',
        'emoji 😀 ＦＵＬＬ－ｗｉｄｔｈ airship',
        'a < b & c',
      ];
      const views = async (packed: boolean): Promise<EntryView[]> => {
        const feed = await store.ensureFeed(`https://packed.example/${packed}`, DEFAULT_OPTIONS, T0);
        await store.subscribe(user.id, feed.id, { folderId: null, title: null }, T0);
        const prepared = bodies.map((contentText, i) => entry(i + 1, { contentText }));
        const saved = await store.recordFetchSuccess(
          feed.id,
          update(T0 + 1),
          packed ? packEntries(prepared).entries : prepared,
        );
        assert.deepEqual(saved, { inserted: 4, updated: 0 });
        // Changed content, packed or not, updates in place.
        const changed = [entry(1, { contentText: 'Rewritten dirigible', contentHash: 'hash-1b' })];
        const again = await store.recordFetchSuccess(
          feed.id,
          update(T0 + 2),
          packed ? packEntries(changed).entries : changed,
        );
        assert.deepEqual(again, { inserted: 0, updated: 1 });
        return store.queryEntries({ userId: user.id, feedId: feed.id, limit: 10 });
      };
      const plain = await views(false);
      const packed = await views(true);
      const shown = (list: EntryView[]): unknown[] =>
        list.map((v) => [v.entry.title, v.entry.contentHtml, v.entry.readingMinutes]);
      assert.deepEqual(shown(packed), shown(plain));
      // And as the database quotes them in JSON, for the client APIs.
      const quoted = async (feedId: number | undefined): Promise<unknown[]> =>
        (await store.queryEntries({ userId: user.id, feedId, limit: 10, withContent: 'json' })).map(
          (v): unknown =>
            JSON.parse(
              typeof v.contentJson === 'string' ? v.contentJson : Buffer.from(v.contentJson ?? '').toString(),
            ),
        );
      assert.deepEqual(await quoted(packed[0]?.entry.feedId), await quoted(plain[0]?.entry.feedId));
      assert.deepEqual((await quoted(packed[0]?.entry.feedId)).slice(0, 1), [
        entry(4, { contentText: 'a < b & c' }).contentHtml,
      ]);
      const found = async (text: string): Promise<string[]> =>
        (await store.searchEntries({ userId: user.id, text, sort: 'newest', limit: 10, offset: 0 }))
          .map(
            (h) =>
              `${h.view.entry.feedId === packed[0]?.entry.feedId ? 'packed' : 'plain'} ${h.view.entry.title}`,
          )
          .sort();
      for (const [text, title] of [
        ['dirigible', 'Entry 1'],
        ['飞艇', 'Entry 2'],
        ['full', 'Entry 3'],
        ['airship', 'Entry 3'],
      ] as const) {
        assert.deepEqual(await found(text), [`packed ${title}`, `plain ${title}`], text);
      }
      assert.deepEqual(await found('zeppelin'), [], 'the old text left the index');
    });

    it('gives a feed’s newest entries, their versions and publication times, for a refresh', async () => {
      const feed = await store.ensureFeed('https://versions.example/feed', DEFAULT_OPTIONS, T0);
      assert.deepEqual(await store.recentEntries(feed.id, 10), []);
      await store.recordFetchSuccess(feed.id, update(T0 + 1), [
        entry(2, { sourceHash: 'source-2' }),
        entry(3),
        entry(1),
      ]);
      await store.recordFetchSuccess(feed.id, update(T0 + 2), [
        entry(2, { contentHash: 'hash-2b', sourceHash: 'source-2b' }),
      ]);
      assert.deepEqual(await store.recentEntries(feed.id, 2), [
        { dedupeKey: 'g:guid-3', contentHash: 'hash-3', sourceHash: null, publishedAt: T0 + 3 * 60_000 },
        {
          dedupeKey: 'g:guid-2',
          contentHash: 'hash-2b',
          sourceHash: 'source-2b',
          publishedAt: T0 + 2 * 60_000,
        },
      ]);
    });

    it('stores entries once: the same fetch twice inserts nothing; changed content updates in place, read state kept', async () => {
      const user = await store.createUser('reader', { isAdmin: false }, T0);
      const feed = await store.ensureFeed('https://dedupe.example/feed', DEFAULT_OPTIONS, T0);
      await store.subscribe(user.id, feed.id, { folderId: null, title: null }, T0);
      const first = await store.recordFetchSuccess(feed.id, update(T0 + 1), [entry(1), entry(2)]);
      assert.deepEqual(first, { inserted: 2, updated: 0 });
      const again = await store.recordFetchSuccess(feed.id, update(T0 + 2), [entry(1), entry(2)]);
      assert.deepEqual(again, { inserted: 0, updated: 0 });
      const [one] = await store.queryEntries({
        userId: user.id,
        feedId: feed.id,
        entryIds: undefined,
        limit: 1,
        order: 'oldest',
      });
      assert.ok(one);
      assert.equal(
        await store.setEntryState(user.id, [one.entry.id], { read: true, starred: true }, T0 + 3),
        1,
      );
      const edited = await store.recordFetchSuccess(feed.id, update(T0 + 4), [
        entry(1, { title: 'Entry 1, edited', contentHash: 'hash-1b' }),
        entry(2),
      ]);
      assert.deepEqual(edited, { inserted: 0, updated: 1 });
      assert.equal(await store.countEntries(feed.id), 2);
      const [after] = await store.queryEntries({ userId: user.id, entryIds: [one.entry.id], limit: 10 });
      assert.equal(after?.entry.title, 'Entry 1, edited');
      assert.equal(after?.read, true);
      assert.equal(after?.starred, true);
    });

    it('writes fetches that arrive together each whole: one that fails is undone alone', async () => {
      const user = await store.createUser('together', { isAdmin: false }, T0);
      const feeds = [];
      for (const n of [1, 2, 3, 4, 5]) {
        const feed = await store.ensureFeed(`https://together-${n}.example/feed`, DEFAULT_OPTIONS, T0);
        await store.subscribe(user.id, feed.id, { folderId: null, title: null }, T0);
        feeds.push(feed);
      }
      const [a, b, c, same, down] = feeds as [Feed, Feed, Feed, Feed, Feed];
      // Not awaited one by one: all are under way at once, as a refresh's feeds are. Feed c's second
      // entry, without a title, fails after its first is written. Beside them, a feed that no longer
      // exists (nothing stored), a feed not modified and one that failed.
      const settled = await Promise.allSettled([
        store.recordFetchSuccess(a.id, update(T0 + 1), [entry(1), entry(2)]),
        store.recordFetchSuccess(999_999, update(T0 + 1), [entry(3)]),
        store.recordNotModified(same.id, T0 + 1, T0 + 7_200_000),
        store.recordFetchSuccess(c.id, update(T0 + 1), [
          entry(7, { contentText: 'a quetzal' }),
          entry(8, { title: null as unknown as string }),
        ]),
        store.recordFetchFailure(down.id, T0 + 1, T0 + 600_000, 'HTTP 503'),
        store.recordFetchSuccess(b.id, update(T0 + 1), [entry(4), entry(5), entry(6)]),
      ]);
      assert.deepEqual(
        settled.map((r) => r.status),
        ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled'],
      );
      assert.deepEqual(
        settled.map((r) => (r.status === 'fulfilled' ? r.value : null)),
        [
          { inserted: 2, updated: 0 },
          { inserted: 0, updated: 0 },
          undefined,
          null,
          undefined,
          { inserted: 3, updated: 0 },
        ],
      );
      assert.deepEqual(
        [(await store.getFeed(same.id))?.lastCheckedAt, (await store.getFeed(same.id))?.nextCheckAt],
        [T0 + 1, T0 + 7_200_000],
      );
      assert.deepEqual(
        [(await store.getFeed(down.id))?.errorCount, (await store.getFeed(down.id))?.lastError],
        [1, 'HTTP 503'],
      );
      assert.equal(await store.countEntries(a.id), 2);
      assert.equal(await store.countEntries(b.id), 3);
      assert.equal(await store.countEntries(c.id), 0);
      assert.equal(await store.countEntries(999_999), 0);
      assert.equal((await store.getFeed(b.id))?.etag, '"v1"');
      assert.equal((await store.getFeed(c.id))?.etag, null);
      const unread = await store.queryEntries({ userId: user.id, status: 'unread', limit: 10 });
      assert.deepEqual(unread.map((v) => v.entry.title).sort(), [
        'Entry 1',
        'Entry 2',
        'Entry 4',
        'Entry 5',
        'Entry 6',
      ]);
      const search = async (text: string): Promise<string[]> =>
        (await store.searchEntries({ userId: user.id, text, limit: 10, offset: 0, sort: 'newest' }))
          .map((hit) => hit.view.entry.title)
          .sort();
      assert.deepEqual(await search('body'), ['Entry 1', 'Entry 2', 'Entry 4', 'Entry 5', 'Entry 6']);
      assert.deepEqual(await search('quetzal'), [], 'the search index holds nothing of the feed that failed');
    });

    it('reads entries by id with their own bodies, in the order asked, within the limit', async () => {
      const user = await store.createUser('byid', { isAdmin: false }, T0);
      const feed = await store.ensureFeed('https://byid.example/feed', DEFAULT_OPTIONS, T0);
      await store.subscribe(user.id, feed.id, { folderId: null, title: null }, T0);
      await store.recordFetchSuccess(
        feed.id,
        update(T0 + 1),
        [1, 2, 3, 4].map((n) => entry(n, { contentHtml: `<p>Body ${n}</p>`.repeat(n * 500) })),
      );
      const all = await store.queryEntries({ userId: user.id, feedId: feed.id, limit: 10 });
      const id = (n: number): number => all.find((v) => v.entry.title === `Entry ${n}`)?.entry.id ?? -1;
      const ids = [id(2), id(4), id(1), 999_999];
      const newest = await store.queryEntries({ userId: user.id, entryIds: ids, limit: 2 });
      assert.deepEqual(
        newest.map((v) => [v.entry.title, v.entry.contentHtml.length]),
        [
          ['Entry 4', '<p>Body 4</p>'.length * 2000],
          ['Entry 2', '<p>Body 2</p>'.length * 1000],
        ],
      );
      const oldest = await store.queryEntries({ userId: user.id, entryIds: ids, limit: 10, order: 'oldest' });
      assert.deepEqual(
        oldest.map((v) => v.entry.title),
        ['Entry 1', 'Entry 2', 'Entry 4'],
      );
      assert.ok(
        oldest.every((v) => v.entry.contentHtml.startsWith(`<p>Body ${v.entry.title.slice(-1)}</p>`)),
      );
      const bare = await store.queryEntries({
        userId: user.id,
        entryIds: ids,
        limit: 10,
        withContent: false,
      });
      assert.deepEqual(
        bare.map((v) => [v.entry.title, v.entry.contentHtml]),
        [
          ['Entry 4', ''],
          ['Entry 2', ''],
          ['Entry 1', ''],
        ],
      );
      // Brief rows: what a list shows, the rest empty, and the user's state.
      await store.setEntryState(user.id, [id(4)], { starred: true, readLater: true }, T0 + 2);
      const [brief] = await store.queryEntries({
        userId: user.id,
        entryIds: [id(4)],
        limit: 1,
        shape: 'list',
      });
      const [full] = await store.queryEntries({ userId: user.id, entryIds: [id(4)], limit: 1 });
      assert.ok(brief && full);
      const { entry: b } = brief;
      const { entry: f } = full;
      assert.deepEqual(
        [
          b.id,
          b.feedId,
          b.link,
          b.title,
          b.author,
          b.summaryText,
          b.readingMinutes,
          b.publishedAt,
          b.language,
        ],
        [
          f.id,
          f.feedId,
          f.link,
          f.title,
          f.author,
          f.summaryText,
          f.readingMinutes,
          f.publishedAt,
          f.language,
        ],
      );
      assert.deepEqual(
        [b.guid, b.contentHtml, b.categories, b.enclosures, b.dedupeKey, b.contentHash],
        [null, '', [], [], '', ''],
      );
      assert.deepEqual([brief.read, brief.starred, brief.readLater], [false, true, true]);
      assert.deepEqual([full.read, full.starred, full.readLater], [false, true, true]);
      const stranger = await store.createUser('byid-stranger', { isAdmin: false }, T0);
      assert.deepEqual(await store.queryEntries({ userId: stranger.id, entryIds: ids, limit: 10 }), []);
    });

    it("reads a client's columns (shapes 'item' and 'entry') as every column gives them, the rest empty", async () => {
      const user = await store.createUser('byitem', { isAdmin: false }, T0);
      const feed = await store.ensureFeed('https://byitem.example/feed', DEFAULT_OPTIONS, T0);
      await store.subscribe(user.id, feed.id, { folderId: null, title: null }, T0);
      const enclosure = { url: 'https://byitem.example/a.mp3', type: 'audio/mpeg', length: 1234 };
      await store.recordFetchSuccess(feed.id, update(T0 + 1), [
        entry(1, {
          contentHtml: '<p>Caf\u00e9 "quoted" \u4e2d\u6587</p>',
          updatedAt: T0 + 5_000,
          enclosures: [enclosure],
          language: 'fr',
          imageUrl: 'https://byitem.example/i.png',
          readingMinutes: 4,
          categories: ['one', 'two'],
          commentsUrl: 'https://byitem.example/1#comments',
        }),
      ]);
      const [{ entry: only } = { entry: null }] = await store.queryEntries({
        userId: user.id,
        feedId: feed.id,
        limit: 1,
      });
      assert.ok(only);
      await store.setEntryState(user.id, [only.id], { read: true, starred: true }, T0 + 2);
      const [full] = await store.queryEntries({ userId: user.id, entryIds: [only.id], limit: 1 });
      assert.ok(full);
      assert.deepEqual([full.entry.readingMinutes, full.entry.categories], [4, ['one', 'two']]);
      // What each shape reads; the other columns come back empty (null, '', 0 or []).
      const item: (keyof Entry)[] = [
        'id',
        'feedId',
        'link',
        'title',
        'author',
        'publishedAt',
        'updatedAt',
        'createdAt',
        'enclosures',
      ];
      const read: Record<'item' | 'entry', (keyof Entry)[]> = {
        item,
        entry: [...item, 'readingMinutes', 'categories', 'commentsUrl', 'contentHash'],
      };
      const empty: Partial<Record<keyof Entry, unknown>> = {
        guid: null,
        summaryText: '',
        readingMinutes: 0,
        categories: [],
        imageUrl: null,
        commentsUrl: null,
        language: null,
        dedupeKey: '',
        contentHash: '',
      };
      for (const shape of ['item', 'entry'] as const) {
        for (const withContent of [true, 'json', false] as const) {
          const label = `${shape} ${String(withContent)}`;
          const [item] = await store.queryEntries({
            userId: user.id,
            feedId: feed.id,
            limit: 1,
            withContent,
            shape,
          });
          assert.ok(item, label);
          for (const key of read[shape])
            assert.deepEqual(item.entry[key], full.entry[key], `${label} ${key}`);
          for (const [key, value] of Object.entries(empty))
            if (!read[shape].includes(key as keyof Entry))
              assert.deepEqual(item.entry[key as keyof Entry], value, `${label} ${key}`);
          assert.equal(item.entry.updatedAt, T0 + 5_000);
          assert.deepEqual(item.entry.enclosures, [enclosure]);
          assert.deepEqual([item.read, item.starred, item.readLater], [true, true, false], label);
          const body =
            withContent === 'json'
              ? (JSON.parse(Buffer.from(item.contentJson ?? []).toString('utf8')) as string)
              : item.entry.contentHtml;
          assert.equal(body, withContent === false ? '' : full.entry.contentHtml, label);
        }
      }
    });

    it('gives the stored body in JSON lists read again and again, after a new version and a full article', async () => {
      const user = await store.createUser('keptbodies', { isAdmin: false }, T0);
      const feed = await store.ensureFeed('https://keptbodies.example/feed', DEFAULT_OPTIONS, T0);
      await store.subscribe(user.id, feed.id, { folderId: null, title: null }, T0);
      await store.recordFetchSuccess(
        feed.id,
        update(T0 + 1),
        [1, 2, 3].map((n) => entry(n)),
      );
      const bodies = async (shape: 'entry' | 'item'): Promise<string[]> =>
        (
          await store.queryEntries({
            userId: user.id,
            feedId: feed.id,
            limit: 10,
            withContent: 'json',
            shape,
          })
        ).map((v) => JSON.parse(Buffer.from(v.contentJson ?? []).toString('utf8')) as string);
      // Read, kept, then given from what was kept: the same each time.
      for (let i = 0; i < 4; i++) {
        assert.deepEqual(
          await bodies('entry'),
          ['<p>Body 3</p>', '<p>Body 2</p>', '<p>Body 1</p>'],
          `list ${i}`,
        );
        assert.deepEqual(
          await bodies('item'),
          ['<p>Body 3</p>', '<p>Body 2</p>', '<p>Body 1</p>'],
          `items ${i}`,
        );
      }
      await store.recordFetchSuccess(feed.id, update(T0 + 2), [
        entry(2, { contentHtml: '<p>Body 2, edited</p>', contentHash: 'hash-2b' }),
      ]);
      const [first] = await store.queryEntries({
        userId: user.id,
        feedId: feed.id,
        limit: 1,
        order: 'oldest',
      });
      assert.ok(first);
      assert.ok(
        await store.replaceEntryContent(
          first.entry.id,
          { html: '<p>All of it</p>', text: 'All of it', readingMinutes: 1 },
          T0 + 3,
        ),
      );
      for (let i = 0; i < 3; i++) {
        const expected = ['<p>Body 3</p>', '<p>Body 2, edited</p>', '<p>All of it</p>'];
        assert.deepEqual(await bodies('entry'), expected, `after, list ${i}`);
        assert.deepEqual(await bodies('item'), expected, `after, items ${i}`);
      }
    });

    it('reads bodies as JSON text that parses to the stored body, whatever it holds', async () => {
      const user = await store.createUser('asjson', { isAdmin: false }, T0);
      const feed = await store.ensureFeed('https://asjson.example/feed', DEFAULT_OPTIONS, T0);
      await store.subscribe(user.id, feed.id, { folderId: null, title: null }, T0);
      // BODIES_TO_QUOTE and one with a lone surrogate, which cannot be stored as it is.
      const bodies = [...BODIES_TO_QUOTE, 'a lone \ud800 surrogate'];
      await store.recordFetchSuccess(
        feed.id,
        update(T0 + 1),
        bodies.map((contentHtml, i) => entry(i + 1, { contentHtml })),
      );
      const html = await store.queryEntries({ userId: user.id, feedId: feed.id, limit: 10 });
      const json = await store.queryEntries({
        userId: user.id,
        feedId: feed.id,
        limit: 10,
        withContent: 'json',
      });
      assert.equal(json.length, bodies.length);
      assert.deepEqual(
        json.map((v) => [
          v.entry.id,
          JSON.parse(Buffer.from(v.contentJson ?? []).toString('utf8') || 'null') as unknown,
          v.entry.contentHtml,
        ]),
        html.map((v) => [v.entry.id, v.entry.contentHtml, '']),
      );
      // A lone surrogate cannot be stored as it is (it comes back as replacement characters).
      assert.deepEqual(
        html
          .map((v) => v.entry.contentHtml)
          .filter((b) => !b.includes('\ufffd'))
          .sort(),
        bodies.filter((b) => !b.includes('\ud800')).sort(),
      );
      assert.equal(html[0]?.contentJson, undefined);
    });
    it('lists entries by user, feed and status with keyset pagination in both orders', async () => {
      const user = await store.createUser('pager', { isAdmin: false }, T0);
      const feed = await store.ensureFeed('https://pages.example/feed', DEFAULT_OPTIONS, T0);
      await store.subscribe(user.id, feed.id, { folderId: null, title: null }, T0);
      await store.recordFetchSuccess(
        feed.id,
        update(T0 + 1),
        [1, 2, 3, 4, 5].map((n) => entry(n)),
      );
      const page1 = await store.queryEntries({ userId: user.id, feedId: feed.id, limit: 2 });
      assert.deepEqual(
        page1.map((v) => v.entry.title),
        ['Entry 5', 'Entry 4'],
      );
      const last = page1[1]?.entry;
      assert.ok(last);
      const page2 = await store.queryEntries({
        userId: user.id,
        feedId: feed.id,
        limit: 2,
        after: { publishedAt: last.publishedAt, id: last.id },
      });
      assert.deepEqual(
        page2.map((v) => v.entry.title),
        ['Entry 3', 'Entry 2'],
      );
      const oldest = await store.queryEntries({
        userId: user.id,
        feedId: feed.id,
        limit: 2,
        order: 'oldest',
      });
      assert.deepEqual(
        oldest.map((v) => v.entry.title),
        ['Entry 1', 'Entry 2'],
      );
      await store.setEntryState(
        user.id,
        page1.map((v) => v.entry.id),
        { read: true },
        T0,
      );
      const unread = await store.queryEntries({
        userId: user.id,
        feedId: feed.id,
        status: 'unread',
        limit: 10,
      });
      assert.deepEqual(
        unread.map((v) => v.entry.title),
        ['Entry 3', 'Entry 2', 'Entry 1'],
      );
      const [view] = (await store.listSubscriptions(user.id)).filter((s) => s.feed.id === feed.id);
      assert.equal(view?.unreadCount, 3);
      assert.equal(view?.entryCount, 5);
    });

    it('sorts by arrival (id) and filters by id and date ranges, as the client APIs page', async () => {
      const user = await store.createUser('arrivals', { isAdmin: false }, T0);
      const feed = await store.ensureFeed('https://arrivals.example/feed', DEFAULT_OPTIONS, T0);
      await store.subscribe(user.id, feed.id, { folderId: null, title: null }, T0);
      // Stored in this order, so arrival order is not publication order.
      await store.recordFetchSuccess(
        feed.id,
        update(T0 + 1),
        [3, 1, 5, 2, 4].map((n) => entry(n)),
      );
      const titles = (views: EntryView[]): string[] => views.map((v) => v.entry.title);
      const q = { userId: user.id, feedId: feed.id, limit: 10 };
      const byId = await store.queryEntries({ ...q, sortBy: 'id', order: 'oldest' });
      assert.deepEqual(titles(byId), ['Entry 3', 'Entry 1', 'Entry 5', 'Entry 2', 'Entry 4']);
      const ids = byId.map((v) => v.entry.id);
      assert.deepEqual(
        titles(await store.queryEntries({ ...q, sortBy: 'id', order: 'newest', idBelow: ids[3] })),
        ['Entry 5', 'Entry 1', 'Entry 3'],
      );
      assert.deepEqual(
        titles(await store.queryEntries({ ...q, sortBy: 'id', order: 'oldest', idAbove: ids[1], limit: 2 })),
        ['Entry 5', 'Entry 2'],
      );
      assert.deepEqual(
        titles(
          await store.queryEntries({
            ...q,
            publishedAfter: T0 + 2 * 60_000,
            publishedBefore: T0 + 5 * 60_000,
          }),
        ),
        ['Entry 4', 'Entry 3'],
      );
    });

    it('filters by arrival, few or many, listing by date the user’s own entries only', async () => {
      const user = await store.createUser('syncing', { isAdmin: false }, T0);
      const other = await store.createUser('bystander', { isAdmin: false }, T0);
      const feed = await store.ensureFeed('https://syncing.example/feed', DEFAULT_OPTIONS, T0);
      const theirs = await store.ensureFeed('https://bystander.example/feed', DEFAULT_OPTIONS, T0);
      await store.subscribe(user.id, feed.id, { folderId: null, title: null }, T0);
      await store.subscribe(other.id, theirs.id, { folderId: null, title: null }, T0);
      const [first, second, third] = [T0 + 10_000, T0 + 20_000, T0 + 30_000];
      await store.recordFetchSuccess(
        feed.id,
        update(first),
        [1, 2, 3].map((n) => entry(n)),
      );
      // Arrived later, dated before everything that came first.
      await store.recordFetchSuccess(feed.id, update(second), [
        entry(4, { publishedAt: T0 - 120_000 }),
        entry(5, { publishedAt: T0 - 60_000 }),
      ]);
      await store.recordFetchSuccess(theirs.id, update(second), [entry(6)]);
      const titles = (views: EntryView[]): string[] => views.map((v) => v.entry.title);
      const q = { userId: user.id, limit: 10 };
      assert.deepEqual(titles(await store.queryEntries({ ...q, arrivedSince: second })), [
        'Entry 5',
        'Entry 4',
      ]);
      const sync = async (): Promise<void> => {
        const f = { ...q, feedId: feed.id };
        assert.deepEqual(titles(await store.queryEntries({ ...f, arrivedSince: second })), [
          'Entry 5',
          'Entry 4',
        ]);
        assert.deepEqual(
          titles(await store.queryEntries({ ...f, arrivedSince: second, order: 'oldest', limit: 1 })),
          ['Entry 4'],
        );
        assert.deepEqual(titles(await store.queryEntries({ ...q, arrivedBefore: second })), [
          'Entry 3',
          'Entry 2',
          'Entry 1',
        ]);
        assert.deepEqual(
          titles(await store.queryEntries({ ...f, arrivedSince: first + 1, arrivedBefore: second + 1 })),
          ['Entry 5', 'Entry 4'],
        );
        assert.deepEqual(titles(await store.queryEntries({ ...f, arrivedSince: second, status: 'unread' })), [
          'Entry 5',
          'Entry 4',
        ]);
        assert.deepEqual(await store.queryEntries({ ...q, arrivedSince: second, feedId: theirs.id }), []);
        assert.deepEqual(
          titles(await store.queryEntries({ userId: other.id, limit: 10, arrivedSince: second })),
          ['Entry 6'],
        );
      };
      await sync();
      // More arrivals than the store looks up by arrival before listing: the same answers.
      const busy = await store.ensureFeed('https://busy.example/feed', DEFAULT_OPTIONS, T0);
      await store.subscribe(user.id, busy.id, { folderId: null, title: null }, T0);
      await store.recordFetchSuccess(
        busy.id,
        update(third),
        Array.from({ length: ARRIVAL_WINDOW + 1 }, (_, i) => entry(100 + i)),
      );
      await sync();
      const busiest = await store.queryEntries({ ...q, arrivedSince: third, limit: 2 });
      assert.deepEqual(titles(busiest), [`Entry ${100 + ARRIVAL_WINDOW}`, `Entry ${99 + ARRIVAL_WINDOW}`]);
      assert.deepEqual(titles(await store.queryEntries({ ...q, feedId: feed.id, arrivedSince: first })), [
        'Entry 3',
        'Entry 2',
        'Entry 1',
        'Entry 5',
        'Entry 4',
      ]);
    });

    it('filters by when an entry last changed for its user: updated, read or starred', async () => {
      const user = await store.createUser('changes', { isAdmin: false }, T0);
      const other = await store.createUser('onlooker', { isAdmin: false }, T0);
      const feed = await store.ensureFeed('https://changes.example/feed', DEFAULT_OPTIONS, T0);
      await store.subscribe(user.id, feed.id, { folderId: null, title: null }, T0);
      await store.subscribe(other.id, feed.id, { folderId: null, title: null }, T0);
      const at = (n: number): number => T0 + n * 60_000;
      await store.recordFetchSuccess(
        feed.id,
        update(at(1)),
        [1, 2, 3, 4].map((n) => entry(n)),
      );
      const byTitle = new Map(
        (await store.queryEntries({ userId: user.id, feedId: feed.id, limit: 10 })).map((v) => [
          v.entry.title,
          v.entry.id,
        ]),
      );
      const id = (n: number): number => byTitle.get(`Entry ${n}`) ?? 0;
      await store.setEntryState(user.id, [id(1)], { read: true }, at(2));
      await store.setEntryState(user.id, [id(2)], { starred: true }, at(3));
      await store.setEntryState(other.id, [id(4)], { read: true }, at(3));
      await store.recordFetchSuccess(feed.id, update(at(4)), [entry(3, { contentHash: 'hash-3-changed' })]);
      const changed = async (q: { changedAfter?: number; changedBefore?: number }): Promise<string[]> =>
        (
          await store.queryEntries({
            userId: user.id,
            feedId: feed.id,
            limit: 10,
            sortBy: 'id',
            order: 'oldest',
            ...q,
          })
        ).map((v) => v.entry.title);
      assert.deepEqual(await changed({ changedAfter: at(1) }), ['Entry 1', 'Entry 2', 'Entry 3']);
      assert.deepEqual(await changed({ changedAfter: at(2) }), ['Entry 2', 'Entry 3']);
      assert.deepEqual(await changed({ changedAfter: at(1), changedBefore: at(3) }), ['Entry 1']);
      // Another reader's marks are not this one's changes.
      assert.deepEqual(await changed({ changedBefore: at(2) }), ['Entry 4']);
      const notStarred = await store.queryEntries({
        userId: user.id,
        feedId: feed.id,
        limit: 10,
        starred: false,
      });
      assert.deepEqual(notStarred.map((v) => v.entry.title).sort(), ['Entry 1', 'Entry 3', 'Entry 4']);
      const { ids, total } = await store.entryIds(
        { userId: user.id, limit: 10, sortBy: 'id', order: 'newest', changedAfter: at(2) },
        0,
      );
      assert.deepEqual(ids, [id(3), id(2)]);
      assert.equal(total, 2);
    });

    it('lists a change window by id or date, few changes or most, to its end', async () => {
      // A window holding most of the user's entries is walked in order, one holding few sorted:
      // the same lists either way.
      const user = await store.createUser('window', { isAdmin: false }, T0);
      const feed = await store.ensureFeed('https://window.example/feed', DEFAULT_OPTIONS, T0);
      await store.subscribe(user.id, feed.id, { folderId: null, title: null }, T0);
      const n = 60;
      await store.recordFetchSuccess(
        feed.id,
        update(T0),
        Array.from({ length: n }, (_, i) => entry(i + 1)),
      );
      const ids = (await store.entryIds({ userId: user.id, limit: n, sortBy: 'id', order: 'oldest' }, 0)).ids;
      assert.equal(ids.length, n);
      for (const marked of [2, 35]) {
        const at = T0 + marked * 60_000;
        const chosen = ids.filter((_, i) => i % 3 !== 1).slice(0, marked);
        await store.setEntryState(user.id, chosen, { read: true }, at);
        for (const sortBy of ['id', 'published'] as const) {
          for (const order of ['oldest', 'newest'] as const) {
            const q = { userId: user.id, changedAfter: at - 1, sortBy, order, limit: 10 };
            const expected = (await store.queryEntries({ ...q, limit: n }))
              .filter((v) => chosen.includes(v.entry.id))
              .map((v) => v.entry.id);
            assert.equal(expected.length, marked);
            for (const offset of [0, 10, 40]) {
              const page = await store.entryIds(q, offset);
              assert.equal(page.total, marked);
              assert.deepEqual(
                page.ids,
                expected.slice(offset, offset + 10),
                `${marked} ${sortBy} ${order} ${offset}`,
              );
            }
          }
        }
      }
    });

    it('pages a list by status, title or author, and a search in any order, with its total', async () => {
      const user = await store.createUser('sorter', { isAdmin: false }, T0);
      const other = await store.createUser('unsorted', { isAdmin: false }, T0);
      const feed = await store.ensureFeed('https://sorted.example/feed', DEFAULT_OPTIONS, T0);
      const theirs = await store.ensureFeed('https://unsorted.example/feed', DEFAULT_OPTIONS, T0);
      await store.subscribe(user.id, feed.id, { folderId: null, title: null }, T0);
      await store.subscribe(other.id, theirs.id, { folderId: null, title: null }, T0);
      const n = 30;
      // Titles and authors in another order than the dates, some equal; every third entry
      // mentions a kiwi, and so do all of the other reader's.
      const made = (i: number): PreparedEntry =>
        entry(i, {
          title: `${['delta', 'Alpha', 'charlie', 'bravo', 'Echo'][i % 5]} ${i % 3}`,
          author: i % 4 === 0 ? null : ['Zed', 'amy', 'Bob'][i % 3],
          contentText: i % 3 === 0 ? `Body ${i} of a kiwi` : `Body ${i}`,
        });
      await store.recordFetchSuccess(
        feed.id,
        update(T0),
        Array.from({ length: n }, (_, i) => made(i + 1)),
      );
      await store.recordFetchSuccess(
        theirs.id,
        update(T0),
        Array.from({ length: n }, (_, i) => made(i + 101)),
      );
      const all = await store.queryEntries({ userId: user.id, limit: n });
      await store.setEntryState(
        user.id,
        all.filter((_, i) => i % 4 === 1).map((v) => v.entry.id),
        { read: true },
        T0 + 1,
      );
      const views = await store.queryEntries({ userId: user.id, limit: n });
      // Each order's key, then the date and id the same way.
      const keys: Record<string, (v: (typeof views)[number]) => number | string> = {
        status: (v) => (v.read ? 0 : 1),
        title: (v) => v.entry.title.toLowerCase(),
        author: (v) => (v.entry.author ?? '').toLowerCase(),
      };
      const sorted = (list: typeof views, by: string, order: 'oldest' | 'newest'): number[] => {
        const sign = order === 'oldest' ? 1 : -1;
        const key = keys[by] as (v: (typeof views)[number]) => number | string;
        return [...list]
          .sort((a, b) => {
            const [ka, kb] = [key(a), key(b)];
            if (ka !== kb) return (ka < kb ? -1 : 1) * sign;
            return (a.entry.publishedAt - b.entry.publishedAt || a.entry.id - b.entry.id) * sign;
          })
          .map((v) => v.entry.id);
      };
      const withKiwi = views.filter((v) => ((v.entry.publishedAt - T0) / 60_000) % 3 === 0);
      assert.equal(withKiwi.length, n / 3);
      for (const by of ['status', 'title', 'author'] as const) {
        for (const order of ['oldest', 'newest'] as const) {
          for (const search of [undefined, 'kiwi']) {
            const expected = sorted(search ? withKiwi : views, by, order);
            for (const offset of [0, 7, expected.length - 2]) {
              const q = { userId: user.id, sortBy: by, order, limit: 5, ...(search ? { search } : {}) };
              const page = await store.entryIds(q, offset);
              assert.equal(page.total, expected.length);
              assert.deepEqual(
                page.ids,
                expected.slice(offset, offset + 5),
                `${by} ${order} ${search} ${offset}`,
              );
            }
          }
        }
      }
      // A search with the other filters: read ones by id; none for a word nobody wrote.
      const readKiwis = withKiwi.filter((v) => v.read).map((v) => v.entry.id);
      assert.ok(readKiwis.length > 0);
      assert.deepEqual(
        await store.entryIds(
          { userId: user.id, search: 'kiwi', status: 'read', sortBy: 'id', order: 'oldest', limit: 50 },
          0,
        ),
        { ids: [...readKiwis].sort((a, b) => a - b), total: readKiwis.length },
      );
      assert.deepEqual(
        await store.entryIds({ userId: user.id, search: 'kiwi', feedId: theirs.id, limit: 50 }, 0),
        { ids: [], total: 0 },
      );
      assert.deepEqual(await store.entryIds({ userId: user.id, search: '***', limit: 50 }, 0), {
        ids: [],
        total: 0,
      });
      const [some] = withKiwi;
      assert.ok(some);
      assert.deepEqual(
        (
          await store.queryEntries({
            userId: user.id,
            search: 'kiwi',
            entryIds: [some.entry.id, all[1]?.entry.id ?? 0],
            limit: 5,
          })
        ).map((v) => v.entry.id),
        [some.entry.id],
      );
    });

    it('pages a search by date whatever order its entries arrived in', async () => {
      // As after an OPML import: the feed fetched first holds the newest entry, the one fetched
      // after it hundreds of older ones.
      const user = await store.createUser('importer', { isAdmin: false }, T0);
      const fresh = await store.ensureFeed('https://fresh.example/feed', DEFAULT_OPTIONS, T0);
      const archive = await store.ensureFeed('https://archive.example/feed', DEFAULT_OPTIONS, T0);
      await store.subscribe(user.id, fresh.id, { folderId: null, title: null }, T0);
      await store.subscribe(user.id, archive.id, { folderId: null, title: null }, T0);
      const day = 86_400_000;
      await store.recordFetchSuccess(fresh.id, update(T0), [
        entry(1, { title: 'Fresh', contentText: 'a kiwi today', publishedAt: T0 + 30 * day }),
      ]);
      await store.recordFetchSuccess(
        archive.id,
        update(T0),
        Array.from({ length: 600 }, (_, i) => entry(i + 2, { contentText: `kiwi number ${i}` })),
      );
      const [freshView] = await store.queryEntries({ userId: user.id, feedId: fresh.id, limit: 1 });
      const first = await store.entryIds({ userId: user.id, search: 'kiwi', limit: 10 }, 0);
      assert.equal(first.total, 601);
      assert.equal(first.ids[0], freshView?.entry.id);
      const last = await store.entryIds({ userId: user.id, search: 'kiwi', order: 'oldest', limit: 10 }, 591);
      assert.equal(last.ids.at(-1), freshView?.entry.id);
      // The reader's search by date too, whether its windows or a walk find the page.
      const titles = async (sort: 'newest' | 'oldest', limit: number, offset = 0): Promise<string[]> =>
        (await store.searchEntries({ userId: user.id, text: 'kiwi', sort, limit, offset })).map(
          (h) => h.view.entry.title,
        );
      for (const limit of [5, 1000]) {
        assert.equal((await titles('newest', limit))[0], 'Fresh', String(limit));
        assert.equal((await titles('oldest', limit))[0], 'Entry 2', String(limit));
      }
      assert.deepEqual(await titles('oldest', 5, 596), [
        'Entry 598',
        'Entry 599',
        'Entry 600',
        'Entry 601',
        'Fresh',
      ]);
    });

    it('keeps when each entry changed for each user: arrival, a new version, marks, mark-all and its undo', async () => {
      const user = await store.createUser('changer', { isAdmin: false }, T0);
      const feed = await store.ensureFeed('https://changed.example/feed', DEFAULT_OPTIONS, T0);
      await store.subscribe(user.id, feed.id, { folderId: null, title: null }, T0);
      const at = (n: number): number => T0 + n * 60_000;
      // The feed dates its entries' updates as it likes; the change is when they reach the store.
      await store.recordFetchSuccess(feed.id, update(at(1)), [
        entry(1, { updatedAt: at(30) }),
        entry(2, { updatedAt: T0 - 60_000 }),
        entry(3),
      ]);
      const times = async (userId: number): Promise<Map<string, number>> =>
        new Map(
          (await store.queryEntries({ userId, feedId: feed.id, limit: 10, shape: 'entry' })).map((v) => [
            v.entry.title,
            v.changedAt,
          ]),
        );
      assert.deepEqual(
        await times(user.id),
        new Map([
          ['Entry 1', at(1)],
          ['Entry 2', at(1)],
          ['Entry 3', at(1)],
        ]),
      );
      const [one] = await store.queryEntries({ userId: user.id, feedId: feed.id, limit: 1, order: 'oldest' });
      assert.ok(one);
      await store.setEntryState(user.id, [one.entry.id], { starred: true }, at(2));
      await store.recordFetchSuccess(feed.id, update(at(3)), [entry(2, { contentHash: 'hash-2-v2' })]);
      assert.equal(await store.markAllRead(user.id, { feedId: feed.id }, at(4)), 3);
      assert.deepEqual(
        [...(await times(user.id)).values()],
        [at(4), at(4), at(4)],
        'mark-all is a change of each entry it marks',
      );
      assert.equal(await store.undoMarkAllRead(user.id, at(4), at(5)), 3);
      assert.deepEqual([...(await times(user.id)).values()], [at(5), at(5), at(5)]);
      // A new version is a change for everyone who has the entry; the search gives the same times.
      await store.recordFetchSuccess(feed.id, update(at(6)), [entry(3, { contentHash: 'hash-3-v2' })]);
      const mine = await times(user.id);
      assert.equal(mine.get('Entry 3'), at(6));
      assert.equal(mine.get('Entry 1'), at(5));
      const found = await store.searchEntries({
        userId: user.id,
        text: 'Entry',
        sort: 'newest',
        limit: 10,
        offset: 0,
      });
      assert.deepEqual(new Map(found.map((h) => [h.view.entry.title, h.view.changedAt])), mine);
      // A late subscriber's entries arrive for them when they subscribe: a client syncing what
      // changed since its last sync gets them.
      const late = await store.createUser('late changer', { isAdmin: false }, T0);
      await store.subscribe(late.id, feed.id, { folderId: null, title: null }, at(7));
      assert.deepEqual([...(await times(late.id)).values()], [at(7), at(7), at(7)]);
      const since = await store.entryIds(
        { userId: late.id, limit: 10, sortBy: 'id', order: 'newest', changedAfter: at(6) },
        0,
      );
      assert.equal(since.total, 3);
      assert.equal(
        (await times(user.id)).get('Entry 1'),
        at(5),
        'another subscriber changes nothing of mine',
      );
    });

    it('gives a new subscriber the feed entries already stored, and other users none of their state', async () => {
      const feed = await store.ensureFeed('https://late.example/feed', DEFAULT_OPTIONS, T0);
      const early = await store.createUser('early', { isAdmin: false }, T0);
      await store.subscribe(early.id, feed.id, { folderId: null, title: null }, T0);
      await store.recordFetchSuccess(feed.id, update(T0 + 1), [entry(1), entry(2)]);
      const ids = (await store.queryEntries({ userId: early.id, feedId: feed.id, limit: 10 })).map(
        (v) => v.entry.id,
      );
      await store.setEntryState(early.id, ids, { read: true }, T0);
      const late = await store.createUser('late', { isAdmin: false }, T0);
      await store.subscribe(late.id, feed.id, { folderId: null, title: null }, T0);
      const seen = await store.queryEntries({
        userId: late.id,
        feedId: feed.id,
        status: 'unread',
        limit: 10,
      });
      assert.equal(seen.length, 2, 'unread for the late subscriber although read by the early one');
      const outsider = await store.createUser('outsider', { isAdmin: false }, T0);
      assert.deepEqual(await store.queryEntries({ userId: outsider.id, limit: 10 }), []);
      assert.equal(await store.setEntryState(outsider.id, ids, { read: false }, T0), 0);
    });

    it('keeps starred entries on unsubscribe and drops a feed nobody needs', async () => {
      const user = await store.createUser('leaver', { isAdmin: false }, T0);
      const feed = await store.ensureFeed('https://leave.example/feed', DEFAULT_OPTIONS, T0);
      await store.subscribe(user.id, feed.id, { folderId: null, title: null }, T0);
      await store.recordFetchSuccess(feed.id, update(T0 + 1), [entry(1), entry(2)]);
      const [newest] = await store.queryEntries({ userId: user.id, feedId: feed.id, limit: 1 });
      assert.ok(newest);
      await store.setEntryState(user.id, [newest.entry.id], { starred: true }, T0);
      assert.equal(await store.unsubscribe(user.id, feed.id), true);
      assert.equal(await store.unsubscribe(user.id, feed.id), false);
      const starred = await store.queryEntries({ userId: user.id, starred: true, limit: 10 });
      assert.deepEqual(
        starred.map((v) => v.entry.id),
        [newest.entry.id],
      );
      assert.notEqual(await store.getFeed(feed.id), null, 'kept while a starred entry needs it');
      const other = await store.ensureFeed('https://orphan.example/feed', DEFAULT_OPTIONS, T0);
      await store.subscribe(user.id, other.id, { folderId: null, title: null }, T0);
      await store.unsubscribe(user.id, other.id);
      assert.equal(await store.getFeed(other.id), null, 'dropped when nobody subscribes or keeps an entry');
    });

    it('stores nothing of a fetch whose feed went while it was fetched, and the rest of its group', async () => {
      const user = await store.createUser('quick-leaver', { isAdmin: false }, T0);
      const gone = await store.ensureFeed('https://gone-mid-fetch.example/feed', DEFAULT_OPTIONS, T0);
      const kept = await store.ensureFeed('https://kept-mid-fetch.example/feed', DEFAULT_OPTIONS, T0);
      for (const feed of [gone, kept])
        await store.subscribe(user.id, feed.id, { folderId: null, title: null }, T0);
      assert.equal(await store.unsubscribe(user.id, gone.id), true);
      assert.equal(await store.getFeed(gone.id), null);
      // Both arrive in the same turn, so are written in one group commit.
      const [late, fine] = await Promise.all([
        store.recordFetchSuccess(gone.id, update(T0 + 1), [entry(1)]),
        store.recordFetchSuccess(kept.id, update(T0 + 1), [entry(1), entry(2)]),
      ]);
      assert.deepEqual(late, { inserted: 0, updated: 0 });
      assert.deepEqual(fine, { inserted: 2, updated: 0 });
      assert.equal(await store.getFeed(gone.id), null);
      assert.equal(await store.countEntries(kept.id), 2);
    });

    it('schedules: due feeds with subscribers only, failures counted and cleared, validators kept', async () => {
      const user = await store.createUser('scheduler', { isAdmin: false }, T0);
      const due = await store.ensureFeed('https://due.example/feed', DEFAULT_OPTIONS, T0);
      await store.ensureFeed('https://unsubscribed.example/feed', DEFAULT_OPTIONS, T0);
      await store.subscribe(user.id, due.id, { folderId: null, title: null }, T0);
      const dueIds = (await store.dueFeeds(T0 + 1, 1000)).map((f) => f.id);
      assert.ok(dueIds.includes(due.id));
      assert.ok(
        !(await store.dueFeeds(T0 + 1, 1000)).some((f) => f.url === 'https://unsubscribed.example/feed'),
      );
      await store.recordFetchFailure(due.id, T0 + 1, T0 + 100, 'https://due.example/feed returned 500');
      await store.recordFetchFailure(due.id, T0 + 2, T0 + 200, 'https://due.example/feed returned 503');
      let feed = await store.getFeed(due.id);
      assert.equal(feed?.errorCount, 2);
      assert.match(feed?.lastError ?? '', /503/);
      assert.ok(!(await store.dueFeeds(T0 + 150, 1000)).some((f) => f.id === due.id));
      await store.recordFetchSuccess(due.id, update(T0 + 300), []);
      feed = await store.getFeed(due.id);
      assert.equal(feed?.errorCount, 0);
      assert.equal(feed?.lastError, null);
      assert.equal(feed?.etag, '"v1"');
      assert.equal(feed?.title, 'Example');
      await store.recordNotModified(due.id, T0 + 400, T0 + 500);
      assert.equal((await store.getFeed(due.id))?.lastCheckedAt, T0 + 400);
    });

    it('gives the due feeds a page at a time, each once, in the order of their next check', async () => {
      // A store of its own: other tests' feeds fall due too.
      const { store: own, cleanup: close } = await backend.open();
      try {
        const user = await own.createUser('pager', { isAdmin: false }, T0);
        const ids: number[] = [];
        // Next checks out of id order, two at the same time (ties go by id).
        for (const [i, next] of [T0 + 30, T0 + 10, T0 + 20, T0 + 10, T0 + 50].entries()) {
          const feed = await own.ensureFeed(`https://page${i}.example/feed`, DEFAULT_OPTIONS, T0);
          await own.subscribe(user.id, feed.id, { folderId: null, title: null }, T0);
          await own.recordNotModified(feed.id, T0 - 1000, next);
          ids.push(feed.id);
        }
        const [a, b, c, d] = ids as [number, number, number, number, number];
        const walk = async (now: number, size: number, checkedSince?: number): Promise<number[][]> => {
          const pages: number[][] = [];
          let after: Feed | undefined;
          for (;;) {
            const page = await own.dueFeeds(now, size, { after, checkedSince });
            if (page.length === 0) return pages;
            pages.push(page.map((f) => f.id));
            after = page.at(-1);
          }
        };
        assert.deepEqual(await walk(T0 + 30, 2), [
          [b, d],
          [c, a],
        ]);
        assert.equal(await own.countDueFeeds(T0 + 30), 4);
        // Every feed, as `gleaner refresh` takes them: one checked since the walk began is done,
        // though its next check came round again.
        await own.recordNotModified(c, T0 + 100, T0 + 200);
        assert.deepEqual((await walk(Number.MAX_SAFE_INTEGER, 3, T0 + 100)).flat(), [b, d, a, ids[4]]);
        assert.deepEqual((await walk(Number.MAX_SAFE_INTEGER, 3)).flat(), [b, d, a, ids[4], c]);
      } finally {
        await close();
      }
    });

    it('fetches a feed while one of its subscriptions is not paused', async () => {
      const [a, b] = [
        await store.createUser('pauser-a', { isAdmin: false }, T0),
        await store.createUser('pauser-b', { isAdmin: false }, T0),
      ];
      const feed = await store.ensureFeed('https://paused.example/feed', DEFAULT_OPTIONS, T0);
      await store.subscribe(a.id, feed.id, { folderId: null, title: null }, T0);
      await store.subscribe(b.id, feed.id, { folderId: null, title: null }, T0);
      const due = async (): Promise<boolean> =>
        (await store.dueFeeds(T0 + 1, 1000)).some((f) => f.id === feed.id);
      const pausedFor = async (userId: number): Promise<boolean | undefined> =>
        (await store.listSubscriptions(userId)).find((s) => s.feed.id === feed.id)?.subscription.paused;
      assert.equal(await pausedFor(a.id), false);
      assert.equal(await store.updateSubscription(a.id, feed.id, { paused: true }), true);
      assert.equal(await pausedFor(a.id), true);
      assert.equal(await due(), true, 'b still follows it');
      await store.updateSubscription(b.id, feed.id, { paused: true, title: 'Mine' });
      assert.equal(await due(), false, 'paused by everyone');
      await store.subscribe(b.id, feed.id, { folderId: null, title: null }, T0);
      assert.equal(await pausedFor(b.id), true, 'subscribing again keeps the pause');
      await store.updateSubscription(a.id, feed.id, { title: 'Renamed' });
      assert.equal(await pausedFor(a.id), true, 'a change that names no pause keeps it');
      await store.updateSubscription(a.id, feed.id, { paused: false });
      assert.equal(await due(), true);
    });

    it('keeps a feed’s WebSub subscription: what was asked, then until when it holds', async () => {
      const feed = await store.ensureFeed('https://websub.example/feed', DEFAULT_OPTIONS, T0);
      assert.deepEqual(await store.webSubOf(feed.id), {
        hub: null,
        topic: null,
        secret: null,
        requestedAt: null,
        leaseUntil: null,
        followed: false,
      });
      const request = { hub: 'https://hub.example/', topic: 'https://websub.example/feed', secret: 's1' };
      await store.recordWebSubRequest(feed.id, request, T0);
      await store.recordWebSubLease(feed.id, T0 + 1000);
      assert.deepEqual(await store.webSubOf(feed.id), {
        ...request,
        requestedAt: T0,
        leaseUntil: T0 + 1000,
        followed: false,
      });
      // Asked again: the new secret, and no lease until the hub confirms it.
      await store.recordWebSubRequest(feed.id, { ...request, secret: 's2' }, T0 + 500);
      assert.deepEqual(await store.webSubOf(feed.id), {
        ...request,
        secret: 's2',
        requestedAt: T0 + 500,
        leaseUntil: null,
        followed: false,
      });
      assert.equal(await store.webSubOf(999_999), null);
      // What its hub sends is taken once in 30 s, whichever process asks.
      const spacing = 30_000;
      assert.equal(await store.claimWebSubPush(feed.id, T0 + 1_000, spacing), 0, 'the first is taken');
      assert.equal(await store.claimWebSubPush(feed.id, T0 + 11_000, spacing), 20_000, 'then 20 s to wait');
      assert.equal(await store.claimWebSubPush(feed.id, T0 + 31_000, spacing), 0, 'taken again after 30 s');
      assert.equal(
        await store.claimWebSubPush(feed.id, T0 + 5_000, spacing),
        0,
        'a clock set back holds nothing',
      );
      assert.equal(await store.claimWebSubPush(feed.id, T0 + 6_000, spacing), 29_000);
      assert.equal(await store.claimWebSubPush(999_999, T0, spacing), 0, 'a feed gone: nothing to wait for');
      // Followed while one of its subscriptions is not paused.
      const reader = await store.createUser('websub-reader', { isAdmin: false }, T0);
      await store.subscribe(reader.id, feed.id, { folderId: null, title: null }, T0);
      assert.equal((await store.webSubOf(feed.id))?.followed, true);
      await store.updateSubscription(reader.id, feed.id, { paused: true });
      assert.equal((await store.webSubOf(feed.id))?.followed, false);
    });

    it('moves a feed after a permanent redirect', async () => {
      const a = await store.ensureFeed('https://old.example/feed', DEFAULT_OPTIONS, T0);
      // The same URL fetched with other options is another feed: not in the way.
      await store.ensureFeed('https://new.example/feed', { ...DEFAULT_OPTIONS, cookie: 'c=1' }, T0);
      assert.deepEqual(await store.changeFeedUrl(a.id, 'https://new.example/feed', T0, false), {
        kind: 'moved',
      });
      assert.equal((await store.getFeed(a.id))?.url, 'https://new.example/feed');
      // Taken, without merging: nothing changes.
      const other = await store.ensureFeed('https://other.example/feed', DEFAULT_OPTIONS, T0);
      assert.deepEqual(await store.changeFeedUrl(a.id, other.url, T0, false), { kind: 'kept', by: other.id });
      assert.equal((await store.getFeed(a.id))?.url, 'https://new.example/feed');
      assert.equal((await store.getFeed(other.id))?.url, other.url);
    });

    it('merges a feed that moved to the URL of another into it, marks, labels and entries kept', async () => {
      const old = await store.ensureFeed('https://merge.example/old', DEFAULT_OPTIONS, T0);
      const into = await store.ensureFeed('https://merge.example/new', DEFAULT_OPTIONS, T0);
      const both = entry(901, { title: 'Both hold it' });
      const onlyOld = entry(902, { title: 'Only the old', contentText: 'a quokka appears' });
      const onlyNew = entry(903, { title: 'Only the new' });
      // Followed at the old URL only (in a folder, renamed), at both, and left with a star kept.
      const moving = await store.createUser('merge-moving', { isAdmin: false }, T0);
      const twice = await store.createUser('merge-twice', { isAdmin: false }, T0);
      const left = await store.createUser('merge-left', { isAdmin: false }, T0);
      const folder = await store.ensureFolder(moving.id, 'Moved');
      await store.subscribe(moving.id, old.id, { folderId: folder.id, title: 'My name' }, T0);
      for (const user of [twice, left])
        await store.subscribe(user.id, old.id, { folderId: null, title: null }, T0);
      await store.subscribe(twice.id, into.id, { folderId: null, title: 'Theirs' }, T0);
      await store.recordFetchSuccess(old.id, update(T0), [both, onlyOld]);
      await store.recordFetchSuccess(into.id, update(T0), [both, onlyNew]);
      const idOf = async (userId: number, feedId: number, title: string): Promise<number> => {
        const views = await store.queryEntries({ userId, feedId, limit: 10 });
        const id = views.find((v) => v.entry.title === title)?.entry.id;
        assert.ok(id !== undefined, `${title} in feed ${feedId}`);
        return id;
      };
      const oldBoth = await idOf(moving.id, old.id, 'Both hold it');
      const oldOnly = await idOf(moving.id, old.id, 'Only the old');
      await store.setEntryState(moving.id, [oldBoth], { read: true }, T0 + 1);
      await store.setEntryState(moving.id, [oldOnly], { starred: true }, T0 + 1);
      await store.labelEntries(moving.id, [oldBoth], { add: ['keep'], remove: [] }, T0 + 1);
      await store.setEntryState(
        twice.id,
        [await idOf(twice.id, into.id, 'Both hold it')],
        { read: true },
        T0 + 1,
      );
      await store.setEntryState(left.id, [oldBoth, oldOnly], { starred: true }, T0 + 1);
      await store.unsubscribe(left.id, old.id);
      const published = await store.createPublication(
        {
          userId: moving.id,
          kind: 'feed',
          value: String(old.id),
          slug: 'merge-old',
          title: 'Old',
          fullContent: true,
        },
        T0,
      );

      const move = await store.changeFeedUrl(old.id, into.url, T0 + 2, true);
      assert.deepEqual(move, { kind: 'merged', into: into.id, subscribers: 1, entriesMoved: 1 });
      assert.equal(await store.getFeed(old.id), null, 'the old feed is gone');

      // The newcomer follows the feed as they followed the old one; the one who followed both keeps theirs.
      const [sub] = await store.listSubscriptions(moving.id);
      assert.deepEqual(
        [sub?.feed.id, sub?.folderName, sub?.subscription.title, sub?.entryCount, sub?.unreadCount],
        [into.id, 'Moved', 'My name', 3, 2],
      );
      const theirs = await store.listSubscriptions(twice.id);
      assert.deepEqual(
        theirs.map((s) => [s.feed.id, s.subscription.title, s.entryCount, s.unreadCount]),
        [[into.id, 'Theirs', 3, 2]],
      );
      const state = async (userId: number): Promise<[string, number, boolean, boolean][]> =>
        (await store.queryEntries({ userId, feedId: into.id, limit: 10 }))
          .map((v): [string, number, boolean, boolean] => [v.entry.title, v.entry.feedId, v.read, v.starred])
          .sort();
      assert.deepEqual(await state(moving.id), [
        ['Both hold it', into.id, true, false],
        ['Only the new', into.id, false, false],
        ['Only the old', into.id, false, true],
      ]);
      assert.equal(await idOf(moving.id, into.id, 'Only the old'), oldOnly, 'a moved entry keeps its id');
      const intoBoth = await idOf(moving.id, into.id, 'Both hold it');
      assert.deepEqual([...(await store.entryLabels(moving.id, [intoBoth]))], [[intoBoth, ['keep']]]);
      // The star of the one who had left is on the entries as the feed now holds them.
      const starred = await store.queryEntries({ userId: left.id, starred: true, limit: 10 });
      assert.deepEqual(starred.map((v) => [v.entry.title, v.entry.feedId]).sort(), [
        ['Both hold it', into.id],
        ['Only the old', into.id],
      ]);
      // Found by search within the feed it is now in.
      const found = await store.searchEntries({
        userId: moving.id,
        text: 'quokka',
        feedId: into.id,
        limit: 10,
        offset: 0,
        sort: 'newest',
      });
      assert.deepEqual(
        found.map((h) => h.view.entry.id),
        [oldOnly],
      );
      const [publication] = (await store.listPublications(moving.id)).filter((p) => p.id === published.id);
      assert.equal(publication?.value, String(into.id), 'the publication publishes the feed it became');
      assert.equal(await store.countEntries(into.id), 3);
    });

    it('keeps folders per user and subscriptions in them', async () => {
      const user = await store.createUser('folders', { isAdmin: false }, T0);
      const tech = await store.ensureFolder(user.id, 'Tech');
      assert.equal((await store.ensureFolder(user.id, 'Tech')).id, tech.id);
      const feed = await store.ensureFeed('https://folder.example/feed', DEFAULT_OPTIONS, T0);
      await store.subscribe(user.id, feed.id, { folderId: tech.id, title: 'Mine' }, T0);
      const [view] = await store.listSubscriptions(user.id);
      assert.equal(view?.folderName, 'Tech');
      assert.equal(view?.subscription.title, 'Mine');
      assert.deepEqual(
        (await store.listFolders(user.id)).map((f) => f.name),
        ['Tech'],
      );
    });

    it('imports subscriptions in one call: feeds and folders made or found, entries backfilled', async () => {
      const user = await store.createUser('opml-importer', { isAdmin: false }, T0);
      const known = await store.ensureFeed('https://import.example/known', DEFAULT_OPTIONS, T0);
      await store.recordFetchSuccess(known.id, update(T0 + 1), [entry(1), entry(2)]);
      const news = await store.ensureFolder(user.id, 'News');
      await store.importSubscriptions(
        user.id,
        [
          { url: 'https://import.example/known', options: DEFAULT_OPTIONS, title: 'Known', folder: 'News' },
          { url: 'https://import.example/a', options: DEFAULT_OPTIONS, title: null, folder: 'Tech/Rust' },
          { url: 'https://import.example/b', options: DEFAULT_OPTIONS, title: null, folder: null },
          {
            url: 'https://import.example/known',
            options: { ...DEFAULT_OPTIONS, username: 'me', password: 'secret' },
            title: 'Mine',
            folder: null,
          },
        ],
        T0 + 2,
      );
      const views = await store.listSubscriptions(user.id);
      assert.deepEqual(
        views.map((v) => [v.feed.url, v.folderName, v.subscription.title, v.unreadCount]).sort(),
        [
          ['https://import.example/a', 'Tech/Rust', null, 0],
          ['https://import.example/b', null, null, 0],
          ['https://import.example/known', null, 'Mine', 0],
          ['https://import.example/known', 'News', 'Known', 2],
        ],
      );
      assert.equal(views.find((v) => v.subscription.title === 'Known')?.feed.id, known.id);
      const withCredentials = views.find((v) => v.subscription.title === 'Mine')?.feed;
      assert.notEqual(withCredentials?.id, known.id, 'a feed of its own for other fetch options');
      assert.deepEqual(
        [withCredentials?.options.username, withCredentials?.options.password],
        ['me', 'secret'],
      );
      assert.equal((await store.listFolders(user.id)).find((f) => f.name === 'News')?.id, news.id);
      const due = (await store.dueFeeds(T0 + 2, 100)).map((f) => f.url);
      assert.ok(
        due.includes('https://import.example/a') && due.includes('https://import.example/b'),
        'new feeds due now',
      );
      // Imported again, into another folder: moved, not doubled.
      await store.importSubscriptions(
        user.id,
        [{ url: 'https://import.example/b', options: DEFAULT_OPTIONS, title: null, folder: 'News' }],
        T0 + 3,
      );
      const again = await store.listSubscriptions(user.id);
      assert.equal(again.length, 4);
      assert.equal(again.find((v) => v.feed.url === 'https://import.example/b')?.folderName, 'News');
    });

    it('keeps unread counts in step with arrivals, reads, mark-all-read, undo and unsubscribing', async () => {
      const user = await store.createUser('counter', { isAdmin: false }, T0);
      const feed = await store.ensureFeed('https://count.example/feed', DEFAULT_OPTIONS, T0);
      await store.subscribe(user.id, feed.id, { folderId: null, title: null }, T0);
      // A second subscriber keeps the feed (and its entries) while the first comes and goes.
      const stays = await store.createUser('counter-stays', { isAdmin: false }, T0);
      await store.subscribe(stays.id, feed.id, { folderId: null, title: null }, T0);
      const entries = [1, 2, 3, 4, 5].map((n) => entry(n));
      await store.recordFetchSuccess(feed.id, update(T0), entries);
      const counts = async () => {
        const view = (await store.listSubscriptions(user.id)).find((s) => s.feed.id === feed.id);
        return [view?.unreadCount, view?.entryCount];
      };
      assert.deepEqual(await counts(), [5, 5]);
      const ids = (await store.queryEntries({ userId: user.id, feedId: feed.id, limit: 10 })).map(
        (v) => v.entry.id,
      );
      await store.setEntryState(user.id, ids.slice(0, 2), { read: true }, T0 + 1);
      // Marking read twice does not count twice.
      await store.setEntryState(user.id, ids.slice(0, 2), { read: true }, T0 + 2);
      assert.deepEqual(await counts(), [3, 5]);
      // Older than entry 4: entries 1–3, of which some are already read.
      const cutoff = T0 + 4 * 60_000;
      const at = T0 + 10;
      const marked = await store.markAllRead(user.id, { feedId: feed.id, publishedBefore: cutoff }, at);
      const stillUnread = await store.queryEntries({
        userId: user.id,
        feedId: feed.id,
        status: 'unread',
        limit: 10,
      });
      assert.ok(stillUnread.every((v) => v.entry.publishedAt >= cutoff));
      assert.deepEqual(await counts(), [3 - marked, 5]);
      assert.equal(await store.undoMarkAllRead(user.id, at, T0 + 11), marked);
      assert.deepEqual(await counts(), [3, 5]);
      await store.markAllRead(user.id, {}, T0 + 20);
      assert.deepEqual(await counts(), [0, 5]);
      // A new entry arrives unread.
      await store.recordFetchSuccess(feed.id, update(T0 + 30), [...entries, entry(6)]);
      assert.deepEqual(await counts(), [1, 6]);
      await store.unsubscribe(user.id, feed.id);
      await store.subscribe(user.id, feed.id, { folderId: null, title: null }, T0 + 40);
      assert.deepEqual(await counts(), [6, 6]);
    });

    it('marks all read within a folder only', async () => {
      const user = await store.createUser('folder-reader', { isAdmin: false }, T0);
      const folder = await store.ensureFolder(user.id, 'News');
      const inside = await store.ensureFeed('https://inside.example/feed', DEFAULT_OPTIONS, T0);
      const outside = await store.ensureFeed('https://outside.example/feed', DEFAULT_OPTIONS, T0);
      await store.subscribe(user.id, inside.id, { folderId: folder.id, title: null }, T0);
      await store.subscribe(user.id, outside.id, { folderId: null, title: null }, T0);
      await store.recordFetchSuccess(inside.id, update(T0), [entry(1), entry(2)]);
      await store.recordFetchSuccess(outside.id, update(T0), [entry(1), entry(2)]);
      assert.equal(await store.markAllRead(user.id, { folderId: folder.id }, T0 + 1), 2);
      const unread = await store.queryEntries({ userId: user.id, status: 'unread', limit: 10 });
      assert.deepEqual(new Set(unread.map((v) => v.entry.feedId)), new Set([outside.id]));
      // Lists of a folder, and of the feeds in none.
      for (const [folderId, feedId] of [
        [folder.id, inside.id],
        [null, outside.id],
      ] as const) {
        const listed = await store.queryEntries({ userId: user.id, folderId, limit: 10 });
        assert.deepEqual(
          listed.map((v) => v.entry.feedId),
          [feedId, feedId],
        );
        assert.equal((await store.entryIds({ userId: user.id, folderId, limit: 10 }, 0)).total, 2);
      }
    });

    it('stores entry tags lower-cased and lists entries by tag', async () => {
      const user = await store.createUser('tagger', { isAdmin: false }, T0);
      const feed = await store.ensureFeed('https://tags.example/feed', DEFAULT_OPTIONS, T0);
      await store.subscribe(user.id, feed.id, { folderId: null, title: null }, T0);
      await store.recordFetchSuccess(feed.id, update(T0), [
        entry(1, { categories: ['Rust', 'Security'] }),
        entry(2, { categories: ['rust'] }),
        entry(3, { categories: [] }),
      ]);
      const tagged = await store.queryEntries({ userId: user.id, tags: ['rust'], limit: 10 });
      assert.deepEqual(tagged.map((v) => v.entry.title).sort(), ['Entry 1', 'Entry 2']);
      const both = await store.queryEntries({ userId: user.id, tags: ['rust', 'security'], limit: 10 });
      assert.deepEqual(
        both.map((v) => v.entry.title),
        ['Entry 1'],
        'every tag asked for',
      );
      const [first] = await store.queryEntries({ userId: user.id, tags: ['security'], limit: 10 });
      assert.ok(first);
      assert.deepEqual((await store.entryTags([first.entry.id])).get(first.entry.id), ['rust', 'security']);
      // Related candidates: the most tags shared first, then the newest; never the entry itself.
      const entry2 = (await store.queryEntries({ userId: user.id, tags: ['rust'], limit: 10 })).find(
        (v) => v.entry.title === 'Entry 2',
      );
      assert.ok(entry2);
      assert.deepEqual(
        await store.entriesSharingTags(['rust', 'security', 'rust'], { perTag: 10, exclude: 0, limit: 10 }),
        [
          { id: first.entry.id, shared: 2 },
          { id: entry2.entry.id, shared: 1 },
        ],
      );
      assert.deepEqual(
        await store.entriesSharingTags(['rust', 'security'], {
          perTag: 10,
          exclude: first.entry.id,
          limit: 10,
        }),
        [{ id: entry2.entry.id, shared: 1 }],
      );
      // At most perTag candidates per tag: the newest 'rust' entry is entry 2.
      assert.deepEqual(await store.entriesSharingTags(['rust'], { perTag: 1, exclude: 0, limit: 10 }), [
        { id: Math.max(first.entry.id, entry2.entry.id), shared: 1 },
      ]);
      assert.deepEqual(await store.entriesSharingTags([], { perTag: 10, exclude: 0, limit: 10 }), []);
      assert.deepEqual(
        await store.entriesSharingTags(["'); DROP TABLE entries; --"], { perTag: 10, exclude: 0, limit: 10 }),
        [],
      );
      // For a user: only entries they have, and the limit counts those.
      const other = await store.createUser('tagger-other', { isAdmin: false }, T0);
      const theirs = await store.ensureFeed('https://tags-other.example/feed', DEFAULT_OPTIONS, T0);
      await store.subscribe(other.id, theirs.id, { folderId: null, title: null }, T0);
      await store.recordFetchSuccess(
        theirs.id,
        update(T0),
        [11, 12, 13].map((n) => entry(n, { categories: ['rust', 'security'] })),
      );
      assert.equal(
        (await store.entriesSharingTags(['rust', 'security'], { perTag: 10, exclude: 0, limit: 2 })).filter(
          (c) => c.shared === 2,
        ).length,
        2,
        'without a user, the other user’s entries come first',
      );
      assert.deepEqual(
        await store.entriesSharingTags(['rust', 'security'], {
          perTag: 10,
          exclude: 0,
          limit: 2,
          userId: user.id,
        }),
        [
          { id: first.entry.id, shared: 2 },
          { id: entry2.entry.id, shared: 1 },
        ],
      );
      assert.deepEqual(
        await store.entriesSharingTags(['rust'], { perTag: 10, exclude: 0, limit: 10, userId: 999_999 }),
        [],
      );
      // An edited entry's tags follow the edit.
      await store.recordFetchSuccess(feed.id, update(T0 + 1), [
        entry(1, { categories: ['Go'], contentHash: 'changed' }),
      ]);
      assert.deepEqual((await store.entryTags([first.entry.id])).get(first.entry.id), ['go']);
    });

    it('keeps the labels a user puts on their entries, and no other user’s', async () => {
      const ann = await store.createUser('label-ann', { isAdmin: false }, T0);
      const bob = await store.createUser('label-bob', { isAdmin: false }, T0);
      const mine = await store.ensureFeed('https://labels.example/mine', DEFAULT_OPTIONS, T0);
      const theirs = await store.ensureFeed('https://labels.example/theirs', DEFAULT_OPTIONS, T0);
      await store.subscribe(ann.id, mine.id, { folderId: null, title: null }, T0);
      await store.subscribe(bob.id, theirs.id, { folderId: null, title: null }, T0);
      await store.recordFetchSuccess(mine.id, update(T0 + 1), [entry(1), entry(2)]);
      await store.recordFetchSuccess(theirs.id, update(T0 + 1), [entry(3)]);
      const ids = (await store.queryEntries({ userId: ann.id, feedId: mine.id, limit: 10 })).map(
        (v) => v.entry.id,
      );
      const [bobs] = (await store.queryEntries({ userId: bob.id, limit: 10 })).map((v) => v.entry.id);
      assert.equal(ids.length, 2);
      assert.ok(bobs);
      await store.labelEntries(ann.id, [...ids, bobs], { add: ['later', 'work'], remove: [] }, T0 + 2);
      assert.deepEqual(await store.listEntryLabels(ann.id), ['later', 'work']);
      assert.deepEqual((await store.entryLabels(ann.id, [bobs])).get(bobs), undefined, 'not hers to label');
      assert.deepEqual(await store.listEntryLabels(bob.id), []);
      await store.labelEntries(ann.id, [ids[0] as number], { add: [], remove: ['work'] }, T0 + 3);
      const labels = await store.entryLabels(ann.id, ids);
      assert.deepEqual(labels.get(ids[0] as number), ['later']);
      assert.deepEqual(labels.get(ids[1] as number), ['later', 'work']);
      const labelled = await store.queryEntries({ userId: ann.id, label: 'work', limit: 10 });
      assert.deepEqual(
        labelled.map((v) => v.entry.id),
        [ids[1]],
      );
      // Renaming onto a label an entry already has merges them.
      assert.equal(await store.renameEntryLabel(ann.id, 'work', 'later'), true);
      assert.deepEqual(await store.listEntryLabels(ann.id), ['later']);
      assert.deepEqual((await store.entryLabels(ann.id, ids)).get(ids[1] as number), ['later']);
      assert.equal(await store.renameEntryLabel(ann.id, 'nothing', 'x'), false);
      assert.equal(await store.markAllRead(ann.id, { label: 'later' }, T0 + 4), 2);
      assert.equal(await store.deleteEntryLabel(ann.id, 'later'), true);
      assert.deepEqual(await store.listEntryLabels(ann.id), []);
      assert.equal(await store.deleteEntryLabel(ann.id, 'later'), false);
    });

    it('keeps sessions by token hash until they expire or end', async () => {
      const user = await store.createUser('sessions', { isAdmin: false, passwordHash: 'x' }, T0);
      const session = {
        tokenHash: 'h1',
        userId: user.id,
        csrfToken: 'c1',
        createdAt: T0,
        expiresAt: T0 + 1000,
        userAgent: null,
        ip: '127.0.0.1',
      };
      await store.createSession(session);
      assert.equal((await store.findSession('h1', T0 + 1))?.user.username, 'sessions');
      assert.equal((await store.findSession('h1', T0 + 1))?.csrfToken, 'c1');
      assert.equal(await store.findSession('h1', T0 + 1000), null);
      assert.equal(await store.findSession('other', T0 + 1), null);
      await store.createSession({ ...session, tokenHash: 'h2', expiresAt: T0 + 5000 });
      await store.createSession({ ...session, tokenHash: 'h3', expiresAt: T0 + 5000 });
      await store.deleteSession('h2');
      assert.equal(await store.findSession('h2', T0 + 1), null);
      // h1 (expired, not yet swept) and h3.
      assert.equal(await store.deleteUserSessions(user.id), 2);
      assert.equal(await store.findSession('h3', T0 + 1), null);
    });

    it('finds users by API key hash and records the use', async () => {
      const user = await store.createUser('keys', { isAdmin: false }, T0);
      const key = await store.createApiKey(user.id, 'phone', 'keyhash', T0, 'feverhash');
      assert.equal((await store.findUserByFeverKey('FEVERHASH', T0 + 1))?.id, user.id);
      assert.equal(await store.findUserByFeverKey('other', T0 + 1), null);
      assert.equal((await store.listApiKeys(user.id))[0]?.lastUsedAt, T0 + 1);
      // Kept to the minute: a use within one of the last recorded writes nothing.
      assert.equal((await store.findUserByApiKey('keyhash', T0 + 59_000))?.id, user.id);
      assert.equal((await store.listApiKeys(user.id))[0]?.lastUsedAt, T0 + 1);
      assert.equal((await store.findUserByApiKey('keyhash', T0 + 60_001))?.id, user.id);
      assert.equal((await store.listApiKeys(user.id))[0]?.lastUsedAt, T0 + 60_001);
      // A clock set back records the earlier time rather than keep one in the future.
      assert.equal((await store.findUserByFeverKey('feverhash', T0 + 10))?.id, user.id);
      assert.equal((await store.listApiKeys(user.id))[0]?.lastUsedAt, T0 + 10);
      assert.equal(await store.findUserByApiKey('nope', T0), null);
      const other = await store.createUser('other-keys', { isAdmin: false }, T0);
      assert.equal(await store.deleteApiKey(other.id, key.id), false);
      assert.equal(await store.deleteApiKey(user.id, key.id), true);
      assert.equal(await store.findUserByApiKey('keyhash', T0), null);
      assert.equal(await store.findUserByFeverKey('feverhash', T0), null, 'revoked with its key');
    });

    it('keeps settings, passwords and admin flags; deleting a user removes their things', async () => {
      const user = await store.createUser('settings', { isAdmin: false }, T0);
      assert.deepEqual(await store.getUserSettings(user.id), {});
      await store.setUserSettings(user.id, { theme: 'dark' });
      assert.deepEqual(await store.getUserSettings(user.id), { theme: 'dark' });
      await store.setPasswordHash(user.id, 'scrypt$hash');
      assert.equal(await store.getPasswordHash(user.id), 'scrypt$hash');
      assert.deepEqual(await store.findUserWithPasswordHash('settings'), {
        user: await store.getUser(user.id),
        passwordHash: 'scrypt$hash',
      });
      const without = await store.createUser('no-password', { isAdmin: false }, T0);
      assert.deepEqual(await store.findUserWithPasswordHash('no-password'), {
        user: without,
        passwordHash: null,
      });
      assert.equal(await store.findUserWithPasswordHash('nobody at all'), null);
      await store.setAdmin(user.id, true);
      assert.equal((await store.getUser(user.id))?.isAdmin, true);
      const feed = await store.ensureFeed('https://only-mine.example/feed', DEFAULT_OPTIONS, T0);
      await store.subscribe(user.id, feed.id, { folderId: null, title: null }, T0);
      await store.recordFetchSuccess(feed.id, update(T0), [entry(1)]);
      assert.equal(await store.deleteUser(user.id), true);
      assert.equal(await store.getUser(user.id), null);
      assert.equal(await store.getFeed(feed.id), null, 'a feed nobody subscribes to goes with its last user');
      assert.equal(await store.deleteUser(user.id), false);
    });

    it('renames and deletes folders, keeping their feeds subscribed', async () => {
      const user = await store.createUser('folder-admin', { isAdmin: false }, T0);
      const a = await store.ensureFolder(user.id, 'A');
      await store.ensureFolder(user.id, 'B');
      assert.equal(await store.renameFolder(user.id, a.id, 'B'), false, 'name taken');
      assert.equal(await store.renameFolder(user.id, a.id, 'C'), true);
      const feed = await store.ensureFeed('https://foldered.example/feed', DEFAULT_OPTIONS, T0);
      await store.subscribe(user.id, feed.id, { folderId: a.id, title: null }, T0);
      assert.equal(await store.updateSubscription(user.id, feed.id, { title: 'Renamed' }), true);
      assert.equal(await store.deleteFolder(user.id, a.id), true);
      const [view] = await store.listSubscriptions(user.id);
      assert.equal(view?.subscription.folderId, null);
      assert.equal(view?.subscription.title, 'Renamed');
      const other = await store.createUser('not-yours', { isAdmin: false }, T0);
      const theirs = await store.ensureFolder(other.id, 'Theirs');
      assert.equal(await store.updateSubscription(user.id, feed.id, { folderId: theirs.id }), false);
    });

    it('ranks the newest matches of a common word, and every match when filters leave too few', async () => {
      const user = await store.createUser('ranker', { isAdmin: false }, T0);
      const feed = await store.ensureFeed('https://rank.example/feed', DEFAULT_OPTIONS, T0);
      const old = await store.ensureFeed('https://rank-old.example/feed', DEFAULT_OPTIONS, T0);
      await store.subscribe(user.id, feed.id, { folderId: null, title: null }, T0);
      await store.subscribe(user.id, old.id, { folderId: null, title: null }, T0);
      // The best match of all arrives first, in a feed of its own; then more matches than are ranked.
      await store.recordFetchSuccess(old.id, update(T0), [
        entry(0, { title: 'Latency latency latency', contentText: 'latency', contentHash: 'best' }),
      ]);
      // Ten times the window and more: the widest window that is not every match is full.
      const many = Array.from({ length: RECENT_MATCHES * 10 + 50 }, (_, i) =>
        entry(i + 1, { title: `Post ${i + 1}`, contentText: `a note on latency number ${i + 1}` }),
      );
      await store.recordFetchSuccess(feed.id, update(T0), many);
      const search = (over: Partial<Parameters<Store['searchEntries']>[0]> = {}) =>
        store
          .searchEntries({
            userId: user.id,
            text: 'latency',
            limit: 5,
            offset: 0,
            sort: 'relevance',
            ...over,
          })
          .then((hits) => hits.map((h) => h.view.entry.title));
      const top = await search();
      assert.equal(top.length, 5);
      assert.ok(!top.includes('Latency latency latency'), 'older than the ranked matches');
      // Its own feed holds one match: too few among the ranked, so every match is ranked.
      assert.deepEqual(await search({ feedId: old.id }), ['Latency latency latency']);
      assert.deepEqual(await search({ feedId: old.id, sort: 'newest' }), ['Latency latency latency']);
      // Newest first, the page comes from the newest matches, by date.
      const newest = RECENT_MATCHES * 10 + 50;
      assert.deepEqual(await search({ sort: 'newest' }), [
        `Post ${newest}`,
        `Post ${newest - 1}`,
        `Post ${newest - 2}`,
        `Post ${newest - 3}`,
        `Post ${newest - 4}`,
      ]);
      // Newest first reaches it too, at the end.
      const all = await store.searchEntries({
        userId: user.id,
        text: 'latency',
        limit: 1000,
        offset: newest - 900,
        sort: 'newest',
      });
      assert.equal(all.at(-1)?.view.entry.title, 'Latency latency latency');
      // Starred: one entry beyond the first window, one beyond the second; both come up.
      const idOf = async (text: string, over = {}) =>
        (
          await store.searchEntries({ userId: user.id, text, limit: 1, offset: 0, sort: 'newest', ...over })
        )[0]?.view.entry.id ?? 0;
      // (Newest first reads fewer at first: Post 4000 is beyond its first window, within its second.)
      const recent = await idOf('"number 4000"');
      const middle = await idOf('"number 1000"');
      const oldest = await idOf('latency', { feedId: old.id });
      await store.setEntryState(user.id, [recent, middle, oldest], { starred: true }, T0);
      assert.deepEqual(await search({ starred: true }), [
        'Latency latency latency',
        'Post 4000',
        'Post 1000',
      ]);
      assert.deepEqual(await search({ starred: true, sort: 'newest' }), [
        'Post 4000',
        'Post 1000',
        'Latency latency latency',
      ]);
      // Filters that leave nothing of any window: nothing, in both sorts (no row of nulls).
      const future = T0 + 365 * 86_400_000;
      assert.deepEqual(await search({ since: future }), []);
      assert.deepEqual(await search({ since: future, sort: 'newest' }), []);
      assert.deepEqual(await search({ since: future, feedId: old.id }), []);

      // A list with a search: a page's ids and how many match in all, at any offset, with filters.
      const ids = (over: Partial<EntryQuery> = {}, offset = 0) =>
        store.entryIds(
          { userId: user.id, search: 'latency', limit: 1000, sortBy: 'published', order: 'newest', ...over },
          offset,
        );
      const deep = await ids({}, newest - 900);
      assert.deepEqual(
        deep.ids,
        all.map((h) => h.view.entry.id),
      );
      assert.equal(deep.total, newest + 1);
      assert.deepEqual(await ids({ limit: 2 }, newest), { ids: [oldest], total: newest + 1 });
      // Oldest first, from either end.
      assert.deepEqual(await ids({ order: 'oldest', limit: 1 }), { ids: [oldest], total: newest + 1 });
      assert.deepEqual(await ids({ order: 'oldest', limit: 5 }, newest), {
        ids: (await ids({ limit: 1 })).ids,
        total: newest + 1,
      });
      assert.deepEqual(await ids({ starred: true, limit: 2 }), { ids: [recent, middle], total: 3 });
      await store.setEntryState(user.id, [recent], { read: true }, T0 + 1);
      assert.equal((await ids({ status: 'unread', limit: 1 })).total, newest);
      assert.deepEqual(await ids({ feedId: old.id }), { ids: [oldest], total: 1 });
      assert.deepEqual(await ids({ publishedAfter: future }), { ids: [], total: 0 });
      assert.deepEqual(await ids({ search: '"' }), { ids: [], total: 0 });
      // Pages walked along the date index (a word in most entries) hold what sorting every match
      // gives (the starred and one-feed lists above are sorted: a few matches).
      const titles = async (page: number[]): Promise<string[]> => {
        const views = await store.queryEntries({ userId: user.id, entryIds: page, limit: page.length });
        const byId = new Map(views.map((v) => [v.entry.id, v.entry.title]));
        return page.map((id) => byId.get(id) ?? '');
      };
      const expected = [
        ...Array.from({ length: newest }, (_, i) => `Post ${newest - i}`),
        'Latency latency latency',
      ];
      for (const offset of [0, 10, newest - 3])
        assert.deepEqual(
          await titles((await ids({ limit: 5 }, offset)).ids),
          expected.slice(offset, offset + 5),
        );
    });

    it('searches the user’s entries with filters, in both sorts, and keeps the index in step', async () => {
      const user = await store.createUser('searcher', { isAdmin: false }, T0);
      const stranger = await store.createUser('stranger', { isAdmin: false }, T0);
      const folder = await store.ensureFolder(user.id, 'Ops');
      const feed = await store.ensureFeed('https://search.example/feed', DEFAULT_OPTIONS, T0);
      const other = await store.ensureFeed('https://search-other.example/feed', DEFAULT_OPTIONS, T0);
      await store.subscribe(user.id, feed.id, { folderId: folder.id, title: null }, T0);
      await store.subscribe(user.id, other.id, { folderId: null, title: null }, T0);
      await store.subscribe(stranger.id, other.id, { folderId: null, title: null }, T0);
      const doc = (n: number, title: string, text: string) =>
        entry(n, { title, contentText: text, contentHash: `${title}-${text}` });
      await store.recordFetchSuccess(feed.id, update(T0), [
        doc(1, 'Kubernetes networking', 'Pods talk through the overlay network.'),
        doc(2, 'Postgres replication', 'Streaming replication keeps a standby current; networking matters.'),
        doc(3, '苹果发布新的人工智能模型', '开发者可以在设备上运行新的模型。'),
      ]);
      await store.recordFetchSuccess(other.id, update(T0), [
        doc(4, 'Networks of the future', 'Mesh networks.'),
      ]);
      const search = (text: string, over: Partial<Parameters<Store['searchEntries']>[0]> = {}) =>
        store
          .searchEntries({ userId: user.id, text, limit: 10, offset: 0, sort: 'relevance', ...over })
          .then((hits) => hits.map((h) => h.view.entry.title));

      // Porter stems: "network" finds networking and networks; the title match ranks first.
      assert.deepEqual(await search('network'), [
        'Networks of the future',
        'Kubernetes networking',
        'Postgres replication',
      ]);
      assert.deepEqual(await search('network', { feedId: feed.id }), [
        'Kubernetes networking',
        'Postgres replication',
      ]);
      // Each entry's feed is in the index to filter on, never to be found by what the user types.
      assert.deepEqual(await search(`f${feed.id}`), []);
      assert.deepEqual(await search('network', { folderId: folder.id, sort: 'newest' }), [
        'Postgres replication',
        'Kubernetes networking',
      ]);
      assert.deepEqual(await search('"streaming replication"'), ['Postgres replication']);
      assert.deepEqual(await search('network -postgres'), [
        'Networks of the future',
        'Kubernetes networking',
      ]);
      assert.deepEqual(await search('人工智能'), ['苹果发布新的人工智能模型']);
      assert.deepEqual(await search('模型'), ['苹果发布新的人工智能模型']);
      for (const hostile of ['"', 'NEAR(', 'title:x', '*', "') OR 1=1 --", '\u0000', '-network']) {
        assert.deepEqual(await search(hostile), [], hostile);
      }
      const [hit] = await store.searchEntries({
        userId: user.id,
        text: 'overlay',
        limit: 1,
        offset: 0,
        sort: 'relevance',
      });
      assert.match(hit?.snippetHtml ?? '', /<mark>overlay<\/mark>/);
      // The stranger sees only their own feed's entry.
      const theirs = await store.searchEntries({
        userId: stranger.id,
        text: 'network',
        limit: 10,
        offset: 0,
        sort: 'relevance',
      });
      assert.deepEqual(
        theirs.map((h) => h.view.entry.title),
        ['Networks of the future'],
      );
      assert.equal((await store.entryIds({ userId: stranger.id, search: 'network', limit: 10 }, 0)).total, 1);
      assert.deepEqual(
        await store.entryIds({ userId: user.id, search: 'network', folderId: folder.id, limit: 1 }, 1),
        {
          ids: [
            (await store.queryEntries({ userId: user.id, feedId: feed.id, limit: 1, order: 'oldest' }))[0]
              ?.entry.id,
          ],
          total: 2,
        },
      );
      // Read state filters; an edited entry is found by its new words only.
      const [first] = await store.queryEntries({
        userId: user.id,
        feedId: feed.id,
        limit: 10,
        order: 'oldest',
      });
      await store.setEntryState(user.id, [first?.entry.id ?? 0], { read: true }, T0);
      assert.deepEqual(await search('network', { feedId: feed.id, status: 'unread' }), [
        'Postgres replication',
      ]);
      await store.recordFetchSuccess(feed.id, update(T0 + 1), [
        doc(1, 'Kubernetes storage', 'Volumes and claims.'),
      ]);
      assert.deepEqual(await search('kubernetes overlay'), []);
      assert.deepEqual(await search('volumes'), ['Kubernetes storage']);
      // Unsubscribing the last user drops the feed, its entries and their index rows.
      await store.unsubscribe(stranger.id, other.id);
      await store.unsubscribe(user.id, other.id);
      assert.deepEqual(await search('mesh'), []);
    });

    // Retention acts on every entry of the store: each test has a store of its own.
    describe('retention', () => {
      const DAY = 24 * 3_600_000;
      const policy = { readMs: 10 * DAY, unreadMs: 30 * DAY, keepPerFeed: 2, maxPerFeed: null };
      const withStore = (test: (store: Store) => Promise<void>) => async () => {
        const opened = await backend.open();
        try {
          await test(opened.store);
        } finally {
          await opened.cleanup();
        }
      };
      /** Feeds at these URLs, each followed by the user. */
      const followedFeeds = async (store: Store, userId: number, ...urls: string[]): Promise<Feed[]> => {
        const feeds: Feed[] = [];
        for (const url of urls) {
          const feed = await store.ensureFeed(url, DEFAULT_OPTIONS, T0);
          await store.subscribe(userId, feed.id, { folderId: null, title: null }, T0);
          feeds.push(feed);
        }
        return feeds;
      };
      const idsOf = async (store: Store, userId: number): Promise<number[]> =>
        (await store.queryEntries({ userId, limit: 100 })).map((v) => v.entry.id).sort((a, b) => a - b);

      it(
        'removes entries no reader keeps, a step at a time, and keeps their keys from coming back',
        withStore(async (store) => {
          const ann = await store.createUser('ann', { isAdmin: false }, T0);
          const bob = await store.createUser('bob', { isAdmin: false }, T0);
          const feed = await store.ensureFeed('https://old.example/feed', DEFAULT_OPTIONS, T0);
          for (const user of [ann, bob])
            await store.subscribe(user.id, feed.id, { folderId: null, title: null }, T0);
          const old = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => entry(n, { contentText: `word${n} retained` }));
          await store.recordFetchSuccess(feed.id, update(T0), old);
          await store.recordFetchSuccess(feed.id, update(T0 + 40 * DAY), [entry(9), entry(10)]);
          const now = T0 + 41 * DAY;
          const id = new Map(
            (await store.queryEntries({ userId: ann.id, limit: 100 })).map((v) => [v.entry.guid, v.entry.id]),
          );
          const ids = (...ns: number[]): number[] => ns.map((n) => id.get(`guid-${n}`) as number);
          // 1: read by both long ago. 2: read by ann, unread by bob for 41 days. 3: read by ann six
          // days ago. 4: starred by bob, 5: saved for later by ann, 6: labelled by ann, all read by
          // both long ago. 7: unread by both for 41 days. 8: read by both long ago. 9, 10: new, and
          // the feed's two newest.
          await store.setEntryState(ann.id, ids(1, 2, 4, 5, 6, 8), { read: true }, T0 + DAY);
          await store.setEntryState(bob.id, ids(1, 4, 5, 6, 8), { read: true }, T0 + DAY);
          await store.setEntryState(ann.id, ids(3), { read: true }, now - 6 * DAY);
          await store.setEntryState(bob.id, ids(4), { starred: true }, T0 + DAY);
          await store.setEntryState(ann.id, ids(5), { readLater: true }, T0 + DAY);
          await store.labelEntries(ann.id, ids(6), { add: ['keep'], remove: [] }, T0 + DAY);
          await store.setEntryState(ann.id, ids(9, 10), { read: true }, T0 + 40 * DAY);

          const reading = {
            ann: await store.readingActivity(ann.id, T0),
            bob: await store.readingActivity(bob.id, T0),
          };
          assert.deepEqual(
            reading.bob.map((d) => d.count),
            [5],
          );
          // A dry run counts what would go, and removes nothing.
          let counted = 0;
          for (let at = null, step; (step = await store.removeOldEntries(policy, now, at, 3, true));) {
            counted += step.removed;
            if ((at = step.next) === null) break;
          }
          assert.equal(counted, 4);
          assert.equal(await store.countEntries(feed.id), 10);
          assert.deepEqual(await store.removedEntries(feed.id), []);
          // Steps that look at 3 entries at most and remove 1 at most: each ends at its removal.
          let cursor = null;
          const removals: number[] = [];
          do {
            const step = await store.removeOldEntries(policy, now, cursor, 3, false, 1);
            removals.push(step.removed);
            cursor = step.next;
          } while (cursor !== null);
          assert.equal(
            removals.reduce((a, b) => a + b, 0),
            4,
            removals.join(),
          );
          assert.ok(removals.length >= 4 && removals.every((n) => n <= 1), removals.join());
          assert.deepEqual(await idsOf(store, ann.id), ids(3, 4, 5, 6, 9, 10));
          assert.deepEqual(await idsOf(store, bob.id), ids(3, 4, 5, 6, 9, 10));
          assert.equal(await store.countEntries(feed.id), 6);
          assert.equal((await store.unreadCounts(bob.id)).get(feed.id), 3, 'bob: 3, 9 and 10 unread');
          assert.equal((await store.unreadCounts(ann.id)).get(feed.id), undefined);
          const search = async (text: string): Promise<number> =>
            (await store.searchEntries({ userId: ann.id, text, sort: 'newest', limit: 10, offset: 0 }))
              .length;
          assert.equal(await search('word1'), 0, 'the search index forgets a removed entry');
          assert.equal(await search('retained'), 4);
          assert.deepEqual((await store.removedEntries(feed.id)).sort(), [
            'g:guid-1',
            'g:guid-2',
            'g:guid-7',
            'g:guid-8',
          ]);
          assert.deepEqual(await store.removeOldEntries(policy, now, null, 100), { removed: 0, next: null });
          // What each read, day by day, is counted as before: the statistics page's chart stays.
          assert.deepEqual(await store.readingActivity(ann.id, T0), reading.ann);
          assert.deepEqual(await store.readingActivity(bob.id, T0), reading.bob);

          // The feed's document still holds them, one changed: none is stored again.
          const again = [...old, entry(9), entry(10)];
          again[0] = entry(1, { contentHash: 'hash-1b' });
          assert.deepEqual(await store.recordFetchSuccess(feed.id, update(now), again), {
            inserted: 0,
            updated: 0,
          });
          assert.equal(await store.countEntries(feed.id), 6);
          // Once a document no longer holds one, its key is forgotten: if it comes back, it is new.
          await store.recordFetchSuccess(feed.id, { ...update(now), gone: ['g:guid-1'] }, []);
          assert.deepEqual((await store.removedEntries(feed.id)).sort(), [
            'g:guid-2',
            'g:guid-7',
            'g:guid-8',
          ]);
          assert.deepEqual(await store.recordFetchSuccess(feed.id, update(now), [entry(1)]), {
            inserted: 1,
            updated: 0,
          });
        }),
      );

      it(
        'keeps what the policy keeps for good, and entries no one has go by their arrival',
        withStore(async (store) => {
          const ann = await store.createUser('ann', { isAdmin: false }, T0);
          const [feed] = (await followedFeeds(store, ann.id, 'https://keep.example/feed')) as [Feed];
          await store.recordFetchSuccess(
            feed.id,
            update(T0),
            [1, 2, 3, 4].map((n) => entry(n)),
          );
          const [newest, , , oldest] = await store.queryEntries({ userId: ann.id, limit: 10 });
          assert.ok(newest && oldest);
          await store.setEntryState(ann.id, [oldest.entry.id], { read: true }, T0);
          const now = T0 + 400 * DAY;
          const keepAll = { readMs: null, unreadMs: null, keepPerFeed: 0, maxPerFeed: null };
          assert.equal((await store.removeOldEntries(keepAll, now, null, 10)).removed, 0);
          const unreadOnly = { ...keepAll, unreadMs: DAY };
          assert.equal(
            (await store.removeOldEntries(unreadOnly, now, null, 10)).removed,
            3,
            'the read one stays',
          );
          assert.deepEqual(await idsOf(store, ann.id), [oldest.entry.id]);
          // Unsubscribed but for a starred entry, the feed stays; its other entries belong to no one.
          await store.recordFetchSuccess(feed.id, update(T0 + DAY), [entry(5), entry(6)]);
          const [five] = (await store.queryEntries({ userId: ann.id, status: 'unread', limit: 10 })).slice(
            -1,
          );
          assert.ok(five);
          await store.setEntryState(ann.id, [five.entry.id], { starred: true }, T0 + DAY);
          await store.unsubscribe(ann.id, feed.id);
          const readOnly = { ...keepAll, readMs: 10 * DAY };
          assert.equal((await store.removeOldEntries(readOnly, now, null, 10)).removed, 2);
          assert.equal(await store.countEntries(feed.id), 1);
          assert.deepEqual(await idsOf(store, ann.id), [five.entry.id]);
        }),
      );

      it(
        'keeps what a live publication shows, and lets it go once the publication is withdrawn',
        withStore(async (store) => {
          const ann = await store.createUser('ann', { isAdmin: false }, T0);
          const [byFeed, inFolder, tagged, searched] = (await followedFeeds(
            store,
            ann.id,
            'https://feed.example/feed',
            'https://folder.example/feed',
            'https://tag.example/feed',
            'https://search.example/feed',
          )) as [Feed, Feed, Feed, Feed];
          const folder = await store.ensureFolder(ann.id, 'Published');
          await store.updateSubscription(ann.id, inFolder.id, { folderId: folder.id });
          for (const feed of [byFeed, inFolder])
            await store.recordFetchSuccess(feed.id, update(T0), [entry(1), entry(2)]);
          await store.recordFetchSuccess(tagged.id, update(T0), [
            entry(1, { categories: ['Kept-Tag'] }),
            entry(2),
          ]);
          await store.recordFetchSuccess(searched.id, update(T0), [
            entry(1, { contentText: 'zebra stripes' }),
            entry(2),
          ]);
          const all = (await store.queryEntries({ userId: ann.id, limit: 100 })).map((v) => v.entry.id);
          await store.setEntryState(ann.id, all, { read: true }, T0);
          const publish = (kind: 'feed' | 'folder' | 'tag' | 'search', value: string) =>
            store.createPublication(
              { userId: ann.id, kind, value, slug: `${kind}-${value}`, title: kind, fullContent: true },
              T0,
            );
          const feedPage = await publish('feed', String(byFeed.id));
          await publish('folder', String(folder.id));
          await publish('tag', 'kept-tag');
          await publish('search', 'zebra');
          const withdrawn = await publish('tag', 'x');
          await store.updatePublication(ann.id, withdrawn.id, { withdrawn: true }, T0);

          const policy = { readMs: DAY, unreadMs: null, keepPerFeed: 0, maxPerFeed: null };
          assert.equal((await store.removeOldEntries(policy, T0 + 2 * DAY, null, 100)).removed, 2);
          const left = async (feed: Feed): Promise<string[]> =>
            (await store.queryEntries({ userId: ann.id, feedId: feed.id, limit: 10 })).map(
              (v) => v.entry.guid ?? '',
            );
          assert.deepEqual(await left(byFeed), ['guid-2', 'guid-1'], 'its feed is published');
          assert.deepEqual(await left(inFolder), ['guid-2', 'guid-1'], 'its folder is published');
          assert.deepEqual(
            await left(tagged),
            ['guid-1'],
            'its tag is published; the other tag was withdrawn',
          );
          assert.deepEqual(await left(searched), ['guid-1'], 'a published search finds it');
          await store.updatePublication(ann.id, feedPage.id, { withdrawn: true }, T0 + 2 * DAY);
          assert.equal((await store.removeOldEntries(policy, T0 + 2 * DAY, null, 100)).removed, 2);
          assert.deepEqual(await left(byFeed), []);
        }),
      );

      it(
        'trims a feed past its limit to its newest, read or not, a step at a time, kept entries aside',
        withStore(async (store) => {
          const ann = await store.createUser('ann', { isAdmin: false }, T0);
          const [big, small] = (await followedFeeds(
            store,
            ann.id,
            'https://big.example/feed',
            'https://small.example/feed',
          )) as [Feed, Feed];
          await store.recordFetchSuccess(
            big.id,
            update(T0),
            [1, 2, 3, 4, 5, 6].map((n) => entry(n)),
          );
          await store.recordFetchSuccess(
            small.id,
            update(T0),
            [1, 2, 3].map((n) => entry(n)),
          );
          const bigIds = (await store.queryEntries({ userId: ann.id, feedId: big.id, limit: 10 })).map(
            (v) => v.entry.id,
          );
          const [six, five, four, three, two, one] = bigIds;
          await store.setEntryState(ann.id, [one as number], { starred: true }, T0);
          const now = T0 + DAY;
          assert.equal(await store.trimFeeds(3, now, 100, undefined, true), 2, 'a dry run counts');
          assert.equal(await store.countEntries(big.id), 6, 'and removes nothing');
          assert.equal(await store.trimFeeds(3, now, 1), 1);
          assert.equal(await store.trimFeeds(3, now, 10), 1);
          assert.equal(await store.trimFeeds(3, now, 10), 0);
          const left = (await store.queryEntries({ userId: ann.id, feedId: big.id, limit: 10 })).map(
            (v) => v.entry.id,
          );
          assert.deepEqual(left, [six, five, four, one]);
          assert.ok(!left.includes(three as number) && !left.includes(two as number));
          assert.equal(await store.countEntries(small.id), 3, 'a feed within its limit is left alone');
          assert.equal((await store.unreadCounts(ann.id)).get(big.id), 4);
          // One feed alone, as a refresh that took it past its limit asks.
          assert.equal(await store.trimFeeds(2, now, 10, small.id), 1);
          assert.equal(await store.countEntries(small.id), 2);
          assert.equal(await store.countEntries(big.id), 4, 'the other feeds are left alone');
        }),
      );

      it(
        'keeps the removed keys of a feed merged into another from coming back there',
        withStore(async (store) => {
          const ann = await store.createUser('ann', { isAdmin: false }, T0);
          const [from, into] = (await followedFeeds(
            store,
            ann.id,
            'https://site.example/old',
            'https://site.example/new',
          )) as [Feed, Feed];
          await store.recordFetchSuccess(from.id, update(T0), [entry(1), entry(2)]);
          await store.recordFetchSuccess(into.id, update(T0), [entry(2)]);
          const unread = { readMs: null, unreadMs: DAY, keepPerFeed: 0, maxPerFeed: null };
          assert.equal((await store.removeOldEntries(unread, T0 + 2 * DAY, null, 10)).removed, 3);
          await store.recordFetchSuccess(into.id, update(T0 + 3 * DAY), [entry(3)]);
          const move = await store.changeFeedUrl(from.id, 'https://site.example/new', T0 + 3 * DAY, true);
          assert.equal(move.kind, 'merged');
          assert.deepEqual((await store.removedEntries(into.id)).sort(), ['g:guid-1', 'g:guid-2']);
          const saved = await store.recordFetchSuccess(into.id, update(T0 + 3 * DAY), [
            entry(1),
            entry(2),
            entry(3),
          ]);
          assert.deepEqual(saved, { inserted: 0, updated: 0 });
        }),
      );
    });
  });
}
