// `gleaner serve --workers N`: a primary process and N HTTP workers sharing the port (node:cluster).
// The primary holds what must exist once: the refresh loop and "refresh now", the failed-login
// counts, the image proxy's key, and SQLite's writer. Workers ask it over the IPC channel; it also
// relays "this user's state changed" (its counts only, or everything) so every worker reads that
// user's cached sidebar again.
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../log/index.js';
import type { FetchedFeeds } from '../refresh/pool.js';
import { GleanerError, type ErrorCode } from '../model/errors.js';
import { STORE_METHODS, type StoreMethod } from '../store/types.js';
import type { Store } from '../store/index.js';
import type { FailureLimiter } from '../web/auth.js';
import type { Siblings, UserChange } from '../web/server.js';

/** What a worker asks the primary. */
type Call =
  | { op: 'hello' }
  | { op: 'retryAfter'; key: string; now: number }
  | { op: 'fail'; key: string; now: number }
  | { op: 'succeed'; key: string }
  | { op: 'refresh'; feedIds: number[]; fetched?: FetchedFeeds }
  | { op: 'store'; method: StoreMethod; args: unknown[] };

type Message =
  | { gleaner: 'call'; id: number; call: Call }
  | { gleaner: 'reply'; id: number; value?: unknown; error?: WireError }
  | { gleaner: 'user-changed'; userId: number; change: UserChange }
  | { gleaner: 'listening'; address: string };

function isMessage(m: unknown): m is Message {
  return typeof m === 'object' && m !== null && typeof (m as { gleaner?: unknown }).gleaner === 'string';
}

/** What the primary hands a new worker. */
export interface Hello {
  /** The image proxy's signing key, base64. */
  proxyKey: string;
}

/** The primary's side of the work workers delegate to it. */
export interface PrimaryServices {
  hello: Hello;
  limiter: FailureLimiter;
  refreshNow: (feedIds: number[], fetched?: FetchedFeeds) => Promise<void>;
  /** Does the workers' writes (STORE_METHODS' `write` ones). */
  store: Store;
}

/** An error as it crosses the IPC channel: its message, and the code callers look at. */
interface WireError {
  message: string;
  /** A GleanerError's code, or a driver's (SQLITE_FULL, which storageError() reads). */
  code?: string;
  gleaner?: boolean;
}

export function toWireError(err: unknown): WireError {
  const code = (err as { code?: unknown } | null)?.code;
  return {
    message: err instanceof Error ? err.message : String(err),
    ...(typeof code === 'string' ? { code } : {}),
    ...(err instanceof GleanerError ? { gleaner: true } : {}),
  };
}

/** The error a call failed with, as the other side threw it (its class if a GleanerError, and its code). */
export function fromWireError(e: WireError): Error {
  if (e.gleaner && e.code) return new GleanerError(e.code as ErrorCode, e.message);
  return Object.assign(new Error(e.message), e.code === undefined ? {} : { code: e.code });
}

export interface WorkerPool {
  /** Stops every worker (SIGTERM, then SIGKILL after `graceMs`) and resolves when all have exited. */
  stop(graceMs?: number): Promise<void>;
}

// A worker that keeps dying at once is started again after 1 s, 2 s, 4 s… up to half a minute.
const DEATH_WINDOW_MS = 60_000;
const MAX_BACKOFF_MS = 30_000;

/** The wait before replacing a worker, given how many died within the last minute (this one too). */
export function restartDelay(recentDeaths: number): number {
  return recentDeaths <= 1 ? 0 : Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (recentDeaths - 2));
}

/**
 * Forks `count` workers running this same command and serves their calls. Resolves with the
 * address once all of them listen; rejects if one exits before that (a start-up failure such as a
 * port in use is not retried). Later deaths are replaced, with a back-off.
 */
