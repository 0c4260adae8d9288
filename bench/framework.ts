// Fastify or Hono for the reader? Both serve the reader's hot responses — the unread list page
// rendered by the real views (50 entries, a sidebar of 1,000 feeds) and the /api/counts JSON for
// 1,000 feeds — plus a static JSON floor, each from its own child process with the same hook
// (security headers, cookie parsed), loaded by autocannon at concurrency 10 in rounds that alternate
// between the two. Each figure is the median of the runs after a warm-up.
//   npm run bench -- framework [--seconds 3] [--runs 3] [--warmup 2] [--connections 10]
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeMachine, fmt, printTable } from './lib.js';
import { load, medianOf, type LoadResult } from './reader/load.js';
import { REPO_ROOT } from './reader/server.js';

interface Contender {
  name: string;
  version: string;
  origin: string;
  child: ChildProcess;
}

const RESPONSES = [
  { path: '/unread', label: 'unread list page (HTML)' },
  { path: '/api/counts', label: '/api/counts (JSON, 1,000 feeds)' },
  { path: '/healthz', label: 'floor: static JSON' },
];
const COOKIE = 'gleaner_session=0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJK; theme=dark';

function versionOf(pkg: string): string {
  const json = JSON.parse(readFileSync(`${REPO_ROOT}node_modules/${pkg}/package.json`, 'utf8')) as {
    version: string;
  };
  return json.version;
}

async function start(which: 'fastify' | 'hono'): Promise<Contender> {
  const script = fileURLToPath(new URL('./reader/framework-server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, which], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    child.once('exit', (code) => reject(new Error(`${which} server exited (${code}) before listening`)));
    lines.once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
  });
  const version =
    which === 'fastify'
      ? `Fastify ${versionOf('fastify')}`
      : `Hono ${versionOf('hono')} (node-server ${versionOf('@hono/node-server')})`;
  return {
    name: which === 'fastify' ? 'Fastify' : 'Hono',
    version,
    origin: `http://127.0.0.1:${port}`,
    child,
  };
}

