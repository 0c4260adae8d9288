// How fast are a publication's public pages and feeds? A temporary database with one publication
// of 10,000 entries (the tag "performance" across 20 feeds, 2–5 KB of HTML each, plus as many
// untagged entries) behind the real server, `gleaner serve` as a child process, loaded by
// autocannon at concurrency 10 signed out: the archive's first page and the RSS feed, each without
// and with If-None-Match (a reader polling the feed), and the server's floor in the same run,
// GET /healthz (a static answer through the same framework and hooks), so each p50 ÷ floor is what
// the page itself costs. Target (the issue): p99 < 20 ms at concurrency 10.
//   npm run bench -- publish [--entries 10000] [--seconds 3] [--runs 3] [--concurrency 10] [--workers 1]
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { PreparedEntry } from '../src/model/index.js';
import { markSanitized } from '../src/refresh/resanitize.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import { send, type ApiRequest } from './api/load.js';
import { describeMachine, fmt, printTable } from './lib.js';
import { load, medianOf, type LoadResult } from './reader/load.js';
import { startServer } from './reader/server.js';
import { DEFAULT_FETCH_OPTIONS } from '../src/subscribe/index.js';

const TARGET = 20;
const FEEDS = 20;
const WORDS = 'latency cache proxy kernel queue memory thread socket buffer index page request'.split(' ');

function body(seed: number): string {
  const paragraphs: string[] = [];
  const n = 4 + (seed % 7);
  for (let p = 0; p < n; p++) {
    const words = Array.from({ length: 60 }, (_, i) => WORDS[(seed * 7 + p * 13 + i) % WORDS.length]);
    paragraphs.push(`<p>${words.join(' ')} <a href="https://example.com/${seed}/${p}">more</a>.</p>`);
  }
  return paragraphs.join('\n');
}

function entry(feed: number, i: number, tagged: boolean, now: number): PreparedEntry {
  const html = body(feed * 100_000 + i);
  const text = html.replace(/<[^>]+>/g, '');
  const key = `f${feed}-e${i}`;
  return {
    guid: key,
    link: `https://blog${feed}.example/posts/${i}`,
    title: `Post ${i} of blog ${feed}: ${WORDS[i % WORDS.length]} in practice`,
    author: i % 3 ? `Author ${i % 50}` : null,
    contentHtml: html,
    contentText: text,
    summaryText: text.slice(0, 300),
    readingMinutes: 2,
    publishedAt: now - (feed * 7919 + i * 3_600_000),
    updatedAt: null,
    categories: tagged ? ['Performance', WORDS[i % WORDS.length] ?? 'x'] : ['Other'],
    enclosures: [],
    imageUrl: null,
    commentsUrl: null,
    language: 'en',
    dedupeKey: key,
    contentHash: createHash('sha256').update(key).digest('hex'),
  };
}

/** A database with one publication covering `entries` entries (and as many that it does not). */
async function build(path: string, entries: number): Promise<string> {
  const store = openSqliteStore(path);
  const now = Date.now();
  const user = await store.createUser('bench', { isAdmin: true }, now);
  const perFeed = Math.ceil(entries / FEEDS);
  for (let f = 0; f < FEEDS; f++) {
    const feed = await store.ensureFeed(`https://blog${f}.example/feed.xml`, DEFAULT_FETCH_OPTIONS, now);
    await store.subscribe(user.id, feed.id, { folderId: null, title: null }, now);
    const batch: PreparedEntry[] = [];
    for (let i = 0; i < perFeed; i++) {
      batch.push(entry(f, 2 * i, true, now), entry(f, 2 * i + 1, false, now));
    }
    await store.recordFetchSuccess(
      feed.id,
      {
        checkedAt: now,
        nextCheckAt: now + 3_600_000,
        etag: null,
        lastModified: null,
        title: `Blog ${f}`,
        siteUrl: `https://blog${f}.example/`,
        description: null,
        iconUrl: null,
        language: 'en',
        hubUrl: null,
        format: 'rss',
      },
      batch,
    );
  }
  const publication = await store.createPublication(
    {
      userId: user.id,
      kind: 'tag',
      value: 'performance',
      slug: 'performance',
      title: 'Performance',
      fullContent: true,
    },
    now,
  );
  const count = await store.countPublicationEntries(publication);
  // Its bodies taken as this sanitizer's: the server's idle work leaves them alone while measured.
  await markSanitized(store);
  await store.close();
  console.log(`  publication "${publication.slug}": ${count.toLocaleString('en-US')} entries`);
  return publication.slug;
}

