// `gleaner refresh [URL|ID ...] [--watch] [--due] [--concurrency N] [--per-host N]`
import { parseArgs } from 'node:util';
import { dueFeedSource, pageSizeFor, refreshFeeds } from '../refresh/pool.js';
import { runRefreshLoop } from '../refresh/loop.js';
import { furthestNextCheckMs } from '../refresh/schedule.js';
import { createDigestPool } from '../refresh/digest.js';
import { limitHeapGrowth } from '../refresh/heap.js';
import { GleanerError } from '../model/errors.js';
import type { Feed } from '../model/index.js';
import type { Store } from '../store/index.js';
import {
  COMMON_FLAGS,
  findSubscription,
  maintenance,
  maintenanceFailed,
  openContext,
  passFailed,
  refreshDeps,
  resolveUser,
} from './context.js';
import { counted, createProgress } from './progress.js';

const HELP = `usage: gleaner refresh [URL|ID ...] [--watch] [--due] [--concurrency N] [--per-host N] [--db FILE]

Fetches every subscribed feed now (conditional GET: unchanged feeds cost a 304), stores new and
changed entries, and schedules each feed's next check; a feed everyone paused is left alone.
Given feeds (their URLs or the ids \`gleaner feeds\` shows, of your subscriptions: see --user),
fetches only those, paused or not. Ctrl-C stops the pass once the feeds under way are stored.
  --due            only the feeds whose next check is due
  --watch          keep running: refresh feeds as they fall due (Ctrl-C stops)
  --concurrency N  feeds fetched at once (GLEANER_REFRESH_CONCURRENCY, default 16)
  --per-host N     feeds fetched at once from one host (GLEANER_REFRESH_PER_HOST, default 2)`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...COMMON_FLAGS,
      watch: { type: 'boolean', default: false },
      due: { type: 'boolean', default: false },
      concurrency: { type: 'string' },
      'per-host': { type: 'string' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length > 0 && (values.watch || values.due))
    throw new GleanerError('USAGE', `give feeds, or --watch or --due, not both\n\n${HELP}`);
  limitHeapGrowth();
  // WAL checkpoints on a thread of their own, as the server does: a first refresh writes hundreds
  // of MB, and a checkpoint inside a commit held this thread (11% more feeds/s without).
  const ctx = await openContext(values, { checkpoints: 'background', existing: true });
  // Parsing and sanitizing run on worker threads, one per core; this thread does the I/O.
  const pool = createDigestPool();
  try {
    const deps = { ...refreshDeps(ctx), digest: pool.digest, extractArticle: pool.extractArticle };
    const limits = { concurrency: ctx.config.concurrency, perHost: ctx.config.perHost };
    if (values.watch) {
      const controller = new AbortController();
      const stop = (): void => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      ctx.log.info('refreshing feeds as they fall due', limits);
      await runRefreshLoop(deps, {
        ...limits,
        signal: controller.signal,
        onPass: (s) => ctx.log.info('refresh pass', { ...s }),
        onPassError: passFailed(ctx),
        onIdle: maintenance(ctx),
        onIdleError: maintenanceFailed(ctx),
      });
      return 0;
    }
    // Every feed (or those due), read a page at a time as the pass goes: memory does not grow
    // with the number of feeds.
    const due = values.due ? Date.now() : Number.MAX_SAFE_INTEGER;
    // Feeds a clock that ran ahead (and was set back) left waiting, for years maybe, are due, and
    // a pass of every feed takes them (it takes those checked before it began).
    if (positionals.length === 0)
      await ctx.store.rescheduleAheadOfClock(deps.clock(), furthestNextCheckMs(deps.policy));
    const feeds =
      positionals.length > 0
        ? await chosenFeeds(ctx.store, values.user, positionals)
        : dueFeedSource(ctx.store, due, pageSizeFor(limits.concurrency), deps.clock);
    const progress = createProgress(
      'refresh',
      Array.isArray(feeds) ? feeds.length : await ctx.store.countDueFeeds(due),
    );
    let done = 0;
    let errors = 0;
    let inserted = 0;
    // Feeds that brought new or changed entries: a feed answered 200 with what is stored already
    // (no ETag or date to compare, or a server that ignores them) is unchanged, as a 304 is.
    let changedFeeds = 0;
    // Ctrl-C (or SIGTERM) stops the pass: no feed starts, a fetch still waiting on its server ends
    // (its feed stays due, not failed), a document fetched already is stored, and the line says
    // so. A second Ctrl-C stops at once (what is committed stays: see Storage in the README).
    const interrupt = new AbortController();
    let stoppedBy = 'SIGINT' as NodeJS.Signals;
    const stop = (signal: NodeJS.Signals): void => {
      stoppedBy = signal;
      interrupt.abort();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const summary = await refreshFeeds(feeds, deps, {
      ...limits,
      signal: interrupt.signal,
      onResult(result) {
        done++;
        if (result.status === 'failed') errors++;
        if (result.status === 'updated') {
          inserted += result.inserted;
          if (result.inserted + result.updated > 0) changedFeeds++;
        }
        progress.update(
          done,
          `${counted(inserted, 'new entry', 'new entries')} · ${counted(errors, 'error')}`,
        );
      },
    }).finally(() => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    });
    progress.finish(
      (interrupt.signal.aborted ? 'interrupted: ' : '') +
        `refreshed ${counted(summary.feeds, 'feed')}: ${changedFeeds} changed, ` +
        `${summary.feeds - changedFeeds - summary.failed} unchanged, ` +
        `${summary.failed} failed; ${counted(summary.inserted, 'new entry', 'new entries')}, ${summary.changed} updated` +
        // Why they failed is kept with each feed (and logged as a warning, which a quieter log level hides).
        (summary.failed > 0 ? ' (gleaner feeds --failing says why)' : ''),
    );
    // The shells' codes for a command ended by SIGINT (130) or SIGTERM (143).
    if (interrupt.signal.aborted) return stoppedBy === 'SIGTERM' ? 143 : 130;
    return summary.failed > 0 && summary.failed === summary.feeds ? 1 : 0;
  } finally {
    await pool.close();
    await ctx.close();
  }
}

/** The feeds given on the command line, each once, before any is fetched (an unknown one is an error). */
async function chosenFeeds(store: Store, userName: string | undefined, targets: string[]): Promise<Feed[]> {
  const user = await resolveUser(store, userName);
  const subs = await store.listSubscriptions(user.id);
  const feeds = new Map<number, Feed>();
  for (const target of targets) {
    const { feed } = findSubscription(subs, target);
    feeds.set(feed.id, feed);
  }
  return [...feeds.values()];
}
