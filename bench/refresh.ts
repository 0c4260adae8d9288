// How fast does Gleaner keep N feeds fresh? A loopback farm serves N synthetic feeds (RSS, Atom and
// JSON Feed shaped like The Cloudflare Blog's, 20–50 items, ETag/Last-Modified/304) from a child
// process; Gleaner refreshes them in a child process of its own (clean CPU and peak RSS figures):
// the first fetch, a pass where nothing changed (all 304), one where 10% of feeds gained an item,
// and one where the same feeds gained another (Gleaner only: a feed's third document, which a
// refresh leaves its unchanged items unprepared in).
// The peer, newsboat 2.21, reloads the same feeds from a fresh farm in the same run. `--farm shared`
// serves the project's shared farm instead (../shared/tools/feedfarm.mjs: RSS and Atom, 20 items of
// ~5 KB), the one the design's FreshRSS figures come from, which newsboat reads whole.
//   npm run bench -- refresh [--feeds 1000,10000] [--quick] [--concurrency 32] [--peer-max 1000] [--no-peer]
//   [--farm ours|shared] [--keep] (keep the temporary databases)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { REPO_ROOT, farmStats, startFarm, type FarmKind, type FarmStats } from './farm/client.js';
import type { CeilingResult } from './farm/ceiling.js';
import type { PassResult, RunnerResult } from './farm/gleaner-runner.js';
import { newsboatVersion, runNewsboat, type PeerPass, type PeerResult } from './farm/newsboat.js';
import { describeMachine, fmt, printTable, versus, type VersusOptions } from './lib.js';

const BUMP_FRACTION = 0.1;
const DEFAULT_PEER_MAX = 1000;
/** Feeds the ceiling is measured on (bench/farm/ceiling.ts), at most. */
const CEILING_FEEDS = 1000;
const TARGETS = { firstFeedsPerSecond: 300, unchangedFeedsPerSecond: 2000, peakRssBytes: 300e6 };
/** "Not growing with N": the largest N's peak RSS within this factor of the smallest N's. */
const FLAT_MEMORY_FACTOR = 1.25;

const PASS_LABELS: Record<string, string> = {
  first: 'first fetch',
  validators: 'second fetch (newsboat only)',
  unchanged: 'nothing changed (304s)',
  changed: `${BUMP_FRACTION * 100}% of feeds changed`,
  'changed-again': `the same ${BUMP_FRACTION * 100}% changed again (Gleaner only)`,
};

interface SizeResult {
  feeds: number;
  gleaner: RunnerResult;
  farm: FarmStats;
  peer: PeerResult | { skipped: string };
}

const FEEDS_PER_SECOND: VersusOptions = { unit: 'feeds/s', better: 'higher', words: ['faster', 'slower'] };

const mb = (bytes: number): string => `${fmt(bytes / 1e6)} MB`;
const count = (n: number): string => n.toLocaleString('en-US');
const perSecond = (n: number, ms: number): number => n / (ms / 1000);

/** Runs a compiled benchmark script (npm run bench builds first) in a child process: its last line of JSON. */
async function runCompiled<T>(script: string, args: string[]): Promise<T> {
  // Compiled, as `gleaner refresh` runs: no TypeScript loader's memory.
  const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'bench', 'farm', script), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', resolve);
  });
  const last = stdout.trim().split('\n').at(-1) ?? '';
  if (code !== 0 || !last.startsWith('{')) throw new Error(`${script} exited with ${code}`);
  return JSON.parse(last) as T;
}

/** Runs Gleaner's four passes over a fresh farm of `feeds` feeds, in a child process. */
async function runGleaner(
  feeds: number,
  dir: string,
  concurrency: number,
  kind: FarmKind,
): Promise<[RunnerResult, FarmStats]> {
  const farm = await startFarm(feeds, kind);
  try {
    const args = [
      '--farm',
      farm.origin,
      '--db',
      join(dir, 'gleaner.db'),
      '--concurrency',
      String(concurrency),
    ];
    const result = await runCompiled<RunnerResult>('gleaner-runner.js', [
      ...args,
      '--bump',
      String(BUMP_FRACTION),
    ]);
    return [result, await farmStats(farm.origin)];
  } finally {
    await farm.stop();
  }
}

