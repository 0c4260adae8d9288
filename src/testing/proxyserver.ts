// A forward proxy on 127.0.0.1 for tests that fetch through one: plain http requests in absolute
// form, and CONNECT tunnels. It plays the internet: every host it is asked for is served from
// 127.0.0.1 on the port asked for, where a TestServer listens.

import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { createFetcher, parseProxyUrl, type Fetcher } from '../feed/fetch/index.js';
import { LOOPBACK_POLICY } from './testserver.js';

export interface ProxiedRequest {
  /** GET, CONNECT… */
  method: string;
  /** The absolute URL, or `host:port` for CONNECT. */
  target: string;
  proxyAuthorization: string | null;
}

export interface TestProxy {
  /** `http://127.0.0.1:PORT`, or https:// */
  readonly origin: string;
  readonly port: number;
  /** Every request received, oldest first. */
  readonly requests: ProxiedRequest[];
  close(): Promise<void>;
}

/**
 * A proxy that asks for `credentials` (`user:password`) when given, answering 407 without them;
 * spoken to over TLS when given a key and certificate (an https:// proxy).
 */
export async function startTestProxy(
  credentials: string | null = null,
  tls: { key: Buffer; cert: Buffer } | null = null,
): Promise<TestProxy> {
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const expected = credentials === null ? null : `Basic ${Buffer.from(credentials).toString('base64')}`;
  const authorized = (headers: IncomingHttpHeaders): boolean =>
    expected === null || headers['proxy-authorization'] === expected;
  const record = (method: string | undefined, target: string | undefined, headers: IncomingHttpHeaders) =>
    requests.push({
      method: method ?? '',
      target: target ?? '',
      proxyAuthorization: headers['proxy-authorization'] ?? null,
    });

  const server = (tls ? createTlsServer.bind(null, tls) : createServer)((request, response) => {
    record(request.method, request.url, request.headers);
    if (!authorized(request.headers)) {
      response.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end();
      return;
    }
    let target: URL;
    try {
      target = new URL(request.url ?? '');
    } catch {
      response.writeHead(400).end('absolute URL expected');
      return;
    }
    const headers = { ...request.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = httpRequest(
      {
        host: '127.0.0.1',
        port: target.port || 80,
        path: target.pathname + target.search,
        method: request.method,
        headers,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => response.writeHead(502).end());
    request.pipe(upstream);
  });
  server.on('connect', (request, client: Socket) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    record(request.method, request.url, request.headers);
    if (!authorized(request.headers)) {
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n',
      );
      return;
    }
    const port = Number((request.url ?? '').split(':').pop());
    const upstream = connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'));
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** A fetcher allowed to reach loopback whose feed proxy (GLEANER_FEED_PROXY) is `proxy`. */
export function feedProxyFetcher(proxy: TestProxy): Fetcher {
  return createFetcher({
    policy: LOOPBACK_POLICY,
    userAgent: 'gleaner-test',
    feedProxy: parseProxyUrl(proxy.origin, 'GLEANER_FEED_PROXY'),
  });
}
