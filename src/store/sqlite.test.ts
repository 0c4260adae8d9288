// What only the SQLite store does: refreshed feeds written together in one commit (see
// recordFetchSuccess), each whole or absent when the disk fills in the middle of them; the page
// size of a new database.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { PreparedEntry } from '../model/index.js';
import { fetchedUpdate, preparedEntry } from '../testing/fetched.js';
import { openSqliteStore, PAGE_SIZE } from './sqlite.js';
import type { Store } from './types.js';

const T0 = Date.UTC(2026, 11, 1);
const OPTIONS = { userAgent: null, cookie: null, username: null, password: null, fetchFullArticle: false };

function entries(feed: number, count: number, words = 400): PreparedEntry[] {
  return Array.from({ length: count }, (_, n) => {
    // Words that differ from entry to entry, so that the search index grows as the bodies do.
    const text = Array.from({ length: words }, (_, w) => `w${feed}x${n}x${w}`).join(' ');
    return preparedEntry(`${feed}-${n}`, {
      title: `Feed ${feed} entry ${n}`,
      contentHtml: `<p>${text}</p>`,
      contentText: text,
      summaryText: 'summary',
      publishedAt: T0 + n,
      categories: ['news'],
    });
  });
}

// Validators, so that a stored fetch shows in feeds.etag.
const update = { ...fetchedUpdate(T0, 'Feed'), etag: '"v1"' };

/** `count` feeds a new user `name` subscribes to; their ids. */
async function subscribedFeeds(store: Store, name: string, count: number): Promise<number[]> {
  const user = await store.createUser(name, { isAdmin: false }, T0);
  const feedIds: number[] = [];
  for (let f = 0; f < count; f++) {
    const feed = await store.ensureFeed(`https://${name}-${f}.example/feed`, OPTIONS, T0);
    await store.subscribe(user.id, feed.id, { folderId: null, title: null }, T0);
    feedIds.push(feed.id);
  }
  return feedIds;
}

describe('SQLite store: feeds written together', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gleaner-sqlite-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a group once it holds as many entries as the store allows, else at the end of the turn', async () => {
    const path = join(dir, 'groups.db');
    const store = openSqliteStore(path, { groupCommitEntries: 5 });
    const feedIds = await subscribedFeeds(store, 'bob', 3);
    const reader = new Database(path, { readonly: true });
    const stored = (): number => reader.prepare('SELECT COUNT(*) FROM entries').pluck().get() as number;
    try {
      const [a, b, c] = feedIds as [number, number, number];
      const first = store.recordFetchSuccess(a, update, entries(0, 2));
      assert.equal(stored(), 0, 'two entries wait for more');
      const second = store.recordFetchSuccess(b, update, entries(1, 3));
      assert.equal(stored(), 5, 'five entries make the group full: both feeds written at once');
      const third = store.recordFetchSuccess(c, update, entries(2, 1));
      assert.equal(stored(), 5);
      assert.deepEqual(await Promise.all([first, second, third]), [
        { inserted: 2, updated: 0 },
        { inserted: 3, updated: 0 },
        { inserted: 1, updated: 0 },
      ]);
      assert.equal(stored(), 6, 'the rest when the turn ends');
    } finally {
      reader.close();
      await store.close();
    }
  });

  it('stores each feed whole or not at all when the disk fills in the middle of a group', async () => {
    const path = join(dir, 'full.db');
    // 2 MiB: room for some of the 40 feeds below (~5 MB of entries), not all.
    const store = openSqliteStore(path, { maxMiB: 2 });
    const feedIds = await subscribedFeeds(store, 'ann', 40);
    const settled = await Promise.allSettled(
      feedIds.map((id, f) => store.recordFetchSuccess(id, update, entries(f, 20))),
    );
    const stored = await Promise.all(feedIds.map((id) => store.countEntries(id)));
    const full = settled.filter((r) => r.status === 'rejected');
    assert.ok(full.length > 0, 'the disk filled');
    assert.ok(full.length < feedIds.length, 'some feeds had room');
    for (const r of full) assert.equal((r.reason as { code?: string }).code, 'SQLITE_FULL');
    settled.forEach((r, f) => {
      assert.equal(
        stored[f],
        r.status === 'fulfilled' ? 20 : 0,
        `feed ${f}: ${r.status}, ${stored[f]} stored`,
      );
    });
    await store.close();

    // What another connection reads agrees: every confirmed feed is there with its state, each
    // entry once in the user's lists, the counts and the search index, nothing of the others.
    const db = new Database(path, { readonly: true });
    try {
      const confirmed = feedIds.filter((_, f) => settled[f]?.status === 'fulfilled');
      const count = (sql: string): number => (db.prepare(sql).pluck().get() as number) ?? 0;
      assert.equal(count('SELECT COUNT(*) FROM entries'), confirmed.length * 20);
      assert.equal(count('SELECT COUNT(*) FROM user_entries'), confirmed.length * 20);
      assert.equal(count('SELECT COUNT(*) FROM entry_bodies'), confirmed.length * 20);
      assert.equal(
        count('SELECT COALESCE(SUM(unread_count), 0) FROM user_feed_counts'),
        confirmed.length * 20,
      );
      assert.equal(count(`SELECT COUNT(*) FROM feeds WHERE etag IS NOT NULL`), confirmed.length);
      // The search index finds an entry of each confirmed feed by its words, and none of the others.
      const indexed = db.prepare('SELECT COUNT(*) FROM entry_fts WHERE entry_fts MATCH ?').pluck();
      settled.forEach((r, f) => {
        assert.equal(indexed.get(`w${f}x7x3`), r.status === 'fulfilled' ? 1 : 0, `feed ${f} in the index`);
      });
    } finally {
      db.close();
    }
  });
});

describe('SQLite store: page size', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gleaner-pages-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Bytes of a table's overflow pages and its page size, read by another connection. */
  function pagesOf(path: string, table: string): { pageSize: number; overflow: number } {
    const db = new Database(path, { readonly: true });
    try {
      return {
        pageSize: db.pragma('page_size', { simple: true }) as number,
        overflow: db
          .prepare("SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name = ? AND pagetype = 'overflow'")
          .pluck()
          .get(table) as number,
      };
    } finally {
      db.close();
    }
  }

  it('makes new databases with pages that hold a typical body whole', async () => {
    const path = join(dir, 'new.db');
    const store = openSqliteStore(path);
    const [feedId] = await subscribedFeeds(store, 'cy', 1);
    // 20 bodies of ~7 KB of HTML, a long article's (they average ~3.8 KB).
    await store.recordFetchSuccess(feedId as number, update, entries(3, 20, 700));
    await store.close();
    const { pageSize, overflow } = pagesOf(path, 'entry_bodies');
    assert.equal(pageSize, PAGE_SIZE);
    assert.equal(overflow, 0, 'no body spills into overflow pages');
  });

  it('keeps the page size of a database made before', async () => {
    const path = join(dir, 'old.db');
    const old = new Database(path);
    old.pragma('page_size = 4096');
    old.exec('CREATE TABLE made_before (x)');
    old.close();
    const store = openSqliteStore(path);
    const [feedId] = await subscribedFeeds(store, 'di', 1);
    assert.deepEqual(await store.recordFetchSuccess(feedId as number, update, entries(4, 20, 700)), {
      inserted: 20,
      updated: 0,
    });
    assert.equal(await store.countEntries(feedId as number), 20);
    await store.close();
    const { pageSize, overflow } = pagesOf(path, 'entry_bodies');
    assert.equal(pageSize, 4096);
    assert.ok(overflow > 0, 'its bodies spill over as they did');
  });
});
