// HTTP load through autocannon's programmatic API, with latencies kept at full precision: autocannon's
// own histogram counts whole milliseconds, too coarse for sub-millisecond answers, so every
// response's time is recorded here from its 'response' event.
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import autocannon from 'autocannon';
import { percentiles } from '../lib.js';

// autocannon 8 appends every response body to a string (decoding it as UTF-8) for callbacks
// (onResponse, verifyBody, expectBody) this benchmark never sets. On the reader's ~100-KB pages,
// whose text is not all ASCII, that decoding and the garbage it leaves made the load generator
// 2.5× slower per response than on an ASCII body of the same size (5,180 against 13,146 answers/s
// from a static server, in one process) — on the same two cores as the server it measures. The
// bodies are dropped instead; bytes are still counted.
const { prototype: queue } = createRequire(import.meta.url)('autocannon/lib/pipelinedRequestsQueue.js') as {
  prototype: { addBody: (data: unknown) => void };
};
queue.addBody = () => {};

// Each read of a socket gave autocannon a new 64-KB buffer, memory outside V8's heap that V8 collects
// with full (mark-compact) collections once enough has piled up: on Google Reader's 224-KB answers,
// one request at a time, the load generator paused for 4-6 ms eight times a second (84 such
// collections in 14 s), and each pause landed in the time of the answer being read (p99 4.7-5.5
// ms against the server's own 1.7). Each connection now reads into one buffer of its own (Node's
// `onread` option), which autocannon's parser reads before the next read reuses it: 3 such
// collections, p99 2.0 ms. Only the measuring changes; the server is the same.
const net = createRequire(import.meta.url)('node:net') as { connect: (...args: unknown[]) => Socket };
const { prototype: client } = createRequire(import.meta.url)('autocannon/lib/httpClient.js') as {
  prototype: { _connect: (this: unknown) => void };
};
const connectClient = client._connect;
client._connect = function (this: unknown): void {
  const connect = net.connect;
  // autocannon calls net.connect(port, host) for a plain TCP connection (tls.connect otherwise).
  net.connect = (port: unknown, host: unknown): Socket => {
    const socket = connect({
      port,
      host,
      onread: {
        buffer: Buffer.allocUnsafe(64 * 1024),
        callback: (bytes: number, buffer: Uint8Array) => {
          socket.emit('data', Buffer.from(buffer.buffer, buffer.byteOffset, bytes));
          return true;
        },
      },
    });
    return socket;
  };
  try {
    connectClient.call(this);
  } finally {
    net.connect = connect;
  }
};

export interface LoadOptions {
  origin: string;
  connections: number;
  seconds: number;
  /**
   * The path of each request: a fixed one, or a function called for every request that gives a
   * path (a GET) or a whole request (method, path, headers and body: a POST rotating over items).
   */
  path: string | (() => string | LoadRequest);
  headers?: Record<string, string>;
}

export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  /** A form or JSON body; its content-type goes in `headers`. */
  body?: string;
  headers?: Record<string, string>;
}

export interface LoadResult {
  /** Milliseconds. */
  p50: number;
  p99: number;
  requestsPerSecond: number;
  responses: number;
  /** Mean body and header bytes per response. */
  bytesPerResponse: number;
  /** Connection errors and timeouts. */
  errors: number;
  /** Responses other than 2xx, by status. */
  non2xx: Record<string, number>;
}

export async function load(options: LoadOptions): Promise<LoadResult> {
  const times: number[] = [];
  const non2xx: Record<string, number> = {};
  let bytes = 0;
  const next = options.path;
  const started = process.hrtime.bigint();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.origin,
        connections: options.connections,
        duration: options.seconds,
        headers: options.headers ?? {},
        timeout: 30,
        requests: [
          typeof next === 'string'
            ? { method: 'GET', path: next }
            : {
                method: 'GET',
                setupRequest: (req: autocannon.Request) => {
                  const r = next();
                  if (typeof r === 'string') return { ...req, path: r };
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

/** The median of each figure over several runs. */
export function medianOf(runs: LoadResult[]): LoadResult {
  const med = (f: (r: LoadResult) => number): number => {
    const v = runs.map(f).sort((a, b) => a - b);
    const mid = Math.floor(v.length / 2);
    return v.length % 2 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
  };
  const non2xx: Record<string, number> = {};
  for (const r of runs) for (const [k, n] of Object.entries(r.non2xx)) non2xx[k] = (non2xx[k] ?? 0) + n;
  return {
    p50: med((r) => r.p50),
    p99: med((r) => r.p99),
    requestsPerSecond: med((r) => r.requestsPerSecond),
    responses: runs.reduce((n, r) => n + r.responses, 0),
    bytesPerResponse: med((r) => r.bytesPerResponse),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    non2xx,
  };
}

/** Cycles through a list, one item per call. */
export function rotate<T>(items: readonly T[]): () => T {
  if (items.length === 0) throw new Error('rotate: nothing to rotate over');
  let i = 0;
  return () => items[i++ % items.length] as T;
}