async function stop(c: Contender): Promise<number> {
  const peak = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${c.child.pid}/status`, 'utf8'))?.[1];
  const exited = new Promise<void>((resolve) => c.child.once('exit', () => resolve()));
  c.child.kill('SIGTERM');
  await exited;
  return Number(peak) * 1024;
}

/** Both answer alike: status, type, the security headers, and bodies of the same size. */
async function checkAlike(a: Contender, b: Contender): Promise<void> {
  for (const { path } of RESPONSES) {
    const [ra, rb] = await Promise.all(
      [a, b].map((c) => fetch(c.origin + path, { headers: { cookie: COOKIE } })),
    );
    if (!ra || !rb) throw new Error('no answer');
    const [ba, bb] = await Promise.all([ra.text(), rb.text()]);
    const problems: string[] = [];
    if (ra.status !== 200 || rb.status !== 200) problems.push(`status ${ra.status} / ${rb.status}`);
    // The media type must agree; a charset parameter on JSON is harmless.
    const type = (r: Response): string =>
      (r.headers.get('content-type') ?? '').toLowerCase().split(';')[0] ?? '';
    if (type(ra) !== type(rb)) problems.push(`content-type ${type(ra)} / ${type(rb)}`);
    for (const h of ['content-security-policy', 'x-frame-options', 'referrer-policy', 'permissions-policy'])
      if (!ra.headers.get(h) || ra.headers.get(h) !== rb.headers.get(h)) problems.push(`header ${h}`);
    if (Math.abs(ba.length - bb.length) > ba.length * 0.01)
      problems.push(`body ${ba.length} / ${bb.length} chars`);
    if (problems.length)
      throw new Error(`${path}: ${a.name} and ${b.name} answer differently: ${problems.join('; ')}`);
  }
}

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      seconds: { type: 'string', default: '3' },
      runs: { type: 'string', default: '3' },
      warmup: { type: 'string', default: '2' },
      connections: { type: 'string', default: '10' },
    },
  });
  const seconds = Number(values.seconds);
  const runs = Number(values.runs);
  const warmup = Number(values.warmup);
  const connections = Number(values.connections);
  const started = performance.now();
  console.log(`Fastify vs Hono on the reader's hot responses — ${describeMachine()}`);
  const contenders = [await start('fastify'), await start('hono')];
  const [fastify, hono] = contenders as [Contender, Contender];
  const peaks = new Map<string, number>();
  const results = new Map<string, Map<string, LoadResult>>();
  try {
    await checkAlike(fastify, hono);
    const sizes = new Map<string, number>();
    for (const { path } of RESPONSES)
      sizes.set(
        path,
        (await (await fetch(fastify.origin + path, { headers: { cookie: COOKIE } })).arrayBuffer())
          .byteLength,
      );
    const run = (c: Contender, path: string, s: number): Promise<LoadResult> =>
      load({
        origin: c.origin,
        connections,
        seconds: s,
        path,
        headers: { cookie: COOKIE, accept: 'text/html,*/*' },
      });
    const samples = new Map<string, LoadResult[]>();
    for (const { path } of RESPONSES) {
      console.error(`  [load] ${path}: warm-up`);
      for (const c of contenders) await run(c, path, warmup);
      for (let round = 0; round < runs; round++) {
        // Alternate which goes first, so neither always follows the other's garbage.
        const order = round % 2 === 0 ? contenders : [...contenders].reverse();
        for (const c of order) {
          const key = `${c.name} ${path}`;
          samples.set(key, [...(samples.get(key) ?? []), await run(c, path, seconds)]);
        }
      }
      for (const c of contenders) {
        const byPath = results.get(c.name) ?? new Map<string, LoadResult>();
        byPath.set(path, medianOf(samples.get(`${c.name} ${path}`) ?? []));
        results.set(c.name, byPath);
      }
    }

    console.log(
      `\n${fastify.version} vs ${hono.version}; concurrency ${connections}, the median of ${runs} runs of ${seconds} s ` +
        `after a ${warmup} s warm-up, each server in its own process, autocannon in this one`,
    );
    const tally = { Fastify: 0, Hono: 0, tie: 0 };
    for (const { path, label } of RESPONSES) {
      const f = results.get('Fastify')?.get(path);
      const h = results.get('Hono')?.get(path);
      if (!f || !h) continue;
      console.log(`\n${label}, ${fmt((sizes.get(path) ?? 0) / 1000)} KB:`);
      // The slowest and fastest run: a win counts only when every run of one beats every run of the other.
      const range = (name: string): [number, number] => {
        const rates = (samples.get(`${name} ${path}`) ?? []).map((r) => r.requestsPerSecond);
        return [Math.min(...rates), Math.max(...rates)];
      };
      const row = (name: string, r: LoadResult): string[] => {
        const [lo, hi] = range(name);
        return [name, fmt(r.p50), fmt(r.p99), fmt(r.requestsPerSecond), `${fmt(lo)}–${fmt(hi)}`];
      };
      printTable(
        [
          ['', 'p50 ms', 'p99 ms', 'req/s', 'req/s runs'],
          row('Fastify', f),
          row('Hono', h),
          [
            'Fastify ÷ Hono',
            `${fmt(f.p50 / h.p50)}×`,
            `${fmt(f.p99 / h.p99)}×`,
            `${fmt(f.requestsPerSecond / h.requestsPerSecond)}×`,
          ],
        ],
        [0],
      );
      const ratio = f.requestsPerSecond / h.requestsPerSecond;
      const winner = ratio >= 1 ? 'Fastify' : 'Hono';
      const loser = ratio >= 1 ? 'Hono' : 'Fastify';
      const margin = ratio >= 1 ? ratio : 1 / ratio;
      const clear = range(winner)[0] > range(loser)[1];
      if (path !== '/healthz') tally[clear ? winner : 'tie']++;
      console.log(
        clear
          ? `  ${winner} wins: ${fmt(margin)}× the requests/s, its slowest run faster than ${loser}'s fastest`
          : `  no clear winner: ${winner} ahead by ${fmt(margin)}× in the median, but the runs overlap`,
      );
      for (const [name, r] of [
        ['Fastify', f],
        ['Hono', h],
      ] as const)
        if (r.errors || Object.keys(r.non2xx).length)
          console.log(`  WARNING ${name}: ${r.errors} errors, non-2xx ${JSON.stringify(r.non2xx)}`);
    }
    const hot = RESPONSES.filter((r) => r.path !== '/healthz').length;
    console.log(
      `\nOn the ${hot} hot responses (requests/s at concurrency ${connections}; overlapping runs are a tie): Fastify wins ` +
        `${tally.Fastify}, Hono wins ${tally.Hono}, ${tally.tie} tied.`,
    );
  } finally {
    for (const c of contenders) peaks.set(c.name, await stop(c));
  }
  console.log(
    `Peak RSS (VmHWM): Fastify ${fmt((peaks.get('Fastify') ?? NaN) / 1e6)} MB, Hono ${fmt((peaks.get('Hono') ?? NaN) / 1e6)} MB ` +
      '(both under the tsx loader)',
  );
  console.log(`Total run time ${fmt((performance.now() - started) / 1000)} s`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main(process.argv.slice(2));