export async function startWorkers(
  count: number,
  services: PrimaryServices,
  log: Logger,
): Promise<{ address: string; pool: WorkerPool }> {
  // Structured clone rather than JSON: a store call's arguments and results keep their types (bytes
  // stay bytes, not an object of numbered keys; undefined stays undefined, not null or nothing).
  cluster.setupPrimary({ serialization: 'advanced' });
  let stopping = false;
  let started = false;
  const deaths: number[] = [];
  const timers = new Set<NodeJS.Timeout>();

  function send(worker: Worker, message: Message): void {
    if (worker.isConnected()) worker.send(message);
  }

  async function answer(call: Call): Promise<unknown> {
    switch (call.op) {
      case 'hello':
        return services.hello;
      case 'retryAfter':
        return services.limiter.retryAfter(String(call.key), Number(call.now));
      case 'fail':
        return services.limiter.fail(String(call.key), Number(call.now));
      case 'succeed':
        return services.limiter.succeed(String(call.key));
      case 'refresh':
        return services.refreshNow(
          call.feedIds.filter((id) => Number.isSafeInteger(id)),
          call.fetched instanceof Map ? call.fetched : undefined,
        );
      case 'store': {
        if (STORE_METHODS[call.method] !== 'write') throw new Error(`not a store write: ${call.method}`);
        const store = services.store as unknown as Record<
          StoreMethod,
          (...args: unknown[]) => Promise<unknown>
        >;
        return store[call.method](...call.args);
      }
    }
  }

  function onMessage(worker: Worker, message: unknown): void {
    if (!isMessage(message)) return;
    if (message.gleaner === 'call') {
      const { id } = message;
      answer(message.call).then(
        (value) => send(worker, { gleaner: 'reply', id, value }),
        (err: unknown) => send(worker, { gleaner: 'reply', id, error: toWireError(err) }),
      );
    } else if (message.gleaner === 'user-changed') {
      for (const other of Object.values(cluster.workers ?? {})) {
        if (other && other !== worker) send(other, message);
      }
    }
  }

  const address = await new Promise<string>((resolve, reject) => {
    let listening = 0;
    let first = '';
    const fork = (): void => {
      const worker = cluster.fork();
      worker.on('message', (m: unknown) => {
        if (isMessage(m) && m.gleaner === 'listening' && !started) {
          first ||= m.address;
          if (++listening === count) {
            started = true;
            resolve(first);
          }
        }
        onMessage(worker, m);
      });
      worker.once('exit', (code, signal) => {
        if (stopping) return;
        if (!started) {
          stopping = true;
          for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
          const how = signal ?? `code ${code}`;
          reject(
            new GleanerError('INTERNAL', `a worker exited before listening (${how}); its error is above`),
          );
          return;
        }
        const now = Date.now();
        while (deaths.length > 0 && (deaths[0] ?? 0) < now - DEATH_WINDOW_MS) deaths.shift();
        deaths.push(now);
        const delay = restartDelay(deaths.length);
        log.warn('worker died; starting another', { pid: worker.process.pid, code, signal, delayMs: delay });
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!stopping) fork();
        }, delay);
        timers.add(timer);
      });
    };
    for (let i = 0; i < count; i++) fork();
  });

  return {
    address,
    pool: {
      async stop(graceMs = 15_000) {
        stopping = true;
        for (const timer of timers) clearTimeout(timer);
        const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
        await Promise.all(
          workers.map(
            (worker) =>
              new Promise<void>((resolve) => {
                if (worker.isDead()) return resolve();
                const kill = setTimeout(() => worker.process.kill('SIGKILL'), graceMs);
                worker.once('exit', () => {
                  clearTimeout(kill);
                  resolve();
                });
                worker.process.kill('SIGTERM');
              }),
          ),
        );
      },
    },
  };
}

/** A worker's line to the primary. */
export interface PrimaryLink {
  hello(): Promise<Hello>;
  limiter: FailureLimiter;
  siblings: Siblings;
  refreshNow: (feedIds: number[], fetched?: FetchedFeeds) => Promise<void>;
  /**
   * `store` with its writes done by the primary. SQLite lets one connection write at a time, and
   * one that finds the lock taken sleeps in its busy handler (1, 2, 5, 10… ms) with its whole
   * process stopped: two workers marking entries read at concurrency 10 took turns that way (p99
   * 22.6 ms at 3,692 marks/s, against 4.4 for one process), and every request of a waiting worker
   * waited too. Written in one process, a write waits only for the writes before it, and a worker
   * keeps answering meanwhile: p99 6.6-9.1 ms at 5,180-5,330 marks/s. Reads stay in the worker.
   */
  writingThrough(store: Store): Store;
  /** Tells the primary this worker listens at `address`. */
  listening(address: string): void;
  /** Calls `listener` once when the primary goes away. */
  onLost(listener: () => void): void;
}

export function connectToPrimary(): PrimaryLink {
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const changed: ((userId: number, change: UserChange) => void)[] = [];
  let nextId = 0;

  const post = (message: Message): boolean => {
    if (!process.send || !process.connected) return false;
    process.send(message);
    return true;
  };
  process.on('message', (m: unknown) => {
    if (!isMessage(m)) return;
    if (m.gleaner === 'reply') {
      const waiter = pending.get(m.id);
      pending.delete(m.id);
      if (m.error !== undefined) waiter?.reject(fromWireError(m.error));
      else waiter?.resolve(m.value);
    } else if (m.gleaner === 'user-changed') {
      for (const listener of changed) listener(m.userId, m.change === 'counts' ? 'counts' : 'all');
    }
  });
  process.once('disconnect', () => {
    for (const waiter of pending.values()) waiter.reject(new Error('the primary process is gone'));
    pending.clear();
  });

  function call<T>(c: Call): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      if (!post({ gleaner: 'call', id, call: c })) {
        pending.delete(id);
        reject(new Error('the primary process is gone'));
      }
    });
  }

  return {
    hello: () => call<Hello>({ op: 'hello' }),
    limiter: {
      retryAfter: (key, now) => call<number>({ op: 'retryAfter', key, now }),
      fail: (key, now) => call<void>({ op: 'fail', key, now }),
      succeed: (key) => call<void>({ op: 'succeed', key }),
    },
    siblings: {
      userChanged: (userId, change) => void post({ gleaner: 'user-changed', userId, change }),
      onUserChanged: (listener) => void changed.push(listener),
    },
    // The documents go as they are: the channel's serialization keeps a Map and its bytes.
    refreshNow: (feedIds, fetched) => call<void>({ op: 'refresh', feedIds, fetched }),
    writingThrough(store) {
      const writes = new Map<PropertyKey, (...args: unknown[]) => Promise<unknown>>();
      for (const [method, kind] of Object.entries(STORE_METHODS) as [StoreMethod, string][]) {
        if (kind === 'write') writes.set(method, (...args) => call({ op: 'store', method, args }));
      }
      return new Proxy(store, {
        get: (target, property, receiver): unknown =>
          writes.get(property) ?? Reflect.get(target, property, receiver),
      });
    },
    listening: (address) => void post({ gleaner: 'listening', address }),
    onLost: (listener) => void process.once('disconnect', listener),
  };
}
