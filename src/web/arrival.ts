// Requests handed to the app in the order they arrived, one a turn of the event loop.
//
// Node answers a request as soon as it reads it, in the order the kernel reports sockets ready. The
// kernel lists a socket it has just reported again at the end of its ready list (level-triggered
// epoll), in front of sockets that only later received a request: a busy server then takes, in its
// next round, every connection it has just answered before one that had been waiting all along. With
// ten clients, one request in ten waited two rounds instead of one (a feed's page: 12 ms against 6 at
// the median; bench/reader.ts). Queued here and taken one a turn, with the sockets polled between
// requests, a request waits for those that arrived before it and no others.
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerOptions as HttpOptions,
  type ServerResponse,
} from 'node:http';

/**
 * `handler` behind a queue: requests are handed over in the order they were read, each in a turn
 * of the event loop of its own; a request whose connection closed while it waited is dropped.
 */
export function inArrivalOrder(handler: RequestListener): RequestListener {
  // Taken from `head` on; a slot taken is emptied, so the request it held can be collected.
  const queue: ([IncomingMessage, ServerResponse] | undefined)[] = [];
  let head = 0;
  let scheduled = false;
  const next = (): void => {
    scheduled = false;
    const item = queue[head];
    queue[head++] = undefined;
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
    } else {
      // Before the handler runs: a handler that throws does not stall the requests behind it.
      scheduled = true;
      setImmediate(next);
    }
    if (item && !item[0].socket.destroyed) handler(item[0], item[1]);
  };
  return (req, res) => {
    queue.push([req, res]);
    if (!scheduled) {
      scheduled = true;
      setImmediate(next);
    }
  };
}

/** Fastify's options for its HTTP server, of those it reads when it makes one itself. */
interface ServerOptions {
  http?: HttpOptions | null;
  keepAliveTimeout?: number;
  requestTimeout?: number;
  connectionTimeout?: number;
  maxRequestsPerSocket?: number;
}

/**
 * A `serverFactory` for Fastify: the HTTP/1.1 server Fastify would make itself, with the same
 * timeouts, that hands it requests in the order they arrived.
 */
export function arrivalOrderServer(handler: RequestListener, options: ServerOptions): Server {
  const server = createServer(options.http ?? {}, inArrivalOrder(handler));
  if (options.keepAliveTimeout !== undefined) server.keepAliveTimeout = options.keepAliveTimeout;
  if (options.requestTimeout !== undefined) server.requestTimeout = options.requestTimeout;
  if (options.connectionTimeout !== undefined) server.setTimeout(options.connectionTimeout);
  if (options.maxRequestsPerSocket) server.maxRequestsPerSocket = options.maxRequestsPerSocket;
  return server;
}
