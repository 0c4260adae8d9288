// Every route the reader serves, found in the server's own route table (a route added later is
// swept too), sent what no browser sends: ids that are not ids, query values and form fields out of
// range or of the wrong kind, JSON and XML bodies a route does not read. Signed in and as a
// visitor: no answer may be a failure (5xx), but 502 for a feed address that does not answer,
// which the page explains. The client APIs have their own sweep (src/api/hostile.test.ts).
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { followedFeed } from '../testing/fetched.js';
import { routeTable, startWebApp, type WebApp, type WebClient, type WebResponse } from './testing.js';

const NOW = Date.now();

const IDS = ['0', '-1', 'abc', '99999999999999999999', '%ff', 'x'.repeat(400), '..%2F..%2Fetc%2Fpasswd'];
const VALUES = [
  '',
  '-1',
  '1e308',
  'x'.repeat(5000),
  '\u0000',
  "'; DROP TABLE entries",
  'javascript:alert(1)',
  '<script>alert(1)</script>',
];
// Every field a form of the reader reads, and more.
const FIELDS = [
  'id',
  'ids',
  'url',
  'title',
  'name',
  'folder',
  'feed',
  'state',
  'read',
  'starred',
  'later',
  'before',
  'after',
  'q',
  'sort',
  'order',
  'page',
  'limit',
  'username',
  'password',
  'theme',
  'language',
  'slug',
  'tag',
  'tags',
  'next',
  'scope',
  'value',
  'action',
  'topic',
  'entries',
  'admin',
  'userAgent',
  'cookie',
];
const QUERY = ['q', 'page', 'before', 'after', 'sort', 'tag', 'feed', 'folder', 'scope', 'next', 'view'];

/** The client APIs' routes: swept with their own credentials and formats elsewhere. */
const API = /^\/(\/?v1\/|api\/greader\.php|accounts\/|reader\/|api\/fever\.php|fever\/)/;

describe('the reader under hostile requests', () => {
  let web: WebApp;
  let admin: WebClient;

  before(async () => {
    web = await startWebApp();
    admin = await web.login('admin', 'admin-password-1');
    await followedFeed(web.store, admin.user.id, NOW);
  });

  after(() => web.close());

  it('answers every route without failing, signed in or not', { timeout: 300_000 }, async () => {
    const routes = routeTable(web.app).filter(
      (r) => /^(GET|POST) /.test(r) && !API.test(r.slice(r.indexOf(' ') + 1)),
    );
    // The route table is read right: the reader's pages and forms are there.
    for (const expected of ['GET /unread', 'GET /entry/:id', 'POST /feeds/subscribe', 'GET /p/:slug/:post'])
      assert.ok(routes.includes(expected), `${expected} in ${routes.join(', ')}`);

    const wrong: string[] = [];
    let sent = 0;
    const check = (what: string, res: WebResponse): void => {
      sent++;
      // A feed address that does not answer: the subscription form says why, with the form kept.
      const upstream = res.status === 502 && /Could not subscribe/.test(res.body);
      if (res.status >= 500 && !upstream) wrong.push(`${what}: ${res.status} ${res.body.slice(0, 160)}`);
      else if (res.status >= 400 && !res.headers.get('content-type'))
        wrong.push(`${what}: ${res.status} without a body type`);
    };
    for (const route of routes) {
      const [method, pattern] = route.split(' ') as [string, string];
      // Signing out would end the sweep's session.
      if (pattern === '/logout') continue;
      const paths = /[:*]/.test(pattern) ? IDS.map((id) => pattern.replace(/:[A-Za-z]+|\*/g, id)) : [pattern];
      for (const path of paths) {
        if (method === 'GET') {
          check(`GET ${path}`, await admin.get(path));
          check(`GET ${path} (visitor)`, await web.fetch(path));
          for (const value of VALUES) {
            const query = QUERY.map((name) => `${name}=${encodeURIComponent(value)}`).join('&');
            check(`GET ${path}?…=${value.slice(0, 20)}`, await admin.get(`${path}?${query}`));
          }
          continue;
        }
        for (const value of VALUES) {
          const form = Object.fromEntries(FIELDS.map((name) => [name, value]));
          check(`POST ${path} …=${value.slice(0, 20)}`, await admin.post(path, form));
        }
        check(`POST ${path} (visitor)`, await web.fetch(path, { method: 'POST', body: 'x=1' }));
        check(
          `POST ${path} JSON`,
          await admin.postJson(path, { ids: 'x', state: 7, entries: [1e308, null] }),
        );
        check(
          `POST ${path} deep JSON`,
          await admin.postJson(path, JSON.parse(`{"a":${'['.repeat(3000)}${']'.repeat(3000)}}`) as unknown),
        );
        check(`POST ${path} XML`, await admin.postRaw(path, '<opml><body><outline xmlUrl="x"', 'text/xml'));
      }
    }
    assert.ok(sent > 1000, `${sent} requests`);
    assert.deepEqual(wrong, []);
    // The session survived the sweep: still signed in.
    const still = await admin.get('/unread');
    assert.equal(still.status, 200);
  });
});
