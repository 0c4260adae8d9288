// `gleaner user` and `gleaner serve` end to end: the compiled CLI creates users with passwords read
// from standard input, then serves the reader, which answers /healthz, signs the user in and stops
// cleanly on SIGTERM.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createHmac } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { recordForms, startTestServer } from '../src/testing/testserver.js';
import { eventually } from '../src/testing/eventually.js';
import { BIN, runWithInput as run } from './cli.js';

describe('gleaner user and serve', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gleaner-serve-'));
    env = { ...process.env, GLEANER_DB: join(dir, 'serve.db'), GLEANER_LOG_LEVEL: 'error' };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('adds users from a piped password; the first is an administrator; bad input is refused', async () => {
    const first = await run(env, 'a long password\n', 'user', 'add', 'ann');
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /created administrator ann/);
    const second = await run(env, 'another long password\n', 'user', 'add', 'bob');
    assert.match(second.stdout, /created user bob/);
    const short = await run(env, 'short\n', 'user', 'add', 'cy');
    assert.equal(short.code, 1);
    assert.match(short.stderr, /at least 8 characters/);
    const badName = await run(env, 'a long password\n', 'user', 'add', '<script>');
    assert.equal(badName.code, 1);
    const again = await run(env, 'a long password\n', 'user', 'add', 'ann');
    assert.match(again.stderr, /exists/);
    const list = await run(env, '', 'user', 'list');
    assert.deepEqual(list.stdout.trim().split('\n'), ['ann\tadmin', 'bob\tuser']);
    const key = await run(env, '', 'user', 'key', 'bob', '--label', 'phone');
    assert.match(key.stdout.trim(), /^[A-Za-z0-9_-]{32}$/);
  });

  it('serves the reader on a free port, signs in, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--workers', '1'], {
      env: { ...env, GLEANER_SERVE_REFRESH: '0', GLEANER_LOG_LEVEL: 'info' },
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    const address = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      child.once('close', () => reject(new Error(`serve exited: ${stderr}`)));
    });
    try {
      const health = await fetch(`${address}/healthz`);
      assert.equal(health.status, 200);
      const login = await fetch(`${address}/login`, { redirect: 'manual' });
      assert.equal(login.status, 200, 'users exist: no setup page');
      const cookie = login.headers.getSetCookie()[0]?.split(';')[0] ?? '';
      const token = /name="_csrf" value="([^"]+)"/.exec(await login.text())?.[1] ?? '';
      const signedIn = await fetch(`${address}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: new URLSearchParams({ _csrf: token, username: 'ann', password: 'a long password' }).toString(),
      });
      assert.equal(signedIn.status, 303);
      assert.match(
        signedIn.headers.get('set-cookie') ?? '',
        /gleaner_session=.+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax/,
      );
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, stderr);
    // What it removes in the background is said at start.
    const policy = stderr.split('\n').find((line) => line.includes('old entries are removed'));
    assert.ok(policy, stderr);
    assert.match(policy, /"keepReadDays":0,"keepUnreadDays":180,"keepPerFeed":50,"maxPerFeed":10000/);
  });

  it('says so when its port is taken, without a stack trace', async () => {
    const taken = createServer();
    const port = await new Promise<number>((resolve) =>
      taken.listen(0, '127.0.0.1', () => resolve((taken.address() as AddressInfo).port)),
    );
    try {
      const r = await run(
        { ...env, GLEANER_SERVE_REFRESH: '0' },
        null,
        'serve',
        '--port',
        String(port),
        '--workers',
        '1',
      );
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(
        r.stderr,
        new RegExp(`^gleaner: cannot listen on 127\\.0\\.0\\.1:${port}: another program .* has that port`),
      );
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('subscribes to a feed’s WebSub hub at its public address, and stores what the hub sends', async () => {
    const sites = await startTestServer();
    const hubRequests: URLSearchParams[] = [];
    const document = (posts: number[]): string =>
      `<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>` +
      `<title>Hubbed</title><atom:link rel="hub" href="${sites.url('/hub')}"/>` +
      posts.map((n) => `<item><title>Post ${n}</title><guid>p${n}</guid></item>`).join('') +
      `</channel></rss>`;
    sites.route('/feed.xml', (_req, res) =>
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(document([1])),
    );
    sites.route('/hub', recordForms(hubRequests));
    // The public address must be known before the server starts: a port free a moment ago.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const origin = `http://127.0.0.1:${port}`;
    const hubEnv = {
      ...env,
      GLEANER_DB: join(dir, 'websub.db'),
      GLEANER_ALLOW_PRIVATE_NETWORKS: '1',
      GLEANER_BASE_URL: origin,
    };
    assert.equal((await run(hubEnv, 'a long password\na long password\n', 'user', 'add', 'ann')).code, 0);
    assert.equal((await run(hubEnv, null, 'add', sites.url('/feed.xml'), '--no-refresh')).code, 0);
    const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--workers', '1'], {
      env: hubEnv,
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    try {
      // The refresh loop fetches the feed, which names a hub: the hub is asked.
      const asked = await eventually('the hub is asked', () => hubRequests[0] ?? null, 300);
      assert.equal(asked.get('hub.mode'), 'subscribe');
      assert.equal(asked.get('hub.topic'), sites.url('/feed.xml'));
      const callback = asked.get('hub.callback') ?? '';
      assert.match(callback, new RegExp(`^${origin}/websub/\\d+/[0-9a-f]{32}$`));
      const verified = await fetch(
        `${callback}?${new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.topic': sites.url('/feed.xml'), 'hub.challenge': 'ch4ll' }).toString()}`,
      );
      assert.equal(verified.status, 200);
      assert.equal(await verified.text(), 'ch4ll');
      const pushed = document([1, 2]);
      const sent = await fetch(callback, {
        method: 'POST',
        headers: {
          'content-type': 'application/rss+xml',
          'x-hub-signature': `sha256=${createHmac('sha256', asked.get('hub.secret') ?? '')
            .update(pushed)
            .digest('hex')}`,
        },
        body: pushed,
      });
      assert.equal(sent.status, 202);
      const listed = await run(hubEnv, null, 'feeds', '--json');
      const [shown] = JSON.parse(listed.stdout) as { entries: number; webSubUntil: number | null }[];
      assert.equal(shown?.entries, 2, 'the pushed entry is stored');
      assert.ok((shown.webSubUntil ?? 0) > Date.now(), 'the lease is listed');
      assert.match((await run(hubEnv, null, 'feeds')).stdout, /· sent by its WebSub hub \(lease ends in /);
    } finally {
      child.kill('SIGTERM');
      await sites.close();
    }
    assert.equal(await exited, 0, stderr);
  });
});
