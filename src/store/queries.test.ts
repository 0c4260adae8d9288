// The plans of the hot entry queries on a migrated schema: which index each one reads. A plan that
// walks a user's whole index costs nothing on a test database and seconds on a large one, so the
// plan itself is what these tests check.
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { MIGRATIONS, SQLITE } from './migrations.js';
import { entryIdsSql, entryQuerySql, limitClause, sharedTagsSql } from './queries.js';
import { fetchedUpdate, preparedEntry } from '../testing/fetched.js';
import { fetchOptionsKey } from './rows.js';
import { openSqliteStore } from './sqlite.js';
import type { EntryQuery, SearchQuery } from './types.js';
import { DEFAULT_FETCH_OPTIONS } from '../subscribe/index.js';

describe('entry query plans', () => {
  let dir: string;
  let db: Database.Database;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gleaner-plans-'));
    const path = join(dir, 'plans.db');
    await openSqliteStore(path).close();
    db = new Database(path, { readonly: true });
  });
  after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const plan = (q: EntryQuery): string[] => {
    const { sql, params } = entryQuerySql(q);
    return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map(
      (r) => r.detail,
    );
  };

  it('looks given entry ids up by key, never scanning the user’s entries', () => {
    for (const order of ['newest', 'oldest'] as const) {
      // Forty-odd ids, as related posts and API item lists send: with a few, any plan is fine.
      const ids = Array.from({ length: 60 }, (_, i) => (i * 7919) % 1000);
      const steps = plan({ userId: 1, entryIds: ids, order, limit: 60 });
      assert.ok(
        steps.some((s) => /SEARCH ue USING .*\(user_id=\? AND entry_id=\?\)/.test(s)),
        steps.join(' | '),
      );
      assert.ok(!steps.some((s) => /user_entries_(all|by_date|by_feed)/.test(s)), steps.join(' | '));
    }
  });

  it("finds related candidates from each tag's newest entries by key, never scanning all tags", () => {
    const q = sharedTagsSql(['rust', 'security', 'go'], { perTag: 200, exclude: 1, limit: 20 });
    assert.ok(q);
    const steps = (db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as { detail: string }[]).map(
      (r) => r.detail,
    );
    assert.equal(
      steps.filter((s) => /SEARCH entry_tags USING (COVERING )?INDEX .*\(tag=\?\)/.test(s)).length,
      3,
    );
    assert.ok(!steps.some((s) => /SCAN entry_tags/.test(s)), steps.join(' | '));
  });

  it('reads a page of unread entries from the (user, read, date) index alone, without sorting', () => {
    for (const q of [
      { userId: 1, status: 'unread' as const, limit: 50, shape: 'list' as const },
      { userId: 1, status: 'unread' as const, limit: 50 },
      {
        userId: 1,
        status: 'unread' as const,
        limit: 50,
        shape: 'list' as const,
        after: { publishedAt: 5, id: 3 },
      },
      // A folder's feeds filter the same index's rows, its feed column there too.
      { userId: 1, folderId: 3, status: 'unread' as const, limit: 50, shape: 'list' as const },
    ]) {
      const steps = plan(q);
      assert.ok(
        steps.some((s) => s.includes('SEARCH ue USING COVERING INDEX user_entries_by_date')),
        steps.join(' | '),
      );
      assert.ok(!steps.some((s) => s.includes('TEMP B-TREE')), steps.join(' | '));
    }
  });

  it("reads a page of a feed's unread entries from the (user, feed, read, date) index alone", () => {
    const steps = plan({ userId: 1, feedId: 3, status: 'unread', limit: 50, shape: 'list' });
    assert.ok(
      steps.some((s) => s.includes('SEARCH ue USING COVERING INDEX user_entries_by_feed')),
      steps.join(' | '),
    );
    assert.ok(!steps.some((s) => s.includes('TEMP B-TREE')), steps.join(' | '));
  });

  it("reads a page of a feed's, the reading list's, a folder's, the starred or read-later entries from an index alone", () => {
    for (const [q, index] of [
      [{ feedId: 3 }, 'user_entries_feed_all'],
      [{}, 'user_entries_all'],
      [{ folderId: 3 }, 'user_entries_all'],
      [{ starred: true }, 'user_entries_starred'],
      [{ readLater: true }, 'user_entries_read_later'],
    ] as const) {
      for (const shape of ['list', 'entry'] as const) {
        const steps = plan({ userId: 1, status: 'all', limit: 50, shape, ...q });
        assert.ok(
          steps.some((s) => s.includes(`SEARCH ue USING COVERING INDEX ${index} `)),
          steps.join(' | '),
        );
        assert.ok(!steps.some((s) => s.includes('TEMP B-TREE')), steps.join(' | '));
      }
    }
  });

  it('finds what changed since a time, and lists in change order, from the (user, change time) index', () => {
    // Miniflux's lists by change time are an id list first (Store.entryIds), then the page's rows.
    const explain = (sql: string, params: unknown[]): string =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[])
        .map((r) => r.detail)
        .join(' | ');
    for (const q of [
      { userId: 1, changedAfter: 5, limit: 100, sortBy: 'id' as const, order: 'oldest' as const },
      { userId: 1, changedAfter: 5, changedBefore: 9, status: 'unread' as const, limit: 100 },
    ]) {
      const { list, count } = entryIdsSql(q, 0);
      for (const steps of [explain(list.sql, list.params), explain(count.sql, count.params)])
        assert.match(
          steps,
          /SEARCH ue USING (COVERING )?INDEX user_entries_changed \(user_id=\? AND changed_at>\?/,
        );
    }
    // A wide window walked instead: the order's own index, the change index left to the count.
    for (const [sortBy, index] of [
      ['id', /sqlite_autoindex_user_entries_1 \(user_id=\?\)$/],
      ['published', /user_entries_all \(user_id=\?\)$/],
    ] as const) {
      const walked = entryIdsSql(
        { userId: 1, changedAfter: 5, sortBy, order: 'oldest', limit: 100 },
        0,
        true,
      );
      const steps = explain(walked.list.sql, walked.list.params);
      assert.match(steps, new RegExp(`^SEARCH ue USING (COVERING )?INDEX ${index.source}`), steps);
      assert.match(explain(walked.count.sql, walked.count.params), /user_entries_changed/);
    }
    // In change order: the user's change index in order; a feed's own rows, sorted.
    const inOrder = entryIdsSql({ userId: 1, sortBy: 'changed', limit: 100 }, 0).list;
    assert.match(
      explain(inOrder.sql, inOrder.params),
      /^SEARCH ue USING (COVERING )?INDEX user_entries_changed \(user_id=\?\)/,
    );
    const feeds = entryIdsSql({ userId: 1, feedId: 3, sortBy: 'changed', limit: 100 }, 0).list;
    assert.match(
      explain(feeds.sql, feeds.params),
      /SEARCH ue USING (COVERING )?INDEX user_entries_(feed_all|by_feed) \(user_id=\? AND feed_id=\?\)/,
    );
  });
});

