import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  adaptiveInterval,
  checkIntervalProblem,
  feedPolicy,
  MAX_CHECK_MINUTES,
  nextCheckAt,
  type CheckOutcome,
  type SchedulePolicy,
} from './schedule.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const policy: SchedulePolicy = { minIntervalMs: 15 * MIN, maxIntervalMs: 24 * HOUR, jitter: 0 };
const now = Date.UTC(2026, 10, 23, 12);
const hourly = Array.from({ length: 10 }, (_, i) => now - i * HOUR);
const none = () => 0.5;

describe('adaptiveInterval', () => {
  const cases: [string, number[], number][] = [
    ['no entry, ever: the longest', [], 24 * HOUR],
    ['one entry an hour ago: one gap, halved', [now - HOUR], HOUR / 2],
    ['one entry of 2010: the longest', [Date.UTC(2010, 0, 1)], 24 * HOUR],
    ['busy feed: clamped to the minimum', Array.from({ length: 10 }, (_, i) => now - i * MIN), 15 * MIN],
    ['hourly publisher: every half hour', hourly, HOUR / 2],
    ['quiet for a year: clamped to the maximum', [now - 400 * 24 * HOUR, now - 401 * 24 * HOUR], 24 * HOUR],
    ['a date ahead counts as now', [now + 10 * HOUR, ...hourly.slice(1)], HOUR / 2],
  ];
  for (const [name, times, expected] of cases) {
    it(name, () => assert.equal(adaptiveInterval(times, now, policy), expected));
  }
});

describe('nextCheckAt', () => {
  it('follows the publishing rate after a success', () => {
    assert.equal(nextCheckAt({ now, publishTimes: hourly, errorCount: 0 }, policy, none), now + HOUR / 2);
  });

  it('honours ttl and max-age as a floor, never past the maximum', () => {
    assert.equal(
      nextCheckAt({ now, publishTimes: hourly, ttlMinutes: 120, errorCount: 0 }, policy, none),
      now + 2 * HOUR,
    );
    assert.equal(
      nextCheckAt({ now, publishTimes: hourly, maxAgeSeconds: 3 * 3600, errorCount: 0 }, policy, none),
      now + 3 * HOUR,
    );
    assert.equal(
      nextCheckAt({ now, publishTimes: hourly, ttlMinutes: 7 * 24 * 60, errorCount: 0 }, policy, none),
      now + 24 * HOUR,
    );
  });

  it('backs off exponentially on failures, up to the maximum', () => {
    const after = (errorCount: number) =>
      nextCheckAt({ now, publishTimes: [], errorCount }, policy, none) - now;
    assert.deepEqual([1, 2, 3, 4].map(after), [15 * MIN, 30 * MIN, 60 * MIN, 120 * MIN]);
    assert.equal(after(50), 24 * HOUR);
  });

  it('checks a feed its WebSub hub sends at the longest interval, and within what is left of the lease', () => {
    const after = (pushedUntil: number | null, errorCount = 0) =>
      nextCheckAt({ now, publishTimes: hourly, errorCount, pushedUntil }, policy, none) - now;
    assert.equal(after(now + 10 * 24 * HOUR), 24 * HOUR, 'a long lease: the longest interval');
    assert.equal(after(now + 20 * HOUR), 10 * HOUR, 'its last day: once in each half of what is left');
    assert.equal(after(now + 10 * MIN), HOUR / 2, 'never sooner than the feed itself asks');
    assert.equal(after(now - HOUR), HOUR / 2, 'an ended lease: as any feed');
    assert.equal(after(null), HOUR / 2);
    assert.equal(after(now + 10 * 24 * HOUR, 1), 15 * MIN, 'a failing feed backs off as any');

    // A quiet feed, checked daily, with a day and an hour of its lease left: however the jitter
    // falls, the check that renews the lease comes before it ends, an hour ahead.
    const quiet = [now - 5 * 24 * HOUR, now - 10 * 24 * HOUR];
    for (const draw of [0, 0.5, 0.999999]) {
      const at = nextCheckAt(
        { now, publishTimes: quiet, errorCount: 0, pushedUntil: now + 25 * HOUR },
        { ...policy, jitter: 0.1 },
        () => draw,
      );
      assert.ok(at <= now + 24 * HOUR, `draw ${draw}: ${(at - now) / HOUR} h`);
      assert.ok(at >= now + 21 * HOUR, `draw ${draw}: not much sooner than the feed asks`);
    }
  });

  it('honours Retry-After even past the maximum', () => {
    const at = nextCheckAt(
      { now, publishTimes: [], errorCount: 1, retryAfterSeconds: 2 * 24 * 3600 },
      policy,
      none,
    );
    assert.equal(at, now + 48 * HOUR);
  });

  it('spreads checks with jitter within the stated fraction', () => {
    const jittery = { ...policy, jitter: 0.1 };
    const low = nextCheckAt({ now, publishTimes: hourly, errorCount: 0 }, jittery, () => 0);
    const high = nextCheckAt({ now, publishTimes: hourly, errorCount: 0 }, jittery, () => 0.999999);
    assert.equal(low, now + 0.9 * (HOUR / 2));
    assert.ok(high > now + HOUR / 2 && high <= now + 1.1 * (HOUR / 2));
  });

  it('keeps jitter within the shortest and longest intervals', () => {
    const jittery = { ...policy, jitter: 0.1 };
    const busy = Array.from({ length: 10 }, (_, i) => now - i * MIN);
    const quiet = [now - 30 * 24 * HOUR, now - 60 * 24 * HOUR];
    const at = (outcome: Omit<CheckOutcome, 'now'>, p: SchedulePolicy, r: number): number =>
      nextCheckAt({ now, ...outcome }, p, () => r) - now;
    assert.equal(at({ publishTimes: busy, errorCount: 0 }, jittery, 0), 15 * MIN);
    assert.equal(at({ publishTimes: quiet, errorCount: 0 }, jittery, 0.999999), 24 * HOUR);
    assert.equal(at({ publishTimes: [], errorCount: 10 }, jittery, 0.999999), 24 * HOUR);
    // A subscriber's "at most every 6 h" holds however the dice fall.
    assert.equal(at({ publishTimes: busy, errorCount: 0 }, feedPolicy(jittery, 360), 0), 6 * HOUR);
    // Within the bounds, it still spreads.
    assert.ok(at({ publishTimes: quiet, errorCount: 0 }, jittery, 0) < 24 * HOUR);
  });
});

