// What the reader and client-API benchmarks share before they load the server: their options and
// the million-entry database (generated once, cached under bench/.data/, checked each run).
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { fmt, printTable } from '../lib.js';
import { ensureDataset, loadSearchModule, prepareDataset, type Dataset } from './data.js';
import type { LoadResult } from './load.js';

export interface LoadOptions {
  quick: boolean;
  entries: number;
  seconds: number;
  warmup: number;
  runs: number;
  /** Concurrency levels, in order. */
  levels: number[];
  workers: number;
  /** Endpoint keys to load (all when absent). */
  only: string[] | undefined;
  profile: boolean;
  /** Leave the database's pages wherever the kernel has them (see warmPageCache). */
  cold: boolean;
}

/** `[--quick] [--entries N] [--concurrency …] [--seconds N] [--runs N] [--warmup N] [--only …] [--profile] [--workers N] [--cold]`. */
export function parseLoadOptions(args: string[], defaultConcurrency: string): LoadOptions {
  const { values } = parseArgs({
    args,
    options: {
      quick: { type: 'boolean', default: false },
      entries: { type: 'string' },
      concurrency: { type: 'string', default: defaultConcurrency },
      seconds: { type: 'string' },
      runs: { type: 'string', default: '3' },
      warmup: { type: 'string' },
      only: { type: 'string' },
      profile: { type: 'boolean', default: false },
      workers: { type: 'string', default: '1' },
      cold: { type: 'boolean', default: false },
    },
  });
  const quick = values.quick;
  const options: LoadOptions = {
    quick,
    entries: Number(values.entries ?? (quick ? 100_000 : 1_000_000)),
    seconds: Number(values.seconds ?? (quick ? 1 : 2)),
    warmup: Number(values.warmup ?? (quick ? 1 : 2)),
    runs: Number(values.runs),
    levels: values.concurrency.split(',').map(Number),
    workers: Number(values.workers),
    only: values.only?.split(','),
    profile: values.profile,
    cold: values.cold,
  };
  if (!Number.isInteger(options.workers) || options.workers < 1)
    throw new Error('--workers is a whole number of at least 1');
  if (
    !Number.isInteger(options.entries) ||
    options.entries < 1000 ||
    options.levels.some((c) => !Number.isInteger(c) || c < 1)
  )
    throw new Error('--entries is at least 1000; --concurrency is a list of whole numbers');
  return options;
}

/**
 * The benchmark database of `entries` entries (1 user, 1,000 feeds in 20 folders, some Chinese),
 * prepared and checked, with a line on it and its checks printed. Throws when a check fails.
 */
export async function openDataset(
  entries: number,
  cold = false,
): Promise<{ data: Dataset; prepared: Awaited<ReturnType<typeof prepareDataset>> }> {
  await loadSearchModule();
  const data = await ensureDataset({ entries, feeds: 1000, folders: 20, chineseShare: 0.15, seed: 20261123 });
  const prepared = await prepareDataset(data);
  console.log(
    `\nData: ${entries.toLocaleString('en-US')} entries in 1,000 feeds, 20 folders, 1 user; ${fmt(data.bytes / 1e6)} MB on disk` +
      (data.generatedSeconds !== null ? `; generated in ${fmt(data.generatedSeconds)} s` : '; cached') +
      (prepared.restored
        ? `; read state of ${prepared.restored.toLocaleString('en-US')} entries restored from the last run`
        : ''),
  );
  for (const line of prepared.checks) console.log(`  ${line}`);
  if (!prepared.ok) throw new Error('the generated data failed its checks');
  console.log(`  ${cold ? describePageCache(data.path) : warmPageCache(data.path)}`);
  return { data, prepared };
}

// A page that reads rows scattered over a 19-GB file (an article's body, its neighbours, related
// posts) costs ~1 ms when the kernel has the file's pages in memory and several when it must read
// them from disk: the same code measured 19 ms and 55 ms at p99, the second run after a refresh
// benchmark had written 5 GB and pushed most of the database out of the page cache. A server that
// has run a while has its database in memory when it fits, so the database is read through once
// before loading: every run starts from that state, whatever ran before. --cold skips it.