describe('unread lists from their indexes alone (migration 12)', () => {
  const dir = temporaryDir('gleaner-covering-');

  it('widens the two indexes of a database written before it, lists unchanged', async () => {
    const path = join(dir(), 'narrow.db');
    const db = new Database(path);
    migrate(db, 0, 11);
    addUserAndFeed(db);
    db.exec(`INSERT INTO entries (id, feed_id, dedupe_key, content_hash, title, summary_text, reading_minutes,
        published_at, created_at) VALUES (1, 1, 'a', 'h', 'One', 's', 1, 1000, 0), (2, 1, 'b', 'h', 'Two', 's', 1, 2000, 0),
        (3, 1, 'c', 'h', 'Three', 's', 1, 3000, 0);
      INSERT INTO user_entries (user_id, entry_id, feed_id, published_at, starred, read_later)
        VALUES (1, 1, 1, 1000, 0, 1), (1, 2, 1, 2000, 1, 0), (1, 3, 1, 3000, 0, 0);
      UPDATE user_entries SET read = 1 WHERE entry_id = 3;`);
    db.pragma('user_version = 11');
    db.close();

    const store = openSqliteStore(path);
    try {
      const columns = (index: string): string[] => {
        const reader = new Database(path, { readonly: true });
        try {
          return (
            reader.prepare(`SELECT name FROM pragma_index_info(?)`).all(index) as { name: string }[]
          ).map((r) => r.name);
        } finally {
          reader.close();
        }
      };
      // Migration 18 added the change time to each.
      assert.deepEqual(columns('user_entries_by_date'), [
        'user_id',
        'read',
        'published_at',
        'entry_id',
        'feed_id',
        'starred',
        'read_later',
        'changed_at',
      ]);
      assert.deepEqual(columns('user_entries_by_feed'), [
        'user_id',
        'feed_id',
        'read',
        'published_at',
        'entry_id',
        'starred',
        'read_later',
        'changed_at',
      ]);
      for (const q of [{}, { feedId: 1 }]) {
        const unread = await store.queryEntries({
          userId: 1,
          status: 'unread',
          limit: 10,
          shape: 'list',
          ...q,
        });
        assert.deepEqual(
          unread.map((v) => [v.entry.title, v.read, v.starred, v.readLater]),
          [
            ['Two', false, true, false],
            ['One', false, false, true],
          ],
        );
      }
      // Starring moves the entry within the widened indexes: the lists see it at once.
      await store.setEntryState(1, [1], { starred: true }, 5000);
      const [one] = await store.queryEntries({
        userId: 1,
        feedId: 1,
        status: 'unread',
        limit: 10,
        order: 'oldest',
        shape: 'list',
      });
      assert.equal(one?.starred, true);
    } finally {
      await store.close();
    }
  });
});

describe('every list from an index alone (migration 13)', () => {
  const dir = temporaryDir('gleaner-covering-all-');

  it('widens the four indexes of a database written before it, lists unchanged', async () => {
    const path = join(dir(), 'narrow.db');
    const db = new Database(path);
    migrate(db, 0, 12);
    addUserAndFeed(db);
    db.exec(`INSERT INTO entries (id, feed_id, dedupe_key, content_hash, title, summary_text, reading_minutes,
        published_at, created_at) VALUES (1, 1, 'a', 'h', 'One', 's', 1, 1000, 0), (2, 1, 'b', 'h', 'Two', 's', 1, 2000, 0),
        (3, 1, 'c', 'h', 'Three', 's', 1, 3000, 0);
      INSERT INTO user_entries (user_id, entry_id, feed_id, published_at, read, starred, read_later)
        VALUES (1, 1, 1, 1000, 0, 1, 1), (1, 2, 1, 2000, 1, 1, 0), (1, 3, 1, 3000, 1, 0, 1);`);
    db.pragma('user_version = 12');
    db.close();

    const store = openSqliteStore(path);
    try {
      const reader = new Database(path, { readonly: true });
      const columns = (index: string): string[] =>
        (reader.prepare(`SELECT name FROM pragma_index_info(?)`).all(index) as { name: string }[]).map(
          (r) => r.name,
        );
      try {
        // Migration 18 added the change time to each.
        const state = ['read', 'starred', 'read_later', 'changed_at'];
        const byDate = ['user_id', 'published_at', 'entry_id', 'feed_id'];
        assert.deepEqual(columns('user_entries_feed_all'), [
          'user_id',
          'feed_id',
          'published_at',
          'entry_id',
          ...state,
        ]);
        assert.deepEqual(columns('user_entries_all'), [...byDate, ...state]);
        assert.deepEqual(columns('user_entries_starred'), [...byDate, 'read', 'read_later', 'changed_at']);
        assert.deepEqual(columns('user_entries_read_later'), [...byDate, 'read', 'starred', 'changed_at']);
      } finally {
        reader.close();
      }
      const titles = async (q: Partial<EntryQuery>): Promise<[string, boolean, boolean, boolean][]> =>
        (await store.queryEntries({ userId: 1, status: 'all', limit: 10, shape: 'list', ...q })).map((v) => [
          v.entry.title,
          v.read,
          v.starred,
          v.readLater,
        ]);
      assert.deepEqual(await titles({ feedId: 1 }), [
        ['Three', true, false, true],
        ['Two', true, true, false],
        ['One', false, true, true],
      ]);
      assert.deepEqual(await titles({ starred: true }), [
        ['Two', true, true, false],
        ['One', false, true, true],
      ]);
      assert.deepEqual(await titles({ readLater: true, order: 'oldest' }), [
        ['One', false, true, true],
        ['Three', true, false, true],
      ]);
      // Marking unread and unstarring change the widened indexes: the lists see it at once.
      await store.setEntryState(1, [2], { read: false, starred: false }, 5000);
      assert.deepEqual(await titles({ starred: true }), [['One', false, true, true]]);
      assert.deepEqual((await titles({}))[1], ['Two', false, false, false]);
    } finally {
      await store.close();
    }
  });
});

