// Where a V8 CPU profile (node --cpu-prof) spent its time: functions by self time, and the project's
// own functions by total time (themselves and what they called).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fmt, printTable } from '../lib.js';
import { REPO_ROOT } from './server.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/**
 * The newest .cpuprofile in a directory, of the process `pid`'s main thread when given (its worker
 * threads write profiles of their own: CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile).
 */
export function newestProfile(dir: string, pid?: number): string | null {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile') && (pid === undefined || f.includes(`.${pid}.0.`)))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return files[0] ?? null;
}

function label(frame: ProfileNode['callFrame']): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  let where = frame.url.replace(/^file:\/\//, '');
  if (where.startsWith(REPO_ROOT)) where = where.slice(REPO_ROOT.length);
  where = where.replace(/^.*node_modules\//, '');
  return `${name} ${where}:${frame.lineNumber + 1}`;
}

/** Prints the top functions by self time and the project's by total time; returns the busy ms. */
export function summariseProfile(path: string, top = 15): number {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(id);
    if (!node) return;
    const key = label(node.callFrame);
    if (node.callFrame.functionName === '(idle)') {
      idle += ms;
      return;
    }
    busy += ms;
    self.set(key, (self.get(key) ?? 0) + ms);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (!frame) break;
      const k = label(frame);
      if (seen.has(k) || !frame.url.includes('/dist/src/')) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + ms);
    }
  });
  const share = (ms: number): string => `${fmt((100 * ms) / busy)}%`;
  console.log(
    `\n  CPU profile of the server: ${fmt(busy / 1000)} s busy, ${fmt(idle / 1000)} s idle over ` +
      `${fmt((profile.endTime - profile.startTime) / 1e6)} s`,
  );
  const rows = (m: Map<string, number>): string[][] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, ms]) => [k, fmt(ms), share(ms)]);
  console.log('\n  by self time (of busy time):');
  printTable([['function', 'ms', 'share'], ...rows(self)]);
  console.log("\n  the project's functions by total time (self and callees):");
  printTable([['function', 'ms', 'share'], ...rows(total)]);
  return busy;
}
