// `gleaner serve`: the web reader and the refresh loop. With --workers N > 1 the reader runs in N
// processes sharing the port, and this one (the primary) keeps what must be single: the refresh
// loop, "refresh now", the failed-login counts, the image proxy's key and the database's writes
// (see cluster.ts).
import cluster from 'node:cluster';
import { totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { GleanerError } from '../model/errors.js';
import type { Feed } from '../model/index.js';
import type { ExtractArticle } from '../ingest/article.js';
import { createDigestPool } from '../refresh/digest.js';
import { scavengeAlone } from '../refresh/heap.js';
import { runIdleWork, runRefreshLoop } from '../refresh/loop.js';
import { RefreshSlots, refreshFeeds, type FetchedFeeds } from '../refresh/pool.js';
import { retentionPolicy } from '../refresh/retention.js';
import { LoginLimiter } from '../web/auth.js';
import { proxyKey, useProxyKey } from '../web/proxy.js';
import { createWebServer, type WebDeps } from '../web/server.js';
import { connectToPrimary, startWorkers } from './cluster.js';
import {
  COMMON_FLAGS,
  maintenance,
  maintenanceFailed,
  openContext,
  passFailed,
  refreshDeps,
  schedulePolicy,
  type Context,
} from './context.js';

const HELP = `usage: gleaner serve [--host ADDR] [--port N] [--base-url URL] [--workers N] [--db FILE]

Runs the web reader (http://127.0.0.1:8080 by default) and keeps feeds fresh. On the first visit
it asks for the administrator's name and password (or create one with \`gleaner user add\`).
  --host ADDR      address to listen on (GLEANER_HOST, default 127.0.0.1)
  --port N         port (GLEANER_PORT, default 8080; 0 picks a free one)
  --base-url URL   public address behind a reverse proxy (GLEANER_BASE_URL)
  --workers N      processes answering requests (GLEANER_WORKERS, default 1; try the number of cores)
Other settings: \`gleaner config\`.`;

// Set by tests: every answer names the process that gave it, to see requests spread over workers.
const SHOW_PID_HEADER = process.env.GLEANER_TEST_PID_HEADER === '1';

// Database pages the server keeps in memory (GLEANER_CACHE_MB, 0 for this choice): a page of 50
// entries touches ~150 of them spread over a large file, and the build's default 16 MiB cache sent
// many back to the operating system on every list (a feed's entries read 1.4× faster with 64 MiB on
// a million entries). Where memory allows more: 100 feeds' lists of 100 entries, at 256 MiB
// against 64, took 0.82× the CPU a list (1.22× the lists a second). And a page SQLite lets go may
// have to come back from the disk, not from the system's file cache: a host that pages out memory
// it finds cold (as this one does) drops the file's cached pages first, and SQLite's own, the
// process's memory, stay. The client APIs' lists on a million entries touch ~400 MB of pages: at
// 1 GiB against 256 MiB, a feed's Miniflux list at concurrency 10 had a p99 of 20.3 and 18.6 ms
// against 34.3 and 25.9 (alternated full runs). The budget is shared by the processes, each
// filling its own share only as it reads.
const MEMORY_SHARE = 16;
const MIN_CACHE_MIB = 64;
const MAX_CACHE_MIB = 1024;
/** A process's share never falls below this. */
const MIN_SHARE_MIB = 16;

/** The memory this process may use: the machine's, or a container's limit when lower. */
function machineMemory(): number {
  // 0 or a huge number, depending on Node's version, when nothing limits it.
  const limit = process.constrainedMemory?.() ?? 0;
  return limit > 0 ? Math.min(totalmem(), limit) : totalmem();
}

/** MiB of database pages each of `gleaner serve`'s processes keeps, on a machine with `totalBytes` of memory. */
export function cacheShareMiB(config: { cacheMiB: number; workers: number }, totalBytes: number): number {
  const budget =
    config.cacheMiB ||
    Math.min(MAX_CACHE_MIB, Math.max(MIN_CACHE_MIB, Math.floor(totalBytes / MEMORY_SHARE / (1 << 20))));
  // The primary reads little with workers (it refreshes and writes): a share like theirs bounds it.
  const processes = config.workers > 1 ? config.workers + 1 : 1;
  return Math.max(MIN_SHARE_MIB, Math.floor(budget / processes));
}

/**
 * A process's share of the memory budget (MiB), as database pages and as entries kept for the
 * client APIs' lists, their bodies quoted (see store/entrycache.ts): an eighth of it, ~20,000
 * entries of a 1-GiB share. The pages of entries kept that way are seldom read, and SQLite lets
 * them go.
 */
export function cacheSplit(shareMiB: number): { cacheMiB: number; entryCacheMiB: number } {
  const entryCacheMiB = Math.floor(shareMiB / KEPT_ENTRIES_SHARE);
  return { cacheMiB: shareMiB - entryCacheMiB, entryCacheMiB };
}

const KEPT_ENTRIES_SHARE = 8;

// Refreshed feeds written in one transaction, in entries: a page waits at most for one such write
// (~15-20 ms at 64), where 256 would save a little more CPU and hold pages for ~60 ms.
const SERVER_GROUP_COMMIT_ENTRIES = 64;

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...COMMON_FLAGS,
      host: { type: 'string' },
      port: { type: 'string' },
      'base-url': { type: 'string' },
      workers: { type: 'string' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  scavengeAlone();
  // Checkpoints on a thread of the primary process (of the only one without workers): never
  // inside a request.
  const ctx = await openContext(values, (config) => ({
    ...cacheSplit(cacheShareMiB(config, machineMemory())),
    checkpoints: cluster.isWorker ? 'elsewhere' : 'background',
    groupCommitEntries: SERVER_GROUP_COMMIT_ENTRIES,
  }));
  if (cluster.isWorker) return serveAsWorker(ctx);

  const refresher = startRefresher(ctx);
  let app: FastifyInstance | null = null;
  let stopWorkers = (): Promise<void> => Promise.resolve();
  let address: string;
  try {
    if (ctx.config.workers > 1) {
      const limiter = new LoginLimiter();
      const started = await startWorkers(
        ctx.config.workers,
        {
          hello: { proxyKey: proxyKey().toString('base64') },
          limiter,
          refreshNow: refresher.refreshNow,
          store: ctx.store,
        },
        ctx.log,
      );
      address = started.address;
      stopWorkers = () => started.pool.stop();
    } else {
      app = await createWebServer(webDeps(ctx, refresher));
      address = await app.listen({ host: ctx.config.host, port: ctx.config.port });
    }
  } catch (err) {
    await refresher.stop();
    await ctx.close();
    throw listenError(err, ctx.config);
  }
  // One line scripts can read: where the reader is (once every worker listens).
  console.log(`gleaner: reader listening on ${ctx.config.baseUrl ?? address}`);
  ctx.log.info('listening', { address, workers: ctx.config.workers, refresh: ctx.config.refreshInServer });

  await untilStopped();
  ctx.log.info('shutting down');
  await stopWorkers();
  await app?.close();
  await refresher.stop();
  await ctx.close();
  return 0;
}

/** A port that is taken, or not Gleaner's to take, as what to do about it; other errors as they are. */
function listenError(err: unknown, { host, port }: { host: string; port: number }): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'EADDRINUSE')
    return new GleanerError(
      'CONFIG_INVALID',
      `cannot listen on ${host}:${port}: another program (a Gleaner already running?) has that port; stop it, or set GLEANER_PORT (or --port)`,
      { cause: err },
    );
  if (code === 'EACCES' || code === 'EADDRNOTAVAIL')
    return new GleanerError(
      'CONFIG_INVALID',
      `cannot listen on ${host}:${port} (${String(code)}): choose a port above 1023, or an address of this machine (GLEANER_PORT, GLEANER_HOST)`,
      { cause: err },
    );
  return err;
}