describe('when each entry changed for its user, kept (migration 18)', () => {
  const dir = temporaryDir('gleaner-changed-');

  it('fills it with what it was worked out as: the update or arrival, or a later read or star mark', async () => {
    const { path, db } = databaseAt(dir(), 17);
    db.exec(`INSERT INTO entries (id, feed_id, dedupe_key, content_hash, title, summary_text, reading_minutes,
        published_at, updated_at, created_at) VALUES (1, 1, 'a', 'h', 'One', 's', 1, 1000, NULL, 100),
        (2, 1, 'b', 'h', 'Two', 's', 1, 2000, 500, 100), (3, 1, 'c', 'h', 'Three', 's', 1, 3000, NULL, 100),
        (4, 1, 'd', 'h', 'Four', 's', 1, 4000, 50, 100);
      INSERT INTO user_entries (user_id, entry_id, feed_id, published_at, read, read_at, starred, starred_at)
        VALUES (1, 1, 1, 1000, 0, NULL, 0, NULL), (1, 2, 1, 2000, 1, 300, 0, NULL),
        (1, 3, 1, 3000, 1, 700, 1, 900), (1, 4, 1, 4000, 0, NULL, 0, NULL);`);
    // A row whose entry is gone (written with foreign keys off) is no reason to refuse to start.
    db.pragma('foreign_keys = OFF');
    db.exec(`INSERT INTO user_entries (user_id, entry_id, feed_id, published_at) VALUES (1, 99, 1, 5000)`);
    db.pragma('user_version = 17');
    db.close();

    const store = openSqliteStore(path);
    try {
      const changed = new Map(
        (await store.queryEntries({ userId: 1, limit: 10, shape: 'list' })).map((v) => [
          v.entry.title,
          v.changedAt,
        ]),
      );
      assert.deepEqual(
        changed,
        new Map([
          ['One', 100],
          ['Two', 500],
          ['Three', 900],
          ['Four', 50],
        ]),
      );
      const since = await store.entryIds(
        { userId: 1, limit: 10, sortBy: 'id', order: 'oldest', changedAfter: 100 },
        0,
      );
      assert.deepEqual(since, { ids: [2, 3], total: 2 });
    } finally {
      await store.close();
    }
  });
});

describe('entry texts apart from their HTML (migration 14), then not kept (migration 19)', () => {
  const dir = temporaryDir('gleaner-texts-');

  it('keeps the HTML of a database written before them; search quotes the text of the HTML', async () => {
    const path = join(dir(), 'together.db');
    const db = new Database(path);
    migrate(db, 0, 13);
    addUserAndFeed(db);
    const long = `<p>${'word '.repeat(2000)}</p><p>the <i>last</i> words</p>`;
    db.exec(`INSERT INTO entries (id, feed_id, dedupe_key, content_hash, title, summary_text, reading_minutes,
        published_at, created_at) VALUES (1, 1, 'a', 'h', 'One', 's', 1, 1000, 0), (2, 1, 'b', 'h', 'Two', 's', 1, 2000, 0);
      INSERT INTO user_entries (user_id, entry_id, feed_id, published_at) VALUES (1, 1, 1, 1000), (1, 2, 1, 2000);`);
    const body = db.prepare(
      'INSERT INTO entry_bodies (entry_id, content_html, content_text) VALUES (?, ?, ?)',
    );
    body.run(1, long, 'one text');
    body.run(2, '<p>two &amp; more</p>', 'two & more');
    db.pragma('user_version = 13');
    db.close();

    const store = openSqliteStore(path);
    const reader = new Database(path, { readonly: true });
    try {
      const rows = (sql: string): unknown[] => reader.prepare(sql).all();
      assert.deepEqual(
        rows("SELECT name FROM pragma_table_info('entry_bodies')").map((r) => (r as { name: string }).name),
        ['entry_id', 'content_html'],
      );
      assert.deepEqual(rows("SELECT name FROM sqlite_schema WHERE name = 'entry_texts'"), []);
      const [two, one] = await store.queryEntries({ userId: 1, limit: 10 });
      assert.equal(one?.entry.contentHtml, long);
      assert.equal(two?.entry.contentHtml, '<p>two &amp; more</p>');

      // A new entry: its HTML stored, its text indexed and quoted by a search from the HTML.
      const fresh = preparedEntry('zebra', {
        contentHtml: '<p>A <b>zebra</b> &amp; <i>its</i> crossing</p>',
        contentText: 'A zebra & its crossing',
        publishedAt: 3000,
      });
      const longer = preparedEntry('long', {
        contentHtml: long,
        contentText: `${'word '.repeat(2000)}the last words`,
        publishedAt: 2500,
      });
      assert.deepEqual(await store.recordFetchSuccess(1, fetchedUpdate(3000, 'Feed'), [fresh, longer]), {
        inserted: 2,
        updated: 0,
      });
      const search = (text: string) =>
        store.searchEntries({ userId: 1, text, sort: 'newest', limit: 10, offset: 0 });
      const [hit] = await search('zebra');
      assert.equal(hit?.view.entry.title, 'Entry zebra');
      assert.equal(hit?.snippetHtml, 'A <mark>zebra</mark> &amp; its crossing');
      // Deep in a long body, past the first paragraphs: the text around the match.
      const [deep] = await search('last');
      assert.equal(deep?.view.entry.title, 'Entry long');
      assert.match(deep?.snippetHtml ?? '', /word\s+the <mark>last<\/mark> words$/);
    } finally {
      reader.close();
      await store.close();
    }
  });
});

/** User 1 and feed 1 they subscribe to, written as rows (on any schema since migration 1). */
function addUserAndFeed(db: Database.Database): void {
  db.exec(`INSERT INTO users (id, username, created_at) VALUES (1, 'ann', 0);
    INSERT INTO feeds (id, url, options_key, created_at) VALUES (1, 'https://example.com/feed', '', 0);
    INSERT INTO subscriptions (user_id, feed_id, created_at) VALUES (1, 1, 0);`);
}

/** A temporary folder for a suite's databases, made before its tests and removed after them. */
function temporaryDir(prefix: string): () => string {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  return () => dir;
}

/** `before.db` in `dir`, as Gleaner left it at schema `version`, with a user following one feed. */
function databaseAt(dir: string, version: number): { path: string; db: Database.Database } {
  const path = join(dir, 'before.db');
  const db = new Database(path);
  migrate(db, 0, version);
  addUserAndFeed(db);
  return { path, db };
}

