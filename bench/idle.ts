// How long does the refresh loop's idle work hold the server's thread? Its steps (sanitizing stored
// bodies again after a sanitizer fix, removing old entries) run on the thread that answers requests,
// which wait for them. Each kind of work runs over a copy of the reader benchmark's database (a
// million entries, 9 GB, its generated bodies all changing under the sanitizer: the worst case), in
// steps sized by time (StepSizer: this build) and, on a second copy, in fixed steps of 100 bodies
// and 200 entries (the build before: the peer), alternately for --seconds at a time, twice each:
// both copies share the page cache as it fills. Target: the server's p99 of 20 ms.
//   npm run bench -- idle [--entries 1000000] [--seconds 10]
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { resanitizeStored } from '../src/refresh/resanitize.js';
import { retentionSteps } from '../src/refresh/retention.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import type { Store } from '../src/store/index.js';
import { describeMachine, fmt, percentiles, printTable } from './lib.js';
import { ensureDataset, loadSearchModule } from './reader/data.js';

const DAY = 86_400_000;
// The defaults' removal by age (read after 60 days, unread after 180), without the per-feed limit.
const POLICY = { readMs: 60 * DAY, unreadMs: 180 * DAY, keepPerFeed: 20, maxPerFeed: null };

interface Tally {
  steps: number[];
  units: number;
  ms: number;
}

/** Runs `step` (true while there is more; it adds what it did to the tally) for `seconds`. */
async function runFor(seconds: number, step: () => Promise<boolean>, tally: Tally): Promise<void> {
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    const t = performance.now();
    const more = await step();
    tally.steps.push(performance.now() - t);
    if (!more) break;
  }
  tally.ms += performance.now() - started;
}

function row(name: string, t: Tally, unit: string): string[] {
  const { p50, p99 } = percentiles(t.steps);
  return [
    name,
    String(t.steps.length),
    fmt(p50),
    fmt(p99),
    fmt(Math.max(...t.steps)),
    `${fmt(t.units / (t.ms / 1000))} ${unit}/s`,
  ];
}

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { entries: { type: 'string', default: '1000000' }, seconds: { type: 'string', default: '10' } },
  });
  const entries = Number(values.entries);
  const seconds = Number(values.seconds);
  console.log(`Idle work's steps, ${describeMachine()}`);
  await loadSearchModule();
  const data = await ensureDataset({ entries, feeds: 1000, folders: 20, chineseShare: 0.15, seed: 20261123 });
  const dir = mkdtempSync(join(tmpdir(), 'gleaner-idle-'));
  try {
    const paths = ['budget', 'fixed'].map((name) => join(dir, `${name}.db`));
    for (const path of paths) copyFileSync(data.path, path);
    console.log(
      `Data: ${entries.toLocaleString('en-US')} entries, ${fmt(data.bytes / 1e9)} GB, copied twice`,
    );
    const [budget, fixed] = paths.map((path) => openSqliteStore(path)) as [Store, Store];
    try {
      // The generated bodies were never through this sanitizer: every one is rewritten.
      for (const store of [budget, fixed]) {
        await store.setStoreState('sanitized_version', '0');
        await store.setStoreState('resanitize_after_id', '0');
      }
      const counted = (store: Store, tally: Tally, step: () => Promise<boolean>) => async () => {
        const before = Number(await store.storeState('resanitize_after_id'));
        const more = await step();
        tally.units += Number(await store.storeState('resanitize_after_id')) - before;
        return more;
      };
      const sanitized = { budget: { steps: [], units: 0, ms: 0 }, fixed: { steps: [], units: 0, ms: 0 } };
      const sanitizing = {
        budget: counted(budget, sanitized.budget, resanitizeStored(budget, Date.now)),
        fixed: counted(
          fixed,
          sanitized.fixed,
          resanitizeStored(fixed, Date.now, undefined, { budgetMs: Infinity }),
        ),
      };
      const removed = { budget: { steps: [], units: 0, ms: 0 }, fixed: { steps: [], units: 0, ms: 0 } };
      const removal = (store: Store, tally: Tally, budgetMs?: number) => {
        const steps = retentionSteps(store, POLICY, Date.now, undefined, false, budgetMs);
        return async () => {
          const next = await steps.next();
          if (next.done) return false;
          tally.units += next.value.removed;
          return true;
        };
      };
      const removing = {
        budget: removal(budget, removed.budget),
        fixed: removal(fixed, removed.fixed, Infinity),
      };
      for (let round = 0; round < 2; round++) {
        for (const mode of ['budget', 'fixed'] as const)
          await runFor(seconds, sanitizing[mode], sanitized[mode]);
      }
      for (let round = 0; round < 2; round++) {
        for (const mode of ['budget', 'fixed'] as const) await runFor(seconds, removing[mode], removed[mode]);
      }
      const header = ['', 'steps', 'p50 ms', 'p99 ms', 'max ms', 'back to back'];
      console.log('\nSanitizing stored bodies again (every one rewritten)');
      printTable([
        header,
        row('Gleaner, steps of 15 ms', sanitized.budget, 'bodies'),
        row('peer: steps of 100 bodies', sanitized.fixed, 'bodies'),
      ]);
      console.log('\nRemoving old entries');
      printTable([
        header,
        row('Gleaner, steps of 15 ms', removed.budget, 'entries'),
        row('peer: steps of 200 entries', removed.fixed, 'entries'),
      ]);
      const ratio = (a: Tally, b: Tally) => fmt(percentiles(b.steps).p99 / percentiles(a.steps).p99);
      console.log(
        `\np99 of a step, the peer's ÷ Gleaner's: ${ratio(sanitized.budget, sanitized.fixed)}× sanitizing, ` +
          `${ratio(removed.budget, removed.fixed)}× removing (target: the server's p99 of 20 ms)`,
      );
    } finally {
      await Promise.all([budget.close(), fixed.close()]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
