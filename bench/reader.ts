// How fast are the reader's pages with a big library? A generated database (1 user, 1,000 feeds in
// 20 folders, 1,000,000 entries of 1–6 KB HTML, some in Chinese, ~70% read, 2% starred; cached under
// bench/.data/) behind the real server, `gleaner serve` as a child process, signed in like a browser
// and loaded by autocannon at concurrency 1, 10 and 50: the unread list, a feed's list, page 1 and
// page 1,000 of all entries, an article, the unread counts and a search (when the route exists).
// The peer in the same run is the server's own floor, GET /healthz: a static answer through the
// same framework and hooks (session lookup included), so each page's p50 ÷ floor is what the page
// itself costs. Targets (the design): p99 < 20 ms for lists, article and counts, < 50 ms for search,
// at concurrency 10.
//   npm run bench -- reader [--quick] [--entries N] [--concurrency 1,10,50] [--seconds 2] [--runs 3]
//   [--warmup 2] [--only unread,article,…] [--profile] (a CPU profile of the server, summarised)
//   [--workers N] (gleaner serve --workers N; default 1, as serve's)
//   [--cold] (do not read the database into the page cache first; see bench/reader/setup.ts)
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describeMachine, fmt } from './lib.js';
import { DATA_DIR, type Dataset } from './reader/data.js';
import { load, medianOf, rotate, type LoadResult } from './reader/load.js';
import { newestProfile, summariseProfile } from './reader/profile.js';
import { openDataset, parseLoadOptions, printLevel } from './reader/setup.js';
import { describeServerMemory, get, login, startServer } from './reader/server.js';
import { SEARCH_TERMS } from './reader/text.js';

const PER_PAGE = 50;
const DEEP_PAGE = 1000;

interface Endpoint {
  key: string;
  label: string;
  path: string | (() => string);
  /** p99 target in ms at concurrency 10. */
  target?: number;
  json?: boolean;
}

const count = (n: number): string => n.toLocaleString('en-US');

interface Deep {
  cursor: string;
  page: number;
}

interface Inputs {
  feeds: number[];
  articles: number[];
  /** A cursor deep in all entries and in the unread ones (page 1,000 when the list is that long). */
  deepAll: Deep | null;
  deepUnread: Deep | null;
}

/** What the endpoints need from the data: feeds, articles and cursors deep in the lists. */
function sampleInputs(data: Dataset): Inputs {
  const db = new Database(data.path, { readonly: true });
  try {
    const ids = (sql: string): number[] =>
      (db.prepare(sql).all(data.userId) as { id: number }[]).map((r) => r.id);
    const feeds = ids(
      'SELECT feed_id AS id FROM subscriptions WHERE user_id = ? ORDER BY random() LIMIT 100',
    );
    const articles = ids(
      'SELECT entry_id AS id FROM user_entries WHERE user_id = ? ORDER BY random() LIMIT 20000',
    );
    // Page k begins after the ((k-1)·50)th entry of the list, newest first.
    const deep = (where: string): Deep | null => {
      const total = (
        db.prepare(`SELECT COUNT(*) AS n FROM user_entries WHERE user_id = ? ${where}`).get(data.userId) as {
          n: number;
        }
      ).n;
      const page = Math.min(DEEP_PAGE, Math.floor((total - 1) / PER_PAGE));
      if (page < 2) return null;
      const row = db
        .prepare(
          `SELECT published_at, entry_id FROM user_entries WHERE user_id = ? ${where}
           ORDER BY published_at DESC, entry_id DESC LIMIT 1 OFFSET ?`,
        )
        .get(data.userId, (page - 1) * PER_PAGE - 1) as { published_at: number; entry_id: number };
      return { cursor: `${row.published_at}.${row.entry_id}`, page };
    };
    return { feeds, articles, deepAll: deep(''), deepUnread: deep('AND read = 0') };
  } finally {
    db.close();
  }
}

