// gleaner_bm25() (native/rank.c) against SQLite's bm25(): the same scores while every phrase has
// fewer matches than the function counts, the same order and nearly the same scores beyond.
import { strict as assert } from 'node:assert';
import { before, describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { PreparedEntry } from '../model/index.js';
import { createFtsTableSql, toMatchQuery } from '../search/index.js';
import { fetchedUpdate, preparedEntry } from '../testing/fetched.js';
import { searchRank, searchSql } from './queries.js';
import { loadNativeFunctions, openSqliteStore } from './sqlite.js';
import { DEFAULT_FETCH_OPTIONS } from '../subscribe/index.js';

// What the function counts before estimating (SAMPLE in native/rank.c).
const SAMPLE = 2000;
const DOCS = 6000;

// npm test installs a C compiler when it can (scripts/system-deps.sh), and its build compiles the
// function; when neither could, these tests say so and skip.
const built = loadNativeFunctions(new Database(':memory:'));
const skip = built ? false : 'native/ was not compiled (no C compiler): search ranks with bm25()';

describe('gleaner_bm25', { skip }, () => {
  const db = new Database(':memory:');
  before(() => {
    assert.equal(loadNativeFunctions(db), true);
    db.exec(createFtsTableSql('t', ['title', 'body', 'feed']));
    const insert = db.prepare('INSERT INTO t (rowid, title, body, feed) VALUES (?, ?, ?, ?)');
    db.transaction(() => {
      for (let i = 1; i <= DOCS; i++) {
        const words = ['filler'];
        if (i % 2 === 0) words.push('common');
        if (i % 60 === 0) words.push('rare', 'rare');
        // Lengths differ from row to row, so no two scores tie.
        for (let k = 0; k < i % 97; k++) words.push(`w${k}`);
        insert.run(i, i % 7 === 0 ? 'common title' : 'title', words.join(' '), 'f1');
      }
    })();
  });

  const scores = (fn: string, match: string): Map<number, number> => {
    const sql =
      fn === 'bm25'
        ? 'SELECT rowid, bm25(t, 4.0, 1.0, 0.0) AS s FROM t WHERE t MATCH ?'
        : `SELECT rowid, gleaner_bm25(t, 1, ${DOCS}, 4.0, 1.0, 0.0) AS s FROM t WHERE t MATCH ?`;
    return new Map((db.prepare(sql).all(match) as { rowid: number; s: number }[]).map((r) => [r.rowid, r.s]));
  };

  it('scores as bm25() does when each phrase has fewer matches than it counts', () => {
    for (const match of ['rare', 'rare OR title', '{title body} : (rare) AND feed : (f1)']) {
      const ours = scores('gleaner', match);
      const theirs = scores('bm25', match);
      assert.ok(theirs.size > 0);
      assert.deepEqual([...ours.keys()], [...theirs.keys()]);
      for (const [rowid, s] of theirs)
        assert.ok(Math.abs((ours.get(rowid) ?? 0) - s) < 1e-9, `${match} ${rowid}`);
    }
  });

  it('ranks in the same order, with nearly the same scores, when it estimates a common word', () => {
    assert.ok(DOCS / 2 > SAMPLE);
    const ours = scores('gleaner', 'common');
    const theirs = scores('bm25', 'common');
    const order = (m: Map<number, number>): number[] => [...m].sort((a, b) => a[1] - b[1]).map(([id]) => id);
    assert.deepEqual(order(ours), order(theirs));
    for (const [rowid, s] of theirs) {
      const ratio = (ours.get(rowid) ?? 0) / s;
      assert.ok(ratio > 0.95 && ratio < 1.05, `row ${rowid}: ${ours.get(rowid)} against ${s}`);
    }
  });

  it('counts exactly when it is given no rowid range to estimate in', () => {
    const exact = db
      .prepare('SELECT rowid, gleaner_bm25(t, 0, 0, 4.0, 1.0, 0.0) AS s FROM t WHERE t MATCH ?')
      .all('common') as { rowid: number; s: number }[];
    const theirs = scores('bm25', 'common');
    for (const r of exact) assert.ok(Math.abs(r.s - (theirs.get(r.rowid) ?? 0)) < 1e-9);
  });

  it('refuses a call without the rowid range, with an error saying so', () => {
    assert.throws(
      () => db.prepare('SELECT gleaner_bm25(t) FROM t WHERE t MATCH ?').all('rare'),
      /expected the table's lowest and highest rowid/,
    );
  });
});

describe('search ranked either way', { skip }, () => {
  it('finds the same page in the same order with gleaner_bm25() as with bm25()', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gleaner-rank-'));
    try {
      const path = join(dir, 'rank.db');
      const store = openSqliteStore(path);
      const user = await store.createUser('ann', { isAdmin: false }, 0);
      const feed = await store.ensureFeed('https://rank.example/feed', DEFAULT_FETCH_OPTIONS, 0);
      await store.subscribe(user.id, feed.id, { folderId: null, title: null }, 0);
      const entries: PreparedEntry[] = Array.from({ length: 40 }, (_, i) =>
        preparedEntry(`g${i}`, {
          title: i % 5 === 0 ? `Replication notes ${i}` : `Notes ${i}`,
          contentText: `${'replication '.repeat(i % 4)}${'filler '.repeat(i % 9)}database`,
          summaryText: 's',
          publishedAt: i * 1000,
        }),
      );
      await store.recordFetchSuccess(feed.id, fetchedUpdate(1, 'Rank'), entries);
      const viaStore = await store.searchEntries({
        userId: user.id,
        text: 'replication database',
        sort: 'relevance',
        limit: 10,
        offset: 0,
      });
      await store.close();

      const db = new Database(path, { readonly: true });
      try {
        assert.equal(loadNativeFunctions(db), true);
        const q = {
          userId: user.id,
          text: 'replication database',
          sort: 'relevance' as const,
          limit: 10,
          offset: 0,
        };
        const match = toMatchQuery(q.text).match ?? '';
        const ids = (rank: ReturnType<typeof searchRank>, window: number | null): number[] => {
          const { sql, params } = searchSql(q, match, window, null, rank);
          return (
            db
              .prepare(sql)
              .raw(true)
              .all(...params) as unknown[][]
          ).map((r) => r[0] as number);
        };
        const ours = ids(searchRank([1, 40]), 500);
        assert.equal(ours.length, 10);
        assert.deepEqual(ours, ids(searchRank(null), 500));
        assert.deepEqual(ours, ids(searchRank(null), null));
        assert.deepEqual(ours, ids(searchRank([1, 40]), null));
        assert.deepEqual(
          ours,
          viaStore.map((h) => h.view.entry.id),
        );
      } finally {
        db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