/** User 1's five newest entries that match `text`. */
function newestMatches(text: string): SearchQuery {
  return { userId: 1, text, limit: 5, offset: 0, sort: 'newest' };
}

/** Runs migrations `from`..`to` by hand (no search index filled), as an older Gleaner left a database. */
function migrate(db: Database.Database, from: number, to: number): void {
  for (const [offset, step] of MIGRATIONS.slice(from, to).entries()) {
    for (const sql of step(SQLITE)) db.exec(sql);
    db.pragma(`user_version = ${from + offset + 1}`);
  }
}

describe('entry bodies (migration 9)', () => {
  const dir = temporaryDir('gleaner-bodies-');

  it('lists never read a body; the article reads its body by key', async () => {
    const path = join(dir(), 'plans.db');
    await openSqliteStore(path).close();
    const db = new Database(path, { readonly: true });
    try {
      const plan = (q: EntryQuery): string => {
        const { sql, params } = entryQuerySql(q);
        return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[])
          .map((r) => r.detail)
          .join(' | ');
      };
      assert.doesNotMatch(
        plan({ userId: 1, status: 'unread', limit: 50, withContent: false }),
        /entry_bodies|\bb\b/,
      );
      assert.match(plan({ userId: 1, entryIds: [7], limit: 1 }), /SEARCH b USING INTEGER PRIMARY KEY/);
      const columns = (
        db.prepare("SELECT name FROM pragma_table_info('entries')").all() as { name: string }[]
      ).map((c) => c.name);
      assert.ok(!columns.includes('content_html') && !columns.includes('content_text'), columns.join(', '));
    } finally {
      db.close();
    }
  });

  it('moves the bodies of a database written before it, losing nothing and keeping read state', async () => {
    const path = join(dir(), 'old.db');
    const db = new Database(path);
    // The schema as it stood before migration 9, with two entries in it.
    migrate(db, 0, 8);
    addUserAndFeed(db);
    const insert =
      db.prepare(`INSERT INTO entries (id, feed_id, dedupe_key, content_hash, title, content_html,
      content_text, summary_text, reading_minutes, published_at, created_at) VALUES (?, 1, ?, 'h', ?, ?, ?, '', 1, ?, 0)`);
    const long = '<p>' + 'Ünïcode 中文 '.repeat(2000) + '</p>';
    insert.run(1, 'a', 'First', long, 'long text', 1000);
    insert.run(2, 'b', 'Second', '<p>short</p>', 'short', 2000);
    db.exec(`INSERT INTO user_entries (user_id, entry_id, feed_id, published_at) VALUES (1, 1, 1, 1000), (1, 2, 1, 2000);
      UPDATE user_entries SET read = 1 WHERE entry_id = 2;`);
    db.close();

    const told: string[] = [];
    const store = openSqliteStore(path, { onMigration: (version, of) => told.push(`${version}/${of}`) });
    try {
      assert.deepEqual(
        told,
        MIGRATIONS.slice(8).map((_, i) => `${9 + i}/${MIGRATIONS.length}`),
        'an upgrade says which steps run',
      );
      // The search index is made again from the moved bodies.
      const found = await store.searchEntries(newestMatches('short'));
      assert.deepEqual(
        found.map((h) => h.view.entry.title),
        ['Second'],
      );
      const [second, first] = await store.queryEntries({ userId: 1, limit: 10 });
      assert.equal(first?.entry.contentHtml, long);
      // The plain text is not kept (migration 19): the result quotes the text of the HTML.
      assert.equal(found[0]?.snippetHtml, '<mark>short</mark>');
      assert.equal(first?.read, false);
      assert.equal(second?.entry.contentHtml, '<p>short</p>');
      assert.equal(second?.read, true);
      const listed = await store.queryEntries({ userId: 1, limit: 10, withContent: false });
      assert.deepEqual(
        listed.map((v) => [v.entry.title, v.entry.contentHtml]),
        [
          ['Second', ''],
          ['First', ''],
        ],
      );
      assert.equal(await store.countEntries(), 2);
    } finally {
      await store.close();
    }
  });
});

describe('entries rewritten compactly (migration 10)', () => {
  const dir = temporaryDir('gleaner-compact-');

  it('packs the rows migration 9 left one to a page, keeping every row and reference', async () => {
    const path = join(dir(), 'bloated.db');
    const db = new Database(path);
    // Entries written with their bodies inline, as before migration 9, then migration 9 itself.
    migrate(db, 0, 8);
    addUserAndFeed(db);
    const insert =
      db.prepare(`INSERT INTO entries (id, feed_id, dedupe_key, content_hash, title, content_html,
      content_text, summary_text, reading_minutes, published_at, created_at, categories)
      VALUES (?, 1, ?, 'h', ?, ?, 'text', 'summary', 1, ?, 0, '["ops"]')`);
    const fill = db.prepare('INSERT INTO entry_fts (rowid, title, body) VALUES (?, ?, ?)');
    const ENTRIES = 300;
    for (let id = 1; id <= ENTRIES; id++) {
      insert.run(id, `key-${id}`, `Entry ${id}`, `<p>${'body '.repeat(700)}${id}</p>`, id * 1000);
      fill.run(id, `Entry ${id}`, 'text');
    }
    db.exec(`INSERT INTO user_entries (user_id, entry_id, feed_id, published_at)
        SELECT 1, id, feed_id, published_at FROM entries;
      INSERT INTO entry_tags (tag, entry_id) SELECT 'ops', id FROM entries;
      UPDATE user_entries SET read = 1, starred = 1 WHERE entry_id % 7 = 0;`);
    migrate(db, 8, 9);
    const leafPages = (d: Database.Database): number =>
      (
        d.prepare("SELECT COUNT(*) AS n FROM dbstat WHERE name = 'entries' AND pagetype = 'leaf'").get() as {
          n: number;
        }
      ).n;
    const rows = (d: Database.Database): unknown[] => d.prepare('SELECT * FROM entries ORDER BY id').all();
    const before = rows(db);
    const bloated = leafPages(db);
    assert.ok(bloated >= ENTRIES / 2, `migration 9 leaves rows spread out (${bloated} pages)`);
    db.close();

    const store = openSqliteStore(path);
    try {
      const reader = new Database(path, { readonly: true });
      try {
        // Every column the entries had; the one added since (migration 30) holds nothing yet.
        const after = rows(reader) as { source_hash: unknown }[];
        assert.deepEqual(
          after.map(({ source_hash, ...row }) => (assert.equal(source_hash, null), row)),
          before,
          'every row, every value',
        );
        assert.ok(leafPages(reader) <= ENTRIES / 10, `packed into ${leafPages(reader)} pages`);
        assert.deepEqual(reader.pragma('foreign_key_check'), []);
        assert.deepEqual(
          reader
            .prepare(
              "SELECT type, name FROM sqlite_schema WHERE tbl_name = 'entries' AND sql IS NOT NULL ORDER BY name",
            )
            .all(),
          [
            { type: 'table', name: 'entries' },
            { type: 'index', name: 'entries_arrival' },
            { type: 'index', name: 'entries_feed_published' },
            { type: 'trigger', name: 'entries_fts_delete' },
          ],
        );
      } finally {
        reader.close();
      }
      const starred = await store.queryEntries({ userId: 1, starred: true, limit: 100 });
      assert.equal(starred.length, Math.floor(ENTRIES / 7));
      assert.equal(
        starred[0]?.entry.contentHtml,
        `<p>${'body '.repeat(700)}${Math.floor(ENTRIES / 7) * 7}</p>`,
      );
      assert.equal(
        (await store.searchEntries({ userId: 1, text: 'entry', limit: 5, offset: 0, sort: 'newest' })).length,
        5,
      );
      // Foreign keys are on again and point at the new table: a user's departure takes their feed's
      // entries, bodies, tags and index rows with it.
      assert.equal(await store.deleteUser(1), true);
      const after = new Database(path, { readonly: true });
      try {
        for (const table of ['entries', 'entry_bodies', 'entry_tags', 'user_entries', 'entry_fts_docsize']) {
          assert.deepEqual(after.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get(), { n: 0 }, table);
        }
      } finally {
        after.close();
      }
    } finally {
      await store.close();
    }
  });
});

