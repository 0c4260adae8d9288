// A certificate one feed trusts (FetchOptions.trustedCertificate), over real TLS on 127.0.0.1:
// certificates made with openssl for each run, servers that show them, and a CONNECT proxy.
import * as assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { GleanerError } from '../../model/errors.js';
import { FetchError, toFetchError } from './errors.js';
import { makeCertificate, opensslSkipReason, type TestCertificate } from '../../testing/certificates.js';
import { startTestProxy, type TestProxy } from '../../testing/proxyserver.js';
import {
  LOOPBACK_POLICY,
  SAMPLE_RSS,
  fetchError,
  respond,
  startTestServer,
  type TestServer,
} from '../../testing/testserver.js';
import {
  createFetcher,
  DEFAULT_NETWORK_POLICY,
  parseProxyUrl,
  parseTrustedCertificate,
  type Fetcher,
} from './index.js';

const skip = opensslSkipReason();

describe('a certificate to trust, as given', { skip }, () => {
  let own: TestCertificate;
  before(() => {
    own = makeCertificate('nas.test', ['DNS:nas.test']);
  });

  it('is one PEM certificate, kept in its own form with its SHA-256 fingerprint', () => {
    const parsed = parseTrustedCertificate(`saved from a browser:\r\n${own.cert.replace(/\n/g, '\r\n')}\n`);
    const expected = new X509Certificate(own.cert);
    assert.equal(parsed.pem, expected.toString());
    assert.equal(parsed.fingerprint, expected.fingerprint256);
    assert.equal(parseTrustedCertificate(parsed.pem).pem, parsed.pem, 'the stored form reads back as itself');
  });

  it('refuses a private key, without repeating it', () => {
    assert.throws(
      () => parseTrustedCertificate(`${own.key}${own.cert}`),
      (error: GleanerError) => {
        assert.equal(error.code, 'USAGE');
        assert.match(error.message, /private key.*give the certificate/);
        assert.doesNotMatch(error.message, /BEGIN PRIVATE KEY|MI[A-Za-z0-9+/]{20}/);
        return true;
      },
    );
  });

  it('refuses anything but one readable certificate, saying what to give', () => {
    const body = own.cert.split('\n').slice(1, -2).join('\n');
    for (const [text, why] of [
      ['', /PEM form/],
      ['not a certificate', /PEM form/],
      [body, /PEM form/],
      [`${own.cert}${own.cert}`, /one certificate, not 2/],
      [own.cert.replace(/\n.{8}/, '\nAAAAAAAA'), /cannot be read/],
      ['-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----', /cannot be read/],
      [`-----BEGIN CERTIFICATE-----\n${'A'.repeat(20_000)}\n-----END CERTIFICATE-----`, /too long/],
      // A server's certificate that a CA signed never ends a chain: its CA's is the one to give.
      [
        makeCertificate('nas.test', ['DNS:nas.test'], {
          issuer: makeCertificate('Home CA', [], { ca: true }),
        }).cert,
        /signed by CN=Home CA: give that CA's certificate instead/,
      ],
    ] as const) {
      assert.throws(
        () => parseTrustedCertificate(text),
        (error: GleanerError) => error.code === 'USAGE' && why.test(error.message),
        text.slice(0, 40),
      );
    }
  });
});

describe('a certificate refused for its date', () => {
  it('says to renew it, whether or not the feed trusts a certificate of its own', () => {
    const url = new URL('https://nas.test/feed.xml');
    const expired = Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' });
    const timeouts = { connectMs: 1, headersMs: 1, bodyMs: 1 };
    const plain = toFetchError(expired, url, timeouts);
    assert.ok(plain instanceof FetchError && plain.certificateRefused);
    assert.match(
      plain.message,
      /the TLS certificate of nas\.test has expired \(CERT_HAS_EXPIRED\); ask the site to renew it/,
    );
    assert.doesNotMatch(plain.message, /neither a usual authority/);
    const trusting = toFetchError(expired, url, timeouts, 'AB:CD');
    assert.match(
      trusting.message,
      /renew it and trust the new one in the feed's settings \(it trusts SHA-256 AB:CD\)/,
    );
  });
});

