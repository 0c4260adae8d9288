// Gleaner keeping a farm's feeds fresh, in a process of its own so that its CPU time and peak memory
// are its own (bench/refresh.ts starts one per farm size). It runs compiled, as `gleaner refresh`
// does (`npm run build` compiles it beside the product; no TypeScript loader in the process):
//   node dist/bench/farm/gleaner-runner.js --farm http://127.0.0.1:PORT --db FILE [--concurrency 32]
// Subscribes to every feed of the farm's OPML, then runs four refresh passes over all feeds: the
// first fetch, one where nothing changed (all 304), one after the farm bumped 10% of its feeds, and
// one after it bumped them again: each feed's third document, as a feed read for a while sends them
// (a feed's second only has its items' sources hashed; see ingest/prepare.ts).
// Prints one JSON line (RunnerResult) on stdout.
import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config/index.js';
import { createFetcher } from '../../src/feed/fetch/index.js';
import { parseOpml } from '../../src/feed/opml/index.js';
import { silentLogger } from '../../src/log/index.js';
import { dueFeedSource, pageSizeFor, refreshFeeds, type PassSummary } from '../../src/refresh/pool.js';
import type { RefreshDeps } from '../../src/refresh/refresh.js';
import { createDigestPool } from '../../src/refresh/digest.js';
import { limitHeapGrowth } from '../../src/refresh/heap.js';
import { DEFAULT_SCHEDULE_POLICY } from '../../src/refresh/schedule.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { importFeeds } from '../../src/subscribe/index.js';
import { bumpFarm, farmStats, httpGet, statsDelta, type FarmStats } from './client.js';

export interface PassResult {
  name: string;
  wallMs: number;
  /** User + system CPU of this process during the pass. */
  cpuMs: number;
  summary: PassSummary;
  /** The first few failures' messages. */
  errors: string[];
  /** Peak RSS of the process so far, bytes. */
  maxRssBytes: number;
  /** The largest the database's WAL file was during the pass (looked at every 100 ms), bytes. */
  maxWalBytes: number;
  /** What the farm served during the pass. */
  farm: FarmStats;
}

export interface RunnerResult {
  feeds: number;
  concurrency: number;
  subscribeMs: number;
  /** RSS once the code is loaded and the feeds subscribed, before the first pass. */
  baseRssBytes: number;
  passes: PassResult[];
  maxRssBytes: number;
  entriesStored: number;
  /** Items the farm has published (a reader that kept up stores exactly these); null when the farm does not count them. */
  itemsPublished: number | null;
  dbBytes: number;
}

const MAX_FEED_BYTES = 16 * 1024 * 1024;

const { values } = parseArgs({
  options: {
    farm: { type: 'string' },
    db: { type: 'string' },
    concurrency: { type: 'string', default: '32' },
    bump: { type: 'string', default: '0.1' },
  },
});
if (!values.farm || !values.db)
  throw new Error('usage: gleaner-runner.js --farm URL --db FILE [--concurrency N]');
const origin = values.farm;
const dbPath = values.db;
const concurrency = Number(values.concurrency);

// As gleaner refresh does, before any work.
limitHeapGrowth();
// As gleaner refresh opens its store: WAL checkpoints on a thread of their own.
const store = openSqliteStore(dbPath, { checkpoints: 'background' });
const fetcher = createFetcher({
  policy: { allowPrivateNetworks: true, allowedCidrs: [] },
  userAgent: 'Gleaner/0.1 (refresh benchmark)',
  maxBodyBytes: MAX_FEED_BYTES,
  // Every farm feed is on one origin, so the per-host limit is the whole pool.
  perHostConnections: concurrency,
});
// As gleaner refresh runs: parsing and sanitizing on worker threads.
const digestPool = createDigestPool();
const deps: RefreshDeps = {
  digest: digestPool.digest,
  store,
  fetcher,
  clock: Date.now,
  random: Math.random,
  log: silentLogger,
  policy: DEFAULT_SCHEDULE_POLICY,
  maxFeedBytes: MAX_FEED_BYTES,
  // The default limit, as gleaner refresh has it: each feed's entries counted after a fetch.
  maxEntriesPerFeed: loadConfig({}).maxPerFeed,
};

const subscribeStart = performance.now();
const user = await store.createUser('bench', { isAdmin: true }, Date.now());
const opml = parseOpml(Buffer.from(await httpGet(`${origin}/opml`)));
await importFeeds(
  { store, fetcher, clock: Date.now },
  user.id,
  opml.outlines.map((o) => ({ url: o.url, title: null, siteUrl: null, folder: null })),
);
const subscribeMs = performance.now() - subscribeStart;
const baseRssBytes = process.memoryUsage().rss;

async function pass(name: string): Promise<PassResult> {
  const before = await farmStats(origin);
  const errors: string[] = [];
  let maxWalBytes = 0;
  const walWatch = setInterval(() => {
    try {
      maxWalBytes = Math.max(maxWalBytes, statSync(`${dbPath}-wal`).size);
    } catch {
      // no WAL file yet
    }
  }, 100);
  const cpu = process.cpuUsage();
  const start = performance.now();
  // Every subscribed feed, whatever its schedule says (a pass is the whole set), a page at a time
  // as `gleaner refresh` takes them.
  const feeds = dueFeedSource(store, Number.MAX_SAFE_INTEGER, pageSizeFor(concurrency), Date.now);
  const summary = await refreshFeeds(feeds, deps, {
    concurrency,
    perHost: concurrency,
    onResult: (result, feed) => {
      if (result.status === 'failed' && errors.length < 5) errors.push(`${feed.url}: ${result.error}`);
    },
  });
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  clearInterval(walWatch);
  const after = await farmStats(origin);
  return {
    name,
    wallMs,
    cpuMs: (used.user + used.system) / 1000,
    summary,
    errors,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    maxWalBytes,
    farm: statsDelta(before, after),
  };
}

const passes: PassResult[] = [];
passes.push(await pass('first'));
passes.push(await pass('unchanged'));
await bumpFarm(origin, Number(values.bump));
passes.push(await pass('changed'));
await bumpFarm(origin, Number(values.bump));
passes.push(await pass('changed-again'));

const entriesStored = await store.countEntries();
const published = (await farmStats(origin)).itemsPublished;
const itemsPublished = Number.isNaN(published) ? null : published;
await digestPool.close();
await fetcher.close();
await store.close();

let dbBytes = 0;
for (const suffix of ['', '-wal', '-shm']) {
  try {
    dbBytes += statSync(dbPath + suffix).size;
  } catch {
    // absent: the WAL is folded into the database when the last connection closes
  }
}

const result: RunnerResult = {
  feeds: opml.outlines.length,
  concurrency,
  subscribeMs,
  baseRssBytes,
  passes,
  maxRssBytes: process.resourceUsage().maxRSS * 1024,
  entriesStored,
  itemsPublished,
  dbBytes,
};
process.stdout.write(JSON.stringify(result) + '\n');
