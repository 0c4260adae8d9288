// Checkpoints off the request path: the server's connections never checkpoint inside a commit, and
// the checkpointer thread copies the WAL back into the database.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { startCheckpointer } from './checkpointer.js';
import { openSqliteStore } from './sqlite.js';

const size = (path: string): number => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

/** Writes `pages` pages or so of rows through a second connection, in small transactions. */
function write(path: string, pages: number): void {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE IF NOT EXISTS filler (body TEXT)');
    const insert = db.prepare('INSERT INTO filler (body) VALUES (?)');
    for (let i = 0; i < pages; i++) insert.run('x'.repeat(3500));
  } finally {
    db.close();
  }
}

describe('WAL checkpoints', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gleaner-checkpoint-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("leaves the store's commits free of checkpoints unless asked", async () => {
    for (const checkpoints of ['auto', 'elsewhere'] as const) {
      const path = join(dir, `${checkpoints}.db`);
      const store = openSqliteStore(path, { checkpoints });
      try {
        // Rows written through the store's own connection: a user and many sessions.
        const user = await store.createUser('ann', { isAdmin: true }, 0);
        for (let i = 0; i < 3000; i++)
          await store.createSession({
            tokenHash: `${'h'.repeat(60)}${i}`,
            userId: user.id,
            csrfToken: 'c'.repeat(400),
            createdAt: 0,
            expiresAt: 1e13,
            userAgent: 'u'.repeat(400),
            ip: null,
          });
        const walPages = size(`${path}-wal`) / 4096;
        if (checkpoints === 'auto')
          assert.ok(walPages < 1500, `auto: the WAL stays near 1,000 pages (${walPages})`);
        else assert.ok(walPages > 1500, `elsewhere: the WAL grows until someone checkpoints (${walPages})`);
      } finally {
        await store.close();
      }
    }
  });

  it('copies the WAL into the database on its thread, and once more when closed', async () => {
    const path = join(dir, 'thread.db');
    write(path, 10);
    // Open throughout, as the server's own connection is: closing the last connection to a
    // database would checkpoint by itself.
    const held = new Database(path);
    held.prepare('SELECT COUNT(*) FROM filler').get();
    const errors: string[] = [];
    const checkpointer = startCheckpointer(path, (m) => errors.push(m), 60_000);
    write(path, 2000);
    const before = size(path);
    await checkpointer.close();
    held.close();
    assert.deepEqual(errors, []);
    assert.ok(
      size(path) > before + 2000 * 3500,
      `the rows reached the database file (${before} → ${size(path)})`,
    );
    const db = new Database(path, { readonly: true });
    try {
      assert.equal((db.prepare('SELECT COUNT(*) AS n FROM filler').get() as { n: number }).n, 2010);
    } finally {
      db.close();
    }
  });

  it('says why when it cannot open the database', async () => {
    const errors: string[] = [];
    const checkpointer = startCheckpointer(join(dir, 'missing', 'none.db'), (m) => errors.push(m));
    await checkpointer.close();
    assert.equal(errors.length, 1);
    assert.match(errors[0] ?? '', /unable to open|directory does not exist|no such file/i);
  });
});
