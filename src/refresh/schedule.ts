// When to check a feed next. Pure: the clock and the random source are passed in.
import { MAX_RETRY_AFTER_SECONDS } from '../feed/fetch/http.js';

export interface SchedulePolicy {
  minIntervalMs: number;
  maxIntervalMs: number;
  /** Spread of the random jitter, as a fraction of the interval (0.1 = ±10%). */
  jitter: number;
}

export const DEFAULT_SCHEDULE_POLICY: SchedulePolicy = {
  minIntervalMs: 15 * 60_000,
  maxIntervalMs: 24 * 3_600_000,
  jitter: 0.1,
};

/** The longest a subscriber may ask a feed to wait between checks (Subscription.minCheckMinutes): a week. */
export const MAX_CHECK_MINUTES = 7 * 24 * 60;

/** Why `minutes` cannot be how often at most a feed is checked, or null when it can. */
export function checkIntervalProblem(minutes: number): string | null {
  return Number.isSafeInteger(minutes) && minutes >= 1 && minutes <= MAX_CHECK_MINUTES
    ? null
    : `how often to check a feed is a whole number of minutes from 1 to ${MAX_CHECK_MINUTES.toLocaleString('en')} (a week)`;
}

/**
 * The policy for a feed checked at most every `minutes` (Feed.minCheckMinutes; null for none): its
 * shortest interval raised to that, and its longest with it when it is longer.
 */
export function feedPolicy(policy: SchedulePolicy, minutes: number | null): SchedulePolicy {
  const floor = (minutes ?? 0) * 60_000;
  if (floor <= policy.minIntervalMs) return policy;
  return { ...policy, minIntervalMs: floor, maxIntervalMs: Math.max(policy.maxIntervalMs, floor) };
}

/** What a check learned that bears on the next one. */
export interface CheckOutcome {
  now: number;
  /** Publication times of the feed's newest entries, epoch ms, any order. */
  publishTimes: number[];
  /** RSS <ttl>, minutes. */
  ttlMinutes?: number | null;
  /** Cache-Control max-age, seconds. */
  maxAgeSeconds?: number | null;
  /** Retry-After, seconds. */
  retryAfterSeconds?: number | null;
  /** Consecutive failures including this check (0 when it succeeded). */
  errorCount: number;
  /** Until when the feed's WebSub hub sends its new entries (see websub.ts), if it does. */
  pushedUntil?: number | null;
}

// The last check of a WebSub lease, which renews it, comes at least this long before it ends.
const LEASE_MARGIN_MS = 3_600_000;
// How many recent entries the publishing rate is taken from.
const RATE_SAMPLE = 10;

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/**
 * The interval a feed's own publishing rate suggests: half the typical gap between its recent
 * entries (a feed that posts hourly is checked every half hour), bounded by the policy. A date
 * ahead of `now` counts as now. One entry is one gap, up to now; a feed with none (an empty
 * document, ever) waits the longest, as Miniflux's has it.
 */
export function adaptiveInterval(publishTimes: number[], now: number, policy: SchedulePolicy): number {
  const times = publishTimes
    .map((t) => Math.min(t, now))
    .sort((a, b) => b - a)
    .slice(0, RATE_SAMPLE);
  const oldest = times[times.length - 1];
  if (oldest === undefined) return policy.maxIntervalMs;
  // n entries span n - 1 gaps, and one entry one; measuring up to now (not to the newest entry)
  // makes a feed that went quiet slow down even with a busy past.
  const meanGap = (now - oldest) / Math.max(1, times.length - 1);
  return clamp(meanGap / 2, policy.minIntervalMs, policy.maxIntervalMs);
}

/**
 * How far past its check a feed's next can be (nextCheckAt): its longest interval, a subscriber's
 * longest wait or the longest Retry-After heeded, whichever is longest, and an hour of rounding.
 * A feed due later than that was scheduled by a clock that ran ahead since set back.
 */
export function furthestNextCheckMs(policy: SchedulePolicy): number {
  return (
    Math.max(policy.maxIntervalMs, MAX_CHECK_MINUTES * 60_000, MAX_RETRY_AFTER_SECONDS * 1000) + 3_600_000
  );
}

/** The next check time after a check (success or failure). `random` returns [0, 1). */
export function nextCheckAt(outcome: CheckOutcome, policy: SchedulePolicy, random: () => number): number {
  // What is left of the lease of the feed's WebSub hub, if it has one.
  const leaseLeft = (outcome.pushedUntil ?? 0) - outcome.now;
  let interval: number;
  if (outcome.errorCount > 0) {
    // Exponential backoff: min, 2×min, 4×min… up to the maximum.
    interval = Math.min(
      policy.maxIntervalMs,
      policy.minIntervalMs * 2 ** Math.min(outcome.errorCount - 1, 30),
    );
  } else {
    interval = adaptiveInterval(outcome.publishTimes, outcome.now, policy);
    // A feed's own caching hints ask us not to come back sooner; they never push past the maximum.
    const hint = Math.max((outcome.ttlMinutes ?? 0) * 60_000, (outcome.maxAgeSeconds ?? 0) * 1000);
    interval = Math.min(policy.maxIntervalMs, Math.max(interval, hint));
    // Entries its hub sends need no check to arrive: checks go on as a safety net, at the longest
    // interval, and at least one in each half of what is left of the lease, the last of them in
    // its last day, when it is renewed.
    if (leaseLeft > 0) interval = Math.max(interval, Math.min(policy.maxIntervalMs, leaseLeft / 2));
  }
  // Jitter spreads checks within the policy's bounds, never past them: the shortest interval is
  // what a site (or a subscriber's "at most every 6 h") was promised, and the longest is the most a
  // reader waits to hear of a quiet feed.
  let jittered = clamp(
    interval * (1 + policy.jitter * (2 * random() - 1)),
    policy.minIntervalMs,
    policy.maxIntervalMs,
  );
  // The check that renews a lease falls before it ends, jitter and all: a quiet feed checked daily,
  // with a day and an hour of its lease left, was checked after it ended, and what its hub had to
  // send in between was lost. Not when so little is left that the check would come sooner than
  // the shortest interval: polling takes over then, as the lease ends.
  if (outcome.errorCount === 0 && leaseLeft - LEASE_MARGIN_MS >= policy.minIntervalMs)
    jittered = Math.min(jittered, leaseLeft - LEASE_MARGIN_MS);
  // Retry-After is the server's explicit instruction: honoured even beyond the maximum.
  const retryAfterMs = (outcome.retryAfterSeconds ?? 0) * 1000;
  return Math.round(outcome.now + Math.max(jittered, retryAfterMs));
}
