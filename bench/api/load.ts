// HTTP load for the client APIs: bench/reader/load.ts's measurement (autocannon, every response's
// time kept at full precision) for requests that are not all GETs of a path: each request's method,
// path, headers and body come from a function called once per request (a POST rotating over items).
import autocannon from 'autocannon';
import { percentiles } from '../lib.js';
import type { LoadResult } from '../reader/load.js';

export interface ApiRequest {
  method: 'GET' | 'POST';
  path: string;
  /** A form or JSON body; its content-type goes in `headers`. */
  body?: string;
  headers?: Record<string, string>;
}

export interface ApiLoadOptions {
  origin: string;
  connections: number;
  seconds: number;
  /** Called for every request. */
  next: () => ApiRequest;
  /** Sent with every request (auth). */
  headers: Record<string, string>;
}

export async function loadRequests(options: ApiLoadOptions): Promise<LoadResult> {
  const times: number[] = [];
  const non2xx: Record<string, number> = {};
  let bytes = 0;
  const started = process.hrtime.bigint();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.origin,
        connections: options.connections,
        duration: options.seconds,
        headers: options.headers,
        timeout: 30,
        requests: [
          {
            method: 'GET',
            setupRequest: (req: autocannon.Request) => {
              const r = options.next();
              return {
                ...req,
                method: r.method,
                path: r.path,
                headers: { ...options.headers, ...r.headers },
                ...(r.body !== undefined ? { body: r.body } : {}),
              };
            },
          },
        ],
      },
      (err: unknown, res: autocannon.Result) =>
        err
          ? reject(err instanceof Error ? err : new Error('autocannon failed', { cause: err }))
          : resolve(res),
    );
    instance.on('response', (_client, status, resBytes, responseTime) => {
      times.push(responseTime);
      bytes += resBytes;
      if (status < 200 || status > 299) non2xx[status] = (non2xx[status] ?? 0) + 1;
    });
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const { p50, p99 } = percentiles(times);
  return {
    p50,
    p99,
    requestsPerSecond: times.length / seconds,
    responses: times.length,
    bytesPerResponse: times.length ? bytes / times.length : 0,
    errors: result.errors + result.timeouts,
    non2xx,
  };
}

/** One request, with fetch: its status and body. */
export async function send(
  origin: string,
  request: ApiRequest,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const res = await fetch(origin + request.path, {
    method: request.method,
    headers: { ...headers, ...request.headers },
    redirect: 'manual',
    ...(request.body !== undefined ? { body: request.body } : {}),
  });
  return { status: res.status, body: await res.text() };
}
