// What only the SQLite store does: refreshed feeds written together in one commit (see
// recordFetchSuccess), each whole or absent when the disk fills in the middle of them; the page
// size of a new database.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { GleanerError } from '../model/errors.js';
import type { PreparedEntry } from '../model/index.js';
import { fetchedUpdate, preparedEntry } from '../testing/fetched.js';
import { packEntries } from '../refresh/digest.js';
import { storageError } from './errors.js';
import { backupSqlite, openSqliteStore, PAGE_SIZE } from './sqlite.js';
import type { Store } from './types.js';
import { DEFAULT_FETCH_OPTIONS } from '../subscribe/index.js';

const T0 = Date.UTC(2026, 11, 1);
const OPTIONS = DEFAULT_FETCH_OPTIONS;

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

describe('SQLite store: entries kept in memory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gleaner-sqlite-kept-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('never gives an entry another process changed since it kept it, even within one millisecond', async () => {
    // As the server's workers: each process keeps its own copies; writes go through the primary.
    // Every write here happens at T0, as a clock that has not moved on would have it.
    const path = join(dir, 'shared.db');
    const primary = openSqliteStore(path);
    const worker = openSqliteStore(path, { entryCacheMiB: 1 });
    try {
      const [feedId] = (await subscribedFeeds(primary, 'carol', 1)) as [number];
      await primary.recordFetchSuccess(feedId, update, entries(0, 2, 3));
      const user = await worker.findUserByName('carol');
      assert.ok(user);
      const list = async (shape: 'entry' | 'item'): Promise<[string, string, boolean][]> =>
        (
          await worker.queryEntries({
            userId: user.id,
            feedId,
            limit: 10,
            withContent: 'json',
            shape,
            order: 'oldest',
          })
        ).map((v) => [
          v.entry.title,
          JSON.parse(Buffer.from(v.contentJson ?? []).toString('utf8')) as string,
          v.read,
        ]);
      const before = await list('entry');
      for (let i = 0; i < 3; i++) {
        assert.deepEqual(await list('entry'), before, `read ${i + 2} times`);
        assert.deepEqual(await list('item'), before, `read ${i + 2} times`);
      }
      const [first, second] = await worker.queryEntries({
        userId: user.id,
        feedId,
        limit: 2,
        order: 'oldest',
      });
      assert.ok(first && second);
      // A read mark shows at once on a kept entry.
      await primary.setEntryState(user.id, [second.entry.id], { read: true }, T0);
      assert.deepEqual(
        (await list('entry')).map((e) => e[2]),
        [false, true],
      );
      await primary.replaceEntryContent(
        first.entry.id,
        { html: '<p>article</p>', text: 'article', readingMinutes: 1 },
        T0,
      );
      const edited = preparedEntry('0-1', {
        title: 'Edited',
        contentHtml: '<p>edited</p>',
        contentText: 'edited',
        contentHash: 'new',
      });
      await primary.recordFetchSuccess(feedId, update, [edited]);
      const expected = [
        ['Feed 0 entry 0', '<p>article</p>', false],
        ['Edited', '<p>edited</p>', true],
      ];
      for (let i = 0; i < 3; i++) {
        assert.deepEqual(await list('entry'), expected, `after, read ${i + 1} times`);
        assert.deepEqual(await list('item'), expected, `after, read ${i + 1} times`);
      }
    } finally {
      await worker.close();
      await primary.close();
    }
  });

  it('gives each reader of a shared feed their own state of the entries kept', async () => {
    const path = join(dir, 'readers.db');
    const store = openSqliteStore(path, { entryCacheMiB: 1 });
    try {
      const [feedId] = (await subscribedFeeds(store, 'dan', 1)) as [number];
      const erin = await store.createUser('erin', { isAdmin: false }, T0);
      await store.subscribe(erin.id, feedId, { folderId: null, title: null }, T0);
      await store.recordFetchSuccess(feedId, update, entries(0, 3, 3));
      const dan = await store.findUserByName('dan');
      assert.ok(dan);
      const [newest] = await store.queryEntries({ userId: erin.id, feedId, limit: 1 });
      assert.ok(newest);
      const newestId = newest.entry.id;
      await store.setEntryState(erin.id, [newestId], { read: true, starred: true }, T0 + 1);
      const list = async (userId: number): Promise<[number, boolean, boolean][]> =>
        (await store.queryEntries({ userId, feedId, limit: 10, withContent: 'json', shape: 'entry' })).map(
          (v) => [v.entry.id, v.read, v.starred],
        );
      const ids = (await list(dan.id)).map(([id]) => id);
      for (let i = 0; i < 3; i++) {
        assert.deepEqual(
          await list(dan.id),
          ids.map((id) => [id, false, false]),
        );
        assert.deepEqual(
          await list(erin.id),
          ids.map((id) => [id, id === newestId, id === newestId]),
        );
      }
      const edited = preparedEntry('0-2', { title: 'Edited', contentHash: 'new', publishedAt: T0 + 2 });
      await store.recordFetchSuccess(feedId, { ...update, checkedAt: T0 + 1 }, [edited]);
      for (const userId of [dan.id, erin.id, dan.id]) {
        const views = await store.queryEntries({
          userId,
          feedId,
          limit: 10,
          withContent: 'json',
          shape: 'entry',
        });
        assert.deepEqual(
          views.map((v) => v.entry.title),
          ['Edited', 'Feed 0 entry 1', 'Feed 0 entry 0'],
        );
      }
    } finally {
      await store.close();
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
    // Its pages made (at 4 KiB), and nothing left in it: another application's file would be refused.
    old.pragma('page_size = 4096');
    old.exec('CREATE TABLE made_before (x); DROP TABLE made_before');
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

describe('SQLite store: packed entries', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gleaner-sqlite-packed-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('stores the UTF-8 bytes of packed bodies as text, as it stores strings', async () => {
    const path = join(dir, 'packed.db');
    const store = openSqliteStore(path);
    const [plainFeed, packedFeed] = (await subscribedFeeds(store, 'el', 2)) as [number, number];
    const prepared = entries(5, 3, 20).map((e, i) => ({ ...e, contentHtml: `<p>“${i}” 飞艇 😀</p>` }));
    await store.recordFetchSuccess(plainFeed, update, prepared);
    await store.recordFetchSuccess(packedFeed, update, packEntries(prepared).entries);
    await store.close();
    const db = new Database(path, { readonly: true });
    try {
      // length() counts a text's characters, a blob's bytes.
      const bodies = (feedId: number): unknown[] =>
        db
          .prepare(
            `SELECT typeof(b.content_html), length(b.content_html), b.content_html
               FROM entry_bodies b JOIN entries e ON e.id = b.entry_id WHERE e.feed_id = ? ORDER BY e.id`,
          )
          .raw()
          .all(feedId);
      assert.deepEqual(bodies(packedFeed), bodies(plainFeed));
      assert.deepEqual(bodies(packedFeed)[0], ['text', 15, '<p>“0” 飞艇 😀</p>']);
    } finally {
      db.close();
    }
  });
});

describe('SQLite store: a path that is not its database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gleaner-open-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const refused = (says: RegExp) => (err: unknown) =>
    err instanceof GleanerError && err.code === 'CONFIG_INVALID' && says.test(err.message);

  it('says a directory cannot be the database, nor a path through a file', () => {
    assert.throws(() => openSqliteStore(dir), refused(/cannot open the database .*set GLEANER_DB/));
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    assert.throws(
      () => openSqliteStore(join(file, 'gleaner.db')),
      refused(/cannot open the database .*a-file\/gleaner\.db \(EEXIST/),
    );
  });

  it('leaves a file that is not a database as it is', () => {
    const path = join(dir, 'notes.txt');
    const text = 'my notes, not a database\n'.repeat(400);
    writeFileSync(path, text);
    assert.throws(() => openSqliteStore(path), refused(/notes\.txt is not a SQLite database/));
    assert.equal(readFileSync(path, 'utf8'), text);
    assert.equal(existsSync(`${path}-wal`), false, 'no WAL made beside it');
  });

  it('leaves another application’s SQLite database as it is', () => {
    const path = join(dir, 'other-app.db');
    const other = new Database(path);
    other.exec("CREATE TABLE users (name TEXT); INSERT INTO users VALUES ('theirs')");
    other.close();
    const before = readFileSync(path);
    assert.throws(
      () => openSqliteStore(path),
      refused(/other-app\.db is a SQLite database, but not Gleaner's/),
    );
    assert.deepEqual(readFileSync(path), before, 'not a byte changed');
    assert.equal(existsSync(`${path}-wal`), false, 'not switched to WAL');
  });

  it('says a database it may only read cannot be used, when it opens rather than at its first write', async (t) => {
    // Root writes whatever the permissions say: only another user sees them.
    if (process.getuid?.() === 0) {
      const path = join(dir, 'read-only.db');
      await openSqliteStore(path).close();
      chmodSync(path, 0o444);
      chmodSync(dir, 0o555);
      try {
        const child = spawnSync(
          process.execPath,
          [
            '--import',
            'tsx',
            '-e',
            `import('${new URL('./sqlite.ts', import.meta.url).href}').then((m) => m.openSqliteStore(${JSON.stringify(path)}))`,
          ],
          { uid: 65534, gid: 65534, encoding: 'utf8' },
        );
        assert.match(
          child.stderr,
          /cannot write to the database .*read-only\.db .*check their owner and permissions/,
        );
      } finally {
        chmodSync(dir, 0o755);
      }
    } else t.skip('needs root, to run the check as another user');
  });

  it('tells damage found after opening as damage, and a refused write as permissions', () => {
    const damaged = storageError(
      Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' }),
    );
    assert.ok(
      refused(/the database is damaged \(database disk image is malformed\): stop Gleaner, restore it/)(
        damaged,
      ),
    );
    const readOnly = storageError(
      Object.assign(new Error('attempt to write a readonly database'), { code: 'SQLITE_READONLY_DBMOVED' }),
    );
    assert.ok(refused(/cannot write to the database .*check their owner and permissions/)(readOnly));
  });

  it('leaves nothing of a backup stopped part way', async () => {
    const path = join(dir, 'stopped.db');
    await openSqliteStore(path).close();
    const folder = mkdtempSync(join(dir, 'backups-'));
    await assert.rejects(
      backupSqlite(path, join(folder, 'copy.db'), AbortSignal.abort()),
      /stopped: no backup was made at/,
    );
    assert.deepEqual(readdirSync(folder), []);
  });

  it('does not open a database a newer Gleaner wrote', async () => {
    const path = join(dir, 'newer.db');
    await openSqliteStore(path).close();
    const db = new Database(path);
    const known = db.pragma('user_version', { simple: true }) as number;
    db.pragma(`user_version = ${known + 1}`);
    db.close();
    assert.throws(
      () => openSqliteStore(path),
      refused(
        new RegExp(`newer version of Gleaner \\(schema ${known + 1}; this version knows up to ${known}\\)`),
      ),
    );
  });
});
