// `gleaner serve --workers 2` end to end: the compiled CLI forks two HTTP workers sharing one port.
// Requests spread over both, and what must be one (sessions, the failed-login limit, the image
// proxy's key, the refresh loop) is one whichever worker answers; a killed worker is replaced, and
// SIGTERM stops everything cleanly; writes are the primary's, so a worker whose write waits for the
// database's lock keeps answering. Which process answered is read from a header that only the
// test variable GLEANER_TEST_PID_HEADER turns on.
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Client } from 'undici';
import { startTestServer, type TestServer } from '../src/testing/testserver.js';
import { eventually } from '../src/testing/eventually.js';
import { BIN, runWithInput as cli, type Run } from './cli.js';

const PASSWORD = 'a long password';
// A 1×1 GIF.
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** Standard output and error of a command, together. */
const output = (r: Run): string => r.stdout + r.stderr;

interface Answer {
  status: number;
  pid: number;
  body: string;
  headers: Headers;
}

/** One request on a fresh connection, so the primary hands it to the next worker in turn. */
async function request(url: string, init: RequestInit = {}): Promise<Answer> {
  const headers = new Headers(init.headers);
  headers.set('connection', 'close');
  const res = await fetch(url, { redirect: 'manual', ...init, headers });
  const body = await res.text();
  return { status: res.status, pid: Number(res.headers.get('x-gleaner-pid')), body, headers: res.headers };
}

