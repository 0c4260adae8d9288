// Checkpoints off the request path: the server's connections never checkpoint inside a commit, and
// the checkpointer thread copies the WAL back into the database.
import { strict as assert } from 'node:assert';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { limitRepeats, startCheckpointer } from './checkpointer.js';
import { openSqliteStore, PAGE_SIZE } from './sqlite.js';
import { fetchedUpdate, preparedEntry } from '../testing/fetched.js';
import { DEFAULT_FETCH_OPTIONS } from '../subscribe/index.js';

const size = (path: string): number => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

/** How many times SQLite has started the WAL at `path` over (its header's checkpoint sequence). */
function walRestarts(path: string): number {
  try {
    const header = Buffer.alloc(16);
    const fd = openSync(`${path}-wal`, 'r');
    try {
      return readSync(fd, header, 0, 16, 0) === 16 ? header.readUInt32BE(12) : 0;
    } finally {
      closeSync(fd);
    }
  } catch {
    return 0;
  }
}

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
        // A WAL frame: a 24-byte header and a page.
        const walPages = size(`${path}-wal`) / (PAGE_SIZE + 24);
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

  it('copies the whole WAL back when asked, and says when the WAL grows past its limit', async () => {
    const path = join(dir, 'asked.db');
    write(path, 10);
    const held = new Database(path);
    held.prepare('SELECT COUNT(*) FROM filler').get();
    const checkpointer = startCheckpointer(path, () => {}, 20, 64 * 1024);
    try {
      assert.equal(checkpointer.walIsLong, false);
      write(path, 200);
      // The thread's own checkpoints find ~200 pages, past 16 of 4 KB.
      while (!checkpointer.walIsLong) await new Promise((resolve) => setTimeout(resolve, 5));
      assert.equal(await checkpointer.checkpointNow(), true);
      assert.equal(checkpointer.walIsLong, false);
      const [after] = held.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
      assert.equal(after?.checkpointed, after?.log);
    } finally {
      await checkpointer.close();
      held.close();
    }
  });

  it('starts the WAL over while a refresh commits without pause', async () => {
    const path = join(dir, 'busy.db');
    const store = openSqliteStore(path, {
      checkpoints: 'background',
      checkpointIntervalMs: 10,
      walRestartBytes: 256 * 1024,
    });
    let rounds = 0;
    try {
      const feed = await store.ensureFeed('https://busy.example/feed', DEFAULT_FETCH_OPTIONS, 0);
      const body = `<p>${'words and more words '.repeat(100)}</p>`;
      const writes: Promise<unknown>[] = [];
      // A commit every turn of the event loop, as a first refresh makes them, until SQLite has
      // started the WAL over twice. Left to the thread's checkpoints alone, it never did: they
      // always found a frame or more not yet copied back, and the WAL grew by every commit.
      while (walRestarts(path) < 2 && rounds < 5000) {
        const entries = Array.from({ length: 5 }, (_, i) =>
          preparedEntry(`r${rounds}-${i}`, { contentHtml: body, contentText: body }),
        );
        writes.push(store.recordFetchSuccess(feed.id, fetchedUpdate(rounds), entries));
        rounds++;
        await new Promise((resolve) => setImmediate(resolve));
      }
      await Promise.all(writes);
      assert.equal(await store.countEntries(), rounds * 5, 'every entry was stored');
    } finally {
      await store.close();
    }
    assert.ok(rounds < 5000, `the WAL was started over twice within ${rounds} commits`);
  });

  it('writes the fetches that gathered during a checkpoint in groups of the usual size', async () => {
    const path = join(dir, 'gathered.db');
    // A WAL of half a page is long: every group waits for a checkpoint first.
    const store = openSqliteStore(path, {
      checkpoints: 'background',
      checkpointIntervalMs: 5,
      walRestartBytes: 4096,
      groupCommitEntries: 10,
    });
    let turn = 0;
    let turning = true;
    const tick = (): void => {
      turn++;
      if (turning) setImmediate(tick);
    };
    tick();
    const perTurn = new Map<number, number>();
    try {
      const feed = await store.ensureFeed('https://gathered.example/feed', DEFAULT_FETCH_OPTIONS, 0);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const writes: Promise<unknown>[] = [];
      for (let round = 0; round < 300; round++) {
        const entries = [1, 2, 3].map((i) => preparedEntry(`g${round}-${i}`));
        writes.push(
          store.recordFetchSuccess(feed.id, fetchedUpdate(round), entries).then(() => {
            perTurn.set(turn, (perTurn.get(turn) ?? 0) + entries.length);
          }),
        );
        await new Promise((resolve) => setImmediate(resolve));
      }
      await Promise.all(writes);
      assert.equal(await store.countEntries(), 900);
    } finally {
      turning = false;
      await store.close();
    }
    // A fetch a turn: at most the group it completes and the group written at the end of the turn,
    // each of 10 entries and the feed that passed the limit (3 entries).
    const most = Math.max(...perTurn.values());
    assert.ok(most <= 24, `at most 24 entries were written in one turn of the event loop (${most})`);
  });

  it('says why when it cannot open the database', async () => {
    const errors: string[] = [];
    const checkpointer = startCheckpointer(join(dir, 'missing', 'none.db'), (m) => errors.push(m));
    await checkpointer.close();
    assert.equal(errors.length, 1);
    assert.match(errors[0] ?? '', /unable to open|directory does not exist|no such file/i);
  });
});

describe('a checkpoint failure that goes on', () => {
  it('is told when it first comes, then once in a while with how often it came', () => {
    const told: string[] = [];
    let now = 0;
    const fail = limitRepeats(
      (m) => told.push(m),
      600_000,
      () => now,
    );
    // A full disk fails every checkpoint, one a second, for twenty minutes.
    for (; now < 1_200_000; now += 1000) fail('database or disk is full');
    fail('disk I/O error');
    assert.deepEqual(told, [
      'database or disk is full',
      'database or disk is full (600 times since last told)',
      'disk I/O error',
    ]);
  });
});
