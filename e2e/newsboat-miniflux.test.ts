// An unmodified Miniflux client against Gleaner: Debian's newsboat with `urls-source "miniflux"`,
// signing in with Basic auth, reloading its feeds through the Miniflux API and counting unread
// articles; state changed in Gleaner shows in newsboat after its next reload, and an article read
// in newsboat's interface (driven through a pseudo-terminal) is read in Gleaner.
// Skips, saying why, where newsboat is not installed.
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { User } from '../src/model/index.js';
import { DEFAULT_FETCH_OPTIONS } from '../src/subscribe/index.js';
import { respond, startTestServer, type TestServer } from '../src/testing/testserver.js';
import { startWebApp, type WebApp } from '../src/web/testing.js';

const NEWSBOAT = '/usr/bin/newsboat';
const SCRIPT = '/usr/bin/script';
const HOUR = 3_600_000;
const PASSWORD = 'newsboat-password-1';
const RUN_TIMEOUT_MS = 60_000;

/** Why these tests cannot run here, or `false` when they can. */
function newsboatSkipReason(): string | false {
  try {
    accessSync(NEWSBOAT, constants.X_OK);
    return false;
  } catch {
    return `no newsboat at ${NEWSBOAT}: install the newsboat package (apt-get install newsboat)`;
  }
}

/** Why the interactive test cannot run: it needs `script` (util-linux) for a pseudo-terminal. */
function terminalSkipReason(): string | false {
  const reason = newsboatSkipReason();
  if (reason !== false) return reason;
  try {
    accessSync(SCRIPT, constants.X_OK);
    return false;
  } catch {
    return `no ${SCRIPT} to give newsboat a terminal: install util-linux`;
  }
}

function rss(name: string, items: number): string {
  const item = (i: number): string =>
    `<item><title>${name} item ${i}</title><link>http://127.0.0.1/${name}/${i}</link>` +
    `<guid>${name}-${i}</guid><pubDate>${new Date(Date.now() - (i + 1) * HOUR).toUTCString()}</pubDate>` +
    `<description>Body of ${name} item ${i}</description></item>`;
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>${name}</title>` +
    `<link>http://127.0.0.1/${name}/</link>${Array.from({ length: items }, (_, i) => item(i)).join('')}` +
    '</channel></rss>\n'
  );
}

/** Waits for a state, polling; fails with `what` after the timeout. */
async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('newsboat as a Miniflux client', { skip: newsboatSkipReason() }, () => {
  let web: WebApp;
  let feeds: TestServer;
  let user: User;
  let dir: string;
  const env = (): NodeJS.ProcessEnv => ({ ...process.env, HOME: dir, LANG: 'C.UTF-8', TERM: 'xterm' });
  const files = (): string[] => [
    '-C',
    join(dir, 'config'),
    '-c',
    join(dir, 'cache.db'),
    '-u',
    join(dir, 'urls'),
  ];

  /** Runs `newsboat -x COMMAND` to the end (asynchronously: the servers live in this process). */
  function newsboat(command: 'reload' | 'print-unread'): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(NEWSBOAT, [...files(), '-x', command], {
        env: env(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      child.on('error', reject);
      child.on('exit', (code) => {
        clearTimeout(timer);
        if (code !== 0)
          reject(new Error(`newsboat -x ${command} exited with ${code}: ${output.slice(0, 500)}`));
        else resolve(output);
      });
    });
  }

  async function unreadInNewsboat(): Promise<number> {
    await newsboat('reload');
    const out = await newsboat('print-unread');
    const m = /(\d+) unread articles?/.exec(out);
    assert.ok(m?.[1], `newsboat printed no unread count: ${out}`);
    return Number(m[1]);
  }

  async function unreadInGleaner(): Promise<number> {
    return [...(await web.store.unreadCounts(user.id)).values()].reduce((a, b) => a + b, 0);
  }

  before(async () => {
    feeds = await startTestServer({
      '/alpha.xml': respond(200, { 'content-type': 'application/rss+xml' }, rss('alpha', 3)),
      '/beta.xml': respond(200, { 'content-type': 'application/rss+xml' }, rss('beta', 2)),
    });
    web = await startWebApp();
    user = await web.addUser('reader', PASSWORD);
    const folder = await web.store.ensureFolder(user.id, 'Tech');
    const ids: number[] = [];
    for (const [path, folderId] of [
      ['/alpha.xml', folder.id],
      ['/beta.xml', null],
    ] as const) {
      const feed = await web.store.ensureFeed(feeds.url(path), DEFAULT_FETCH_OPTIONS, Date.now());
      await web.store.subscribe(user.id, feed.id, { folderId, title: null }, Date.now());
      ids.push(feed.id);
    }
    await web.deps.refreshNow(ids);
    assert.equal(await unreadInGleaner(), 5);

    dir = mkdtempSync(join(tmpdir(), 'gleaner-newsboat-'));
    writeFileSync(join(dir, 'urls'), '');
    writeFileSync(
      join(dir, 'config'),
      [
        'urls-source "miniflux"',
        // With the trailing slash, as newsboat's manual writes it (newsboat then asks for //v1/...).
        `miniflux-url "${web.baseUrl}/"`,
        `miniflux-login "${user.username}"`,
        `miniflux-password "${PASSWORD}"`,
        '',
      ].join('\n'),
    );
  });

  after(async () => {
    await web?.close();
    await feeds?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists every unread entry', async () => {
    assert.equal(await unreadInNewsboat(), 5);
  });

  it('sees an entry marked read in Gleaner after its next reload', async () => {
    const [first] = await web.store.queryEntries({ userId: user.id, status: 'unread', limit: 1 });
    assert.ok(first);
    await web.store.setEntryState(user.id, [first.entry.id], { read: true }, Date.now());
    assert.equal(await unreadInNewsboat(), 4);
  });

  it(
    'marks an entry read in Gleaner when it is read in newsboat',
    { skip: terminalSkipReason() },
    async () => {
      const before = await unreadInGleaner();
      // newsboat's interface on a pseudo-terminal: open the first feed, then its first article, and
      // go back to the list: newsboat then sends PUT /v1/entries {"entry_ids":[…],"status":"read"}.
      const command = `${NEWSBOAT} ${files()
        .map((a) => `'${a}'`)
        .join(' ')}`;
      const child: ChildProcess = spawn(SCRIPT, ['-q', '-f', '-e', '-c', command, '/dev/null'], {
        env: env(),
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let screen = '';
      child.stdout?.on('data', (c: Buffer) => (screen += c.toString()));
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
      try {
        await waitFor('the feed list', () => screen.includes('Your feeds'));
        child.stdin?.write('\r');
        await waitFor('the article list', () => screen.includes('Articles in feed'));
        child.stdin?.write('\r');
        await waitFor('the article', () => screen.includes('Body of'));
        child.stdin?.write('q');
        await waitFor('the read state in Gleaner', async () => (await unreadInGleaner()) === before - 1);
        child.stdin?.write('Q');
        await exited;
      } finally {
        clearTimeout(timer);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      assert.equal(await unreadInGleaner(), before - 1);
      assert.equal(await unreadInNewsboat(), before - 1);
    },
  );
});
