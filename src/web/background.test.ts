// Refreshes started for a user after the answer: what is asked twice is fetched once, what is
// added meanwhile is not held back, and a failure is told and forgotten.
import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import type { FetchResult } from '../feed/fetch/index.js';
import type { FetchedFeeds } from '../refresh/pool.js';
import { BackgroundRefresh } from './background.js';

interface Call {
  feedIds: number[];
  fetched: FetchedFeeds | undefined;
  finish(): void;
  fail(err: Error): void;
}

function harness(): { background: BackgroundRefresh; calls: Call[]; done: number[]; errors: unknown[] } {
  const calls: Call[] = [];
  const done: number[] = [];
  const errors: unknown[] = [];
  const background = new BackgroundRefresh({
    refreshNow: (feedIds, fetched) =>
      new Promise<void>((resolve, reject) => calls.push({ feedIds, fetched, finish: resolve, fail: reject })),
    onError: (err) => errors.push(err),
    onDone: (userId) => done.push(userId),
  });
  return { background, calls, done, errors };
}

/** Lets the promise callbacks of a finished or failed call run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('refreshing in the background', () => {
  it('starts each feed once while it is being refreshed for the user', async () => {
    const { background, calls, done } = harness();
    assert.equal(background.start(1, [10, 11, 10]), true);
    assert.deepEqual(
      calls.map((c) => c.feedIds),
      [[10, 11]],
      'asked once each',
    );

    // A second click on "refresh": nothing new to start.
    assert.equal(background.start(1, [11, 10]), false);
    // An import made meanwhile starts its feed now, not after the long refresh.
    assert.equal(background.start(1, [10, 12]), true);
    assert.deepEqual(
      calls.map((c) => c.feedIds),
      [[10, 11], [12]],
    );
    // Another user's refresh of the same feeds is theirs.
    assert.equal(background.start(2, [10]), true);
    assert.equal(calls.length, 3);

    calls[0]?.finish();
    await settle();
    assert.deepEqual(done, [1], 'the user is told their feeds changed');
    // Done with 10 and 11: they may be asked again; 12 is still under way.
    assert.equal(background.start(1, [12]), false);
    assert.equal(background.start(1, [10]), true);
    assert.deepEqual(calls.at(-1)?.feedIds, [10]);
    assert.equal(background.start(1, []), false, 'nothing asked, nothing started');
  });

  it('passes the documents already fetched, and tells a failure once without holding the feeds', async () => {
    const { background, calls, done, errors } = harness();
    const document = { status: 'not-modified' } as unknown as FetchResult;
    background.start(7, [3], new Map([[3, document]]));
    assert.equal(calls[0]?.fetched?.get(3), document);

    calls[0]?.fail(new Error('the database is full'));
    await settle();
    assert.deepEqual(
      errors.map((e) => String(e)),
      ['Error: the database is full'],
    );
    assert.deepEqual(done, [7]);
    assert.equal(background.start(7, [3]), true, 'a failed refresh may be asked again');
    assert.equal(calls[1]?.fetched, undefined);
  });
});
