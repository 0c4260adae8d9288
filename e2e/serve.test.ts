// `gleaner user` and `gleaner serve` end to end: the compiled CLI creates users with passwords read
// from standard input, then serves the reader, which answers /healthz, signs the user in and stops
// cleanly on SIGTERM.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
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
      env: { ...env, GLEANER_SERVE_REFRESH: '0' },
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
  });
});