/** Bytes of the file in the page cache, by util-linux's fincore; null when it cannot say. */
function residentBytes(path: string): number | null {
  const out = spawnSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', path], {
    encoding: 'utf8',
  });
  const bytes = out.status === 0 ? Number(out.stdout.trim()) : NaN;
  return Number.isFinite(bytes) ? bytes : null;
}

const gb = (bytes: number): string => `${fmt(bytes / 1e9)} GB`;

function describePageCache(path: string): string {
  const resident = residentBytes(path);
  return resident === null
    ? 'page cache: left as it was (--cold)'
    : `page cache: ${gb(resident)} of the database in memory, left as it was (--cold)`;
}

/** Reads the database through once when it fits in the memory available, and says what it found. */
function warmPageCache(path: string): string {
  const before = residentBytes(path);
  const meminfo = readFileSync('/proc/meminfo', 'utf8');
  const available = Number(/MemAvailable:\s+(\d+) kB/.exec(meminfo)?.[1] ?? 0) * 1024;
  const size = statSync(path).size;
  const had = before === null ? '' : `${gb(before)} of it in memory; `;
  // Reading more than memory holds would only push out what came first.
  if (size > available * 0.9)
    return `page cache: the database (${gb(size)}) does not fit in the ${gb(available)} available; ${had}measured as it is`;
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(4 * 1024 * 1024);
    const started = performance.now();
    for (let at = 0; at < size;) {
      const n = readSync(fd, buffer, 0, buffer.length, at);
      if (n === 0) break;
      at += n;
    }
    const seconds = (performance.now() - started) / 1000;
    return `page cache: ${had}the database (${gb(size)}) read through in ${fmt(seconds)} s before loading (--cold: not)`;
  } finally {
    closeSync(fd);
  }
}

/**
 * Waits until what the last run wrote to the WAL is copied back into the database, so that the
 * next run loads a database at rest. Left to the server's checkpointer, the WAL a write load leaves
 * (edit-tag's: 100-200 MB) was copied back during the next run, and counted in another call's
 * latency. A PASSIVE checkpoint waits for no one: while the server's checkpointer thread is at it,
 * it answers busy (3 times in 4 after 10 s of edit-tag), so it is asked again until the whole WAL
 * is in the database (or 60 s have passed).
 */
export async function checkpointWal(path: string): Promise<void> {
  const db = new Database(path, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const until = performance.now() + 60_000;
    for (;;) {
      const [r] = db.pragma('wal_checkpoint(PASSIVE)') as {
        busy: number;
        log: number;
        checkpointed: number;
      }[];
      if ((r && r.busy === 0 && r.checkpointed === r.log) || performance.now() > until) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    db.close();
  }
}

/** One endpoint's figures at one concurrency: null when one request alone was too slow to load. */
export interface Measured {
  endpoint: { key: string; label: string; target?: number };
  result: LoadResult | null;
  /** Milliseconds one request takes alone. */
  alone: number;
}

/** The table of one concurrency level: latencies, throughput, size, cost over the floor, verdict. */
export function printLevel(connections: number, measured: Measured[]): void {
  const floor = measured.find((m) => m.endpoint.key === 'healthz')?.result;
  const header = ['', 'p50 ms', 'p99 ms', 'req/s', 'KB/answer', 'p50 ÷ floor', 'p99 target'];
  const rows = [header];
  for (const { endpoint: e, result: r, alone } of measured) {
    const verdict = (p99: number, target: number): string =>
      connections === 10 ? `< ${target} ms ${p99 < target ? 'PASS' : 'MISS'}` : `(< ${target} ms at c=10)`;
    if (!r) {
      rows.push([
        e.label,
        '—',
        '—',
        '—',
        '',
        '',
        `not loaded: one request alone takes ${fmt(alone)} ms${e.target !== undefined && connections === 10 ? ' — MISS' : ''}`,
      ]);
      continue;
    }
    rows.push([
      e.label,
      fmt(r.p50),
      fmt(r.p99),
      fmt(r.requestsPerSecond),
      fmt(r.bytesPerResponse / 1000),
      e.key === 'healthz' ? '1×' : floor ? `${fmt(r.p50 / floor.p50)}×` : '— (no floor)',
      e.target === undefined ? '' : verdict(r.p99, e.target),
    ]);
  }
  console.log(`\nConcurrency ${connections}:`);
  printTable(rows, [0, header.length - 1]);
}