/** Waits until the server answers its floor promptly again: requests a run left queued are done. */
async function drain(origin: string, cookie: string): Promise<void> {
  const until = performance.now() + 120_000;
  while (performance.now() < until) {
    const t = performance.now();
    await get(origin, '/healthz', cookie);
    if (performance.now() - t < 20) return;
  }
}

/** One request after another: the time a request takes alone (median of `n`, after one untimed). */
async function probe(origin: string, path: () => string, cookie: string, n = 3): Promise<number> {
  await get(origin, path(), cookie);
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await get(origin, path(), cookie);
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(n / 2)] as number;
}

interface Measured {
  endpoint: Endpoint;
  /** Null when the endpoint was too slow to load at this concurrency. */
  result: LoadResult | null;
  /** Milliseconds one request takes alone. */
  alone: number;
}

export async function main(args: string[]): Promise<void> {
  const { quick, entries, seconds, warmup, runs, levels, workers, only, profile, cold } = parseLoadOptions(
    args,
    '1,10,50',
  );

  const started = performance.now();
  console.log(`Reader pages under load — ${describeMachine()}`);
  const { data, prepared } = await openDataset(entries, cold);
  console.log(`  full-text index: ${prepared.search}`);

  const inputs = sampleInputs(data);
  const profileDir = profile ? join(DATA_DIR, 'profiles') : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const server = await startServer({ db: data.path, workers, ...(profileDir ? { profileDir } : {}) });
  console.log(`Server: gleaner serve --workers ${workers}`);
  // With workers, the profile worth reading is a worker's (they all do the same work).
  const serverPid = server.workerPids()[0] ?? server.pid;
  try {
    const startRss = server.memory().rss;
    const cookie = await login(server.origin, data.username, data.password);
    const deepLabel = (d: Deep): string => `page ${count(d.page)}`;
    const endpoints: Endpoint[] = [
      { key: 'unread', label: 'unread list, page 1', path: '/unread', target: 20 },
      ...(inputs.deepUnread
        ? [
            {
              key: 'unread-deep',
              label: `unread list, ${deepLabel(inputs.deepUnread)}`,
              path: `/unread?after=${inputs.deepUnread.cursor}`,
              target: 20,
            },
          ]
        : []),
      {
        key: 'feed',
        label: "a feed's list /feed/ID",
        path: rotate(inputs.feeds.map((id) => `/feed/${id}`)),
        target: 20,
      },
      { key: 'all', label: 'all entries, page 1', path: '/all?status=all', target: 20 },
      ...(inputs.deepAll
        ? [
            {
              key: 'all-deep',
              label: `all entries, ${deepLabel(inputs.deepAll)}`,
              path: `/all?status=all&after=${inputs.deepAll.cursor}`,
              target: 20,
            },
          ]
        : []),
      {
        key: 'article',
        label: 'an article /entry/ID',
        path: rotate(inputs.articles.map((id) => `/entry/${id}`)),
        target: 20,
      },
      { key: 'counts', label: 'unread counts /api/counts', path: '/api/counts', target: 20, json: true },
      {
        key: 'search',
        label: 'search /search?q= (best match)',
        path: rotate(SEARCH_TERMS.map((q) => `/search?q=${encodeURIComponent(q)}`)),
        target: 50,
      },
      {
        key: 'search-newest',
        label: 'search, newest first',
        path: rotate(SEARCH_TERMS.map((q) => `/search?q=${encodeURIComponent(q)}&sort=newest`)),
        target: 50,
      },
      { key: 'healthz', label: 'floor: /healthz', path: '/healthz', json: true },
    ];
    const pathOf = (e: Endpoint): (() => string) =>
      typeof e.path === 'string' ? () => e.path as string : e.path;
    const notes: string[] = [];
    // Each page once, signed in: a 200 with what the page should hold (not the login page); then
    // the time it takes alone, which decides whether loading it at a concurrency can say anything.
    const active: { endpoint: Endpoint; alone: number }[] = [];
    for (const e of endpoints) {
      // A profile shows only what was asked for: the floor, loaded at 30,000 requests/s, would swamp it.
      const always = e.key === 'healthz' && !profile;
      if (only && !always && !only.includes(e.key)) continue;
      const path = pathOf(e)();
      const res = await get(server.origin, path, cookie);
      if (e.key.startsWith('search') && res.status !== 200) {
        const why =
          res.status === 404 ? 'the server has no /search route yet' : 'the route does not work yet';
        notes.push(`search: not measured, ${why} (GET ${path}: ${res.status})`);
        continue;
      }
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.body.slice(0, 200)}`);
      if (!e.json && !e.key.startsWith('search') && !res.body.includes('data-entry-id'))
        throw new Error(`GET ${path}: no entries on the page`);
      const alone = await probe(server.origin, pathOf(e), cookie);
      console.error(`  [probe] ${e.label}: ${fmt(alone)} ms alone`);
      if (e.key === 'search') {
        const each: string[] = [];
        for (const q of SEARCH_TERMS) {
          const ms = await probe(server.origin, () => `/search?q=${encodeURIComponent(q)}`, cookie, 3);
          each.push(`${q} ${fmt(ms)} ms`);
        }
        notes.push(`search, each term alone (median of 3): ${each.join(', ')}`);
      }
      active.push({ endpoint: e, alone });
    }
    // A run lasts long enough for each connection to see about four answers even when they queue
    // (up to 3× the usual length); an endpoint too slow for that at a concurrency is not loaded
    // there, since the run would measure nothing but waiting and leave work queued for the next.
    const runSeconds = (alone: number, connections: number): number | null => {
      const needed = (4 * alone * connections) / 1000;
      return needed > 3 * seconds ? null : Math.max(seconds, Math.ceil(needed));
    };

    const results = new Map<number, Measured[]>();
    for (const connections of levels) {
      const headers = (e: Endpoint): Record<string, string> => ({
        cookie,
        accept: e.json ? 'application/json' : 'text/html,application/xhtml+xml',
      });
      const run = async (e: Endpoint, s: number): Promise<LoadResult> => {
        const result = await load({
          origin: server.origin,
          connections,
          seconds: s,
          path: e.path,
          headers: headers(e),
        });
        await drain(server.origin, cookie);
        return result;
      };
      const loaded = active.flatMap((a) => {
        const length = runSeconds(a.alone, connections);
        return length === null ? [] : [{ ...a, length }];
      });
      console.error(`  [load] concurrency ${connections}: warm-up`);
      for (const { endpoint } of loaded) await run(endpoint, warmup);
      const samples = new Map<string, LoadResult[]>(loaded.map((a) => [a.endpoint.key, []]));
      // Rounds: every endpoint once per round, so a slow spell of the machine falls on all alike.
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
        `slow page, so each connection sees ~4 answers) after a ${warmup} s warm-up; autocannon in this process, ` +
        `the server in its own; ${PER_PAGE} entries a page`,
    );
    for (const [connections, measured] of results) {
      printLevel(connections, measured);
      for (const [first, deep] of [
        ['unread', 'unread-deep'],
        ['all', 'all-deep'],
      ] as const) {
        const a = measured.find((m) => m.endpoint.key === first);
        const b = measured.find((m) => m.endpoint.key === deep);
        if (!a || !b) continue;
        const ratio =
          a.result && b.result
            ? `p50 ${fmt(b.result.p50 / a.result.p50)}×, p99 ${fmt(b.result.p99 / a.result.p99)}×`
            : `alone ${fmt(b.alone / a.alone)}×`;
        console.log(
          `  ${b.endpoint.label.replace(/, page/, ' page')} ÷ page 1: ${ratio} (a cursor should cost the same at any depth)`,
        );
      }
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
    for (const note of notes) console.log(`  ${note}`);
    console.log(`
${describeServerMemory(server, startRss, workers)}`);
    if (missed.length && !profile)
      console.log(
        `  to see where the time goes: npm run bench -- reader${quick ? ' --quick' : ''} --profile --concurrency 10 --only ${missed.join(',')}`,
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
