// How fast are the client APIs with a big library? The reader benchmark's generated database (1 user,
// 1,000 feeds in 20 folders, 1,000,000 entries; cached under bench/.data/, shared with bench/reader.ts)
// behind the real server, `gleaner serve` as a child process, signed in as the apps sign in (Google
// Reader's ClientLogin and write token, a Miniflux API key) and loaded by autocannon at concurrency 1
// and 10: Google Reader's stream/contents (50 items of the reading list and of a feed), unread-count
// and edit-tag (read and unread in turn, over 20,000 items), and Miniflux's entry list (100 unread,
// and a feed's). The peer in the same run is the server's floor, GET /healthz, so each call's
// p50 ÷ floor is what the call itself costs. Target (the design): p99 < 20 ms at concurrency 10.
//   npm run bench -- api [--quick] [--entries N] [--concurrency 1,10] [--seconds 2] [--runs 3]
//   [--warmup 2] [--only gr-reading,mf-unread,…] [--profile] (a CPU profile of the server, summarised)
//   [--workers N] (gleaner serve --workers N; default 1, as serve's)
//   [--cold] (do not read the database into the page cache first; see bench/reader/setup.ts)
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { createApiKey, GREADER, greaderLogin } from './api/auth.js';
import { send, type ApiRequest } from './api/load.js';
import { describeMachine, fmt } from './lib.js';
import { DATA_DIR, type Dataset } from './reader/data.js';
import { load, medianOf, rotate, type LoadResult } from './reader/load.js';
import { newestProfile, summariseProfile } from './reader/profile.js';
import { checkpointWal, openDataset, parseLoadOptions, printLevel } from './reader/setup.js';
import { describeServerMemory, startServer } from './reader/server.js';

const TARGET = 20;
const STREAM_ITEMS = 50;
const MINIFLUX_LIMIT = 100;
const READ = 'user/-/state/com.google/read';

interface Endpoint {
  key: string;
  label: string;
  next: () => ApiRequest;
  /** Auth headers sent with every request. */
  headers: Record<string, string>;
  /** What a good answer holds, checked once before loading. */
  check: (body: string) => boolean;
  /** p99 target in ms at concurrency 10. */
  target?: number;
}

/** Feeds and items to rotate over. */
function sampleInputs(data: Dataset): { feeds: number[]; items: number[] } {
  const db = new Database(data.path, { readonly: true });
  try {
    const ids = (sql: string): number[] =>
      (db.prepare(sql).all(data.userId) as { id: number }[]).map((r) => r.id);
    return {
      feeds: ids('SELECT feed_id AS id FROM subscriptions WHERE user_id = ? ORDER BY random() LIMIT 100'),
      // An odd number, so each pass over the items gives each the other change than the last.
      items: ids('SELECT entry_id AS id FROM user_entries WHERE user_id = ? ORDER BY random() LIMIT 19999'),
    };
  } finally {
    db.close();
  }
}

const get = (path: string): ApiRequest => ({ method: 'GET', path });

/**
 * Waits until the server answers its floor promptly again (requests a run left queued are done),
 * then copies what the run wrote back from the WAL (see checkpointWal).
 */
async function drain(origin: string, db: string): Promise<void> {
  const until = performance.now() + 120_000;
  while (performance.now() < until) {
    const t = performance.now();
    await send(origin, get('/healthz'), {});
    if (performance.now() - t < 20) break;
  }
  const t = performance.now();
  await checkpointWal(db);
  const took = performance.now() - t;
  if (took > 10) console.error(`  [drain] the run's writes copied back from the WAL in ${fmt(took)} ms`);
}

/** One request after another: the time a request takes alone (median of `n`, after one untimed). */
async function probe(origin: string, e: Endpoint, n = 3): Promise<number> {
  await send(origin, e.next(), e.headers);
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await send(origin, e.next(), e.headers);
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(n / 2)] as number;
}

const isJson = (body: string): unknown => {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return null;
  }
};
const hasList = (field: string) => (body: string) => {
  const v = isJson(body) as Record<string, unknown> | null;
  return Array.isArray(v?.[field]) && (v[field] as unknown[]).length > 0;
};

