// A worker thread that turns fetched feed bytes into entries ready to store: parse, normalize,
// sanitize, dedupe, pack; and article pages into their articles. The CPU-heavy half of a refresh,
// off the thread that does the I/O.
import { parentPort } from 'node:worker_threads';
import { GleanerError } from '../model/errors.js';
import {
  digestFeed,
  extractInProcess,
  packEntries,
  type DigestResult,
  type WorkerReply,
  type WorkerRequest,
} from './digest.js';

/** The reply telling why a request failed: a GleanerError's code, for the caller to throw it again. */
function failure(id: number, err: unknown): WorkerReply {
  return err instanceof GleanerError
    ? { id, ok: false, code: err.code, message: err.message }
    : { id, ok: false, code: null, message: err instanceof Error ? (err.stack ?? err.message) : String(err) };
}

const port = parentPort;
if (port) {
  port.on('message', (message: WorkerRequest) => {
    if ('article' in message) {
      const { html, url, selectors } = message.article;
      extractInProcess(html, url, selectors).then(
        (article) => port.postMessage({ id: message.id, ok: true, result: article } satisfies WorkerReply),
        (err: unknown) => port.postMessage(failure(message.id, err)),
      );
      return;
    }
    let reply: WorkerReply;
    let transfer: ArrayBuffer[] = [];
    try {
      const digested = digestFeed(message.request);
      const packed = packEntries(digested.entries);
      // The same result, its entries packed (`gone` and `sources` only when there are some).
      const result: DigestResult = { ...digested, entries: packed.entries };
      reply = { id: message.id, ok: true, result };
      transfer = [packed.buffer];
    } catch (err) {
      reply = failure(message.id, err);
    }
    port.postMessage(reply, transfer);
  });
}
