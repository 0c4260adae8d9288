// Fetching through a proxy (GLEANER_FETCH_PROXY) over real sockets: a forward proxy on 127.0.0.1
// in front of a feed server on 127.0.0.1. The fetchers here allow no private address: the proxy
// is the operator's, and the feed hosts are public names (resolveHost says so), or not names at all.
import * as assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { GleanerError } from '../../model/errors.js';
import { DEFAULT_NETWORK_POLICY } from './address.js';
import { createFetcher, parseProxyUrl, type Fetcher } from './index.js';
import type { ResolveHost } from './lookup.js';
import { startTestProxy, type TestProxy } from '../../testing/proxyserver.js';
import {
  SAMPLE_RSS,
  fetchError,
  respond,
  siteUrl,
  startTestServer,
  type TestServer,
} from '../../testing/testserver.js';

const TIMEOUTS = { connectMs: 5_000, headersMs: 5_000, bodyMs: 10_000 };

/** Public addresses for every name but inside.test, which is on a private network. */
const resolveNames: ResolveHost = (hostname) =>
  hostname === 'nowhere.test'
    ? Promise.reject(Object.assign(new Error(`${hostname} not found`), { code: 'ENOTFOUND' }))
    : Promise.resolve([
        { address: '93.184.216.34', family: 4 },
        ...(hostname === 'inside.test' ? [{ address: '10.0.0.5', family: 4 }] : []),
      ]);

function fetcherThrough(proxy: string, timeouts = TIMEOUTS): Fetcher {
  return createFetcher({
    policy: DEFAULT_NETWORK_POLICY,
    userAgent: 'Gleaner-test/1.0',
    timeouts,
    resolveHost: resolveNames,
    proxy: parseProxyUrl(proxy),
  });
}

describe('the proxy setting', () => {
  it('takes http and https proxies, with or without credentials', () => {
    assert.equal(parseProxyUrl('http://ann:s%40cret@proxy.example:3128').host, 'proxy.example:3128');
    assert.equal(parseProxyUrl('https://proxy.example').protocol, 'https:');
  });

  it('refuses anything else, naming the setting and never the password', () => {
    for (const [text, why] of [
      ['proxy.example:3128', /not a URL|give an http/],
      ['ftp://ann:hunter2@proxy.example', /give an http:\/\/ or https:\/\/ proxy/],
      // undici's SOCKS5 pools keep neither the fetcher's timeouts nor its per-host limit.
      ['socks5://ann:hunter2@127.0.0.1:1080', /give an http:\/\/ or https:\/\/ proxy/],
      ['http://ann:hunter2@proxy.example:3128/path', /without a path/],
      ['not a url at all hunter2@', /not a URL/],
      // Without its scheme, a proxy's user and password read as a scheme and a path.
      ['ann:hunter2@proxy.example:3128', /has no host/],
      ['ann:hunter2@127.0.0.1:1', /has no host/],
    ] as const) {
      assert.throws(
        () => parseProxyUrl(text),
        (error: GleanerError) => {
          assert.equal(error.code, 'CONFIG_INVALID');
          assert.match(error.message, /^GLEANER_FETCH_PROXY/);
          assert.match(error.message, why);
          assert.doesNotMatch(error.message, /hunter2/);
          return true;
        },
      );
    }
  });
});

