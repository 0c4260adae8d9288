// A worker thread that turns fetched feed bytes into entries ready to store: parse, normalize,
// sanitize, dedupe, pack. The CPU-heavy half of a refresh, off the thread that does the I/O.
import { parentPort } from 'node:worker_threads';
import { GleanerError } from '../model/errors.js';
import {
  digestFeed,
  packEntries,
  type DigestReply,
  type DigestRequest,
  type DigestResult,
} from './digest.js';

const port = parentPort;
if (port) {
  port.on('message', (message: { id: number; request: DigestRequest }) => {
    let reply: DigestReply;
    let transfer: ArrayBuffer[] = [];
    try {
      const digested = digestFeed(message.request);
      const packed = packEntries(digested.entries);
      // The same result, its entries packed (`gone` and `sources` only when there are some).
      const result: DigestResult = { ...digested, entries: packed.entries };
      reply = { id: message.id, ok: true, result };
      transfer = [packed.buffer];
    } catch (err) {
      reply =
        err instanceof GleanerError
          ? { id: message.id, ok: false, code: err.code, message: err.message }
          : {
              id: message.id,
              ok: false,
              code: null,
              message: err instanceof Error ? (err.stack ?? err.message) : String(err),
            };
    }
    port.postMessage(reply, transfer);
  });
}
