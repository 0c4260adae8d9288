// Compacting the search index when the refresh loop is idle: a real SQLite store whose entries
// arrived in many transactions (a segment each), merged a step at a time into one, finding the
// same before and after; the policy's thresholds; the loop's idle hook.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../log/index.js';
import type { PreparedEntry } from '../model/index.js';
import { openSqliteStore } from '../store/sqlite.js';
import type { Store } from '../store/index.js';
import { createFetcher, type Fetcher } from '../feed/fetch/index.js';
import { fetchedUpdate, preparedEntry } from '../testing/fetched.js';
import { LOOPBACK_POLICY } from '../testing/testserver.js';
import { DEFAULT_FETCH_OPTIONS } from '../subscribe/index.js';
import { searchIndexCompaction } from './compaction.js';
import { runIdleWork, runRefreshLoop } from './loop.js';
import type { RefreshDeps } from './refresh.js';
import { DEFAULT_SCHEDULE_POLICY } from './schedule.js';

const T0 = Date.UTC(2026, 11, 1);
const WORDS = ['latency', 'replication', 'kubernetes', 'compiler', 'sourdough', '数据库', '人工智能'];

function entry(n: number): PreparedEntry {
  const text = `${WORDS[n % WORDS.length]} notes number ${n} ${WORDS[(n * 3) % WORDS.length]}`;
  return preparedEntry(String(n), {
    title: `Post ${n} on ${WORDS[(n * 5) % WORDS.length]}`,
    contentHtml: `<p>${text}</p>`,
    contentText: text,
    summaryText: text,
    publishedAt: T0 + n * 60_000,
  });
}

