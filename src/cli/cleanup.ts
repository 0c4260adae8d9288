// `gleaner cleanup`: old entries removed now, by the retention policy the configuration sets (see
// refresh/retention.ts), as the refresh loop does every six hours.
import { parseArgs } from 'node:util';
import { GleanerError } from '../model/errors.js';
import { RETENTION_STEP, retentionPolicy, retentionSteps } from '../refresh/retention.js';
import { COMMON_FLAGS, openContext } from './context.js';
import { counted } from './progress.js';

const HELP = `usage: gleaner cleanup [--dry-run] [--db FILE]

Removes old entries now, as \`gleaner serve\` and \`gleaner refresh --watch\` do every six hours
between refreshes:
  - a read entry GLEANER_KEEP_READ_DAYS days after it was read (default 0: read entries are kept);
  - an unread entry GLEANER_KEEP_UNREAD_DAYS days after it arrived (default 180; 0 keeps them);
  - past GLEANER_MAX_PER_FEED entries (default 10,000; 0: no limit), a feed's oldest, read or not.
Never an entry a user starred, saved for later or labelled, nor by age one of the
GLEANER_KEEP_PER_FEED newest of its feed (default 50) or one a live publication shows (a published
feed, folder, tag or search: its public archive keeps it). An entry many users have goes when none of
them keeps it. A removed entry does not come back while its feed still lists it. The file keeps the
space it frees for the entries to come.
  --dry-run   remove nothing: count what would go (about: removing some can keep others)`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...COMMON_FLAGS, 'dry-run': { type: 'boolean', default: false } },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length > 0)
    throw new GleanerError('USAGE', `gleaner cleanup takes no arguments\n\n${HELP}`);
  const ctx = await openContext(values, { existing: true });
  try {
    const dryRun = values['dry-run'];
    const removed = { trim: 0, age: 0 };
    const policy = retentionPolicy(ctx.config);
    // Nothing else waits on this process: steps of RETENTION_STEP entries, whatever they take.
    for await (const step of retentionSteps(ctx.store, policy, Date.now, RETENTION_STEP, dryRun, Infinity))
      removed[step.kind] += step.removed;
    const total = removed.trim + removed.age;
    const counts = `${removed.age} by age, ${removed.trim} past their feed's limit`;
    const stored = await ctx.store.countEntries();
    console.log(
      dryRun
        ? `would remove about ${counted(total, 'entry', 'entries')}: ${counts}; ${stored} stored, none removed`
        : `removed ${counted(total, 'entry', 'entries')}: ${counts}; ${stored} kept`,
    );
    return 0;
  } finally {
    await ctx.close();
  }
}
