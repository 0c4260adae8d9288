// A worker thread that turns fetched feed bytes into entries ready to store: parse, normalize,
// sanitize, dedupe. The CPU-heavy half of a refresh, off the thread that does the I/O.
import { parentPort } from 'node:worker_threads';
import { GleanerError } from '../model/errors.js';
import { digestFeed, type DigestRequest, type DigestReply } from './digest.js';

const port = parentPort;
if (port) {
  port.on('message', (message: { id: number; request: DigestRequest }) => {
    let reply: DigestReply;
    try {
      reply = { id: message.id, ok: true, result: digestFeed(message.request) };
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
    port.postMessage(reply);
  });
}
