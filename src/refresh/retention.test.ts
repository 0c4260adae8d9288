// The retention policy from the configuration, and its rounds as the refresh loop's idle work, on
// a temporary SQLite file.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../config/index.js';
import { openSqliteStore } from '../store/sqlite.js';
import { fetchedUpdate, preparedEntry } from '../testing/fetched.js';
import { DEFAULT_FETCH_OPTIONS } from '../subscribe/index.js';
import { idleMaintenance, retentionPolicy } from './retention.js';

const DAY = 24 * 3_600_000;
const T0 = Date.UTC(2026, 10, 1);

describe('retention', () => {
  it('reads its policy from the configuration, 0 keeping for good', () => {
    assert.deepEqual(retentionPolicy(loadConfig({})), {
      readMs: null,
      unreadMs: 180 * DAY,
      keepPerFeed: 50,
      maxPerFeed: 10_000,
    });
    const forGood = loadConfig({
      GLEANER_KEEP_READ_DAYS: '0',
      GLEANER_KEEP_UNREAD_DAYS: '0',
      GLEANER_KEEP_PER_FEED: '5',
      GLEANER_MAX_PER_FEED: '0',
    });
    assert.deepEqual(retentionPolicy(forGood), {
      readMs: null,
      unreadMs: null,
      keepPerFeed: 5,
      maxPerFeed: null,
    });
    assert.throws(() => loadConfig({ GLEANER_KEEP_READ_DAYS: '-1' }), /GLEANER_KEEP_READ_DAYS="-1"/);
    assert.throws(
      () => loadConfig({ GLEANER_KEEP_UNREAD_DAYS: '1e300' }),
      /GLEANER_KEEP_UNREAD_DAYS="1e300" is not a whole number from 0 to 100000/,
    );
    assert.throws(() => loadConfig({ GLEANER_MAX_PER_FEED: '2.5' }), /GLEANER_MAX_PER_FEED="2.5"/);
  });

  it('removes old entries as idle work: a step a call, a round at most every so often, told when done', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gleaner-retention-'));
    const store = openSqliteStore(join(dir, 'test.db'));
    try {
      const user = await store.createUser('ann', { isAdmin: false }, T0);
      const feed = await store.ensureFeed('https://old.example/feed', DEFAULT_FETCH_OPTIONS, T0);
      await store.subscribe(user.id, feed.id, { folderId: null, title: null }, T0);
      const keys = Array.from({ length: 7 }, (_, i) => `old-${i}`);
      await store.recordFetchSuccess(
        feed.id,
        fetchedUpdate(T0),
        keys.map((key, i) => preparedEntry(key, { publishedAt: T0 + i })),
      );
      let clock = T0 + 2 * DAY;
      const rounds: { trim: number; age: number }[] = [];
      const policy = { readMs: null, unreadMs: DAY, keepPerFeed: 2, maxPerFeed: 6 };
      const work = idleMaintenance(
        store,
        () => clock,
        policy,
        (r) => rounds.push(r),
        {
          everyMs: DAY,
          step: 2,
        },
      );
      let calls = 0;
      while (await work()) calls++;
      // One step past the limit (the oldest), then the six left two at a time and a last, empty look.
      assert.ok(calls >= 4, `${calls} calls with more to do`);
      assert.deepEqual(rounds, [{ trim: 1, age: 4 }]);
      assert.equal(await store.countEntries(feed.id), 2, "the feed's two newest are kept");

      await store.recordFetchSuccess(feed.id, fetchedUpdate(clock), [
        preparedEntry('new', { publishedAt: clock }),
      ]);
      clock += DAY / 2;
      assert.equal(await work(), false, 'no new round before a day has passed since the last');
      assert.equal(await store.countEntries(feed.id), 3);
      clock += DAY;
      while (await work());
      // The new entry is the newest now: the older of the two kept before goes.
      assert.deepEqual(rounds.at(-1), { trim: 0, age: 1 });
      assert.deepEqual(
        (await store.recentEntries(feed.id, 10)).map((e) => e.dedupeKey),
        ['g:new', 'g:old-6'],
      );
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