// SQLite marks a statement whose LIMIT is a bound parameter to be compiled again each time that
// parameter is bound: the hot lists write their count into the statement instead.
describe('counts written into the statement', () => {
  it('is a whole number from 1 to 1,000, whatever it is asked', () => {
    assert.equal(limitClause(100), 'LIMIT 100');
    assert.equal(limitClause(2.7), 'LIMIT 2');
    assert.equal(limitClause(5000), 'LIMIT 1000');
    for (const n of [0, -3, Number.NaN, Number.NEGATIVE_INFINITY]) assert.equal(limitClause(n), 'LIMIT 1');
    assert.equal(limitClause(Number.POSITIVE_INFINITY), 'LIMIT 1000');
  });

  it('ends the entry list with it and binds no count', () => {
    const q: EntryQuery = { userId: 7, status: 'unread', limit: 50, feedId: 3 };
    const { sql, params } = entryQuerySql(q);
    assert.match(sql, /LIMIT 50$/);
    assert.doesNotMatch(sql, /LIMIT \?/);
    assert.deepEqual(params, [7, 3]);
    assert.equal((sql.match(/\?/g) ?? []).length, params.length);
  });
});

describe('links of schemes ingestion drops, dropped from what is stored (migration 20)', () => {
  const dir = temporaryDir('gleaner-links-');

  it('drops javascript:, data: and other links, and keeps http(s), mailto and magnet ones', async () => {
    const { path, db } = databaseAt(dir(), 19);
    db.exec(`INSERT INTO feeds (id, url, options_key, site_url, icon_url, created_at) VALUES
        (2, 'https://bad.example/feed', '', 'javascript:alert(1)', 'data:image/png;base64,AAAA', 0),
        (3, 'https://good.example/feed', '', 'https://good.example/', 'https://good.example/icon.png', 0)`);
    const enclosures = JSON.stringify([
      { url: 'https://cdn.example/a.mp3', type: 'audio/mpeg', length: 1 },
      { url: 'javascript:alert(2)', type: null, length: null },
      { url: 'magnet:?xt=urn:btih:abc', type: 'application/x-bittorrent', length: null },
      { url: 'data:audio/mpeg;base64,AAAA', type: 'audio/mpeg', length: null },
    ]);
    const insert =
      db.prepare(`INSERT INTO entries (id, feed_id, dedupe_key, content_hash, title, summary_text,
        reading_minutes, published_at, created_at, link, comments_url, image_url, enclosures)
        VALUES (?, 1, ?, 'h', ?, 's', 1, 1000, 100, ?, ?, ?, ?)`);
    insert.run(
      1,
      'a',
      'Hostile',
      'javascript:alert(3)',
      'vbscript:x',
      'data:image/gif;base64,R0lG',
      enclosures,
    );
    insert.run(
      2,
      'b',
      'Fine',
      'https://example.com/b',
      'mailto:ann@example.com',
      'http://example.com/b.png',
      '[]',
    );
    insert.run(3, 'c', 'Mail', 'mailto:ann@example.com', null, null, '[]');
    db.pragma('user_version = 19');
    db.close();

    const store = openSqliteStore(path);
    await store.close();
    const after = new Database(path, { readonly: true });
    try {
      assert.deepEqual(
        after.prepare('SELECT id, link, comments_url, image_url FROM entries ORDER BY id').raw().all(),
        [
          [1, null, null, null],
          [2, 'https://example.com/b', 'mailto:ann@example.com', 'http://example.com/b.png'],
          [3, 'mailto:ann@example.com', null, null],
        ],
      );
      assert.deepEqual(
        JSON.parse(after.prepare('SELECT enclosures FROM entries WHERE id = 1').pluck().get() as string),
        [
          { url: 'https://cdn.example/a.mp3', type: 'audio/mpeg', length: 1 },
          { url: 'magnet:?xt=urn:btih:abc', type: 'application/x-bittorrent', length: null },
        ],
      );
      assert.deepEqual(after.prepare('SELECT id, site_url, icon_url FROM feeds ORDER BY id').raw().all(), [
        [1, null, null],
        [2, null, null],
        [3, 'https://good.example/', 'https://good.example/icon.png'],
      ]);
    } finally {
      after.close();
    }
  });
});

