// WAL checkpoints on a thread of their own. By default SQLite checkpoints inside the commit that
// makes the WAL pass 1,000 pages: on a million-entry database that commit took ~20 ms (copying the
// pages back and syncing the file), once every ~160 articles opened, and every request queued
// behind it waited as long. The reader turns that off (wal_autocheckpoint = 0 on its connections)
// and this thread, with a connection of its own, checkpoints every second instead: a PASSIVE
// checkpoint never blocks a reader or a writer, and the event loop never waits for the disk.
// SQLite starts the WAL over only when a transaction begins with all of it copied back, which
// commits that never pause (a first refresh) never let happen: past WAL_RESTART_BYTES the thread
// says so, and the refresh's writer waits for one checkpoint of everything (checkpointNow) before
// its next commit (see SqliteStore.writeFetches).
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface Checkpointer {
  /**
   * Whether the last checkpoint found the WAL past `restartBytes`: writers then let the thread copy
   * it all back before their next transaction (checkpointNow), which starts it over.
   */
  readonly walIsLong: boolean;
  /**
   * A checkpoint now, on the thread: true when it copied back the whole WAL, so that the next
   * transaction starts it over (no write may come in between; see SqliteStore.writeFetches).
   */
  checkpointNow(): Promise<boolean>;
  /** A last checkpoint, then the thread ends. */
  close(): Promise<void>;
}

export const CHECKPOINT_INTERVAL_MS = 1000;

/** The WAL size past which writers have the whole WAL copied back and started over. */
export const WAL_RESTART_BYTES = 64 * 1024 * 1024;

// Plain CommonJS run with `eval`: no module of ours to resolve from a worker, whether the caller
// runs compiled or from TypeScript sources.
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
const pageSize = db.pragma('page_size', { simple: true });
const checkpoint = () => {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    if (!result) return false;
    if (result.log * pageSize >= workerData.restartBytes) parentPort.postMessage({ long: true });
    return result.busy === 0 && result.log === result.checkpointed;
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message ? err.message : err) });
    return false;
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message && message.now !== undefined) {
    parentPort.postMessage({ now: message.now, complete: checkpoint() });
    return;
  }
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

/** How often a checkpoint failure that goes on is told again. */
const ERROR_REPEAT_MS = 10 * 60_000;

/**
 * `tell`, for messages that may come again and again: each told when it first comes, then at most
 * once every `everyMs` while it goes on, with how many times it came since it was last told.
 */
export function limitRepeats(
  tell: (message: string) => void,
  everyMs: number,
  clock: () => number = Date.now,
): (message: string) => void {
  let told: { message: string; at: number; since: number } | null = null;
  return (message) => {
    const now = clock();
    if (told?.message === message && now - told.at < everyMs) {
      told.since++;
      return;
    }
    tell(
      told?.message === message && told.since > 0
        ? `${message} (${told.since + 1} times since last told)`
        : message,
    );
    told = { message, at: now, since: 0 };
  };
}

/** Checkpoints the WAL of the database at `path` every `intervalMs`, off the calling thread. */
export function startCheckpointer(
  path: string,
  onError: (message: string) => void,
  intervalMs = CHECKPOINT_INTERVAL_MS,
  restartBytes = WAL_RESTART_BYTES,
): Checkpointer {
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(THREAD, { eval: true, workerData: { path, module, intervalMs, restartBytes } });
  // A checkpointer alone never keeps the process alive.
  worker.unref();
  const asked = new Map<number, (complete: boolean) => void>();
  let nextAsk = 1;
  let walIsLong = false;
  // A failure that lasts (a full disk) fails every checkpoint, one a second.
  const failed = limitRepeats(onError, ERROR_REPEAT_MS);
  worker.on('message', (m: { error?: string; long?: boolean; now?: number; complete?: boolean }) => {
    if (m.error) failed(m.error);
    if (m.long) walIsLong = true;
    if (m.now !== undefined) {
      walIsLong = false;
      asked.get(m.now)?.(m.complete === true);
      asked.delete(m.now);
      if (asked.size === 0) worker.unref();
    }
  });
  worker.on('error', (err) => failed(err.message));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  // A thread that is gone answers no more: whoever waits for a checkpoint goes on without one.
  let gone = false;
  void exited.then(() => {
    gone = true;
    for (const answer of asked.values()) answer(false);
    asked.clear();
  });
  return {
    get walIsLong() {
      return walIsLong;
    },
    checkpointNow() {
      if (gone) return Promise.resolve(false);
      const now = nextAsk++;
      worker.ref();
      worker.postMessage({ now });
      return new Promise<boolean>((resolve) => asked.set(now, resolve));
    },
    async close() {
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
