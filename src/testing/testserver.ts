// A small HTTP server on 127.0.0.1 for tests that fetch over real sockets. Fetchers that talk to it
// must allow loopback explicitly (LOOPBACK_POLICY), since the default policy refuses it.

import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import * as assert from 'node:assert/strict';
import type { NetworkPolicy } from '../feed/fetch/address.js';
import { FetchError } from '../feed/fetch/errors.js';
import type { FeedRequest, Fetcher } from '../feed/fetch/index.js';
import type { ResolveHost } from '../feed/fetch/lookup.js';
import type { ErrorCode } from '../model/errors.js';

export type TestHandler = (request: IncomingMessage, response: ServerResponse) => void;

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

export interface TestServer {
  /** `http://127.0.0.1:PORT`, or https:// */
  readonly origin: string;
  readonly host: string;
  readonly port: number;
  /** Every request received, oldest first. */
  readonly requests: RecordedRequest[];
  /** TCP connections accepted so far: shows whether clients reuse them. */
  readonly connections: number;
  url(path: string): string;
  /** Serves `path` (without the query) with `handler`, replacing an earlier one. Unknown paths get 404. */
  route(path: string, handler: TestHandler): void;
  /** Serves new TLS connections with this key and certificate (a renewed one); over TLS only. */
  useCertificate(tls: { key: string; cert: string }): void;
  /** Stops listening and cuts every open connection, including never-ending responses. */
  close(): Promise<void>;
}

/** The policy a fetcher needs to reach a TestServer. */
export const LOOPBACK_POLICY: NetworkPolicy = { allowPrivateNetworks: true, allowedCidrs: [] };

/**
 * A name resolver that takes every host name to 127.0.0.1: given to a fetcher (resolveHost), one
 * TestServer plays several sites, `siteUrl(server, 'a.test', path)` and `siteUrl(server, 'b.test', path)`.
 */
export const resolveToLoopback: ResolveHost = () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]);

/** The server's URL for `path` under another host name (see resolveToLoopback). */
export function siteUrl(server: TestServer, host: string, path: string): string {
  const url = new URL(server.url(path));
  url.hostname = host;
  return url.href;
}

/** The URL for `path` of a server over TLS, over plain HTTP on its port (see startTestServer). */
export function plainUrl(server: TestServer, path: string): string {
  return server.url(path).replace(/^https:/, 'http:');
}

/**
 * Serves `routes` on `host`, over TLS with `tls`'s key and certificate (PEM) when it is given, and
 * then over plain HTTP on the same port too (plainUrl): one host and port that is a site's http
 * and https address alike.
 */
export async function startTestServer(
  routes: Record<string, TestHandler> = {},
  host = '127.0.0.1',
  tls: { key: string; cert: string } | null = null,
): Promise<TestServer> {
  const handlers = new Map(Object.entries(routes));
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const serve = (request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    requests.push({ method: request.method ?? 'GET', path: request.url ?? '/', headers: request.headers });
    const handler = handlers.get(path);
    if (handler) handler(request, response);
    else response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  };
  const plain = createServer(serve);
  const secure = tls ? createTlsServer(tls, serve) : null;
  // Over TLS, a connection goes where its first byte says: 22 begins a TLS handshake.
  const server = secure
    ? createNetServer((socket) =>
        socket.once('data', (first: Buffer) => {
          socket.pause();
          socket.unshift(first);
          (first[0] === 22 ? secure : plain).emit('connection', socket);
          process.nextTick(() => socket.resume());
        }),
      )
    : plain;
  let connections = 0;
  // Counted as TCP connections, whether or not their TLS handshake succeeds.
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const origin = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    origin,
    host,
    port,
    requests,
    get connections() {
      return connections;
    },
    url: (path) => `${origin}${path}`,
    route: (path, handler) => void handlers.set(path, handler),
    useCertificate: (next) => {
      if (!secure) throw new Error('this test server does not speak TLS');
      secure.setSecureContext(next);
      for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** A handler that answers with `status`, `headers` and `body`. */
export function respond(
  status: number,
  headers: Record<string, string> = {},
  body: string | Uint8Array = '',
): TestHandler {
  return (_request, response) => {
    response.writeHead(status, headers).end(body);
  };
}

/**
 * A handler that keeps each form posted to it (a WebSub hub's subscription requests) in `forms`,
 * and answers with `status()`.
 */
export function recordForms(forms: URLSearchParams[], status: () => number = () => 202): TestHandler {
  return (request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (d: string) => (body += d));
    request.on('end', () => {
      forms.push(new URLSearchParams(body));
      response.writeHead(status()).end();
    });
  };
}

/** A tiny valid RSS document. */
export const SAMPLE_RSS =
  '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Test</title>' +
  '<link>http://example.com/</link><item><title>One</title><guid>1</guid></item></channel></rss>\n';

/** The FetchError `fetcher` fails `request` with, which must have `code`. */
export async function fetchError(
  fetcher: Fetcher,
  request: FeedRequest,
  code: ErrorCode,
): Promise<FetchError> {
  try {
    await fetcher.fetchFeed(request);
  } catch (error) {
    assert.ok(error instanceof FetchError, `expected a FetchError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}, but the fetch succeeded`);
}
