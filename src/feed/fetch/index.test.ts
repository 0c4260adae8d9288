import * as assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import * as zlib from 'node:zlib';
import { DEFAULT_NETWORK_POLICY, type NetworkPolicy } from './address.js';
import { FetchError } from './errors.js';
import { createFetcher, type Fetcher, type FetcherOptions, type FetchResult } from './index.js';
import type { ResolveHost } from './lookup.js';
import { makeCertificate, opensslSkipReason } from '../../testing/certificates.js';
import {
  LOOPBACK_POLICY,
  SAMPLE_RSS,
  fetchError,
  plainUrl,
  respond,
  startTestServer,
  type TestHandler,
  type TestServer,
} from '../../testing/testserver.js';

const MiB = 1024 * 1024;
const TIMEOUTS = { connectMs: 5_000, headersMs: 5_000, bodyMs: 10_000 };

function fetcherFor(overrides: Partial<FetcherOptions> = {}): Fetcher {
  return createFetcher({
    policy: LOOPBACK_POLICY,
    userAgent: 'Gleaner-test/1.0',
    timeouts: TIMEOUTS,
    maxBodyBytes: MiB,
    ...overrides,
  });
}

function ok(result: FetchResult): Extract<FetchResult, { status: 'ok' }> {
  assert.equal(result.status, 'ok');
  return result;
}

function text(result: FetchResult): string {
  return Buffer.from(ok(result).body).toString('utf8');
}

function redirect(status: number, location: string) {
  return respond(status, { location });
}

/** Writes 16 KiB chunks for as long as the client keeps reading. */
function endless(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'application/rss+xml' });
  const chunk = Buffer.alloc(16 * 1024, 'a');
  const write = (): void => {
    while (!response.destroyed && response.write(chunk));
    if (!response.destroyed) response.once('drain', write);
  };
  write();
}

/** Sends headers, then one byte every 5 ms, forever. */
function trickle(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'application/rss+xml' });
  const timer = setInterval(() => response.write('a'), 5);
  response.on('close', () => clearInterval(timer));
}

