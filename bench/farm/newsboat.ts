// The peer: Debian's newsboat (a C++ feed reader) reloading the farm's feeds with `newsboat -x
// reload`, its own cache database and config in a temporary directory, `reload-threads` set to
// Gleaner's concurrency, and conditional GET as newsboat does by default. Each reload runs under GNU
// time for wall time, CPU time and peak RSS.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { bumpFarm, farmStats, httpGet, statsDelta, type FarmStats } from './client.js';

const GNU_TIME = '/usr/bin/time';

export interface PeerPass extends Timing {
  name: string;
  /** Items in newsboat's cache after the pass, and how many the pass added. */
  itemsStored: number;
  inserted: number;
  /** Feeds newsboat logged an error for, by message (URLs left out). */
  errors: Map<string, number>;
  farm: FarmStats;
}

export interface Timing {
  wallMs: number;
  cpuMs: number;
  maxRssBytes: number;
}

export interface PeerResult {
  version: string;
  passes: PeerPass[];
  /** `newsboat -x print-unread` after the unchanged pass: its start-up (loading the cache), no fetching. */
  startup: Timing;
  cacheBytes: number;
}

/** newsboat's version line, or why it cannot run here. */
export function newsboatVersion(): { version: string } | { missing: string } {
  if (!existsSync(GNU_TIME)) return { missing: `${GNU_TIME} (GNU time) is not installed` };
  const probe = spawnSync('newsboat', ['-v'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return { missing: 'newsboat is not installed' };
  return { version: probe.stdout.split('\n')[0]?.replace(/ - .*/, '') ?? 'newsboat' };
}

/** Runs `/usr/bin/time newsboat -x COMMAND` once; throws if newsboat fails. */
function newsboat(dir: string, command: 'reload' | 'print-unread'): Promise<Timing> {
  const timeFile = join(dir, 'time.txt');
  const args = ['-f', '%e %U %S %M', '-o', timeFile, 'newsboat', '-q', '-x', command];
  args.push('-u', join(dir, 'urls'), '-c', join(dir, 'cache.db'), '-C', join(dir, 'config'));
  return new Promise((resolve, reject) => {
    // HOME points into the temporary directory: newsboat creates ~/.newsboat even when told its files.
    const child = spawn(GNU_TIME, args, {
      env: { ...process.env, HOME: dir, LANG: 'C.UTF-8' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`newsboat exited with ${code}: ${output.slice(0, 500)}`));
      // GNU time's last line is the format's (a failing command gets a line before it).
      const last = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1) ?? '';
      const [wall, user, system, maxRssKb] = last.split(' ').map(Number);
      resolve({
        wallMs: (wall ?? NaN) * 1000,
        cpuMs: ((user ?? NaN) + (system ?? NaN)) * 1000,
        maxRssBytes: (maxRssKb ?? NaN) * 1024,
      });
    });
  });
}

function countItems(cache: string): number {
  if (!existsSync(cache)) return 0;
  const db = new Database(cache, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM rss_item').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Error-log lines ("Error while retrieving URL: reason") from `from` on, counted by reason. */
function readErrors(log: string, from: number): { errors: Map<string, number>; lines: number } {
  const errors = new Map<string, number>();
  if (!existsSync(log)) return { errors, lines: from };
  const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  for (const line of lines.slice(from)) {
    const reason = line.replace(/^\[[^\]]*\]\s*/, '').replace(/https?:\/\/\S+?(?=:\s|$)/g, 'URL');
    errors.set(reason, (errors.get(reason) ?? 0) + 1);
  }
  return { errors, lines: lines.length };
}

/**
 * newsboat's passes over the farm: the first fetch; a second full fetch, because newsboat records a
 * feed's ETag and Last-Modified only from its second fetch on (seen in its cache: empty after the
 * first reload), so without it the "unchanged" pass would not be conditional; the unchanged pass;
 * and the pass after `bumpFraction` of the feeds changed.
 */
export async function runNewsboat(
  origin: string,
  dir: string,
  concurrency: number,
  bumpFraction: number,
): Promise<PeerResult> {
  const version = newsboatVersion();
  if ('missing' in version) throw new Error(version.missing);
  const urls = [...(await httpGet(`${origin}/opml`)).matchAll(/xmlUrl="([^"]+)"/g)].map((m) => m[1]);
  writeFileSync(join(dir, 'urls'), urls.join('\n') + '\n');
  const errorLog = join(dir, 'errors.log');
  writeFileSync(join(dir, 'config'), `reload-threads ${concurrency}\nerror-log "${errorLog}"\n`);
  const cache = join(dir, 'cache.db');

  const passes: PeerPass[] = [];
  let itemsBefore = 0;
  let logLines = 0;
  const pass = async (name: string): Promise<void> => {
    const before = await farmStats(origin);
    const timing = await newsboat(dir, 'reload');
    const after = await farmStats(origin);
    const itemsStored = countItems(cache);
    const { errors, lines } = readErrors(errorLog, logLines);
    logLines = lines;
    passes.push({
      name,
      ...timing,
      itemsStored,
      inserted: itemsStored - itemsBefore,
      errors,
      farm: statsDelta(before, after),
    });
    itemsBefore = itemsStored;
  };
  await pass('first');
  await pass('validators');
  await pass('unchanged');
  const startup = await newsboat(dir, 'print-unread');
  await bumpFarm(origin, bumpFraction);
  await pass('changed');

  let cacheBytes = 0;
  for (const suffix of ['', '-journal', '-wal'])
    if (existsSync(cache + suffix)) cacheBytes += statSync(cache + suffix).size;
  return { version: version.version, passes, startup, cacheBytes };
}