async function runPeer(feeds: number, dir: string, concurrency: number, kind: FarmKind): Promise<PeerResult> {
  const farm = await startFarm(feeds, kind);
  try {
    return await runNewsboat(farm.origin, dir, concurrency, BUMP_FRACTION);
  } finally {
    await farm.stop();
  }
}

function printSize(r: SizeResult, concurrency: number): void {
  const g = r.gleaner;
  const firstFarm = g.passes[0]?.farm;
  const peer = 'skipped' in r.peer ? null : r.peer;
  const peerName = peer ? peer.version : 'newsboat';
  console.log(
    `\n${count(r.feeds)} feeds: ${g.itemsPublished === null ? 'uncounted' : count(g.itemsPublished)} items published, first fetch ` +
      `${mb(firstFarm?.bytes ?? NaN)} over loopback; concurrency ${concurrency}` +
      (peer ? ` (newsboat: reload-threads ${concurrency})` : ''),
  );

  const header = ['pass', 'Gleaner feeds/s', 'entries/s', 'wall s', 'CPU s'];
  if (peer) header.push(`newsboat feeds/s`, 'entries/s', 'wall s', 'CPU s', 'Gleaner ÷ newsboat');
  const rows = [header];
  const peerPass = (name: string): PeerPass | undefined => peer?.passes.find((p) => p.name === name);
  for (const name of ['first', 'validators', 'unchanged', 'changed', 'changed-again']) {
    const ours: PassResult | undefined = g.passes.find((p) => p.name === name);
    const theirs = peerPass(name);
    if (!ours && !theirs) continue;
    const row = [PASS_LABELS[name] ?? name];
    const ourRate = ours ? perSecond(ours.summary.feeds, ours.wallMs) : NaN;
    if (ours) {
      const entries = ours.summary.inserted ? fmt(perSecond(ours.summary.inserted, ours.wallMs)) : '—';
      row.push(fmt(ourRate), entries, fmt(ours.wallMs / 1000), fmt(ours.cpuMs / 1000));
    } else row.push('—', '—', '—', '—');
    if (peer && theirs) {
      const theirRate = perSecond(r.feeds, theirs.wallMs);
      const entries = theirs.inserted ? fmt(perSecond(theirs.inserted, theirs.wallMs)) : '—';
      row.push(fmt(theirRate), entries, fmt(theirs.wallMs / 1000), fmt(theirs.cpuMs / 1000));
      row.push(ours ? versus(ourRate, theirRate, FEEDS_PER_SECOND) : '');
    }
    rows.push(row);
  }
  printTable(rows, [0, header.length - 1]);

  // What the farm served: proof that the 304s happened, and that the farm was not the bottleneck.
  console.log('\n  served by the farm (its CPU as a share of the pass wall time):');
  const served = [['pass', 'Gleaner 200s', '304s', 'MB', 'farm CPU', 'failed']];
  if (peer) served[0]?.push('newsboat 200s', '304s', 'MB', 'farm CPU', 'failed');
  for (const name of ['first', 'validators', 'unchanged', 'changed', 'changed-again']) {
    const ours = g.passes.find((p) => p.name === name);
    const theirs = peerPass(name);
    if (!ours && !theirs) continue;
    const row = [PASS_LABELS[name] ?? name];
    const cells = (farm: FarmStats, wallMs: number, failed: number): string[] => [
      count(farm.full),
      count(farm.notModified),
      fmt(farm.bytes / 1e6),
      !Number.isFinite(farm.cpuMs) ? '—' : `${fmt((100 * farm.cpuMs) / wallMs)}%`,
      count(failed),
    ];
    row.push(...(ours ? cells(ours.farm, ours.wallMs, ours.summary.failed) : ['—', '—', '—', '—', '—']));
    if (peer && theirs) {
      const failed = [...theirs.errors.values()].reduce((a, b) => a + b, 0);
      row.push(...cells(theirs.farm, theirs.wallMs, failed));
    }
    served.push(row);
  }
  printTable(served);
  if (firstFarm && Number.isFinite(firstFarm.cpuMs)) {
    const unchanged = g.passes.find((p) => p.name === 'unchanged')?.farm;
    console.log(
      `  farm capacity on one core: ${fmt(perSecond(firstFarm.full, firstFarm.cpuMs))} full feeds/s, ` +
        `${unchanged ? fmt(perSecond(unchanged.notModified, unchanged.cpuMs)) : '?'} 304s/s (its CPU time per answer)`,
    );
  }
  console.log(
    `  farm /stats after Gleaner's passes: ${JSON.stringify({ ...r.farm, cpuMs: Math.round(r.farm.cpuMs), renderMs: Math.round(r.farm.renderMs) })}`,
  );
  for (const p of g.passes) {
    for (const error of p.errors) console.log(`  Gleaner failure (${p.name}): ${error}`);
  }
  if (peer) {
    const reasons = new Map<string, string[]>();
    for (const p of peer.passes)
      for (const [reason, n] of p.errors)
        reasons.set(reason, [...(reasons.get(reason) ?? []), `${p.name} ×${count(n)}`]);
    for (const [reason, passes] of reasons)
      console.log(`  newsboat error log: "${reason}" (${passes.join(', ')})`);
  }

  // Memory and storage.
  const resources = [['', 'Gleaner', ...(peer ? [peerName, 'Gleaner ÷ newsboat'] : [])]];
  const peerRss = peer ? Math.max(...peer.passes.map((p) => p.maxRssBytes)) : NaN;
  const peerItems = peer?.passes.at(-1)?.itemsStored ?? NaN;
  resources.push([
    'peak RSS',
    mb(g.maxRssBytes),
    ...(peer ? [mb(peerRss), `${fmt(g.maxRssBytes / peerRss)}×`] : []),
  ]);
  resources.push([
    'database / cache file',
    mb(g.dbBytes),
    ...(peer ? [mb(peer.cacheBytes), `${fmt(g.dbBytes / peer.cacheBytes)}×`] : []),
  ]);
  resources.push([
    'entries stored',
    count(g.entriesStored),
    ...(peer ? [count(peerItems), `${fmt(g.entriesStored / peerItems)}×`] : []),
  ]);
  console.log('');
  printTable(resources);
  console.log(
    `  Gleaner runs compiled, as \`gleaner refresh\` does; RSS before the ` +
      `first pass ${mb(g.baseRssBytes)}, peak after each pass ${g.passes.map((p) => mb(p.maxRssBytes)).join(' / ')}; ` +
      `the WAL file at most ${g.passes.map((p) => mb(p.maxWalBytes)).join(' / ')} during each pass; ` +
      `subscribing took ${fmt(g.subscribeMs / 1000)} s`,
  );
  const sane = g.entriesStored === g.itemsPublished;
  console.log(
    g.itemsPublished === null
      ? `  check: none (this farm does not count the items it published)`
      : sane
        ? `  check: Gleaner stored every item the farm published (${count(g.itemsPublished)})`
        : `  CHECK FAILED: Gleaner stored ${count(g.entriesStored)} entries, the farm published ${count(g.itemsPublished)}`,
  );
  if (peer) {
    const unchanged = peerPass('unchanged');
    console.log(
      `  newsboat records a feed's ETag and Last-Modified only from its second fetch on, hence its extra pass. ` +
        `Every reload starts newsboat afresh, which loads its whole cache: start-up alone (\`-x print-unread\`, ` +
        `no fetching) took ${fmt(peer.startup.wallMs / 1000)} s wall, ${fmt(peer.startup.cpuMs / 1000)} CPU s` +
        (unchanged ? `, of its ${fmt(unchanged.wallMs / 1000)} s nothing-changed pass` : ''),
    );
    const failing = peer.passes[0] ? [...peer.passes[0].errors.values()].reduce((a, b) => a + b, 0) : 0;
    if (failing)
      console.log(
        `  note: ${peerName} cannot read ${count(failing)} of the feeds (JSON Feed is not supported): it downloads ` +
          `them in full on every pass and stores none of their items, so its figures cover less work`,
      );
  } else console.log(`  peer: ${'skipped' in r.peer ? r.peer.skipped : ''}`);
}