describe('fetching through a proxy', () => {
  let server: TestServer;
  let proxy: TestProxy;
  let fetcher: Fetcher;
  const feedUrl = (host: string, path = '/feed.xml'): string => siteUrl(server, host, path);

  before(async () => {
    server = await startTestServer({
      '/feed.xml': (request, response) => {
        if (request.headers['if-none-match'] === '"v1"') response.writeHead(304).end();
        else response.writeHead(200, { 'content-type': 'application/rss+xml', etag: '"v1"' }).end(SAMPLE_RSS);
      },
      '/to-loopback': (_request, response) =>
        response.writeHead(302, { location: `http://127.0.0.1:${server.port}/feed.xml` }).end(),
      '/to-inside': (_request, response) =>
        response.writeHead(301, { location: `http://inside.test:${server.port}/feed.xml` }).end(),
    });
    proxy = await startTestProxy('ann:s3cret');
    fetcher = fetcherThrough(`http://ann:s3cret@127.0.0.1:${proxy.port}`);
  });
  beforeEach(() => {
    proxy.requests.length = 0;
    server.requests.length = 0;
  });
  after(async () => {
    await fetcher.close();
    await proxy.close();
    await server.close();
  });

  it('sends each request to the proxy, with its credentials, and reads the feed it relays', async () => {
    const result = await fetcher.fetchFeed({ url: feedUrl('feed.example') });
    assert.equal(result.status, 'ok');
    assert.equal(result.status === 'ok' && Buffer.from(result.body).toString('utf8'), SAMPLE_RSS);
    assert.deepEqual(proxy.requests, [
      {
        method: 'GET',
        target: feedUrl('feed.example'),
        proxyAuthorization: `Basic ${Buffer.from('ann:s3cret').toString('base64')}`,
      },
    ]);
    assert.equal(server.requests[0]?.headers.host, `feed.example:${server.port}`);
    assert.equal(server.requests[0]?.headers['user-agent'], 'Gleaner-test/1.0');
    assert.equal(
      server.requests[0]?.headers['proxy-authorization'],
      undefined,
      'the proxy keeps its credentials',
    );
  });

  it('asks conditionally through the proxy too', async () => {
    const result = await fetcher.fetchFeed({ url: feedUrl('feed.example'), etag: '"v1"' });
    assert.equal(result.status, 'not-modified');
  });

  it('leaves a name that does not resolve here to the proxy', async () => {
    const result = await fetcher.fetchFeed({ url: feedUrl('nowhere.test') });
    assert.equal(result.status, 'ok');
    assert.equal(proxy.requests.length, 1);
  });

  it('refuses private addresses and names that resolve to one, before the proxy sees them', async () => {
    for (const url of [
      `http://127.0.0.1:${server.port}/feed.xml`,
      'http://[::1]/feed.xml',
      'http://169.254.169.254/latest/meta-data/',
      'http://10.1.2.3/feed.xml',
      feedUrl('inside.test'),
    ]) {
      const error = await fetchError(fetcher, { url }, 'FETCH_BLOCKED_ADDRESS');
      assert.match(error.message, /address/);
    }
    assert.deepEqual(proxy.requests, []);
  });

  it('refuses a redirect to a private address, after the hop that led there', async () => {
    await fetchError(fetcher, { url: feedUrl('feed.example', '/to-loopback') }, 'FETCH_BLOCKED_ADDRESS');
    const error = await fetchError(
      fetcher,
      { url: feedUrl('feed.example', '/to-inside') },
      'FETCH_BLOCKED_ADDRESS',
    );
    assert.match(error.message, /inside\.test resolves to 10\.0\.0\.5/);
    assert.deepEqual(
      proxy.requests.map((r) => r.target),
      [feedUrl('feed.example', '/to-loopback'), feedUrl('feed.example', '/to-inside')],
    );
  });

  it('sends a WebSub hub its form through the proxy', async () => {
    server.route('/hub', respond(202));
    assert.equal(await fetcher.postForm(feedUrl('hub.example', '/hub'), { 'hub.mode': 'subscribe' }), 202);
    assert.deepEqual(
      proxy.requests.map((r) => [r.method, r.target]),
      [['POST', feedUrl('hub.example', '/hub')]],
    );
  });

  it('ends a server that never answers, through the proxy, with FETCH_TIMEOUT', async () => {
    server.route('/silent', () => {});
    const impatient = fetcherThrough(`http://ann:s3cret@127.0.0.1:${proxy.port}`, {
      ...TIMEOUTS,
      headersMs: 300,
    });
    try {
      const error = await fetchError(impatient, { url: feedUrl('feed.example', '/silent') }, 'FETCH_TIMEOUT');
      assert.match(error.message, /did not answer within 0\.3 s/);
    } finally {
      await impatient.close();
    }
  });

  it('says when the proxy wants other credentials, without showing them', async () => {
    const wrong = fetcherThrough(`http://ann:hunter2@127.0.0.1:${proxy.port}`);
    try {
      const error = await fetchError(wrong, { url: feedUrl('feed.example') }, 'FETCH_NETWORK');
      assert.match(error.message, /the proxy 127\.0\.0\.1:\d+ asks for a username and password \(407\)/);
      assert.match(error.message, /GLEANER_FETCH_PROXY/);
      assert.doesNotMatch(error.message, /hunter2/);
    } finally {
      await wrong.close();
    }
  });

  it('says when the proxy cannot be reached, and that it may pass', async () => {
    const gone = await startTestProxy();
    const port = gone.port;
    await gone.close();
    const down = fetcherThrough(`http://127.0.0.1:${port}`);
    try {
      const error = await fetchError(down, { url: feedUrl('feed.example') }, 'FETCH_NETWORK');
      assert.match(
        error.message,
        new RegExp(
          `the proxy 127\\.0\\.0\\.1:${port} could not be reached \\(ECONNREFUSED\\); check GLEANER_FETCH_PROXY, Gleaner will retry later`,
        ),
      );
      assert.match(error.forSubscribing().message, /check GLEANER_FETCH_PROXY$/);
    } finally {
      await down.close();
    }
  });
});