describe('credentials written into feeds’ URLs, moved to their options (migration 21)', () => {
  const dir = temporaryDir('gleaner-credentials-');

  it('takes them out of the URL as the username and password the fetcher sent', async () => {
    const { path, db } = databaseAt(dir(), 20);
    db.exec(`INSERT INTO feeds (id, url, options_key, username, password, created_at) VALUES
        (2, 'https://me%40home:p%3Ass@private.example/feed', '', NULL, NULL, 0),
        (3, 'https://url-user:url-pass@own.example/feed', 'k', 'own-user', NULL, 0),
        (4, 'https://x:y@taken.example/feed', '', NULL, NULL, 0),
        (5, 'https://taken.example/feed', '${fetchOptionsKey({ ...DEFAULT_FETCH_OPTIONS, username: 'x', password: 'y' })}', 'x', 'y', 0),
        (6, 'https://mail.example/feed?from=a@b.example', '', NULL, NULL, 0);
      INSERT INTO subscriptions (user_id, feed_id, created_at) VALUES (1, 2, 0), (1, 3, 0);`);
    db.pragma('user_version = 20');
    db.close();

    const store = openSqliteStore(path);
    try {
      const feeds = new Map((await store.listSubscriptions(1)).map((s) => [s.feed.id, s.feed]));
      assert.equal(feeds.get(2)?.url, 'https://private.example/feed');
      assert.deepEqual([feeds.get(2)?.options.username, feeds.get(2)?.options.password], ['me@home', 'p:ss']);
      // A username of the feed's own was sent instead of the URL's, and stays; the URL's password was sent.
      assert.equal(feeds.get(3)?.url, 'https://own.example/feed');
      assert.deepEqual(
        [feeds.get(3)?.options.username, feeds.get(3)?.options.password],
        ['own-user', 'url-pass'],
      );
      // The key follows the options: the feed is found again as subscribing with them finds it.
      const again = await store.ensureFeed('https://private.example/feed', feeds.get(2)!.options, 1);
      assert.equal(again.id, 2);
    } finally {
      await store.close();
    }
    const after = new Database(path, { readonly: true });
    try {
      // Another feed holds the URL without them, fetched alike: left as it was.
      assert.deepEqual(
        after.prepare('SELECT id, url FROM feeds WHERE id IN (4, 6) ORDER BY id').raw().all(),
        [
          [4, 'https://x:y@taken.example/feed'],
          [6, 'https://mail.example/feed?from=a@b.example'],
        ],
      );
    } finally {
      after.close();
    }
  });
});

describe('control characters in stored titles, turned into spaces (migration 25)', () => {
  const dir = temporaryDir('gleaner-controls-');

  it('rewrites the titles, authors and descriptions that hold them, as ingestion writes them now', async () => {
    const { path, db } = databaseAt(dir(), 24);
    const entry = db.prepare(
      `INSERT INTO entries (id, feed_id, dedupe_key, content_hash, title, author, summary_text, reading_minutes,
         published_at, created_at) VALUES (?, 1, ?, 'h', ?, ?, '', 1, 0, 0)`,
    );
    entry.run(1, 'g:1', '\u001b[2JCleared \u001b]0;owned\u0007screen', '\u0007Bell\u009b31m Red');
    entry.run(2, 'g:2', '\u001b\u0007', null);
    entry.run(3, 'g:3', 'Plain title', 'Ann');
    db.prepare('UPDATE feeds SET title = ?, description = ? WHERE id = 1').run(
      'Feed\u001bc title',
      '\u0085\u009d',
    );
    db.pragma('user_version = 24');
    db.close();

    const store = openSqliteStore(path);
    await store.close();
    const after = new Database(path, { readonly: true });
    try {
      assert.deepEqual(after.prepare('SELECT id, title, author FROM entries ORDER BY id').raw().all(), [
        [1, '[2JCleared ]0;owned screen', 'Bell 31m Red'],
        [2, 'Untitled', null],
        [3, 'Plain title', 'Ann'],
      ]);
      assert.deepEqual(after.prepare('SELECT title, description FROM feeds').raw().get(), [
        'Feed c title',
        null,
      ]);
    } finally {
      after.close();
    }
  });
});

describe('control characters in stored categories and tags, turned into spaces (migration 28)', () => {
  const dir = temporaryDir('gleaner-category-controls-');

  it('rewrites the categories that hold them, and their tags, as ingestion writes them now', async () => {
    const { path, db } = databaseAt(dir(), 27);
    const entry = db.prepare(
      `INSERT INTO entries (id, feed_id, dedupe_key, content_hash, title, categories, summary_text,
         reading_minutes, published_at, created_at) VALUES (?, 1, ?, 'h', 'Title', ?, '', 1, 0, 0)`,
    );
    const tag = db.prepare('INSERT INTO entry_tags (tag, entry_id) VALUES (?, ?)');
    const stored = [
      ['\u001b[31mRed\u001b[0m', 'Plain'],
      ['\u0085Next\u009bline', '\u0007', 'Next line'],
      ['C:\\users\\bob', 'Go'],
    ];
    for (const [i, categories] of stored.entries()) {
      entry.run(i + 1, `g:${i + 1}`, JSON.stringify(categories));
      for (const c of categories) tag.run(c.toLowerCase(), i + 1);
    }
    db.exec(`INSERT INTO user_entries (user_id, entry_id, feed_id, published_at)
        SELECT 1, id, feed_id, published_at FROM entries;
      INSERT INTO entry_bodies (entry_id, content_html) SELECT id, '<p>Text</p>' FROM entries;`);
    db.pragma('user_version = 27');
    db.close();

    const store = openSqliteStore(path);
    try {
      const [first] = await store.queryEntries({ userId: 1, tags: ['[31mred [0m'], limit: 5 });
      assert.equal(first?.entry.id, 1, 'the tag as the parser makes it now finds the entry');
    } finally {
      await store.close();
    }
    const after = new Database(path, { readonly: true });
    try {
      assert.deepEqual(
        (
          after.prepare('SELECT id, categories FROM entries ORDER BY id').raw().all() as [number, string][]
        ).map(([id, json]) => [id, JSON.parse(json) as unknown]),
        [
          [1, ['[31mRed [0m', 'Plain']],
          [2, ['Next line']],
          [3, ['C:\\users\\bob', 'Go']],
        ],
      );
      assert.deepEqual(
        after.prepare('SELECT entry_id, tag FROM entry_tags ORDER BY entry_id, tag').raw().all(),
        [
          [1, '[31mred [0m'],
          [1, 'plain'],
          [2, 'next line'],
          [3, 'c:\\users\\bob'],
          [3, 'go'],
        ],
      );
    } finally {
      after.close();
    }
  });
});