function untilStopped(extra?: (stop: () => void) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    extra?.(stop);
  });
}

function webDeps(
  ctx: Context,
  { refreshNow, extractArticle }: Pick<WebDeps, 'refreshNow' | 'extractArticle'>,
): WebDeps {
  return {
    store: ctx.store,
    log: ctx.log,
    fetcher: ctx.fetcher,
    clock: Date.now,
    policy: schedulePolicy(ctx.config),
    refreshNow,
    extractArticle,
    options: {
      baseUrl: ctx.config.baseUrl,
      proxyImages: ctx.config.proxyImages,
      wikiDir: ctx.config.wikiDir,
      retention: retentionPolicy(ctx.config),
    },
  };
}

/**
 * The refresh loop (when configured) and "refresh now", in this process only, in the same fetch
 * slots: the concurrency and per-host limits hold across both, "refresh now" takes the next free
 * slot, and a feed asked for while it is being refreshed is not fetched a second time (the caller
 * waits for the refresh under way).
 */
function startRefresher(ctx: Context): {
  refreshNow: (feedIds: number[], fetched?: FetchedFeeds) => Promise<void>;
  /** Full articles asked for in the reader, on the refresh's worker threads. */
  extractArticle: ExtractArticle;
  stop(): Promise<void>;
} {
  const pool = createDigestPool();
  const { baseUrl, webSub } = ctx.config;
  const deps = {
    ...refreshDeps(ctx),
    digest: pool.digest,
    extractArticle: pool.extractArticle,
    // Hubs call back the reader's public address: without one, feeds are checked alone.
    ...(webSub && baseUrl ? { webSub: { callbackBase: baseUrl } } : {}),
  };
  const limits = { concurrency: ctx.config.concurrency, perHost: ctx.config.perHost };
  const slots = new RefreshSlots(limits.concurrency, limits.perHost);
  const controller = new AbortController();
  const loop = ctx.config.refreshInServer
    ? runRefreshLoop(deps, {
        ...limits,
        slots,
        signal: controller.signal,
        onPass: (s) => ctx.log.info('refresh pass', { ...s }),
        onPassError: passFailed(ctx),
        onIdle: maintenance(ctx),
        onIdleError: maintenanceFailed(ctx),
      }).catch((err: unknown) => ctx.log.error('refresh loop stopped', { error: String(err) }))
    : // Feeds refreshed elsewhere: old entries are still removed, and the search index merged, here.
      runIdleWork(maintenance(ctx), {
        signal: controller.signal,
        onError: maintenanceFailed(ctx),
      });

  return {
    async refreshNow(feedIds, fetched) {
      const feeds: Feed[] = [];
      for (const id of new Set(feedIds)) {
        const feed = await ctx.store.getFeed(id);
        if (feed) feeds.push(feed);
      }
      await refreshFeeds(feeds, deps, { ...limits, slots, urgent: true, fetched });
    },
    extractArticle: pool.extractArticle,
    async stop() {
      controller.abort();
      await loop;
      await pool.close();
    },
  };
}

