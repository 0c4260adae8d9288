// Starting the feed farm as a child process and talking to it: the parent benchmark and the
// Gleaner runner both use these.
import { spawn, type ChildProcess } from 'node:child_process';
import { get } from 'node:http';
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

export async function farmStats(origin: string): Promise<FarmStats> {
  return JSON.parse(await httpGet(`${origin}/stats`)) as FarmStats;
}

/** Gives that fraction of the farm's feeds one new item; returns how many feeds changed. */
export async function bumpFarm(origin: string, fraction: number): Promise<number> {
  const answer = JSON.parse(await httpGet(`${origin}/bump?fraction=${fraction}`)) as { bumped: number };
  return answer.bumped;
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

/** Starts a farm of `feeds` feeds in a child process; resolves once it listens. */
export async function startFarm(feeds: number, seed = 1): Promise<Farm> {
  // stdin is a pipe the farm watches: if this process dies, the farm exits too.
  const child = spawnTs('server.ts', ['--feeds', String(feeds), '--seed', String(seed)], 'pipe');
  const { port } = await firstJsonLine<{ port: number }>(child, 'the feed farm');
  return {
    origin: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin?.end();
      }),
  };
}