describe('fetching the feeds that ask for it through the feed proxy', () => {
  let server: TestServer;
  let proxy: TestProxy;
  let fetcher: Fetcher;
  // Loopback allowed: the feed server and the proxy are both on 127.0.0.1.
  const policy = { allowPrivateNetworks: false, allowedCidrs: ['127.0.0.0/8'] };

  before(async () => {
    server = await startTestServer({
      '/feed.xml': respond(200, { 'content-type': 'application/rss+xml' }, SAMPLE_RSS),
    });
    proxy = await startTestProxy();
    fetcher = createFetcher({
      policy,
      userAgent: 'Gleaner-test/1.0',
      timeouts: TIMEOUTS,
      feedProxy: parseProxyUrl(proxy.origin, 'GLEANER_FEED_PROXY'),
    });
  });
  after(async () => {
    await fetcher.close();
    await proxy.close();
    await server.close();
  });

  it('sends those requests through it, and the others straight to their servers', async () => {
    const url = server.url('/feed.xml');
    assert.equal((await fetcher.fetchFeed({ url })).status, 'ok');
    assert.equal(proxy.requests.length, 0, 'straight to the server');
    assert.equal((await fetcher.fetchFeed({ url, viaProxy: true })).status, 'ok');
    assert.deepEqual(
      proxy.requests.map((r) => r.target),
      [url],
    );
    assert.equal(server.requests.length, 2);
  });

  it('never sends one another way when no feed proxy is set, and names the setting', async () => {
    const unset = createFetcher({ policy, userAgent: 'Gleaner-test/1.0', timeouts: TIMEOUTS });
    try {
      const before = server.requests.length;
      const error = await fetchError(
        unset,
        { url: server.url('/feed.xml'), viaProxy: true },
        'CONFIG_INVALID',
      );
      assert.match(error.message, /is to be fetched through a proxy .* GLEANER_FEED_PROXY is not set/);
      assert.equal(server.requests.length, before, 'nothing sent');
    } finally {
      await unset.close();
    }
  });

  it('says which setting to check when the feed proxy cannot be reached', async () => {
    const gone = await startTestProxy();
    const port = gone.port;
    await gone.close();
    const down = createFetcher({
      policy,
      userAgent: 'Gleaner-test/1.0',
      timeouts: TIMEOUTS,
      feedProxy: parseProxyUrl(`http://127.0.0.1:${port}`, 'GLEANER_FEED_PROXY'),
    });
    try {
      const error = await fetchError(down, { url: server.url('/feed.xml'), viaProxy: true }, 'FETCH_NETWORK');
      assert.match(error.message, /could not be reached \(ECONNREFUSED\); check GLEANER_FEED_PROXY/);
    } finally {
      await down.close();
    }
  });
});