describe('fetchFeed', () => {
  let server: TestServer;
  let other: TestServer;
  let fetcher: Fetcher;
  const gzipped = zlib.gzipSync(SAMPLE_RSS);
  const brotlied = zlib.brotliCompressSync(SAMPLE_RSS);
  const deflated = zlib.deflateSync(SAMPLE_RSS);

  before(async () => {
    server = await startTestServer({
      '/feed': respond(
        200,
        {
          'content-type': 'application/rss+xml; charset=utf-8',
          etag: '"v1"',
          'last-modified': 'Wed, 01 Jan 2025 00:00:00 GMT',
          'cache-control': 'public, max-age=300',
          expires: 'Wed, 01 Jan 2025 01:00:00 GMT',
        },
        SAMPLE_RSS,
      ),
      '/atom': respond(200, { 'content-type': 'application/atom+xml; charset=ISO-8859-1' }, '<feed/>'),
      '/etag': (request, response) => {
        if (request.headers['if-none-match'] === '"v1"') response.writeHead(304, { etag: '"v1"' }).end();
        else respond(200, { etag: '"v1"' }, SAMPLE_RSS)(request, response);
      },
      '/last-modified': (request, response) => {
        if (request.headers['if-modified-since'] === 'Wed, 01 Jan 2025 00:00:00 GMT')
          response.writeHead(304).end();
        else
          respond(200, { 'last-modified': 'Wed, 01 Jan 2025 00:00:00 GMT' }, SAMPLE_RSS)(request, response);
      },
      '/moved-301': redirect(301, '/feed'),
      '/moved-308': redirect(308, '/feed'),
      '/found-302': redirect(302, '/feed'),
      '/see-303': redirect(303, '/feed'),
      '/temporary-307': redirect(307, '/feed'),
      '/chain-301-308': redirect(301, '/moved-308'),
      '/chain-301-302': redirect(301, '/found-302'),
      '/moved-to-etag': redirect(301, '/etag'),
      '/no-location': respond(302),
      '/loop-a': redirect(302, '/loop-b'),
      '/loop-b': redirect(302, '/loop-a?again'), // served by /loop-a again
      '/self': redirect(301, '/self'),
      '/to-file': redirect(302, 'file:///etc/passwd'),
      '/always-304': respond(304, { etag: '"v1"' }),
      '/huge-headers': respond(200, { 'x-padding': 'x'.repeat(20_000) }, SAMPLE_RSS),
      // Written to the socket by hand: Node's server sends only valid HTTP.
      '/bad-chunk': (request) =>
        void request.socket.end(
          'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nabc\r\n0\r\n\r\n',
        ),
      '/404': respond(404),
      '/410': respond(410),
      '/500': respond(500),
      '/401': respond(401),
      '/429': respond(429, { 'retry-after': '120' }),
      '/503-date': respond(503, { 'retry-after': 'Wed, 01 Jan 2025 00:02:00 GMT' }),
      '/gzip': respond(200, { 'content-encoding': 'gzip' }, gzipped),
      '/deflate': respond(200, { 'content-encoding': 'deflate' }, zlib.deflateSync(SAMPLE_RSS)),
      '/deflate-raw': respond(200, { 'content-encoding': 'deflate' }, zlib.deflateRawSync(SAMPLE_RSS)),
      '/br': respond(200, { 'content-encoding': 'br' }, zlib.brotliCompressSync(SAMPLE_RSS)),
      '/gzip-then-br': respond(200, { 'content-encoding': 'gzip, br' }, zlib.brotliCompressSync(gzipped)),
      '/gzip-cut-short': respond(
        200,
        { 'content-encoding': 'gzip', etag: '"whole"', 'last-modified': 'Wed, 01 Jan 2025 00:00:00 GMT' },
        gzipped.subarray(0, gzipped.length - 8),
      ),
      '/br-cut-short': respond(
        200,
        { 'content-encoding': 'br', etag: '"whole"' },
        brotlied.subarray(0, brotlied.length - 4),
      ),
      '/deflate-cut-short': respond(
        200,
        { 'content-encoding': 'deflate', etag: '"whole"' },
        deflated.subarray(0, deflated.length - 10),
      ),
      '/gzip-whole': respond(200, { 'content-encoding': 'gzip', etag: '"whole"' }, gzipped),
      '/corrupt-gzip': respond(200, { 'content-encoding': 'gzip' }, 'this is not gzip data'),
      '/zstd': respond(200, { 'content-encoding': 'zstd' }, 'whatever'),
      '/gzip-bomb': respond(200, { 'content-encoding': 'gzip' }, zlib.gzipSync(Buffer.alloc(10 * MiB))),
      '/br-bomb': respond(200, { 'content-encoding': 'br' }, zlib.brotliCompressSync(Buffer.alloc(10 * MiB))),
      '/declared-too-large': (_request, response) => {
        response.writeHead(200, { 'content-length': String(2 * MiB) });
        response.write('a');
      },
      '/endless': (_request, response) => endless(response),
      '/trickle': (_request, response) => trickle(response),
      '/silent': () => {},
      '/auth': (request, response) => {
        const expected = `Basic ${Buffer.from('reader:s3cret').toString('base64')}`;
        if (request.headers.authorization === expected) respond(200, {}, SAMPLE_RSS)(request, response);
        else respond(401, { 'www-authenticate': 'Basic realm="feeds"' })(request, response);
      },
      '/cookie': (request, response) => {
        respond(request.headers.cookie === 'session=abc' ? 200 : 403, {}, SAMPLE_RSS)(request, response);
      },
    });
    other = await startTestServer({ '/feed': respond(200, {}, SAMPLE_RSS) });
    server.route('/to-other', redirect(302, other.url('/feed')));
    server.route('/auth-to-other', (request, response) => {
      const location = request.headers.authorization && request.headers.cookie ? other.url('/feed') : '/401';
      redirect(302, location)(request, response);
    });
    // /hop/1 → /hop/2 → … → /hop/6 → /feed: six redirects from /hop/1, five from /hop/2.
    for (let i = 1; i <= 6; i++)
      server.route(`/hop/${i}`, redirect(302, i === 6 ? '/feed' : `/hop/${i + 1}`));
    fetcher = fetcherFor({ now: () => Date.parse('2025-01-01T00:00:00Z') });
  });

  after(async () => {
    await fetcher.close();
    await server.close();
    await other.close();
  });

  describe('a successful fetch', () => {
    it('returns the body, validators, cache hints and the Content-Type as sent', async () => {
      const result = ok(await fetcher.fetchFeed({ url: server.url('/feed') }));
      assert.equal(Buffer.from(result.body).toString('utf8'), SAMPLE_RSS);
      assert.equal(result.contentType, 'application/rss+xml; charset=utf-8');
      assert.equal(result.etag, '"v1"');
      assert.equal(result.lastModified, 'Wed, 01 Jan 2025 00:00:00 GMT');
      assert.equal(result.cacheControlMaxAge, 300);
      assert.equal(result.expires, '2025-01-01T01:00:00Z');
      assert.equal(result.retryAfter, null);
      assert.equal(result.finalUrl, server.url('/feed'));
      assert.equal(result.permanentRedirectUrl, null);
    });

    it('passes an unusual Content-Type through untouched', async () => {
      const result = ok(await fetcher.fetchFeed({ url: server.url('/atom') }));
      assert.equal(result.contentType, 'application/atom+xml; charset=ISO-8859-1');
      assert.equal(result.etag, null);
      assert.equal(result.cacheControlMaxAge, null);
    });

    it('sends the User-Agent, Accept and Accept-Encoding headers', async () => {
      await fetcher.fetchFeed({ url: server.url('/feed?headers') });
      const sent = server.requests.find((request) => request.path === '/feed?headers');
      assert.equal(sent?.headers['user-agent'], 'Gleaner-test/1.0');
      assert.equal(sent?.headers['accept-encoding'], 'gzip, deflate, br');
      assert.match(sent?.headers.accept ?? '', /^application\/rss\+xml, application\/atom\+xml, /);
      assert.equal(sent?.headers['if-none-match'], undefined);
    });

    it("uses the subscription's own User-Agent when it has one", async () => {
      await fetcher.fetchFeed({ url: server.url('/feed?ua'), userAgent: 'Custom/2' });
      const sent = server.requests.find((request) => request.path === '/feed?ua');
      assert.equal(sent?.headers['user-agent'], 'Custom/2');
    });

    it('takes an empty or blank user agent, username or password for none', async () => {
      for (const [i, blank] of ['', '  '].entries()) {
        const path = `/feed?blank=${i}`;
        ok(
          await fetcher.fetchFeed({ url: server.url(path), userAgent: blank, username: blank, password: '' }),
        );
        const sent = server.requests.find((request) => request.path === path);
        assert.equal(sent?.headers['user-agent'], 'Gleaner-test/1.0');
        assert.equal(sent?.headers.authorization, undefined);
      }
    });
  });

  describe('connections', () => {
    it('reuses one connection per origin and queues requests beyond the limit', async () => {
      const pooled = fetcherFor({ perHostConnections: 1 });
      try {
        const before = server.connections;
        const urls = ['/feed', '/atom', '/feed?again', '/gzip'].map((path) => server.url(path));
        const results = await Promise.all(urls.map((url) => pooled.fetchFeed({ url })));
        await pooled.fetchFeed({ url: server.url('/feed') });
        assert.deepEqual(
          results.map((result) => result.status),
          ['ok', 'ok', 'ok', 'ok'],
        );
        assert.equal(server.connections - before, 1);
      } finally {
        await pooled.close();
      }
    });
  });

  describe('conditional GET', () => {
    it('returns not-modified when the ETag matches', async () => {
      const first = ok(await fetcher.fetchFeed({ url: server.url('/etag') }));
      const second = await fetcher.fetchFeed({ url: server.url('/etag'), etag: first.etag });
      assert.deepEqual(second, {
        status: 'not-modified',
        finalUrl: server.url('/etag'),
        permanentRedirectUrl: null,
        cacheControlMaxAge: null,
        retryAfter: null,
        expires: null,
      });
    });

    it('returns not-modified when Last-Modified matches', async () => {
      const first = ok(await fetcher.fetchFeed({ url: server.url('/last-modified') }));
      const second = await fetcher.fetchFeed({
        url: server.url('/last-modified'),
        lastModified: first.lastModified,
      });
      assert.equal(second.status, 'not-modified');
    });

    it('takes a 304 for "unchanged" only when the request had a validator', async () => {
      // A server that answers 304 to everything: unconditional, the feed would never be read.
      const error = await fetchError(fetcher, { url: server.url('/always-304') }, 'FETCH_HTTP_STATUS');
      assert.equal(error.status, 304);
      assert.match(error.message, /returned 304 Not Modified; the request had nothing to compare/);
      for (const validator of [{ etag: '"v1"' }, { lastModified: 'Wed, 01 Jan 2025 00:00:00 GMT' }]) {
        const result = await fetcher.fetchFeed({ url: server.url('/always-304'), ...validator });
        assert.equal(result.status, 'not-modified');
      }
    });

    it('reports a permanent redirect on a 304 too', async () => {
      const result = await fetcher.fetchFeed({ url: server.url('/moved-to-etag'), etag: '"v1"' });
      assert.equal(result.status, 'not-modified');
      assert.equal(result.permanentRedirectUrl, server.url('/etag'));
    });
  });

  describe('redirects', () => {
    const cases: Array<[string, boolean]> = [
      ['/moved-301', true],
      ['/moved-308', true],
      ['/chain-301-308', true],
      ['/found-302', false],
      ['/see-303', false],
      ['/temporary-307', false],
      ['/chain-301-302', false],
    ];
    for (const [path, permanent] of cases) {
      it(`${path} ${permanent ? 'sets' : 'does not set'} permanentRedirectUrl`, async () => {
        const result = ok(await fetcher.fetchFeed({ url: server.url(path) }));
        assert.equal(result.finalUrl, server.url('/feed'));
        assert.equal(result.permanentRedirectUrl, permanent ? server.url('/feed') : null);
        assert.equal(text(result), SAMPLE_RSS);
      });
    }

    it('follows 5 redirects', async () => {
      const result = ok(await fetcher.fetchFeed({ url: server.url('/hop/2') }));
      assert.equal(result.finalUrl, server.url('/feed'));
    });

    it('refuses a 6th redirect', async () => {
      const error = await fetchError(fetcher, { url: server.url('/hop/1') }, 'FETCH_TOO_MANY_REDIRECTS');
      assert.match(error.message, /more than 5 times/);
    });

    it('refuses a redirect loop', async () => {
      await fetchError(fetcher, { url: server.url('/loop-a') }, 'FETCH_TOO_MANY_REDIRECTS');
      const error = await fetchError(fetcher, { url: server.url('/self') }, 'FETCH_TOO_MANY_REDIRECTS');
      assert.match(error.message, /loop/);
    });

    it('refuses a redirect without a Location', async () => {
      await fetchError(fetcher, { url: server.url('/no-location') }, 'FETCH_HTTP_STATUS');
    });

    it('refuses a redirect to a scheme other than http or https, naming both ends', async () => {
      const error = await fetchError(fetcher, { url: server.url('/to-file') }, 'FETCH_INVALID_URL');
      assert.equal(
        error.message,
        `${server.url('/to-file')} redirects to file:///etc/passwd, which uses file, but feeds can only be fetched over http or https; check the URL`,
      );
    });

    it('shortens a long redirect target in its message', async () => {
      const document = `data:application/rss+xml,${encodeURIComponent(SAMPLE_RSS.repeat(50))}`;
      server.route('/to-data', redirect(302, document));
      const error = await fetchError(fetcher, { url: server.url('/to-data') }, 'FETCH_INVALID_URL');
      assert.match(
        error.message,
        /\/to-data redirects to data:application\/rss\+xml,%3C%3Fxml[^ ]*…, which uses data, but feeds can only be fetched over http or https/,
      );
      assert.ok(error.message.length < 300, error.message);
    });
  });

  describe('error statuses', () => {
    const cases: Array<[string, number, RegExp]> = [
      ['/404', 404, /\/404 returned 404 Not Found; check the URL or remove the subscription$/],
      ['/410', 410, /returned 410 Gone; .*remove the subscription$/],
      ['/500', 500, /returned 500 Internal Server Error; .*retry later$/],
      [
        '/401',
        401,
        /returned 401 Unauthorized; check the username, password or cookie of the subscription \(its edit form, or gleaner edit\)/,
      ],
    ];
    for (const [path, status, message] of cases) {
      it(`${status} throws FETCH_HTTP_STATUS with advice`, async () => {
        const error = await fetchError(fetcher, { url: server.url(path) }, 'FETCH_HTTP_STATUS');
        assert.equal(error.status, status);
        assert.equal(error.retryAfterSeconds, null);
        assert.match(error.message, message);
      });
    }

    it('429 carries Retry-After in seconds', async () => {
      const error = await fetchError(fetcher, { url: server.url('/429') }, 'FETCH_HTTP_STATUS');
      assert.equal(error.retryAfterSeconds, 120);
      assert.match(error.message, /\(it asks for 2 min\); Gleaner will retry later$/);
    });

    it('503 carries a Retry-After date as seconds from now', async () => {
      const error = await fetchError(fetcher, { url: server.url('/503-date') }, 'FETCH_HTTP_STATUS');
      assert.equal(error.retryAfterSeconds, 120);
    });
  });

  describe('content encodings', () => {
    for (const path of ['/gzip', '/deflate', '/deflate-raw', '/br', '/gzip-then-br', '/gzip-cut-short']) {
      it(`decodes ${path.slice(1)}`, async () => {
        const decoded = text(await fetcher.fetchFeed({ url: server.url(path) }));
        if (path === '/gzip-cut-short') assert.ok(SAMPLE_RSS.startsWith(decoded) && decoded.length > 0);
        else assert.equal(decoded, SAMPLE_RSS);
      });
    }

    it('reads what arrived of a compressed body cut short, as partial and without its validators', async () => {
      for (const path of ['/gzip-cut-short', '/br-cut-short', '/deflate-cut-short']) {
        const result = ok(await fetcher.fetchFeed({ url: server.url(path) }));
        const decoded = Buffer.from(result.body).toString('utf8');
        assert.ok(SAMPLE_RSS.startsWith(decoded) && decoded.length > SAMPLE_RSS.length / 2, path);
        assert.deepEqual([result.etag, result.lastModified, result.partial], [null, null, true], path);
      }
      const whole = ok(await fetcher.fetchFeed({ url: server.url('/gzip-whole') }));
      assert.deepEqual([whole.etag, whole.partial], ['"whole"', undefined]);
    });

    it('reports a corrupt body as a network error', async () => {
      const error = await fetchError(fetcher, { url: server.url('/corrupt-gzip') }, 'FETCH_NETWORK');
      assert.match(error.message, /could not be decompressed/);
    });

    it('says so, without "try again", when a response is not valid HTTP or its headers too large', async () => {
      const chunk = await fetchError(fetcher, { url: server.url('/bad-chunk') }, 'FETCH_NETWORK');
      assert.match(
        chunk.message,
        /sent a response that is not valid HTTP\/1\.1 \(Invalid character in chunk size\); tell the site$/,
      );
      const headers = await fetchError(fetcher, { url: server.url('/huge-headers') }, 'FETCH_NETWORK');
      assert.match(
        headers.message,
        /sent more response headers than Gleaner reads \(16 KiB\); the server is misconfigured/,
      );
      for (const error of [chunk, headers]) assert.doesNotMatch(error.forSubscribing().message, /try again/);
    });

    it('refuses an encoding it did not ask for', async () => {
      await fetchError(fetcher, { url: server.url('/zstd') }, 'FETCH_NETWORK');
    });
  });

  describe('size limits', () => {
    for (const path of ['/gzip-bomb', '/br-bomb']) {
      it(`stops a decompression bomb (${path.slice(1)}: 10 MiB of zeros, limit 1 MiB)`, async () => {
        await fetchError(fetcher, { url: server.url(path) }, 'FETCH_TOO_LARGE');
      });
    }

    it('stops a never-ending body', async () => {
      await fetchError(fetcher, { url: server.url('/endless') }, 'FETCH_TOO_LARGE');
    });

    it('refuses a declared Content-Length over the limit before reading', async () => {
      await fetchError(fetcher, { url: server.url('/declared-too-large') }, 'FETCH_TOO_LARGE');
    });
  });

  describe('timeouts', () => {
    it('ends a server that never answers with FETCH_TIMEOUT', async () => {
      const slow = fetcherFor({ timeouts: { ...TIMEOUTS, headersMs: 50 } });
      try {
        await fetchError(slow, { url: server.url('/silent') }, 'FETCH_TIMEOUT');
      } finally {
        await slow.close();
      }
    });

    it('ends a body that trickles in forever with FETCH_TIMEOUT', async () => {
      const slow = fetcherFor({ timeouts: { ...TIMEOUTS, bodyMs: 100 } });
      try {
        await fetchError(slow, { url: server.url('/trickle') }, 'FETCH_TIMEOUT');
      } finally {
        await slow.close();
      }
    });

    it('ends a connection that never gets established with FETCH_TIMEOUT', async () => {
      const hang: ResolveHost = () => new Promise(() => {});
      const slow = fetcherFor({ timeouts: { ...TIMEOUTS, connectMs: 50 }, resolveHost: hang });
      try {
        await fetchError(slow, { url: `http://hangs.test:${server.port}/feed` }, 'FETCH_TIMEOUT');
      } finally {
        await slow.close();
      }
    });
  });

  describe('credentials', () => {
    it('sends basic auth and a cookie', async () => {
      ok(await fetcher.fetchFeed({ url: server.url('/auth'), username: 'reader', password: 's3cret' }));
      ok(await fetcher.fetchFeed({ url: server.url('/cookie'), cookie: 'session=abc' }));
    });

    it('says a cookie no header can carry is to be changed, not waited out', async () => {
      const error = await fetchError(
        fetcher,
        { url: server.url('/cookie'), cookie: 'name=名前' },
        'FETCH_NETWORK',
      );
      assert.match(
        error.message,
        /the request could not be sent \(.*\); change the feed's user agent or cookie/,
      );
      assert.doesNotMatch(error.message, /retry|try again/);
    });

    it('takes basic auth from the URL and keeps it out of messages', async () => {
      const withUserinfo = server.url('/auth').replace('http://', 'http://reader:s3cret@');
      const result = ok(await fetcher.fetchFeed({ url: withUserinfo }));
      assert.equal(result.finalUrl, server.url('/auth'));
      const error = await fetchError(
        fetcher,
        { url: withUserinfo.replace('/auth', '/404'), password: 'other-secret' },
        'FETCH_HTTP_STATUS',
      );
      assert.doesNotMatch(error.message, /s3cret|other-secret|reader/);
      assert.ok(error.message.startsWith(server.url('/404')));
    });

    it('neither sends nor keeps credentials a redirect writes into its Location', async () => {
      server.route(
        '/to-userinfo',
        redirect(301, server.url('/feed?userinfo').replace('://', '://attacker:hunter2@')),
      );
      const result = ok(await fetcher.fetchFeed({ url: server.url('/to-userinfo') }));
      assert.equal(result.finalUrl, server.url('/feed?userinfo'));
      assert.equal(result.permanentRedirectUrl, server.url('/feed?userinfo'));
      const sent = server.requests.find((request) => request.path === '/feed?userinfo');
      assert.equal(sent?.headers.authorization, undefined);
    });

    it('does not send credentials or cookies to another origin after a redirect', async () => {
      const before = other.requests.length;
      const result = await fetcher.fetchFeed({
        url: server.url('/auth-to-other'),
        username: 'reader',
        password: 's3cret',
        cookie: 'session=abc',
      });
      assert.equal(result.finalUrl, other.url('/feed'));
      const sent = other.requests.slice(before);
      assert.equal(sent.length, 1);
      assert.equal(sent[0]?.headers.authorization, undefined);
      assert.equal(sent[0]?.headers.cookie, undefined);
    });
  });

  describe('credentials between http and https on one host', { skip: opensslSkipReason() }, () => {
    let site: TestServer;
    let certificate: string;
    const basic = `Basic ${Buffer.from('reader:s3cret').toString('base64')}`;
    const secrets = { username: 'reader', password: 's3cret', cookie: 'session=abc' };
    /** What each request for `path` carried, in order, as "cookie|authorization". */
    const carried = (path: string): string[] =>
      site.requests
        .filter((request) => request.path === path)
        .map((request) => `${request.headers.cookie}|${request.headers.authorization}`);

    before(async () => {
      const own = makeCertificate('127.0.0.1', ['IP:127.0.0.1']);
      certificate = own.cert;
      // One host and port, over http and https alike: each path answers by the scheme it was asked in.
      site = await startTestServer({}, '127.0.0.1', own);
      const secured = (request: IncomingMessage): boolean => 'encrypted' in request.socket;
      const members: TestHandler = (request, response) =>
        request.headers.authorization === basic && request.headers.cookie === 'session=abc'
          ? respond(200, {}, SAMPLE_RSS)(request, response)
          : respond(401)(request, response);
      site.route('/upgrading.xml', (request, response) =>
        secured(request)
          ? members(request, response)
          : redirect(301, site.url('/upgrading.xml'))(request, response),
      );
      site.route('/downgrading.xml', (request, response) =>
        secured(request)
          ? redirect(301, plainUrl(site, '/downgrading.xml'))(request, response)
          : members(request, response),
      );
    });
    after(() => site.close());

    it('sends them on from http to the https address it redirects to', async () => {
      const result = ok(
        await fetcher.fetchFeed({
          url: plainUrl(site, '/upgrading.xml'),
          trustedCertificate: certificate,
          ...secrets,
        }),
      );
      assert.equal(result.permanentRedirectUrl, site.url('/upgrading.xml'));
      assert.deepEqual(carried('/upgrading.xml'), [`session=abc|${basic}`, `session=abc|${basic}`]);
    });

    it('keeps them from plain http, and says so when it asks for them', async () => {
      const error = await fetchError(
        fetcher,
        { url: site.url('/downgrading.xml'), trustedCertificate: certificate, ...secrets },
        'FETCH_HTTP_STATUS',
      );
      assert.deepEqual(carried('/downgrading.xml'), [`session=abc|${basic}`, 'undefined|undefined']);
      assert.equal(
        error.message,
        `${site.url('/downgrading.xml')} redirects to ${plainUrl(site, '/downgrading.xml')}, where the feed's cookie and credentials ` +
          'are not sent (only to its own address, and from http to its https one), and which returned 401 Unauthorized; ' +
          'if the feed moved there, subscribe to that URL with them',
      );
      assert.match(
        error.forSubscribing().message,
        /, where the cookie and credentials given are not sent \(.*\), and which returned 401 Unauthorized; to send them there, subscribe to that URL$/,
      );
    });
  });

  describe('invalid URLs', () => {
    for (const url of ['not a url', 'file:///etc/passwd', 'ftp://example.com/feed', 'javascript:alert(1)']) {
      it(`refuses ${url}`, async () => {
        await fetchError(fetcher, { url }, 'FETCH_INVALID_URL');
      });
    }
  });

  describe('SSRF protection with the default policy', () => {
    let guarded: Fetcher;
    const fakeDns: ResolveHost = (hostname) =>
      Promise.resolve(
        hostname === 'loopback.test'
          ? [{ address: '127.0.0.1', family: 4 }]
          : hostname === 'metadata.test'
            ? [{ address: '169.254.169.254', family: 4 }]
            : [],
      );

    before(() => {
      guarded = fetcherFor({ policy: DEFAULT_NETWORK_POLICY, resolveHost: fakeDns });
    });
    after(() => guarded.close());

    const literals = (port: number) => [
      `http://127.0.0.1:${port}/feed`,
      `http://[::1]:${port}/feed`,
      `http://[::ffff:127.0.0.1]:${port}/feed`,
      `http://2130706433:${port}/feed`, // the URL parser reads this as 127.0.0.1
      'http://10.0.0.1/feed',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/latest/meta-data/',
    ];

    it('refuses literal private addresses without connecting', async () => {
      const seen = server.requests.length;
      for (const url of literals(server.port)) {
        const error = await fetchError(guarded, { url }, 'FETCH_BLOCKED_ADDRESS');
        assert.match(error.message, /address; /);
      }
      assert.equal(server.requests.length, seen);
    });

    it('refuses a name that resolves to loopback, at connect time', async () => {
      const seen = server.requests.length;
      const error = await fetchError(
        guarded,
        { url: `http://loopback.test:${server.port}/feed` },
        'FETCH_BLOCKED_ADDRESS',
      );
      assert.match(error.message, /loopback\.test resolves to 127\.0\.0\.1, a loopback address/);
      await fetchError(guarded, { url: 'http://metadata.test/' }, 'FETCH_BLOCKED_ADDRESS');
      assert.equal(server.requests.length, seen);
    });

    it('refuses a form posted to a private address as it refuses a fetch (a WebSub hub a feed names)', async () => {
      const seen = server.requests.length;
      for (const url of [
        ...literals(server.port),
        `http://loopback.test:${server.port}/hub`,
        'http://metadata.test/',
      ]) {
        await assert.rejects(
          guarded.postForm(url, { 'hub.mode': 'subscribe' }),
          (err: FetchError) => err.code === 'FETCH_BLOCKED_ADDRESS',
          url,
        );
      }
      assert.equal(server.requests.length, seen);
    });

    it('refuses localhost through the system resolver', async () => {
      const system = fetcherFor({ policy: DEFAULT_NETWORK_POLICY });
      try {
        await fetchError(system, { url: `http://localhost:${server.port}/feed` }, 'FETCH_BLOCKED_ADDRESS');
      } finally {
        await system.close();
      }
    });
  });

  describe('SSRF protection with an allowed CIDR', () => {
    // Admits the test server (127.0.0.1) and nothing else private.
    const policy: NetworkPolicy = { allowPrivateNetworks: false, allowedCidrs: ['127.0.0.1/32'] };
    const fakeDns: ResolveHost = (hostname) =>
      Promise.resolve(
        hostname === 'internal.test'
          ? [{ address: '192.168.1.10', family: 4 }]
          : hostname === 'mixed.test'
            ? [
                { address: '10.0.0.1', family: 4 },
                { address: '127.0.0.1', family: 4 },
              ]
            : [{ address: '127.0.0.1', family: 4 }],
      );
    let scoped: Fetcher;

    before(() => {
      scoped = fetcherFor({ policy, resolveHost: fakeDns });
      server.route('/to-loopback-2', (_request, response) => {
        redirect(302, `http://127.0.0.2:${server.port}/feed`)(_request, response);
      });
      server.route('/to-internal', (_request, response) => {
        redirect(301, `http://internal.test:${server.port}/feed`)(_request, response);
      });
      server.route('/to-metadata', redirect(302, 'http://169.254.169.254/latest/meta-data/'));
    });
    after(() => scoped.close());

    it('fetches from the allowed address, by IP and by name', async () => {
      ok(await scoped.fetchFeed({ url: server.url('/feed') }));
      ok(await scoped.fetchFeed({ url: `http://allowed.test:${server.port}/feed` }));
    });

    it('connects only to the allowed one of several resolved addresses', async () => {
      ok(await scoped.fetchFeed({ url: `http://mixed.test:${server.port}/feed` }));
    });

    it('refuses a redirect from the allowed host to a private one', async () => {
      await fetchError(scoped, { url: server.url('/to-loopback-2') }, 'FETCH_BLOCKED_ADDRESS');
      await fetchError(scoped, { url: server.url('/to-metadata') }, 'FETCH_BLOCKED_ADDRESS');
      const error = await fetchError(scoped, { url: server.url('/to-internal') }, 'FETCH_BLOCKED_ADDRESS');
      assert.match(error.message, /internal\.test resolves to 192\.168\.1\.10, a private address/);
    });
  });
});