interface Endpoint {
  label: string;
  path: string;
  headers: Record<string, string>;
  expect: number;
}

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      entries: { type: 'string', default: '10000' },
      seconds: { type: 'string', default: '3' },
      runs: { type: 'string', default: '3' },
      concurrency: { type: 'string', default: '10' },
      workers: { type: 'string', default: '1' },
    },
  });
  const entries = Number(values.entries);
  const seconds = Number(values.seconds);
  const runs = Number(values.runs);
  const connections = Number(values.concurrency);
  console.log(`Publishing: public pages and feeds of a ${entries.toLocaleString('en-US')}-entry publication`);
  console.log(`  ${describeMachine()}`);
  const dir = mkdtempSync(join(tmpdir(), 'gleaner-bench-publish-'));
  const server = await (async () => {
    const slug = await build(join(dir, 'publish.db'), entries);
    return {
      slug,
      running: await startServer({ db: join(dir, 'publish.db'), workers: Number(values.workers) }),
    };
  })();
  try {
    const { origin } = server.running;
    const archive = `/p/${server.slug}/`;
    const rss = `/p/${server.slug}/feed.xml`;
    const etagOf = async (path: string): Promise<string> => {
      const res = await fetch(origin + path);
      await res.text();
      const etag = res.headers.get('etag');
      if (res.status !== 200 || !etag) throw new Error(`${path} answered ${res.status} without an ETag`);
      return etag;
    };
    const endpoints: Endpoint[] = [
      { label: 'floor: GET /healthz', path: '/healthz', headers: {}, expect: 200 },
      { label: 'archive page 1', path: archive, headers: {}, expect: 200 },
      {
        label: 'archive page 1, If-None-Match',
        path: archive,
        headers: { 'if-none-match': await etagOf(archive) },
        expect: 304,
      },
      { label: 'RSS feed (50 items)', path: rss, headers: {}, expect: 200 },
      {
        label: 'RSS feed, If-None-Match',
        path: rss,
        headers: { 'if-none-match': await etagOf(rss) },
        expect: 304,
      },
    ];
    for (const e of endpoints) {
      const request: ApiRequest = { method: 'GET', path: e.path };
      const { status } = await send(origin, request, e.headers);
      if (status !== e.expect) throw new Error(`${e.label}: expected ${e.expect}, got ${status}`);
    }
    const results = new Map<Endpoint, LoadResult>();
    for (const e of endpoints) {
      // Warm-up, then the median of the runs.
      await load({ origin, connections, seconds: 1, path: e.path, headers: e.headers });
      const measured: LoadResult[] = [];
      for (let r = 0; r < runs; r++)
        measured.push(await load({ origin, connections, seconds, path: e.path, headers: e.headers }));
      results.set(e, medianOf(measured));
    }
    const floor = results.get(endpoints[0] as Endpoint);
    const rows = [['', 'p50 ms', 'p99 ms', 'req/s', 'KB/resp', '÷ floor (p50)', `p99 < ${TARGET} ms`]];
    for (const [e, r] of results) {
      const non2xx = Object.entries(r.non2xx).filter(([status]) => Number(status) !== e.expect);
      rows.push([
        e.label,
        fmt(r.p50),
        fmt(r.p99),
        Math.round(r.requestsPerSecond).toLocaleString('en-US'),
        fmt(r.bytesPerResponse / 1024),
        floor ? `${fmt(r.p50 / floor.p50)}×` : '',
        r.p99 < TARGET && r.errors === 0 && non2xx.length === 0
          ? 'yes'
          : `NO${r.errors ? ` (${r.errors} errors)` : ''}`,
      ]);
    }
    console.log(
      `\n  concurrency ${connections}, ${seconds} s × ${runs} runs (median), after 1 s of warm-up:`,
    );
    printTable(rows);
  } finally {
    await server.running.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