export async function main(args: string[]): Promise<void> {
  const { quick, entries, seconds, warmup, runs, levels, workers, only, profile, cold } = parseLoadOptions(
    args,
    '1,10',
  );

  const started = performance.now();
  console.log(`Client APIs under load — ${describeMachine()}`);
  const { data } = await openDataset(entries, cold);

  const inputs = sampleInputs(data);
  const apiKey = await createApiKey(data.path, data.username);
  const profileDir = profile ? join(DATA_DIR, 'profiles') : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const server = await startServer({ db: data.path, workers, ...(profileDir ? { profileDir } : {}) });
  console.log(`Server: gleaner serve --workers ${workers}`);
  // With workers, the profile worth reading is a worker's (they all do the same work).
  const serverPid = server.workerPids()[0] ?? server.pid;
  try {
    const startRss = server.memory().rss;
    const greader = await greaderLogin(server.origin, data.username, data.password);
    const gr = { authorization: greader.authorization };
    const mf = { 'x-auth-token': apiKey };
    const contents = `${GREADER}/reader/api/0/stream/contents`;
    const feedPaths = (f: (id: number) => string): (() => ApiRequest) => {
      const next = rotate(inputs.feeds.map(f));
      return () => get(next());
    };
    let edits = 0;
    const editTag = (): ApiRequest => {
      const k = edits++;
      const id = inputs.items[k % inputs.items.length] as number;
      const change = k % 2 === 0 ? 'a' : 'r';
      return {
        method: 'POST',
        path: `${GREADER}/reader/api/0/edit-tag`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ i: String(id), [change]: READ, T: greader.token }).toString(),
      };
    };
    const endpoints: Endpoint[] = [
      {
        key: 'gr-reading',
        label: `GReader stream/contents reading-list, n=${STREAM_ITEMS}`,
        next: () => get(`${contents}/user/-/state/com.google/reading-list?n=${STREAM_ITEMS}`),
        headers: gr,
        check: hasList('items'),
        target: TARGET,
      },
      {
        key: 'gr-feed',
        label: `GReader stream/contents feed/ID, n=${STREAM_ITEMS}`,
        next: feedPaths((id) => `${contents}/feed/${id}?n=${STREAM_ITEMS}`),
        headers: gr,
        check: hasList('items'),
        target: TARGET,
      },
      {
        key: 'gr-unread-count',
        label: 'GReader unread-count',
        next: () => get(`${GREADER}/reader/api/0/unread-count?output=json`),
        headers: gr,
        check: hasList('unreadcounts'),
        target: TARGET,
      },
      {
        key: 'gr-edit-tag',
        label: 'GReader edit-tag read/unread (POST)',
        next: editTag,
        headers: gr,
        check: (body) => body === 'OK',
        target: TARGET,
      },
      // Newest first, as clients ask for them (newsboat sends direction=desc; Miniflux's default,
      // which Gleaner follows, is oldest first).
      {
        key: 'mf-unread',
        label: `Miniflux /v1/entries?status=unread&direction=desc&limit=${MINIFLUX_LIMIT}`,
        next: () => get(`/v1/entries?status=unread&direction=desc&limit=${MINIFLUX_LIMIT}`),
        headers: mf,
        check: hasList('entries'),
        target: TARGET,
      },
      {
        key: 'mf-feed',
        label: `Miniflux /v1/feeds/ID/entries?direction=desc&limit=${MINIFLUX_LIMIT}`,
        next: feedPaths((id) => `/v1/feeds/${id}/entries?direction=desc&limit=${MINIFLUX_LIMIT}`),
        headers: mf,
        check: hasList('entries'),
        target: TARGET,
      },
      {
        key: 'healthz',
        label: 'floor: /healthz',
        next: () => get('/healthz'),
        headers: {},
        check: () => true,
      },
    ];

    // Each call once: a 200 with what it should hold; then the time it takes alone, which decides
    // whether loading it at a concurrency can say anything.
    const active: { endpoint: Endpoint; alone: number }[] = [];
    for (const e of endpoints) {
      // A profile shows only what was asked for: the floor, loaded at thousands of requests/s, would swamp it.
      const always = e.key === 'healthz' && !profile;
      if (only && !always && !only.includes(e.key)) continue;
      const req = e.next();
      const res = await send(server.origin, req, e.headers);
      if (res.status !== 200 || !e.check(res.body))
        throw new Error(`${req.method} ${req.path}: ${res.status} ${res.body.slice(0, 200)}`);
      const alone = await probe(server.origin, e);
      console.error(`  [probe] ${e.label}: ${fmt(alone)} ms alone`);
      active.push({ endpoint: e, alone });
    }
    // As in bench/reader.ts: long enough for each connection to see about four answers (up to 3× the
    // usual length); a call too slow for that at a concurrency is not loaded there.
    const runSeconds = (alone: number, connections: number): number | null => {
      const needed = (4 * alone * connections) / 1000;
      return needed > 3 * seconds ? null : Math.max(seconds, Math.ceil(needed));
    };

    const results = new Map<number, { endpoint: Endpoint; alone: number; result: LoadResult | null }[]>();
    for (const connections of levels) {
      const run = async (e: Endpoint, s: number): Promise<LoadResult> => {
        const result = await load({
          origin: server.origin,
          connections,
          seconds: s,
          path: e.next,
          headers: e.headers,
        });
        await drain(server.origin, data.path);
        return result;
      };
      const loaded = active.flatMap((a) => {
        const length = runSeconds(a.alone, connections);
        return length === null ? [] : [{ ...a, length }];
      });
      console.error(`  [load] concurrency ${connections}: warm-up`);
      for (const { endpoint } of loaded) await run(endpoint, warmup);
      const samples = new Map<string, LoadResult[]>(loaded.map((a) => [a.endpoint.key, []]));
      // Rounds: every call once per round, so a slow spell of the machine falls on all alike.
      for (let round = 0; round < runs; round++) {
        console.error(`  [load] concurrency ${connections}: round ${round + 1}/${runs}`);
        for (const { endpoint, length } of loaded)
          samples.get(endpoint.key)?.push(await run(endpoint, length));
      }
      results.set(
        connections,
        active.map(({ endpoint, alone }) => {
          const runsOf = samples.get(endpoint.key);
          return { endpoint, alone, result: runsOf ? medianOf(runsOf) : null };
        }),
      );
    }

    console.log(
      `\nLatency and throughput, each figure the median of ${runs} runs of ${seconds} s (up to ${3 * seconds} s for a ` +
        `slow call, so each connection sees ~4 answers) after a ${warmup} s warm-up; autocannon in this process, ` +
        `the server in its own`,
    );
    for (const [connections, measured] of results) {
      printLevel(connections, measured);
      for (const { endpoint: e, result: r } of measured) {
        const bad = Object.entries(r?.non2xx ?? {});
        if (bad.length || r?.errors)
          console.log(
            `  WARNING ${e.label}: ${r?.errors ?? 0} errors, non-2xx ${bad.map(([st, n]) => `${st}×${n}`).join(' ')}`,
          );
      }
    }

    console.log('\nTargets at concurrency 10 (p99):');
    const at10 = results.get(10);
    if (!at10) console.log('  concurrency 10 was not measured (--concurrency)');
    const missed: string[] = [];
    for (const { endpoint: e, result: r, alone } of at10 ?? []) {
      if (e.target === undefined) continue;
      const ok = r !== null && r.p99 < e.target;
      if (!ok) missed.push(e.key);
      const figure = r ? `p99 ${fmt(r.p99)} ms` : `not loaded, one request alone takes ${fmt(alone)} ms`;
      console.log(`  ${e.label}: ${figure}, target < ${e.target} ms — ${ok ? 'PASS' : 'MISS'}`);
    }
    console.log(`
${describeServerMemory(server, startRss, workers)}`);
    if (missed.length && !profile)
      console.log(
        `  to see where the time goes: npm run bench -- api${quick ? ' --quick' : ''} --profile --concurrency 10 --only ${missed.join(',')}`,
      );
  } finally {
    await server.stop();
  }
  if (profileDir) {
    const file = newestProfile(profileDir, serverPid);
    if (file) summariseProfile(file);
    else console.log('  no CPU profile was written');
  }
  console.log(`\nTotal run time ${fmt((performance.now() - started) / 1000)} s`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main(process.argv.slice(2));
