// Requests are handed over in the order they arrived, one a turn of the event loop, and the server
// Fastify answers on keeps Fastify's own timeouts.
import { strict as assert } from 'node:assert';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { inArrivalOrder } from './arrival.js';
import { startWebApp, type WebApp } from './testing.js';

/** A request as the handler sees it: its name, and a socket that may have closed. */
function request(name: string, destroyed = false): [IncomingMessage, ServerResponse] {
  return [{ url: name, socket: { destroyed } } as unknown as IncomingMessage, {} as ServerResponse];
}

/** One turn of the event loop: what was set to run in this one's check phase has run. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('inArrivalOrder', () => {
  it('hands requests over in the order they came, one a turn, never while they are being read', async () => {
    const seen: string[] = [];
    const listener = inArrivalOrder((req) => seen.push(req.url ?? ''));
    for (const name of ['a', 'b', 'c']) listener(...request(name));
    assert.deepEqual(seen, []);
    await turn();
    assert.deepEqual(seen, ['a']);
    await turn();
    assert.deepEqual(seen, ['a', 'b']);
    await turn();
    await turn();
    assert.deepEqual(seen, ['a', 'b', 'c']);
  });

  it('puts a request that arrives while another is handled behind those that were waiting', async () => {
    const seen: string[] = [];
    const listener = inArrivalOrder((req) => {
      seen.push(req.url ?? '');
      if (req.url === 'a') listener(...request('d'));
    });
    for (const name of ['a', 'b', 'c']) listener(...request(name));
    for (let i = 0; i < 6; i++) await turn();
    assert.deepEqual(seen, ['a', 'b', 'c', 'd']);
    // The queue emptied: a later request starts it again.
    listener(...request('e'));
    await turn();
    assert.deepEqual(seen, ['a', 'b', 'c', 'd', 'e']);
  });

  it('drops a request whose connection closed while it waited', async () => {
    const seen: string[] = [];
    const listener = inArrivalOrder((req) => seen.push(req.url ?? ''));
    listener(...request('a'));
    listener(...request('gone', true));
    listener(...request('c'));
    for (let i = 0; i < 4; i++) await turn();
    assert.deepEqual(seen, ['a', 'c']);
  });
});

describe("the reader's HTTP server", () => {
  let web: WebApp;
  before(async () => {
    web = await startWebApp();
    await web.addUser('ann', 'a long enough password');
  });
  after(async () => {
    await web.close();
  });

  it("keeps Fastify's timeouts and answers many requests at once, each its own", async () => {
    const server = web.app.server;
    assert.equal(server.keepAliveTimeout, web.app.initialConfig.keepAliveTimeout);
    // Fastify's default, where Node's own is five minutes.
    assert.equal(server.requestTimeout, 0);
    assert.equal(server.timeout, web.app.initialConfig.connectionTimeout);
    // Signed out, a feed's page sends the browser to sign in and come back to it.
    const paths = Array.from({ length: 40 }, (_, i) => (i % 2 ? `/feed/${i}` : `/missing-${i}`));
    const answers = await Promise.all(paths.map((p) => web.fetch(p)));
    answers.forEach((res, i) => {
      if (i % 2) {
        assert.equal(res.status, 303, paths[i]);
        assert.match(decodeURIComponent(res.location ?? ''), new RegExp(`/feed/${i}$`), paths[i]);
      } else {
        assert.equal(res.status, 404, paths[i]);
      }
    });
  });
});