describe('entry ids never given to another (migration 26)', () => {
  const dir = temporaryDir('gleaner-ids-');

  it('keeps every entry and reference, and numbers new entries past the newest ever removed', async () => {
    const { path, db } = databaseAt(dir(), 25);
    const insert = db.prepare(
      `INSERT INTO entries (id, feed_id, dedupe_key, content_hash, title, summary_text, reading_minutes,
         published_at, created_at) VALUES (?, 1, ?, 'h', ?, '', 1, ?, 0)`,
    );
    // Published in the other order: the newest entry is the oldest post, the first to go.
    for (const id of [1, 2, 3, 7]) insert.run(id, `g:${id}`, `Entry ${id}`, (10 - id) * 1000);
    db.exec(`INSERT INTO user_entries (user_id, entry_id, feed_id, published_at)
        SELECT 1, id, feed_id, published_at FROM entries;
      INSERT INTO entry_bodies (entry_id, content_html) SELECT id, '<p>' || title || '</p>' FROM entries;
      UPDATE user_entries SET starred = 1 WHERE entry_id = 2;`);
    db.pragma('user_version = 25');
    db.close();

    const store = openSqliteStore(path);
    try {
      const ids = async (): Promise<number[]> =>
        (await store.queryEntries({ userId: 1, limit: 10 })).map((v) => v.entry.id).sort((a, b) => a - b);
      assert.deepEqual(await ids(), [1, 2, 3, 7]);
      const [starred] = await store.queryEntries({ userId: 1, starred: true, limit: 1 });
      assert.equal(starred?.entry.contentHtml, '<p>Entry 2</p>');
      // The newest entry goes (past its feed's limit, but for the starred one): the next one is
      // numbered past it, and so on.
      assert.equal(await store.trimFeeds(2, 1, 10), 1);
      assert.deepEqual(await ids(), [1, 2, 3]);
      await store.recordFetchSuccess(1, fetchedUpdate(2), [preparedEntry('later', { publishedAt: 1000 })]);
      assert.deepEqual(await ids(), [1, 2, 3, 8]);
      assert.equal(await store.trimFeeds(2, 3, 10), 1);
      await store.recordFetchSuccess(1, fetchedUpdate(4), [preparedEntry('latest', { publishedAt: 500 })]);
      assert.deepEqual(await ids(), [1, 2, 3, 9], 'not 8 again');
    } finally {
      await store.close();
    }
    const after = new Database(path, { readonly: true });
    try {
      assert.deepEqual(after.pragma('foreign_key_check'), []);
    } finally {
      after.close();
    }
  });
});

describe('feed and folder ids never given to another (migration 42)', () => {
  const dir = temporaryDir('gleaner-feed-ids-');

  it('keeps every feed, folder and reference, and numbers new ones past any removed', async () => {
    const { path, db } = databaseAt(dir(), 41);
    db.exec(`INSERT INTO folders (id, user_id, name) VALUES (1, 1, 'Kept'), (2, 1, 'Public');
      INSERT INTO feeds (id, url, options_key, created_at, title, etag) VALUES
        (2, 'https://two.example/feed', '', 0, 'Two', '"e2"'), (3, 'https://three.example/feed', '', 0, 'Three', null);
      UPDATE subscriptions SET folder_id = 1 WHERE feed_id = 1;
      INSERT INTO subscriptions (user_id, feed_id, folder_id, created_at, min_check_minutes) VALUES
        (1, 2, 2, 0, 360), (1, 3, null, 0, null);
      INSERT INTO entries (id, feed_id, dedupe_key, content_hash, title, summary_text, reading_minutes, published_at, created_at)
        VALUES (1, 3, 'g:1', 'h', 'Three one', '', 1, 0, 0);
      INSERT INTO user_entries (user_id, entry_id, feed_id, published_at) VALUES (1, 1, 3, 0);
      INSERT INTO entry_bodies (entry_id, content_html) VALUES (1, '<p>one</p>');
      INSERT INTO publications (user_id, kind, value, slug, title, created_at, updated_at) VALUES
        (1, 'feed', '3', 'three', 'Three', 0, 0), (1, 'folder', '2', 'public', 'Public', 0, 0);`);
    const indexes = (d: Database.Database): string[] =>
      d
        .prepare(`SELECT name FROM sqlite_schema WHERE type IN ('index', 'trigger') ORDER BY name`)
        .pluck()
        .all() as string[];
    const before = indexes(db);
    db.close();

    const store = openSqliteStore(path);
    try {
      const feeds = await store.listSubscriptions(1);
      assert.deepEqual(
        feeds.map((v) => [v.feed.id, v.feed.title, v.subscription.folderId, v.feed.minCheckMinutes]),
        [
          [1, null, 1, null],
          [2, 'Two', 2, 360],
          [3, 'Three', null, null],
        ],
      );
      assert.equal((await store.getFeed(2))?.etag, '"e2"');
      assert.equal(await store.countEntries(3), 1);
      // The triggers are there again: a subscriber's pace reaches its feed.
      await store.updateSubscription(1, 1, { minCheckMinutes: 60 });
      assert.equal((await store.getFeed(1))?.minCheckMinutes, 60);
      // The newest feed and folder go; the next of each is numbered past them.
      await store.unsubscribe(1, 3);
      assert.equal(await store.getFeed(3), null);
      assert.equal(await store.deleteFolder(1, 2), true);
      const next = await store.ensureFeed('https://private.example/feed', DEFAULT_FETCH_OPTIONS, 1);
      const folder = await store.ensureFolder(1, 'Private');
      assert.deepEqual([next.id, folder.id], [4, 3]);
      await store.subscribe(1, next.id, { folderId: folder.id, title: null }, 1);
      await store.recordFetchSuccess(next.id, fetchedUpdate(2), [preparedEntry('private')]);
      // What was published of the old ones publishes nothing of the new.
      for (const p of await store.listPublications(1))
        assert.deepEqual(await store.publicationEntries(p, { limit: 10 }), [], p.slug);
    } finally {
      await store.close();
    }
    const after = new Database(path, { readonly: true });
    try {
      assert.deepEqual(after.pragma('foreign_key_check'), []);
      assert.deepEqual(indexes(after), before);
      for (const table of ['feeds', 'folders'])
        assert.match(
          after.prepare('SELECT sql FROM sqlite_schema WHERE name = ?').pluck().get(table) as string,
          /id INTEGER PRIMARY KEY AUTOINCREMENT,/,
        );
    } finally {
      after.close();
    }
  });
});

