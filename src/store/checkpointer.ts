// WAL checkpoints on a thread of their own. By default SQLite checkpoints inside the commit that
// makes the WAL pass 1,000 pages: on a million-entry database that commit took ~20 ms (copying the
// pages back and syncing the file), once every ~160 articles opened, and every request queued
// behind it waited as long. The reader turns that off (wal_autocheckpoint = 0 on its connections)
// and this thread, with a connection of its own, checkpoints every second instead: a PASSIVE
// checkpoint never blocks a reader or a writer, and the event loop never waits for the disk.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface Checkpointer {
  /** A last checkpoint, then the thread ends. */
  close(): Promise<void>;
}

export const CHECKPOINT_INTERVAL_MS = 1000;

// Plain CommonJS run with `eval`: no module of ours to resolve from a worker, whether the caller
// runs compiled or from TypeScript sources.
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message ? err.message : err) });
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

/** Checkpoints the WAL of the database at `path` every `intervalMs`, off the calling thread. */
export function startCheckpointer(
  path: string,
  onError: (message: string) => void,
  intervalMs = CHECKPOINT_INTERVAL_MS,
): Checkpointer {
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(THREAD, { eval: true, workerData: { path, module, intervalMs } });
  // A checkpointer alone never keeps the process alive.
  worker.unref();
  worker.on('message', (m: { error?: string }) => {
    if (m.error) onError(m.error);
  });
  worker.on('error', (err) => onError(err.message));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async close() {
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