/**
 * What the first pass could reach on this machine with fetching free (bench/farm/ceiling.ts), and
 * how near each size's first pass came: the ceiling in feeds a second, or NaN without one.
 */
function printCeiling(c: CeilingResult, results: SizeResult[]): number {
  const cores = availableParallelism();
  const writer = c.storeWriterCpuMs ?? c.storeCpuMs;
  const all = c.prepareCpuMs + c.storeCpuMs;
  const ceiling = perSecond(c.feeds, Math.max(writer, all / cores));
  console.log(
    `\nA first pass with nothing to fetch: ${count(c.feeds)} of the farm's feeds (${count(c.entries)} entries), ` +
      `rendered in one process, each half of the work alone (CPU, medians of ${c.rounds} rounds):`,
  );
  const cpu = (ms: number): string[] => [fmt(ms / 1000), fmt(ms / c.feeds)];
  printTable([
    ['', 'CPU s', 'ms a feed'],
    ['parse and prepare (the parse worker: digest, pack, serialize)', ...cpu(c.prepareCpuMs)],
    ['store, the whole process (take in, write, checkpoint)', ...cpu(c.storeCpuMs)],
    [
      `store, the writing thread${c.storeWriterCpuMs === null ? ' (not measurable here: the whole)' : ''}`,
      ...cpu(writer),
    ],
  ]);
  console.log(
    `  SQLite takes one writer at a time, and the work shares ${cores} cores: a first pass takes at least ` +
      `max(${fmt(writer / 1000)} s on the writing thread, ${fmt(all / 1000)} CPU s / ${cores}), at most ` +
      `${fmt(ceiling)} feeds/s before any fetching (target ${TARGETS.firstFeedsPerSecond})`,
  );
  for (const r of results) {
    const first = r.gleaner.passes.find((p) => p.name === 'first');
    if (!first) continue;
    const rate = perSecond(first.summary.feeds, first.wallMs);
    console.log(
      `  ${count(r.feeds)} feeds: the first pass, fetching over loopback from a farm on the same cores, ran at ` +
        `${fmt(rate)} feeds/s, ${fmt((100 * rate) / ceiling)}% of that`,
    );
  }
  return ceiling;
}

