// How fast could a first pass over the farm's feeds be on this machine, however fetching and threads
// were arranged? The two halves of the work that no arrangement avoids, each alone: the farm's feeds
// (the same bytes it serves, rendered here: nothing is fetched) parsed and prepared on one thread,
// then stored as a refresh stores them. SQLite takes one writer at a time, so the thread that writes
// is busy at least for the storing's time, and all the work shares the machine's cores: a first pass
// takes at least max(writing thread's CPU, (preparing + storing CPU) / cores), before any fetching.
// Run in a process of its own by bench/refresh.ts, compiled as the Gleaner runner is:
//   node dist/bench/farm/ceiling.js --feeds 1000 --dir DIR [--rounds 3]
// Prints one JSON line (CeilingResult).
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { deserialize, serialize } from 'node:v8';
import { digestFeed, packEntries, type DigestResult } from '../../src/refresh/digest.js';
import { limitHeapGrowth } from '../../src/refresh/heap.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { DEFAULT_FETCH_OPTIONS } from '../../src/subscribe/index.js';
import { percentiles } from '../lib.js';
import { CONTENT_TYPES, FeedFactory, feedPath, formatOf } from './feeds.js';

export interface CeilingResult {
  feeds: number;
  entries: number;
  /** Medians over the rounds, CPU milliseconds. */
  prepareCpuMs: number;
  storeCpuMs: number;
  /** The storing's share on the thread that writes (null where /proc cannot tell one thread's time). */
  storeWriterCpuMs: number | null;
  rounds: number;
}

const ORIGIN = 'http://127.0.0.1:1';
// Feeds stored at once before the event loop turns: the group commits of a refresh that has them ready.
const READY_AT_ONCE = 8;
const EMPTY = Buffer.alloc(0);

const { values } = parseArgs({
  options: {
    feeds: { type: 'string', default: '1000' },
    dir: { type: 'string' },
    rounds: { type: 'string', default: '3' },
  },
});
if (!values.dir) throw new Error('usage: ceiling.js --feeds N --dir DIR [--rounds 3]');
const dir = values.dir;
const feeds = Number(values.feeds);
const rounds = Number(values.rounds);

/** CPU milliseconds of this process's main thread so far (Linux), or null. */
function mainThreadCpuMs(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the command name (in parentheses, which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    // The kernel counts in USER_HZ ticks, 100 a second on Linux.
    return Number.isFinite(ticks) ? ticks * 10 : null;
  } catch {
    return null;
  }
}

function processCpuMs(): number {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
}

/** A feed digested and packed, as a parse worker sends it. */
function prepare(bodies: Buffer[], i: number, now: number): DigestResult {
  const { feed, entries } = digestFeed({
    body: bodies[i] as Buffer,
    url: ORIGIN + feedPath(i),
    contentType: CONTENT_TYPES[formatOf(i)],
    maxBytes: 16 * 1024 * 1024,
    now,
  });
  return { feed, entries: packEntries(entries).entries };
}

interface Round {
  /** CPU of the process preparing the feeds, and storing them. */
  prepareMs: number;
  storeMs: number;
  /** The storing's CPU on the thread that writes, when /proc tells it. */
  writerMs: number | null;
  entries: number;
}

/**
 * Each half as a refresh runs it. The parse worker prepares a feed and sends it to the writing
 * thread (serialized, as postMessage does; the packed bytes, which postMessage moves, are copied
 * here) without keeping it: here each feed's result goes to a buffer outside V8's heap. The writing thread takes it in (deserialized) and stores it in the group
 * commits a refresh makes, in a new database.
 */
async function round(bodies: Buffer[], name: string): Promise<Round> {
  let cpu = processCpuMs();
  const sent = bodies.map((_, i) => serialize(prepare(bodies, i, Date.now())));
  const prepareMs = processCpuMs() - cpu;

  const path = join(dir, `ceiling-${name}.db`);
  const store = openSqliteStore(path, { checkpoints: 'background' });
  try {
    const now = Date.now();
    const user = await store.createUser('ceiling', { isAdmin: true }, now);
    const ids: number[] = [];
    for (let i = 0; i < bodies.length; i++) {
      const feed = await store.ensureFeed(ORIGIN + feedPath(i), DEFAULT_FETCH_OPTIONS, now);
      await store.subscribe(user.id, feed.id, { folderId: null, title: null }, now);
      ids.push(feed.id);
    }
    cpu = processCpuMs();
    const thread = mainThreadCpuMs();
    let entries = 0;
    const saved: Promise<unknown>[] = [];
    for (const [i, bytes] of sent.entries()) {
      const { feed, entries: prepared } = deserialize(bytes) as DigestResult;
      sent[i] = EMPTY;
      entries += prepared.length;
      saved.push(
        store.recordFetchSuccess(
          ids[i] as number,
          {
            checkedAt: now,
            nextCheckAt: now + 3_600_000,
            etag: null,
            lastModified: null,
            title: feed.title,
            siteUrl: feed.link,
            description: feed.description,
            iconUrl: feed.iconUrl,
            language: feed.language,
            hubUrl: feed.hubUrl,
            format: feed.format,
          },
          prepared,
        ),
      );
      if (i % READY_AT_ONCE === READY_AT_ONCE - 1) await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(saved);
    const threadAfter = mainThreadCpuMs();
    // The checkpoint thread copies the last commits back until the store closes.
    await store.close();
    return {
      prepareMs,
      storeMs: processCpuMs() - cpu,
      writerMs: thread === null || threadAfter === null ? null : threadAfter - thread,
      entries,
    };
  } finally {
    for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  }
}

// As gleaner refresh does, before any work.
limitHeapGrowth();
const factory = new FeedFactory(ORIGIN);
const bodies = Array.from({ length: feeds }, (_, i) => Buffer.from(factory.render(i, 0), 'utf8'));
// A warm-up round, so the JIT has settled before the timed ones.
await round(bodies.slice(0, Math.min(feeds, 200)), 'warm-up');
const results: Round[] = [];
for (let r = 0; r < rounds; r++) results.push(await round(bodies, String(r)));
const writer = results.map((r) => r.writerMs).filter((ms): ms is number => ms !== null);

const result: CeilingResult = {
  feeds,
  entries: results[0]?.entries ?? 0,
  prepareCpuMs: percentiles(results.map((r) => r.prepareMs)).p50,
  storeCpuMs: percentiles(results.map((r) => r.storeMs)).p50,
  storeWriterCpuMs: writer.length === rounds ? percentiles(writer).p50 : null,
  rounds,
};
process.stdout.write(JSON.stringify(result) + '\n');