describe('migrations', () => {
  it('keeps every released migration as it was: a new one goes at the end', () => {
    // A database records how many migrations it has run: one inserted before the last, or edited,
    // would run on it in the place of another, or never. Append a new migration's digest here.
    // prettier-ignore
    const released = [
      '0eef67c5188c', '8ae7ca37fcea', 'c9abf2e949a6', 'a3ac30c55e9e', '5072d3d23411', '2fad322017b9',
      '8a902070690a', '4625a384f525', '6e4fa01349a2', 'd54dbf31628d', '352c6e5882f1', '018e8bd6153d',
      'fe2796f1deaa', '7319e32dafe4', '7e68c26efbeb', '4ca5e0ee3244', '4114282d6dbd', '31b99ceac372',
      '7ae0e95d2a76', '1a508078177e', 'e3b0c44298fc', 'e97a88b4b91c', 'f9f8594cbbf4', '0ece72574d82',
      'e3b0c44298fc', '9c775534cc77', '6609007b1509', 'e3b0c44298fc', 'c9ef74685563', '0aa69a5c5d1f',
      '163d9b4c6d8d', '735a2d8c4020', '1b5888c0632a', 'ca8f8845b4b9', '979000f683a3', '186ebc293432', '2dbab727798b',
      'a1e945f651eb', '9d853d507733', 'b90fb23d029e', '960e888f2454', 'e3b0c44298fc',
    ];
    const digests = MIGRATIONS.map((step) =>
      createHash('sha256').update(step(SQLITE).join('\n')).digest('hex').slice(0, 12),
    );
    assert.deepEqual(digests.slice(0, released.length), released);
    assert.equal(digests.length, released.length, 'a new migration: append its digest to `released`');
  });
});

describe('two processes opening an old database at once', () => {
  const dir = temporaryDir('gleaner-race-');

  it('runs each migration once: one that waited for the other finds its steps done', async () => {
    const { path, db } = databaseAt(dir(), 8);
    db.exec(`INSERT INTO entries (id, feed_id, dedupe_key, content_hash, title, content_html, content_text,
        summary_text, reading_minutes, published_at, created_at) VALUES (1, 1, 'a', 'h', 'Kept', '<p>once</p>', 'once', '', 1, 0, 0);
      INSERT INTO user_entries (user_id, entry_id, feed_id, published_at) VALUES (1, 1, 1, 0);`);
    db.close();

    // The first process has read the old version and is about to run a step when the second one
    // runs every step (the steps' transactions are what orders them).
    const second: { closed?: Promise<void> } = {};
    const first = openSqliteStore(path, {
      onMigration: (version) => {
        if (version === 12 && !second.closed) second.closed = openSqliteStore(path).close();
      },
    });
    try {
      assert.ok(second.closed, 'the second process opened the database part way');
      await second.closed;
      const found = await first.searchEntries(newestMatches('once'));
      assert.deepEqual(
        found.map((h) => h.view.entry.title),
        ['Kept'],
      );
      assert.equal(await first.countEntries(), 1);
    } finally {
      await first.close();
    }
    const after = new Database(path, { readonly: true });
    try {
      assert.equal(after.pragma('user_version', { simple: true }), MIGRATIONS.length);
      assert.equal(after.prepare('SELECT count(*) FROM entry_fts').pluck().get(), 1);
    } finally {
      after.close();
    }
  });
});

describe('fetchOptionsKey', () => {
  it('keeps the keys feeds were stored with before article selectors, and gives a selector its own', () => {
    const options = { ...DEFAULT_FETCH_OPTIONS, cookie: 'session=1', fetchFullArticle: true };
    const before = createHash('sha256')
      .update(JSON.stringify([null, 'session=1', null, null, true]))
      .digest('hex')
      .slice(0, 32);
    assert.equal(fetchOptionsKey(options), before);
    assert.equal(fetchOptionsKey(DEFAULT_FETCH_OPTIONS), '');
    const selected = fetchOptionsKey({ ...options, articleSelector: 'article' });
    assert.notEqual(selected, before);
    assert.notEqual(fetchOptionsKey({ ...DEFAULT_FETCH_OPTIONS, articleSelector: 'article' }), '');
    assert.notEqual(fetchOptionsKey({ ...options, articleSelector: '.post' }), selected);
    const whole = fetchOptionsKey({ ...DEFAULT_FETCH_OPTIONS, ignoreHttpCache: true });
    assert.ok(whole !== '' && whole !== fetchOptionsKey({ ...options, ignoreHttpCache: true }));
    // Options added later leave the keys of feeds stored before them as they were.
    const selectedBefore = createHash('sha256')
      .update(`${JSON.stringify([null, 'session=1', null, null, true])}{"articleSelector":"article"}`)
      .digest('hex')
      .slice(0, 32);
    assert.equal(selected, selectedBefore);
    const removing = fetchOptionsKey({ ...options, removeSelector: '.share' });
    assert.ok(![before, selected, ''].includes(removing));
    assert.notEqual(fetchOptionsKey({ ...options, removeSelector: 'aside' }), removing);
    const proxied = fetchOptionsKey({ ...DEFAULT_FETCH_OPTIONS, fetchViaProxy: true });
    assert.ok(![before, selected, removing, ''].includes(proxied));
    const trusting = fetchOptionsKey({ ...DEFAULT_FETCH_OPTIONS, trustedCertificate: 'PEM A' });
    assert.ok(![before, selected, removing, proxied, ''].includes(trusting));
    assert.notEqual(fetchOptionsKey({ ...DEFAULT_FETCH_OPTIONS, trustedCertificate: 'PEM B' }), trusting);
    const scrape = {
      items: 'article',
      title: null,
      link: null,
      content: null,
      date: null,
      author: null,
      categories: null,
    };
    const scraping = fetchOptionsKey({ ...DEFAULT_FETCH_OPTIONS, scrape });
    assert.ok(![before, selected, removing, proxied, trusting, ''].includes(scraping));
    assert.notEqual(
      fetchOptionsKey({
        ...DEFAULT_FETCH_OPTIONS,
        scrape: { ...scrape, date: 'time', author: null, categories: null },
      }),
      scraping,
    );
    // The same selectors, whatever order a surface wrote them in.
    const reordered = {
      categories: null,
      author: null,
      date: null,
      content: null,
      link: null,
      title: null,
      items: 'article',
    };
    assert.equal(fetchOptionsKey({ ...DEFAULT_FETCH_OPTIONS, scrape: reordered }), scraping);
    const byAuthor = fetchOptionsKey({ ...DEFAULT_FETCH_OPTIONS, scrape: { ...scrape, author: '.by' } });
    assert.ok(![scraping, ''].includes(byAuthor), 'a part given later is part of the key when set');
    const rewriting = fetchOptionsKey({ ...DEFAULT_FETCH_OPTIONS, rewriteRules: 'add_image_title' });
    assert.ok(![before, selected, removing, proxied, trusting, scraping, ''].includes(rewriting));
  });
});