describe('search index compaction', () => {
  let dir: string;
  let store: Store;
  let userId: number;

  let feedId: number;
  let next = 0;
  /** `n` refreshes of five new entries: a transaction, so a segment, each. */
  const addBatches = async (n: number): Promise<void> => {
    for (let batch = 0; batch < n; batch++) {
      await store.recordFetchSuccess(
        feedId,
        fetchedUpdate(T0),
        Array.from({ length: 5 }, () => entry(next++)),
      );
    }
  };

  /** What the refresh loop needs, on this clock. */
  const loopDeps = (fetcher: Fetcher, clock: () => number): RefreshDeps => ({
    store,
    fetcher,
    clock,
    random: () => 0.5,
    log: silentLogger,
    policy: DEFAULT_SCHEDULE_POLICY,
    maxFeedBytes: 1024 * 1024,
  });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gleaner-compaction-'));
    store = openSqliteStore(join(dir, 'test.db'));
    userId = (await store.createUser('ann', { isAdmin: false }, T0)).id;
    const feed = await store.ensureFeed('https://site.example/feed', DEFAULT_FETCH_OPTIONS, T0);
    feedId = feed.id;
    await store.subscribe(userId, feed.id, { folderId: null, title: null }, T0);
    await addBatches(40);
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const found = async (): Promise<Record<string, number[]>> => {
    const out: Record<string, number[]> = {};
    for (const text of [...WORDS, '"notes number"', 'post*', '-latency notes']) {
      for (const sort of ['relevance', 'newest'] as const) {
        const hits = await store.searchEntries({ userId, text, limit: 300, offset: 0, sort });
        out[`${text} ${sort}`] = hits.map((h) => h.view.entry.id);
      }
    }
    return out;
  };

  it('merges the index into one segment a step at a time, and searches find the same', async () => {
    const segments = await store.searchIndexSegments();
    assert.ok(segments >= 4, `${segments} segments to start with`);
    const before = await found();
    let steps = 0;
    while (await store.compactSearchIndex(1)) steps++;
    assert.ok(steps > 1, `one page a step takes several (${steps})`);
    assert.equal(await store.searchIndexSegments(), 1);
    assert.deepEqual(await found(), before);
    assert.equal(await store.compactSearchIndex(100), false, 'nothing left to merge');
  });

  it('merges only many segments, and looks at the index at most once a day', async () => {
    const DAY = 86_400_000;
    await addBatches(12);
    const segments = await store.searchIndexSegments();
    assert.ok(segments >= 4, `${segments} segments`);
    let now = T0;
    const fewer = searchIndexCompaction(store, () => now, {
      minSegments: segments + 1,
      everyMs: DAY,
      stepPages: 1,
    });
    assert.equal(await fewer(), false);
    assert.equal(await store.searchIndexSegments(), segments, 'too few to merge');
    const compaction = searchIndexCompaction(store, () => now, {
      minSegments: 2,
      everyMs: DAY,
      stepPages: 1,
    });
    let steps = 0;
    while (await compaction()) steps++;
    assert.ok(steps > 1, `${steps} steps`);
    assert.equal(await store.searchIndexSegments(), 1);
    // More refreshes: not looked at again within the day, merged again the day after.
    await addBatches(12);
    now += DAY / 2;
    assert.equal(await compaction(), false);
    assert.ok((await store.searchIndexSegments()) > 1);
    now += DAY;
    while (await compaction());
    assert.equal(await store.searchIndexSegments(), 1);
  });

  it('has the refresh loop run idle work when nothing is due, step after step', async () => {
    const fetcher = createFetcher({ policy: LOOPBACK_POLICY, userAgent: 'gleaner-test' });
    try {
      const controller = new AbortController();
      const giveUp = setTimeout(() => controller.abort(), 10_000);
      let calls = 0;
      await runRefreshLoop(
        // Long after the feed's next check: nothing is due before it, so make the clock early.
        loopDeps(fetcher, () => T0 - 86_400_000),
        {
          concurrency: 1,
          perHost: 1,
          signal: controller.signal,
          // Were the loop to sleep this long between steps, the test would give up first.
          idleMs: 60_000,
          onIdle: () => {
            calls++;
            if (calls === 4) controller.abort();
            return Promise.resolve(true);
          },
        },
      );
      clearTimeout(giveUp);
      assert.equal(calls, 4);
    } finally {
      await fetcher.close();
    }
  });

  it('has the refresh loop take a step of idle work after each pass, when feeds are always due', async () => {
    const fetcher = createFetcher({ policy: LOOPBACK_POLICY, userAgent: 'gleaner-test' });
    try {
      // A feed nothing answers for, on a clock a day on at every look: due again at every pass.
      // The feed of the index's entries (no such site) is paused, so not fetched.
      assert.equal(await store.updateSubscription(userId, feedId, { paused: true }), true);
      const user = await store.createUser('always-due', { isAdmin: false }, T0);
      const feed = await store.ensureFeed('http://127.0.0.1:9/always-due.xml', DEFAULT_FETCH_OPTIONS, T0);
      await store.subscribe(user.id, feed.id, { folderId: null, title: null }, T0);
      let now = T0;
      const controller = new AbortController();
      const giveUp = setTimeout(() => controller.abort(), 10_000);
      let passes = 0;
      let calls = 0;
      const errors: unknown[] = [];
      await runRefreshLoop(
        loopDeps(fetcher, () => (now += 86_400_000)),
        {
          concurrency: 1,
          perHost: 1,
          signal: controller.signal,
          onPass: () => passes++,
          onIdle: () => {
            calls++;
            if (calls === 2) return Promise.reject(new Error('database is locked'));
            if (calls === 3) controller.abort();
            return Promise.resolve(false);
          },
          onIdleError: (err) => errors.push(err),
        },
      );
      clearTimeout(giveUp);
      assert.equal(calls, 3);
      assert.ok(passes >= 3, `${passes} passes`);
      assert.equal(errors.length, 1, 'a step that fails is told, and the loop goes on');
    } finally {
      await fetcher.close();
    }
  });

  it('runs idle work alone for a server that does not refresh, through errors', async () => {
    const controller = new AbortController();
    const giveUp = setTimeout(() => controller.abort(), 10_000);
    const errors: unknown[] = [];
    let calls = 0;
    await runIdleWork(
      () => {
        calls++;
        if (calls === 2) return Promise.reject(new Error('database is locked'));
        if (calls === 5) controller.abort();
        return Promise.resolve(true);
      },
      { signal: controller.signal, idleMs: 20, onError: (err) => errors.push(err) },
    );
    clearTimeout(giveUp);
    // An error is told, and the work goes on (after the idle time).
    assert.equal(calls, 5);
    assert.equal(errors.length, 1);
  });
});