describe('fetching from a server whose certificate no authority signed', { skip }, () => {
  let own: TestCertificate;
  let stranger: TestCertificate;
  let ca: TestCertificate;
  let selfSigned: TestServer;
  let signed: TestServer;
  let misnamed: TestServer;
  let proxy: TestProxy;
  let fetcher: Fetcher;
  let proxied: Fetcher;
  const rss = respond(200, { 'content-type': 'application/rss+xml' }, SAMPLE_RSS);

  before(async () => {
    // Made for a name; the server is reached by its address, as a NAS on a home network often is.
    own = makeCertificate('nas.test', ['DNS:nas.test']);
    stranger = makeCertificate('stranger.test', ['DNS:stranger.test']);
    ca = makeCertificate('Home CA', [], { ca: true });
    selfSigned = await startTestServer({ '/feed.xml': rss }, '127.0.0.1', own);
    signed = await startTestServer(
      { '/feed.xml': rss },
      '127.0.0.1',
      makeCertificate('127.0.0.1', ['IP:127.0.0.1'], { issuer: ca }),
    );
    misnamed = await startTestServer(
      { '/feed.xml': rss },
      '127.0.0.1',
      makeCertificate('elsewhere.test', ['DNS:elsewhere.test'], { issuer: ca }),
    );
    proxy = await startTestProxy();
    fetcher = createFetcher({ policy: LOOPBACK_POLICY, userAgent: 'Gleaner-test/1.0' });
    proxied = createFetcher({
      policy: LOOPBACK_POLICY,
      userAgent: 'Gleaner-test/1.0',
      feedProxy: parseProxyUrl(`http://127.0.0.1:${proxy.port}`, 'GLEANER_FEED_PROXY'),
    });
  });

  after(async () => {
    await Promise.all([fetcher.close(), proxied.close()]);
    await Promise.all([selfSigned.close(), signed.close(), misnamed.close(), proxy.close()]);
  });

  it('refuses it by default, saying how to trust a server of your own', async () => {
    const error = await fetchError(fetcher, { url: selfSigned.url('/feed.xml') }, 'FETCH_NETWORK');
    assert.match(error.message, /certificate of 127\.0\.0\.1 was refused \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
    assert.match(error.message, /for this feed \(--trust-certificate FILE, or the feed's fetch options/);
    assert.equal(selfSigned.requests.length, 0, 'nothing was sent');
  });

  it('fetches from a server showing the certificate its feed trusts, whatever name it was made for', async () => {
    const result = await fetcher.fetchFeed({
      url: selfSigned.url('/feed.xml'),
      trustedCertificate: own.cert,
    });
    assert.equal(result.status, 'ok');
    assert.equal(result.status === 'ok' && Buffer.from(result.body).toString('utf8'), SAMPLE_RSS);
  });

  it('trusts it for that feed only: the same fetcher still refuses it for the others', async () => {
    await fetchError(fetcher, { url: selfSigned.url('/feed.xml') }, 'FETCH_NETWORK');
    await fetchError(
      fetcher,
      { url: selfSigned.url('/feed.xml'), trustedCertificate: stranger.cert },
      'FETCH_NETWORK',
    );
  });

  it('refuses any other certificate, naming the one the feed trusts', async () => {
    const error = await fetchError(
      fetcher,
      { url: selfSigned.url('/feed.xml'), trustedCertificate: stranger.cert },
      'FETCH_NETWORK',
    );
    const fingerprint = new X509Certificate(stranger.cert).fingerprint256;
    assert.match(error.message, /neither a usual authority nor the certificate this feed trusts/);
    assert.ok(error.message.includes(`SHA-256 ${fingerprint}`), error.message);
    assert.match(error.message, /trust the new one in the feed's settings/);
  });

  it('fails a feed whose stored certificate does not read (a database changed by hand), sending nothing', async () => {
    const error = await fetchError(
      fetcher,
      { url: selfSigned.url('/damaged.xml'), trustedCertificate: '-----BEGIN CERTIFICATE-----\nAAAA\n' },
      'CONFIG_INVALID',
    );
    assert.match(error.message, /the certificate its feed trusts cannot be read; give it again/);
    assert.ok(!selfSigned.requests.some((r) => r.path === '/damaged.xml'));
  });

  it('trusts a private CA for the certificates it signs, for the names they were made for', async () => {
    await fetchError(fetcher, { url: signed.url('/feed.xml') }, 'FETCH_NETWORK');
    const result = await fetcher.fetchFeed({ url: signed.url('/feed.xml'), trustedCertificate: ca.cert });
    assert.equal(result.status, 'ok');
    const error = await fetchError(
      fetcher,
      { url: misnamed.url('/feed.xml'), trustedCertificate: ca.cert },
      'FETCH_NETWORK',
    );
    assert.match(error.message, /ERR_TLS_CERT_ALTNAME_INVALID/);
    assert.equal(misnamed.requests.length, 0, 'nothing was sent');
  });

  it('shows the certificate to trust, unverified: the server’s own, or its CA’s when it sends it', async () => {
    const asked = selfSigned.requests.length;
    const shown = await fetcher.presentedCertificate(selfSigned.url('/feed.xml'));
    assert.deepEqual(
      [shown.kind, shown.pem, shown.fingerprint, shown.names, shown.subject],
      [
        'self-signed',
        new X509Certificate(own.cert).toString(),
        new X509Certificate(own.cert).fingerprint256,
        'DNS:nas.test',
        'CN=nas.test',
      ],
    );
    assert.equal(selfSigned.requests.length, asked, 'no request: a TLS handshake, then nothing');
    // A server that sends its chain: its CA's certificate is the one to trust.
    const leaf = makeCertificate('127.0.0.1', ['IP:127.0.0.1'], { issuer: ca });
    const chained = await startTestServer({}, '127.0.0.1', { key: leaf.key, cert: leaf.cert + ca.cert });
    try {
      const ofChain = await fetcher.presentedCertificate(chained.url('/'));
      assert.deepEqual([ofChain.kind, ofChain.pem], ['ca', new X509Certificate(ca.cert).toString()]);
      // Trusted, it verifies the server, which then answers (404: it serves nothing).
      await fetchError(
        fetcher,
        { url: chained.url('/none'), trustedCertificate: ofChain.pem },
        'FETCH_HTTP_STATUS',
      );
    } finally {
      await chained.close();
    }
    await assert.rejects(
      fetcher.presentedCertificate(signed.url('/feed.xml')),
      /certificate was signed by CN=Home CA, whose own certificate it did not send: give that CA's certificate/,
    );
  });

  it('shows no certificate past the address guards, nor of plain http, nor behind a fetch proxy', async () => {
    const guarded = createFetcher({ policy: DEFAULT_NETWORK_POLICY, userAgent: 'Gleaner-test/1.0' });
    const behind = createFetcher({
      policy: LOOPBACK_POLICY,
      userAgent: 'Gleaner-test/1.0',
      proxy: parseProxyUrl(`http://127.0.0.1:${proxy.port}`),
    });
    try {
      await assert.rejects(
        guarded.presentedCertificate(selfSigned.url('/feed.xml')),
        (error: GleanerError) => error.code === 'FETCH_BLOCKED_ADDRESS',
      );
      await assert.rejects(
        guarded.presentedCertificate('https://169.254.169.254/'),
        (error: GleanerError) => error.code === 'FETCH_BLOCKED_ADDRESS',
      );
      await assert.rejects(fetcher.presentedCertificate('http://127.0.0.1/'), /is not https/);
      await assert.rejects(behind.presentedCertificate(selfSigned.url('/')), /openssl s_client -proxy/);
      // A feed fetched through the feed proxy: its server does not see a connection of ours.
      const accepted = selfSigned.connections;
      await assert.rejects(
        fetcher.presentedCertificate(selfSigned.url('/'), { viaProxy: true }),
        /behind GLEANER_FEED_PROXY, get the certificate with openssl s_client -proxy/,
      );
      assert.equal(selfSigned.connections, accepted, 'no connection to the server');
    } finally {
      await guarded.close();
      await behind.close();
    }
  });

  it('trusts it through the feed proxy too, in the tunnel to the server', async () => {
    await fetchError(proxied, { url: selfSigned.url('/feed.xml'), viaProxy: true }, 'FETCH_NETWORK');
    const result = await proxied.fetchFeed({
      url: selfSigned.url('/feed.xml'),
      viaProxy: true,
      trustedCertificate: own.cert,
    });
    assert.equal(result.status, 'ok');
    assert.ok(
      proxy.requests.some((r) => r.method === 'CONNECT' && r.target === `127.0.0.1:${selfSigned.port}`),
      'tunnelled',
    );
  });
});