describe('feedPolicy', () => {
  it('checks a feed at most as often as its subscribers ask, whatever it publishes', () => {
    const sixHours = feedPolicy(policy, 360);
    assert.deepEqual(sixHours, { ...policy, minIntervalMs: 6 * HOUR });
    assert.equal(nextCheckAt({ now, publishTimes: hourly, errorCount: 0 }, sixHours, none), now + 6 * HOUR);
    // Failures back off from there; a week's floor is above the longest interval, which goes with it.
    assert.equal(nextCheckAt({ now, publishTimes: [], errorCount: 2 }, sixHours, none), now + 12 * HOUR);
    const weekly = feedPolicy(policy, MAX_CHECK_MINUTES);
    assert.equal(
      nextCheckAt({ now, publishTimes: hourly, errorCount: 0 }, weekly, none),
      now + 7 * 24 * HOUR,
    );
  });

  it('leaves the policy as it is for no floor, or one under its shortest interval', () => {
    assert.equal(feedPolicy(policy, null), policy);
    assert.equal(feedPolicy(policy, 10), policy);
  });
});

describe('checkIntervalProblem', () => {
  it('takes whole minutes from one to a week', () => {
    for (const ok of [1, 30, 360, MAX_CHECK_MINUTES])
      assert.equal(checkIntervalProblem(ok), null, String(ok));
    for (const bad of [0, -5, 1.5, NaN, Infinity, MAX_CHECK_MINUTES + 1])
      assert.match(checkIntervalProblem(bad) ?? '', /whole number of minutes from 1 to 10,080/, String(bad));
  });
});
