// Starting the feed farm as a child process and talking to it: the parent benchmark and the
// Gleaner runner both use these.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, get } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { FarmStats } from './server.js';

export type { FarmStats };

/** The repository's root, where `node --import tsx` finds tsx. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs a TypeScript file of this folder in a fresh Node process (tsx as the loader). */
export function spawnTs(file: string, args: string[], stdin: 'pipe' | 'ignore' = 'ignore'): ChildProcess {
  const path = fileURLToPath(new URL(file, import.meta.url));
  return spawn(process.execPath, ['--import', 'tsx', path, ...args], {
    cwd: REPO_ROOT,
    stdio: [stdin, 'pipe', 'inherit'],
  });
}

/** The first line a child writes to stdout, parsed as JSON. */
export function firstJsonLine<T>(child: ChildProcess, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (!child.stdout) return reject(new Error(`${what}: no stdout`));
    const lines = createInterface({ input: child.stdout });
    const onExit = (code: number | null): void =>
      reject(new Error(`${what} exited (${code}) before answering`));
    child.once('exit', onExit);
    lines.once('line', (line) => {
      child.off('exit', onExit);
      lines.close();
      try {
        resolve(JSON.parse(line) as T);
      } catch {
        reject(new Error(`${what} printed ${JSON.stringify(line.slice(0, 200))}, not JSON`));
      }
    });
  });
}

/** GET over plain HTTP/1.1 (no keep-alive): the body as text; throws unless 200. */
export function httpGet(url: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode === 200) resolve(text);
        else reject(new Error(`GET ${url}: ${res.statusCode} ${text.slice(0, 200)}`));
      });
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** What a farm counts; the shared farm counts requests, answers and bytes only (the rest NaN). */
export async function farmStats(origin: string): Promise<FarmStats> {
  const uncounted: FarmStats = {
    feeds: NaN,
    requests: NaN,
    full: NaN,
    notModified: NaN,
    conditional: NaN,
    notFound: NaN,
    bytes: NaN,
    renderMs: NaN,
    cpuMs: NaN,
    itemsPublished: NaN,
    bumps: NaN,
  };
  return { ...uncounted, ...(JSON.parse(await httpGet(`${origin}/stats`)) as Partial<FarmStats>) };
}

/** Gives that fraction of the farm's feeds one new item; returns how many feeds changed. */
export async function bumpFarm(origin: string, fraction: number): Promise<number> {
  const answer = await httpGet(`${origin}/bump?fraction=${fraction}`);
  // The shared farm answers `bumped N` as text.
  const text = /^bumped (\d+)/.exec(answer);
  return text ? Number(text[1]) : (JSON.parse(answer) as { bumped: number }).bumped;
}

/** The farm's counters between two /stats answers. */
export function statsDelta(before: FarmStats, after: FarmStats): FarmStats {
  const delta = { ...after };
  for (const key of Object.keys(after) as (keyof FarmStats)[])
    if (key !== 'feeds' && key !== 'itemsPublished') delta[key] = after[key] - before[key];
  return delta;
}

export interface Farm {
  origin: string;
  stop(): Promise<void>;
}

/**
 * Which farm serves the feeds: ours (server.ts: RSS, Atom and JSON Feed of 20–50 Cloudflare-shaped
 * items of 2–8 KB), or the project's shared one (../shared/tools/feedfarm.mjs, RSS and Atom of 20
 * items of ~5 KB: the farm the design's FreshRSS figures were measured on).
 */
export type FarmKind = 'ours' | 'shared';

/** The shared farm, beside the repository. */
export const SHARED_FARM = join(REPO_ROOT, '..', 'shared', 'tools', 'feedfarm.mjs');
/** The shared farm's settings for the design's FreshRSS figures. */
const SHARED_FARM_ITEMS = 20;
const SHARED_FARM_BODY = 5000;

/** Starts a farm of `feeds` feeds in a child process; resolves once it listens. */
export async function startFarm(feeds: number, kind: FarmKind = 'ours', seed = 1): Promise<Farm> {
  if (kind === 'shared') return startSharedFarm(feeds);
  // stdin is a pipe the farm watches: if this process dies, the farm exits too.
  const child = spawnTs('server.ts', ['--feeds', String(feeds), '--seed', String(seed)], 'pipe');
  const { port } = await firstJsonLine<{ port: number }>(child, 'the feed farm');
  return runningFarm(port, child, () => child.stdin?.end());
}

/** The farm `child` serves on `port`; `end` asks it to exit. */
function runningFarm(port: number, child: ChildProcess, end: () => void): Farm {
  return {
    origin: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        end();
      }),
  };
}

/** The shared farm writes its port into its feeds' URLs, so it is given a free one. */
async function startSharedFarm(feeds: number): Promise<Farm> {
  if (!existsSync(SHARED_FARM)) throw new Error(`the shared farm is not at ${SHARED_FARM}`);
  const port = await freePort();
  const args = ['--port', String(port), '--feeds', String(feeds)];
  args.push('--items', String(SHARED_FARM_ITEMS), '--body', String(SHARED_FARM_BODY));
  const child = spawn(process.execPath, [SHARED_FARM, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the shared farm exited (${code}) before listening`)));
    child.stdout?.once('data', () => resolve());
  });
  child.removeAllListeners('exit');
  return runningFarm(port, child, () => child.kill());
}

function freePort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