describe('gleaner serve --workers 2', () => {
  let dir: string;
  let feeds: TestServer;
  let child: ChildProcess;
  let exited: Promise<number | null>;
  let origin: string;
  let serveEnv: NodeJS.ProcessEnv = {};
  let stderr = '';
  let cookie = '';
  let apiKey = '';
  const workers = new Set<number>();
  // While `holding`, the feed's first request waits until the test calls `releaseFeed`.
  let holding = false;
  let releaseFeed: (() => void) | null = null;
  // `gleaner add` reads the feed once to check it is one.
  let fetchedBeforeServe = 0;
  const fetches = (): number => feeds.requests.filter((r) => r.path === '/feed.xml').length;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gleaner-cluster-'));
    feeds = await startTestServer();
    const item = (n: number): string =>
      `<item><title>Post ${n}</title><link>https://site.example/${n}</link><guid>p${n}</guid>` +
      `<description>&lt;p&gt;Picture &lt;img src="${feeds.url('/pixel.gif')}"&gt;&lt;/p&gt;</description></item>`;
    feeds.route('/feed.xml', (_req, res) => {
      const send = (): void =>
        void res
          .writeHead(200, { 'content-type': 'application/rss+xml' })
          .end(
            `<?xml version="1.0"?><rss version="2.0"><channel><title>Loop</title>${item(1)}</channel></rss>`,
          );
      if (releaseFeed === null && holding) releaseFeed = send;
      else send();
    });
    feeds.route('/pixel.gif', (_req, res) => res.writeHead(200, { 'content-type': 'image/gif' }).end(PIXEL));
    feeds.route('/second.xml', (_req, res) =>
      res
        .writeHead(200, { 'content-type': 'application/rss+xml' })
        .end(
          `<?xml version="1.0"?><rss version="2.0"><channel><title>Second</title>` +
            `<link>${feeds.url('/')}</link>${item(2)}${item(3)}</channel></rss>`,
        ),
    );

    const env = (serveEnv = {
      ...process.env,
      GLEANER_DB: join(dir, 'cluster.db'),
      GLEANER_ALLOW_PRIVATE_NETWORKS: '1',
      GLEANER_LOG_LEVEL: 'warn',
      GLEANER_PROXY_IMAGES: '1',
      GLEANER_SERVE_REFRESH: '1',
    });
    assert.equal((await cli(env, `${PASSWORD}\n`, 'user', 'add', 'ann')).code, 0);
    const key = await cli(env, '', 'user', 'key', 'ann', '--label', 'test');
    apiKey = key.stdout.trim();
    const add = await cli(env, '', 'add', feeds.url('/feed.xml'), '--no-refresh', '--user', 'ann');
    assert.equal(add.code, 0, output(add));
    fetchedBeforeServe = fetches();

    child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--workers', '2'], {
      env: { ...env, GLEANER_TEST_PID_HEADER: '1' },
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    exited = new Promise((resolve) => child.once('close', resolve));
    origin = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      child.once('close', () => reject(new Error(`serve exited: ${stderr}`)));
    });
  });

  after(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await feeds.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the listening line once and spreads requests over both workers', async () => {
    for (let i = 0; i < 6; i++) {
      const health = await request(`${origin}/healthz`);
      assert.equal(health.status, 200);
      assert.ok(Number.isInteger(health.pid) && health.pid > 0, 'the test header names the process');
      workers.add(health.pid);
    }
    assert.equal(workers.size, 2, 'both workers answered');
    assert.ok(!workers.has(child.pid ?? -1), 'the primary serves no requests itself');
  });

  it('runs the refresh loop in one process only: the due feed is fetched once', async () => {
    await eventually('the loop fetches the feed', () => (fetches() > fetchedBeforeServe ? true : null));
    // Every worker has been listening (and so would have started a loop) since before the fetch.
    const entry = await eventually('the entry is stored', async () => {
      const res = await request(`${origin}/v1/entries`, { headers: { 'x-auth-token': apiKey } });
      const list = JSON.parse(res.body) as { total: number; entries: { id: number }[] };
      return list.total > 0 ? list.entries[0] : null;
    });
    assert.ok(entry);
    assert.equal(fetches(), fetchedBeforeServe + 1);
  });

  it('signs in on one worker and is signed in on the other', async () => {
    const form = await request(`${origin}/login`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
    const visitor = form.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    const signedIn = await request(`${origin}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: visitor, origin },
      body: new URLSearchParams({ _csrf: csrf, username: 'ann', password: PASSWORD }).toString(),
    });
    assert.equal(signedIn.status, 303);
    cookie = signedIn.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    assert.match(cookie, /^gleaner_session=/);
    const seenBy = new Set<number>();
    for (let i = 0; i < 4; i++) {
      const page = await request(`${origin}/unread`, { headers: { cookie } });
      assert.equal(page.status, 200, 'the session is valid on every worker');
      assert.match(page.body, /Post 1/);
      seenBy.add(page.pid);
    }
    assert.equal(seenBy.size, 2);
    const anonymous = await request(`${origin}/unread`);
    assert.equal(anonymous.status, 303, 'without the cookie: the login page');
  });

  it('loads a proxied image signed by one worker from the other', async () => {
    const list = await request(`${origin}/unread`, { headers: { cookie } });
    const entryPath = /href="(\/entry\/\d+)[^"]*"/.exec(list.body)?.[1];
    assert.ok(entryPath, 'the list links the entry');
    const page = await request(`${origin}${entryPath}`, { headers: { cookie } });
    assert.equal(page.status, 200);
    const src = /src="(\/proxy\/image\/[^"]+)"/.exec(page.body)?.[1];
    assert.ok(src, 'the image goes through the proxy');
    const other = await eventually('a request lands on the other worker', async () => {
      const image = await request(`${origin}${src}`, { headers: { cookie } });
      return image.pid !== page.pid ? image : null;
    });
    assert.equal(other.status, 200, other.body);
    assert.equal(other.headers.get('content-type'), 'image/gif');
    // A signature no worker made is refused by every worker.
    const forged = src.replace(/\/proxy\/image\/[^/]+\//, `/proxy/image/${'A'.repeat(22)}/`);
    for (let i = 0; i < 2; i++) {
      assert.equal((await request(`${origin}${forged}`, { headers: { cookie } })).status, 403);
    }
  });

  it('fetches a feed once when both workers are asked to refresh it at the same time', async () => {
    const before = fetches();
    holding = true;
    const refresh = (): Promise<Answer> =>
      request(`${origin}/v1/feeds/refresh`, { method: 'PUT', headers: { 'x-auth-token': apiKey } });
    const first = await refresh();
    assert.equal(first.status, 202);
    await eventually('the first refresh reaches the feed', () => (fetches() > before ? true : null));
    const second = await eventually('the other worker takes a refresh', async () => {
      const res = await refresh();
      return res.pid !== first.pid ? res : null;
    });
    assert.equal(second.status, 202);
    // Give the primary the second worker's message, then let the feed answer.
    await sleep(300);
    holding = false;
    releaseFeed?.();
    releaseFeed = null;
    await sleep(300);
    assert.equal(fetches(), before + 1);
  });

  it('keeps answering on a worker while its write waits for the lock, and makes the write once it is free', async () => {
    // Two connections to one worker: a connection stays with the worker that accepted it.
    const clients: Client[] = [];
    const pidOf = async (client: Client): Promise<number> => {
      const res = await client.request({ path: '/healthz', method: 'GET' });
      await res.body.text();
      return Number(res.headers['x-gleaner-pid']);
    };
    try {
      const writer = new Client(origin);
      clients.push(writer);
      const pid = await pidOf(writer);
      const other = await eventually('a second connection to the same worker', async () => {
        const client = new Client(origin);
        clients.push(client);
        return (await pidOf(client)) === pid ? client : null;
      });
      const headers = { 'x-auth-token': apiKey, 'content-type': 'application/json' };
      const list = await other.request({ path: '/v1/entries?limit=1', method: 'GET', headers });
      const entry = (JSON.parse(await list.body.text()) as { entries: { id: number; status: string }[] })
        .entries[0];
      assert.ok(entry, 'an entry to mark');
      const status = entry.status === 'read' ? 'unread' : 'read';

      // Another process holds SQLite's write lock.
      const db = new Database(serveEnv.GLEANER_DB);
      db.prepare('BEGIN IMMEDIATE').run();
      let settled = false;
      const marked = writer
        .request({
          path: '/v1/entries',
          method: 'PUT',
          headers,
          body: JSON.stringify({ entry_ids: [entry.id], status }),
        })
        .finally(() => (settled = true));
      try {
        // Long enough for the write to reach the worker; a worker waiting in SQLite itself would
        // answer nothing until the lock is let go (or its wait of 5 s gives up).
        await sleep(300);
        assert.equal(await pidOf(other), pid, 'the same worker answers');
        assert.equal(settled, false, 'the write waits for the lock');
      } finally {
        db.prepare('COMMIT').run();
        db.close();
      }
      const res = await marked;
      await res.body.text();
      assert.equal(res.statusCode, 204);
      const after = await other.request({ path: `/v1/entries/${entry.id}`, method: 'GET', headers });
      assert.equal((JSON.parse(await after.body.text()) as { status: string }).status, status);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });

  it('subscribes through a worker: the feed, its icon (bytes) and its entries (from the worker’s one fetch) are written by the primary', async () => {
    feeds.route('/favicon.ico', (_req, res) =>
      res.writeHead(200, { 'content-type': 'image/gif' }).end(PIXEL),
    );
    const headers = { 'x-auth-token': apiKey, 'content-type': 'application/json' };
    const created = await request(`${origin}/v1/feeds`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ feed_url: feeds.url('/second.xml') }),
    });
    assert.equal(created.status, 201, created.body);
    const { feed_id: feedId } = JSON.parse(created.body) as { feed_id: number };
    const icon = await request(`${origin}/v1/feeds/${feedId}/icon`, { headers });
    assert.equal(icon.status, 200, icon.body);
    assert.equal(
      (JSON.parse(icon.body) as { data: string }).data,
      `image/gif;base64,${PIXEL.toString('base64')}`,
    );
    const entries = await eventually('the new feed is refreshed', async () => {
      const res = await request(`${origin}/v1/feeds/${feedId}/entries`, { headers });
      const list = JSON.parse(res.body) as { total: number; entries: { title: string }[] };
      return list.total === 2 ? list.entries : null;
    });
    assert.deepEqual(entries.map((e) => e.title).sort(), ['Post 2', 'Post 3']);
    // The worker's probe found the feed; the primary stored that document, not a second fetch.
    assert.equal(feeds.requests.filter((r) => r.path === '/second.xml').length, 1);
  });

  it('extracts full articles on worker threads: in the primary’s refresh, and asked for on either worker', async () => {
    const story = (name: string): string =>
      `<html><head><title>${name}</title></head><body><nav>Home · About</nav><article><h1>${name}</h1>` +
      Array.from(
        { length: 40 },
        (_, i) => `<p>${name}, paragraph ${i}, with enough words to read as the prose of a real article.</p>`,
      ).join('') +
      '<script>track()</script></article></body></html>';
    feeds.route('/story-1', (_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(story('First story')),
    );
    feeds.route('/story-2', (_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(story('Second story')),
    );
    feeds.route('/teasers.xml', (_req, res) =>
      res
        .writeHead(200, { 'content-type': 'application/rss+xml' })
        .end(
          `<?xml version="1.0"?><rss version="2.0"><channel><title>Teasers</title>` +
            [1, 2]
              .map(
                (n) =>
                  `<item><title>Story ${n}</title><link>${feeds.url(`/story-${n}`)}</link><guid>s${n}</guid>` +
                  `<description>A teaser.</description></item>`,
              )
              .join('') +
            `</channel></rss>`,
        ),
    );
    const headers = { 'x-auth-token': apiKey, 'content-type': 'application/json' };
    const created = await request(`${origin}/v1/feeds`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ feed_url: feeds.url('/teasers.xml'), crawler: true }),
    });
    assert.equal(created.status, 201, created.body);
    const { feed_id: feedId } = JSON.parse(created.body) as { feed_id: number };
    interface Listed {
      id: number;
      title: string;
      content: string;
    }
    const entries = await eventually('the feed is refreshed', async () => {
      const res = await request(`${origin}/v1/feeds/${feedId}/entries?direction=asc`, { headers });
      const list = JSON.parse(res.body) as { total: number; entries: Listed[] };
      return list.total === 2 ? list.entries : null;
    });
    const byTitle = new Map(entries.map((e) => [e.title, e]));
    for (const [title, name] of [
      ['Story 1', 'First story'],
      ['Story 2', 'Second story'],
    ]) {
      const content = byTitle.get(title as string)?.content ?? '';
      assert.match(
        content,
        new RegExp(`${name}, paragraph 39, with enough words`),
        `${title}: its full article`,
      );
      assert.doesNotMatch(content, /<script|track\(\)/);
    }
    // Asked for again through the API, on each worker in turn.
    const second = byTitle.get('Story 2') as Listed;
    const answeredBy = new Set<number>();
    await eventually('both workers extract the article', async () => {
      const res = await request(`${origin}/v1/entries/${second.id}/fetch-content`, { headers });
      assert.equal(res.status, 200, res.body);
      assert.match((JSON.parse(res.body) as { content: string }).content, /Second story, paragraph 39/);
      answeredBy.add(res.pid);
      return answeredBy.size === 2 ? true : null;
    });
  });

  it('trips the login limit after as many failures as one process allows, whichever worker answers', async () => {
    const form = await request(`${origin}/login`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
    const visitor = form.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    const attempt = (): Promise<Answer> =>
      request(`${origin}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: visitor, origin },
        body: new URLSearchParams({ _csrf: csrf, username: 'ann', password: 'wrong password' }).toString(),
      });
    const answeredBy = new Set<number>();
    for (let i = 0; i < 10; i++) {
      const failed = await attempt();
      assert.equal(failed.status, 401, `attempt ${i + 1}`);
      answeredBy.add(failed.pid);
    }
    assert.equal(answeredBy.size, 2, 'both workers counted failures');
    for (let i = 0; i < 2; i++) {
      const limited = await attempt();
      assert.equal(limited.status, 429, 'the eleventh attempt is refused on either worker');
      assert.ok(Number(limited.headers.get('retry-after')) > 0);
    }
    // The client APIs share the same counts.
    const basic = Buffer.from(`ann:${apiKey}`).toString('base64');
    const api = await request(`${origin}/v1/me`, { headers: { authorization: `Basic ${basic}` } });
    assert.equal(api.status, 401, 'over the limit, even the right secret is not checked');
  });

  it('replaces a worker killed with SIGKILL', async () => {
    const [victim] = [...workers];
    assert.ok(victim);
    process.kill(victim, 'SIGKILL');
    // Not before the primary knows: a connection it hands the dead worker meanwhile is never
    // answered (node:cluster does not hand it to another).
    await eventually('the primary sees the worker die', () =>
      /worker died; starting another/.test(stderr) ? true : null,
    );
    const replacement = await eventually('a new worker answers', async () => {
      const res = await request(`${origin}/healthz`);
      return res.status === 200 && !workers.has(res.pid) ? res.pid : null;
    });
    assert.ok(replacement > 0);
    const page = await request(`${origin}/unread`, { headers: { cookie } });
    assert.equal(page.status, 200, 'sessions survive the replacement');
  });

  it('exits with 1 and says why when the workers cannot listen (the port is taken)', async () => {
    const port = new URL(origin).port;
    const second = await cli(serveEnv, '', 'serve', '--port', port, '--workers', '2');
    assert.equal(second.code, 1, output(second));
    assert.match(output(second), /EADDRINUSE/);
    assert.match(output(second), /a worker exited before listening/);
    assert.doesNotMatch(output(second), /listening on/);
  });

  it('stops the primary and its workers on SIGTERM with exit code 0', async () => {
    const alive = new Set<number>();
    for (let i = 0; i < 4; i++) alive.add((await request(`${origin}/healthz`)).pid);
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
    for (const pid of alive) {
      assert.throws(() => process.kill(pid, 0), /ESRCH/, `worker ${pid} has exited`);
    }
  });
});
