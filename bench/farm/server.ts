// The feed farm: N synthetic feeds (bench/farm/feeds.ts) on a loopback HTTP server, with ETag,
// Last-Modified and 304s. Run as a child process so its CPU is not counted as the reader's:
//   node --import tsx bench/farm/server.ts --feeds 1000 [--seed 1] [--port 0]
// Prints {"port":N} as its first stdout line; exits when its stdin closes (its parent is gone).
//   GET /feeds/<i>.xml (RSS if i % 3 == 0, Atom if 1)   GET /feeds/<i>.json (JSON Feed if i % 3 == 2)
//   GET /bump?fraction=0.1  that fraction of feeds (evenly spread, deterministic) gains one new item
//   GET /opml               every feed's URL            GET /stats   counters since start, as JSON
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { CONTENT_TYPES, FeedFactory, feedPath, formatOf, itemsPublished, validators } from './feeds.js';

/** What /stats answers. */
export interface FarmStats {
  feeds: number;
  requests: number;
  /** Feed requests answered 200 with a body. */
  full: number;
  notModified: number;
  /** Feed requests that carried If-None-Match or If-Modified-Since. */
  conditional: number;
  notFound: number;
  /** Body bytes of feed responses. */
  bytes: number;
  /** Time spent rendering feeds, and the farm process's CPU time, in milliseconds. */
  renderMs: number;
  cpuMs: number;
  /** Distinct items all feeds have published so far: what a reader that kept up has stored. */
  itemsPublished: number;
  bumps: number;
}

const { values } = parseArgs({
  options: {
    feeds: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    port: { type: 'string', default: '0' },
  },
});
const N = Number(values.feeds);
if (!Number.isInteger(N) || N < 1) throw new Error(`--feeds must be a positive integer, not ${values.feeds}`);

// Each feed's state is its version (how many bumps), its validators and its body, rendered ahead:
// every feed's at start, a bumped feed's when the bump answers. A pass then costs the farm only its
// socket writes, as a static file server's would: rendered on request, the bodies of a 1,000-feed
// first pass took ~1.7 s of the farm's CPU, a fifth of a core taken from the reader being measured
// (and from newsboat) on a two-core machine. 10,000 feeds' bodies hold ~1.6 GB.
const version = new Int32Array(N);
const current = Array.from({ length: N }, (_, i) => validators(i, 0));
const bodies: Buffer[] = [];
const stats: FarmStats = {
  feeds: N,
  requests: 0,
  full: 0,
  notModified: 0,
  conditional: 0,
  notFound: 0,
  bytes: 0,
  renderMs: 0,
  cpuMs: 0,
  itemsPublished: 0,
  bumps: 0,
};
for (let i = 0; i < N; i++) stats.itemsPublished += itemsPublished(i, 0);

let factory: FeedFactory | undefined;

function serveFeed(req: IncomingMessage, res: ServerResponse, i: number): void {
  const v = version[i] ?? 0;
  const { etag, lastModified } = current[i] ?? validators(i, v);
  const ifNoneMatch = req.headers['if-none-match'];
  const ifModifiedSince = req.headers['if-modified-since'];
  if (ifNoneMatch !== undefined || ifModifiedSince !== undefined) stats.conditional++;
  const fresh =
    ifNoneMatch !== undefined
      ? ifNoneMatch.split(',').some((tag) => tag.trim() === etag)
      : ifModifiedSince === lastModified;
  if (fresh) {
    stats.notModified++;
    res.writeHead(304, { etag, 'last-modified': lastModified });
    res.end();
    return;
  }
  const body = bodies[i] ?? render(i);
  stats.full++;
  stats.bytes += body.length;
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[formatOf(i)],
    'content-length': body.length,
    etag,
    'last-modified': lastModified,
  });
  res.end(body);
}

/** Feed `i`'s body at its current version. */
function render(i: number): Buffer {
  const start = performance.now();
  const body = Buffer.from((factory as FeedFactory).render(i, version[i] ?? 0), 'utf8');
  stats.renderMs += performance.now() - start;
  return body;
}

function bump(fraction: number): number {
  const count = Math.min(N, Math.max(0, Math.round(fraction * N)));
  for (let j = 0; j < count; j++) {
    const i = Math.floor((j * N) / count);
    version[i] = (version[i] ?? 0) + 1;
    current[i] = validators(i, version[i] ?? 0);
    bodies[i] = render(i);
  }
  stats.itemsPublished += count;
  stats.bumps++;
  return count;
}

function opml(origin: string): string {
  const outlines: string[] = [];
  for (let i = 0; i < N; i++)
    outlines.push(`    <outline type="rss" text="Feed ${i}" xmlUrl="${origin}${feedPath(i)}"/>`);
  return `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Feed farm (${N} feeds)</title></head>
  <body>
${outlines.join('\n')}
  </body>
</opml>
`;
}

function json(res: ServerResponse, value: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value) + '\n');
}

const FEED_ROUTE = /^\/feeds\/(\d+)\.(xml|json)$/;

const server = createServer((req, res) => {
  stats.requests++;
  const feed = FEED_ROUTE.exec(req.url ?? '');
  if (feed) {
    const i = Number(feed[1]);
    if (i < N && feedPath(i) === req.url) return serveFeed(req, res, i);
  }
  const url = new URL(req.url ?? '/', 'http://farm');
  if (url.pathname === '/stats') {
    const cpu = process.cpuUsage();
    return json(res, { ...stats, cpuMs: (cpu.user + cpu.system) / 1000 });
  } else if (url.pathname === '/bump') {
    const bumped = bump(Number(url.searchParams.get('fraction') ?? '0.1'));
    return json(res, { bumped, itemsPublished: stats.itemsPublished });
  } else if (url.pathname === '/opml') {
    res.writeHead(200, { 'content-type': 'text/x-opml; charset=utf-8' });
    return void res.end(opml(origin));
  }
  stats.notFound++;
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found\n');
});
server.keepAliveTimeout = 60_000;

let origin = '';
server.listen(Number(values.port), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  factory = new FeedFactory(origin, Number(values.seed));
  for (let i = 0; i < N; i++) bodies.push(render(i));
  process.stdout.write(JSON.stringify({ port }) + '\n');
});

const stop = (): void => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
};
process.stdin.on('end', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