function printTargets(results: SizeResult[], ceiling: number): void {
  console.log('\nTargets (2-core machine):');
  const met = (ok: boolean): string => (ok ? 'met' : 'NOT MET');
  for (const r of results) {
    const first = r.gleaner.passes.find((p) => p.name === 'first');
    const unchanged = r.gleaner.passes.find((p) => p.name === 'unchanged');
    const firstRate = first ? perSecond(first.summary.feeds, first.wallMs) : NaN;
    const unchangedRate = unchanged ? perSecond(unchanged.summary.feeds, unchanged.wallMs) : NaN;
    const n = count(r.feeds);
    console.log(
      `  ${n} feeds, first pass ≥ ${TARGETS.firstFeedsPerSecond} feeds/s: ${fmt(firstRate)} feeds/s — ` +
        met(firstRate >= TARGETS.firstFeedsPerSecond) +
        (Number.isNaN(ceiling) ? '' : ` (at most ${fmt(ceiling)} here with nothing fetched: see above)`),
    );
    console.log(
      `  ${n} feeds, all-304 pass ≥ ${count(TARGETS.unchangedFeedsPerSecond)} feeds/s: ${fmt(unchangedRate)} feeds/s — ` +
        met(unchangedRate >= TARGETS.unchangedFeedsPerSecond),
    );
    console.log(
      `  ${n} feeds, peak memory < ${mb(TARGETS.peakRssBytes)}: ${mb(r.gleaner.maxRssBytes)} — ` +
        met(r.gleaner.maxRssBytes < TARGETS.peakRssBytes),
    );
  }
  const smallest = results[0];
  const largest = results.at(-1);
  if (smallest && largest && largest.feeds > smallest.feeds) {
    const growth = largest.gleaner.maxRssBytes / smallest.gleaner.maxRssBytes;
    console.log(
      `  memory not growing with N (within ${FLAT_MEMORY_FACTOR}×): ${mb(smallest.gleaner.maxRssBytes)} at ` +
        `${count(smallest.feeds)} → ${mb(largest.gleaner.maxRssBytes)} at ${count(largest.feeds)} feeds ` +
        `(${fmt(growth)}×) — ${met(growth <= FLAT_MEMORY_FACTOR)}`,
    );
  }
}

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      feeds: { type: 'string', default: '1000,10000' },
      quick: { type: 'boolean', default: false },
      concurrency: { type: 'string', default: '32' },
      // newsboat's reloads grow much faster than N: on the 2-core machine its first reload took ~13 s
      // for 1,000 feeds and ~15 minutes for 10,000 (2026-11-23), and it needs four reloads. So the
      // peer runs up to this size unless told otherwise, to keep a full run near 10 minutes.
      'peer-max': { type: 'string', default: String(DEFAULT_PEER_MAX) },
      'no-peer': { type: 'boolean', default: false },
      farm: { type: 'string', default: 'ours' },
      keep: { type: 'boolean', default: false },
    },
  });
  const kind = values.farm;
  if (kind !== 'ours' && kind !== 'shared') throw new Error(`--farm: ours or shared, not ${kind}`);
  const sizes = values.quick ? [1000] : values.feeds.split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--feeds: ${values.feeds}`);
  const concurrency = Number(values.concurrency);
  const peerMax = Number(values['peer-max']);
  const peerStatus = values['no-peer'] ? { missing: 'skipped (--no-peer)' } : newsboatVersion();

  const started = performance.now();
  console.log(`Refresh of N loopback feeds — ${describeMachine()}`);
  if (kind === 'shared') {
    console.log(
      `  the shared farm (RSS and Atom, 20 items of ~5 KB). Quoted by the design, not measured here: FreshRSS ` +
        `(PHP 8.2, SQLite) on 1,000 of these feeds, first refresh 18.5 feeds/s (38 CPU s), nothing changed 175 feeds/s`,
    );
  }
  const results: SizeResult[] = [];
  for (const feeds of sizes) {
    const dir = mkdtempSync(join(tmpdir(), `gleaner-refresh-${feeds}-`));
    try {
      console.error(`  [${count(feeds)} feeds] Gleaner…`);
      const [gleaner, farm] = await runGleaner(feeds, dir, concurrency, kind);
      let peer: SizeResult['peer'];
      if ('missing' in peerStatus) peer = { skipped: `unavailable: ${peerStatus.missing}` };
      else if (feeds > peerMax)
        peer = {
          skipped:
            `newsboat not run above --peer-max ${count(peerMax)} feeds: its reloads slow down much faster ` +
            `than N grows (see bench/refresh.ts); --peer-max ${feeds} runs it`,
        };
      else {
        console.error(`  [${count(feeds)} feeds] newsboat…`);
        try {
          peer = await runPeer(feeds, dir, concurrency, kind);
        } catch (err) {
          peer = { skipped: `newsboat failed: ${err instanceof Error ? err.message : String(err)}` };
        }
      }
      const result = { feeds, gleaner, farm, peer };
      results.push(result);
      printSize(result, concurrency);
    } finally {
      if (values.keep) console.log(`  files kept in ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
    }
  }
  let ceiling = NaN;
  if (kind === 'ours' && results.length > 0) {
    // The cost of a feed does not depend on how many there are: a thousand tell it.
    const feeds = Math.min(sizes[0] ?? 1000, CEILING_FEEDS);
    console.error(`  [${count(feeds)} feeds] the ceiling, nothing fetched…`);
    const dir = mkdtempSync(join(tmpdir(), 'gleaner-ceiling-'));
    try {
      const c = await runCompiled<CeilingResult>('ceiling.js', ['--feeds', String(feeds), '--dir', dir]);
      ceiling = printCeiling(c, results);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  printTargets(results, ceiling);
  console.log(`\nTotal run time ${fmt((performance.now() - started) / 1000)} s`);
}