/** A worker: the reader and the APIs, asking the primary for everything that must be shared. */
async function serveAsWorker(ctx: Context): Promise<number> {
  const primary = connectToPrimary();
  // Full articles asked for in the reader are extracted off the thread serving it (a worker
  // thread starts at the first).
  const pool = createDigestPool();
  let app: FastifyInstance | null = null;
  try {
    const hello = await primary.hello();
    useProxyKey(Buffer.from(hello.proxyKey, 'base64'));
    app = await createWebServer({
      ...webDeps(ctx, { refreshNow: primary.refreshNow, extractArticle: pool.extractArticle }),
      // SQLite has one writer at a time: the primary (see writingThrough).
      store: ctx.store.dialect === 'sqlite' ? primary.writingThrough(ctx.store) : ctx.store,
      loginLimiter: primary.limiter,
      siblings: primary.siblings,
    });
    if (SHOW_PID_HEADER) {
      app.addHook('onRequest', async (_req, reply) => {
        reply.header('x-gleaner-pid', String(process.pid));
      });
    }
    primary.listening(await app.listen({ host: ctx.config.host, port: ctx.config.port }));
  } catch (err) {
    // A worker leaving its primary exits with 0 (node:cluster): exit here, with the failure.
    ctx.log.error('the worker could not start', { error: String(err) });
    await app?.close();
    await pool.close();
    await ctx.close();
    process.exit(1);
  }
  // The primary stops workers with SIGTERM; a worker whose primary died stops too.
  await untilStopped((stop) => primary.onLost(stop));
  await app.close();
  await pool.close();
  await ctx.close();
  if (process.connected) process.disconnect();
  return 0;
}
