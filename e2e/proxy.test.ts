// `gleaner` behind a proxy (GLEANER_FETCH_PROXY), end to end: the compiled CLI subscribes to and
// refreshes an https feed whose name this machine cannot resolve, through a CONNECT tunnel of a
// forward proxy on 127.0.0.1 that asks for credentials. The feed's certificate is made for the
// test (openssl) and trusted as an operator trusts a private CA, with NODE_EXTRA_CA_CERTS, or for
// one feed only, with gleaner add/edit --trust-certificate.
import { strict as assert } from 'node:assert';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run } from './cli.js';
import { makeCertificate, opensslSkipReason } from '../src/testing/certificates.js';
import { startTestProxy, type TestProxy } from '../src/testing/proxyserver.js';

const RSS =
  '<?xml version="1.0"?><rss version="2.0"><channel><title>Behind the Proxy</title><link>https://feed.test/</link>' +
  '<item><title>Tunnelled</title><guid>t-1</guid><description>&lt;p&gt;Through CONNECT&lt;/p&gt;</description></item>' +
  '</channel></rss>';

describe('gleaner behind a proxy', { skip: opensslSkipReason() }, () => {
  let dir: string;
  let site: Server;
  let proxy: TestProxy;
  let tlsProxy: TestProxy;
  let feedUrl: string;
  let siteKey: string;
  let env: NodeJS.ProcessEnv;
  const outputs: string[] = [];

  const gleaner = async (environment: NodeJS.ProcessEnv, ...args: string[]) => {
    const result = await run(environment, ...args);
    outputs.push(result.stdout, result.stderr);
    return result;
  };

  /** The site by its address, fetched straight, its certificate trusted by nothing. */
  const straightToSite = (): { own: string; direct: NodeJS.ProcessEnv } => {
    const direct: NodeJS.ProcessEnv = {
      ...env,
      GLEANER_FETCH_PROXY: '',
      GLEANER_ALLOW_PRIVATE_NETWORKS: '127.0.0.0/8',
    };
    delete direct.NODE_EXTRA_CA_CERTS;
    return { own: `https://127.0.0.1:${(site.address() as AddressInfo).port}/feed.xml`, direct };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gleaner-proxy-'));
    const cert = join(dir, 'cert.pem');
    const made = makeCertificate('feed.test', ['DNS:feed.test', 'IP:127.0.0.1']);
    writeFileSync(cert, made.cert);
    siteKey = made.key;
    const tls = { key: Buffer.from(made.key), cert: Buffer.from(made.cert) };
    site = createServer(tls, (_request, response) =>
      response.writeHead(200, { 'content-type': 'application/rss+xml' }).end(RSS),
    );
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    feedUrl = `https://feed.test:${(site.address() as AddressInfo).port}/feed.xml`;
    proxy = await startTestProxy('ann:s3cret');
    tlsProxy = await startTestProxy('bob:t0psecret', tls);
    env = {
      ...process.env,
      GLEANER_DB: join(dir, 'proxy.db'),
      GLEANER_LOG_LEVEL: 'info',
      GLEANER_FETCH_PROXY: `http://ann:s3cret@127.0.0.1:${proxy.port}`,
      NODE_EXTRA_CA_CERTS: cert,
    };
    delete env.GLEANER_ALLOW_PRIVATE_NETWORKS;
  });

  after(async () => {
    await proxy.close();
    await tlsProxy.close();
    await new Promise<void>((resolve) => site.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a certificate it cannot verify, saying how to trust one of your own', async () => {
    const { own, direct } = straightToSite();
    const refused = await gleaner(direct, 'add', own, '--no-refresh', '--db', join(dir, 'own.db'));
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /the TLS certificate of 127\.0\.0\.1 was refused \(DEPTH_ZERO_SELF_SIGNED_CERT\); .*trust its certificate \(or its CA's\) for this feed .*, or for every feed with NODE_EXTRA_CA_CERTS/,
    );
    const trusted = await gleaner(
      { ...direct, NODE_EXTRA_CA_CERTS: env.NODE_EXTRA_CA_CERTS },
      'add',
      own,
      '--db',
      join(dir, 'own.db'),
    );
    assert.equal(trusted.code, 0, trusted.stderr);
    assert.match(trusted.stdout, /Behind the Proxy \(1 entry\)/);
  });

  it('trusts a server of your own by its certificate, for its feed only', async () => {
    const { own, direct } = straightToSite();
    const db = ['--db', join(dir, 'trusting.db')];
    const keyFile = join(dir, 'site-key.pem');
    writeFileSync(keyFile, siteKey);
    const leaked = await gleaner(direct, 'add', own, '--trust-certificate', keyFile, ...db);
    assert.notEqual(leaked.code, 0);
    assert.match(leaked.stderr, /--trust-certificate .*site-key\.pem: that is a private key/);
    assert.ok(!leaked.stderr.includes(siteKey.split('\n')[1] ?? '-'), 'the key is not repeated');
    const missing = await gleaner(direct, 'add', own, '--trust-certificate', join(dir, 'none.pem'), ...db);
    assert.match(missing.stderr, /cannot read it \(ENOENT\)/);

    // The certificate the server shows, to check, then saved and trusted.
    const shown = await gleaner(direct, 'certificate', own, ...db);
    assert.equal(shown.code, 0, shown.stderr);
    const fingerprint = new X509Certificate(readFileSync(env.NODE_EXTRA_CA_CERTS ?? '')).fingerprint256;
    assert.match(shown.stdout, /the one to trust is its own, self-signed:/);
    assert.ok(shown.stdout.includes(`SHA-256   ${fingerprint}`), shown.stdout);
    assert.match(shown.stdout, /names {5}DNS:feed\.test, IP Address:127\.0\.0\.1/);
    const pem = await gleaner(direct, 'certificate', own, '--pem', ...db);
    const cert = join(dir, 'shown.pem');
    writeFileSync(cert, pem.stdout);
    assert.equal(new X509Certificate(pem.stdout).fingerprint256, fingerprint);
    const plainHttp = await gleaner(direct, 'certificate', 'http://127.0.0.1/', ...db);
    assert.match(plainHttp.stderr, /is not https: it has no certificate to trust/);
    const added = await gleaner(direct, 'add', own, '--trust-certificate', cert, ...db);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /Behind the Proxy \(1 entry\)/);
    const listed = await gleaner(direct, 'feeds', ...db);
    assert.ok(listed.stdout.includes(`its own trusted certificate (SHA-256 ${fingerprint})`), listed.stdout);

    const untrusted = await gleaner(direct, 'edit', own, '--trust-certificate', '', ...db);
    assert.equal(untrusted.code, 1);
    assert.match(untrusted.stdout, /fetching it with the new options failed: .*DEPTH_ZERO_SELF_SIGNED_CERT/);
    assert.doesNotMatch((await gleaner(direct, 'feeds', ...db)).stdout, /trusted certificate/);
  });

  it('cannot reach the feed without the proxy', async () => {
    const direct = { ...env, GLEANER_FETCH_PROXY: '' };
    const { code, stderr } = await gleaner(direct, 'add', feedUrl);
    assert.notEqual(code, 0);
    assert.match(stderr, /feed\.test/);
  });

  it('subscribes and refreshes through a CONNECT tunnel, with the proxy credentials', async () => {
    const added = await gleaner(env, 'add', feedUrl);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /Behind the Proxy/);
    const refreshed = await gleaner(env, 'refresh');
    assert.equal(refreshed.code, 0, refreshed.stderr);
    const feeds = await gleaner(env, 'feeds');
    assert.match(feeds.stdout, /Behind the Proxy/);
    assert.doesNotMatch(feeds.stdout, /error/i);
    assert.ok(proxy.requests.length >= 2, 'the subscribing fetch and the refresh');
    for (const request of proxy.requests) {
      assert.equal(request.method, 'CONNECT');
      assert.equal(request.target, new URL(feedUrl).host);
      assert.equal(request.proxyAuthorization, `Basic ${Buffer.from('ann:s3cret').toString('base64')}`);
    }
  });

  it('speaks TLS to an https:// proxy', async () => {
    const through = { ...env, GLEANER_FETCH_PROXY: `https://bob:t0psecret@127.0.0.1:${tlsProxy.port}` };
    const refreshed = await gleaner(through, 'refresh');
    assert.equal(refreshed.code, 0, refreshed.stderr);
    assert.deepEqual(
      tlsProxy.requests.map((r) => [r.method, r.target, r.proxyAuthorization]),
      [['CONNECT', new URL(feedUrl).host, `Basic ${Buffer.from('bob:t0psecret').toString('base64')}`]],
    );
  });

  it('masks the proxy URL in gleaner config, and writes its password nowhere', async () => {
    const { code, stdout } = await gleaner(env, 'config');
    assert.equal(code, 0);
    assert.match(stdout, /^GLEANER_FETCH_PROXY=\*{8} {2}#/m);
    for (const output of outputs) assert.doesNotMatch(output, /s3cret|t0psecret/);
  });

  it(
    'refuses a network setting it cannot use, and exits, before fetching anything',
    { timeout: 60_000 },
    async () => {
      // The store was opened before these were read, and kept the process alive after the error.
      const bad = [
        [
          { GLEANER_FETCH_PROXY: 'ftp://ann:s3cret@proxy.example' },
          /GLEANER_FETCH_PROXY=ftp:\/\/proxy\.example\/: give an http:\/\/ or https:\/\/ proxy/,
        ],
        [
          { GLEANER_ALLOW_PRIVATE_NETWORKS: 'somewhere' },
          /GLEANER_ALLOW_PRIVATE_NETWORKS: "somewhere" is not an IP range/,
        ],
      ] as const;
      for (const [setting, message] of bad) {
        const { code, stderr } = await gleaner({ ...env, ...setting }, 'refresh');
        assert.equal(code, 1, stderr);
        assert.match(stderr, message);
        assert.doesNotMatch(stderr, /s3cret/);
      }
    },
  );
});
