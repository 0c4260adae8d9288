// The plans of the hot entry queries on a migrated schema: which index each one reads. A plan that
// walks a user's whole index costs nothing on a test database and seconds on a large one, so the
// plan itself is what these tests check.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { entryQuerySql } from './queries.js';
import { openSqliteStore } from './sqlite.js';
import type { EntryQuery } from './types.js';

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

  it('reads a page of unread entries from the (user, read, date) index without sorting', () => {
    const steps = plan({ userId: 1, status: 'unread', limit: 50 });
    assert.ok(
      steps.some((s) => s.includes('user_entries_by_date')),
      steps.join(' | '),
    );
    assert.ok(!steps.some((s) => s.includes('TEMP B-TREE')), steps.join(' | '));
  });
});
