// Debian's newsboat against Gleaner's Google Reader API through its FeedHQ backend: it logs in,
// lists the subscriptions, reads each one's Atom stream and reports the unread count; an entry
// marked read in Gleaner drops out of that count on the next reload.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_FETCH_OPTIONS } from '../src/subscribe/index.js';
import { respond, startTestServer, type TestServer } from '../src/testing/testserver.js';
import { startWebApp, type WebApp } from '../src/web/testing.js';

const NEWSBOAT = '/usr/bin/newsboat';
const missing = existsSync(NEWSBOAT) ? false : `${NEWSBOAT} is not installed`;

const RSS = (n: number): string => {
  const items = Array.from(
    { length: n },
    (_, i) =>
      `<item><title>Story ${i + 1}</title><link>http://127.0.0.1/s/${i + 1}</link><guid>s${i + 1}</guid>` +
      `<pubDate>${new Date(Date.UTC(2026, 0, 1 + i)).toUTCString()}</pubDate><description>Body ${i + 1}</description></item>`,
  ).join('');
  return `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Loopback</title><link>http://127.0.0.1/</link>${items}</channel></rss>\n`;
};

function run(dir: string, command: 'reload' | 'print-unread'): Promise<string> {
  const args = ['-q', '-C', join(dir, 'config'), '-c', join(dir, 'cache.db'), '-x', command];
  return new Promise((resolve, reject) => {
    // HOME points into the temporary directory: newsboat creates its own directories there.
    const child = spawn(NEWSBOAT, args, {
      env: { ...process.env, HOME: dir, LANG: 'C.UTF-8' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill(), 60_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0)
        reject(new Error(`newsboat -x ${command} exited with ${code}: ${output.slice(0, 500)}`));
      else resolve(output);
    });
  });
}

function unreadCount(output: string): number {
  const m = /(\d+) unread articles?/.exec(output);
  assert.ok(m?.[1], `no unread count in: ${output}`);
  return Number(m[1]);
}

describe('newsboat through the Google Reader API', { skip: missing }, () => {
  let web: WebApp;
  let feeds: TestServer;
  const dirs: string[] = [];
  const paths: string[] = [];

  before(async () => {
    web = await startWebApp();
    // Every request newsboat makes, as it reaches the server.
    web.app.server.on('request', (req: { method?: string; url?: string }) => {
      paths.push(`${req.method ?? ''} ${req.url ?? ''}`);
    });
    feeds = await startTestServer({
      '/feed.xml': respond(200, { 'content-type': 'application/rss+xml' }, RSS(5)),
    });
    const user = await web.addUser('reader', 'correct horse battery');
    const feed = await web.store.ensureFeed(feeds.url('/feed.xml'), DEFAULT_FETCH_OPTIONS, Date.now());
    await web.store.subscribe(user.id, feed.id, { folderId: null, title: null }, Date.now());
    await web.deps.refreshNow([feed.id]);
  });

  after(async () => {
    if (process.env.GREADER_LOG_PATHS) console.log(paths.join('\n'));
    await web?.close();
    await feeds?.close();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  /** A fresh newsboat configuration and cache for this feedhq-url. */
  async function newsboatDir(feedhqUrl: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'gleaner-newsboat-'));
    dirs.push(dir);
    await writeFile(
      join(dir, 'config'),
      [
        'urls-source "feedhq"',
        `feedhq-url "${feedhqUrl}"`,
        'feedhq-login "reader"',
        'feedhq-password "correct horse battery"',
        `error-log "${join(dir, 'errors.log')}"`,
        '',
      ].join('\n'),
    );
    return dir;
  }

  async function unreadInGleaner(): Promise<number> {
    const user = await web.store.findUserByName('reader');
    assert.ok(user);
    return (await web.store.queryEntries({ userId: user.id, status: 'unread', limit: 100 })).length;
  }

  async function readOneInGleaner(): Promise<void> {
    const user = await web.store.findUserByName('reader');
    assert.ok(user);
    const [newest] = await web.store.queryEntries({ userId: user.id, status: 'unread', limit: 1 });
    assert.ok(newest);
    await web.store.setEntryState(user.id, [newest.entry.id], { read: true }, Date.now());
  }

  // newsboat 2.21 appends "/accounts/ClientLogin" and "/reader/..." to feedhq-url, so the address
  // with a slash at the end gives paths with a double slash; both forms work.
  for (const slash of ['', '/']) {
    it(`counts the unread entries, and one fewer after one is read in Gleaner (feedhq-url ending "${slash || 'greader.php'}")`, async () => {
      const dir = await newsboatDir(`${web.baseUrl}/api/greader.php${slash}`);
      const before = await unreadInGleaner();
      await run(dir, 'reload');
      assert.equal(unreadCount(await run(dir, 'print-unread')), before);
      const prefix = `/api/greader.php${slash}`;
      for (const path of ['/accounts/ClientLogin', '/reader/api/0/subscription/list', '/reader/atom/feed'])
        assert.ok(
          paths.some((p) => p.includes(prefix + path)),
          paths.join('\n'),
        );

      await readOneInGleaner();
      await run(dir, 'reload');
      assert.equal(unreadCount(await run(dir, 'print-unread')), before - 1);
    });
  }
});
