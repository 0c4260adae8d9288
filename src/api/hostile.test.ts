// Every route of the three client APIs (Miniflux's and Google Reader's read from the server's
// route table, so one added later is swept too), signed in, sent what no client sends: ids that are
// not ids, parameters out of range or of the wrong kind, bodies that are not what the route reads
// (not JSON, nested 5,000 deep, wrong types, 20,000 ids). None may fail (5xx), each error must come
// in its API's own format, and none may change anything: ann's library is the same afterwards.
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { followedFeed } from '../testing/fetched.js';
import { newToken, tokenHash } from '../web/auth.js';
import { routeTable, startWebApp, type WebApp } from '../web/testing.js';

const NOW = Date.now();

// Not one of them names anything that exists: a route that takes them must refuse or find nothing.
const IDS = [
  '0',
  '-1',
  '1.5',
  'abc',
  '1e999',
  '99999999999999999999',
  '%00',
  '%ff',
  '0x10',
  '%20',
  'x'.repeat(3000),
];
const VALUES = [
  '',
  '-1',
  'abc',
  '1e308',
  '99999999999999999999',
  '%ff%fe',
  '%00',
  "'%3B%20DROP%20TABLE%20entries",
  'x'.repeat(5000),
  '%ED%A0%80',
];
const BODIES = [
  'not json',
  'null',
  '[]',
  '"text"',
  '1e999',
  `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`,
  '{"entry_ids":"x","status":1}',
  '{"entry_ids":[1e308,-1,"a",null],"status":"read"}',
  `{"entry_ids":[${'0,'.repeat(20000)}0],"status":"read"}`,
  '{"feed_url":123,"category_id":"x","title":{"a":1}}',
  '{"__proto__":{"admin":true},"title":""}',
  'i=abc&a=%ff&s=feed%2F-1&T=wrong',
];

const MINIFLUX_LISTS = ['/v1/entries', '/v1/entries/ids', '/v1/feeds/1/entries', '/v1/categories/1/entries'];
const MINIFLUX_QUERY = [
  'status',
  'starred',
  'category_id',
  'feed_id',
  'search',
  'limit',
  'offset',
  'order',
  'direction',
  'before',
  'after',
  'before_entry_id',
  'after_entry_id',
  'published_before',
  'published_after',
  'changed_before',
  'changed_after',
  'tags',
];

const STREAMS = [
  'feed%2F-1',
  'feed%2F%ff',
  'user%2F-%2Flabel%2F' + 'x'.repeat(3000),
  'user%2F9%2Fstate%2Fcom.google%2Fread',
  'splice%2F',
];
const GREADER_QUERY = [
  's',
  'n',
  'c',
  'r',
  'ot',
  'nt',
  'xt',
  'it',
  'i',
  'a',
  'T',
  'ac',
  'quickadd',
  'dest',
  'output',
  'Email',
  'Passwd',
];

const FEVER_QUERY = [
  'groups',
  'feeds',
  'favicons',
  'items',
  'links',
  'unread_item_ids',
  'saved_item_ids',
  'mark',
  'as',
  'id',
  'since_id',
  'max_id',
  'with_ids',
  'before',
];

describe('the client APIs under hostile requests', () => {
  let web: WebApp;
  const key = newToken();
  const fever = createHash('md5').update('ann:ann-password-1').digest('hex');
  let greaderAuth = '';

  before(async () => {
    web = await startWebApp();
    const ann = await web.addUser('ann', 'ann-password-1');
    await web.store.createApiKey(ann.id, 'apps', tokenHash(key), NOW, fever);
    const folder = await web.store.ensureFolder(ann.id, 'Tech');
    await followedFeed(web.store, ann.id, NOW, { folderId: folder.id });
    const login = await web.fetch('/accounts/ClientLogin', {
      method: 'POST',
      body: new URLSearchParams({ Email: 'ann', Passwd: 'ann-password-1' }),
    });
    greaderAuth = /^Auth=(.+)$/m.exec(login.body)?.[1] ?? '';
    assert.ok(greaderAuth, login.body);
  });

  after(() => web.close());

  /** Ann's library as a client sees it: feeds, folders, entries and their state. */
  async function library(): Promise<string> {
    const res = await web.fetch('/v1/entries?limit=100&order=id', { headers: { 'X-Auth-Token': key } });
    const entries = res.json<{ entries: { id: number; status: string; starred: boolean; title: string }[] }>()
      .entries;
    const feeds = await web.fetch('/v1/feeds', { headers: { 'X-Auth-Token': key } });
    const categories = await web.fetch('/v1/categories', { headers: { 'X-Auth-Token': key } });
    return JSON.stringify({
      entries: entries.map((e) => [e.id, e.status, e.starred, e.title]),
      feeds: feeds
        .json<{ id: number; title: string; feed_url: string }[]>()
        .map((f) => [f.id, f.title, f.feed_url]),
      categories: categories.json<{ id: number; title: string }[]>().map((c) => [c.id, c.title]),
    });
  }

  /** A request to send. */
  interface Sent {
    method: string;
    path: string;
    body?: string;
    headers: Record<string, string>;
  }
  /** What is wrong with an answer (other than a 5xx), or null. */
  type Check = (status: number, type: string, body: string) => string | null;

  /** Sends each request; returns what went wrong, a line each. */
  async function sweep(requests: Iterable<Sent>, check: Check): Promise<{ sent: number; wrong: string[] }> {
    const wrong: string[] = [];
    let sent = 0;
    for (const { method, path, body, headers } of requests) {
      sent++;
      const res = await web.fetch(path, { method, headers, ...(body !== undefined ? { body } : {}) });
      const problem =
        res.status >= 500
          ? `answered ${res.status}`
          : check(res.status, res.headers.get('content-type') ?? '', res.body);
      if (problem)
        wrong.push(
          `${method} ${path.slice(0, 100)} ${(body ?? '').slice(0, 40)}: ${problem}: ${res.body.slice(0, 120)}`,
        );
    }
    return { sent, wrong };
  }

  /** The paths of the routes the server has under `prefix` (from its route table), and one it has not. */
  function pathsUnder(prefix: string, missing: string): string[] {
    const paths = routeTable(web.app)
      .map((r) => r.slice(r.indexOf(' ') + 1))
      .filter((path) => path.startsWith(prefix));
    return [...new Set(paths), missing];
  }

  const withIds = (route: string, ids: readonly string[]): string[] =>
    /[:*]/.test(route) ? ids.map((id) => route.replace(/:[A-Za-z]+|\*/g, id)) : [route];

  it('Miniflux: no failure, every error as {"error_message": …}, nothing changed', async () => {
    const before = await library();
    const headers = { 'X-Auth-Token': key, 'content-type': 'application/json' };
    const routes = pathsUnder('/v1/', '/v1/no-such-call');
    assert.ok(routes.includes('/v1/feeds/:id/entries/:entryId') && routes.length > 25, routes.join(' '));
    function* requests(): Generator<Sent> {
      for (const route of routes) {
        for (const path of withIds(route, IDS)) {
          yield { method: 'GET', path, headers };
          for (const method of ['POST', 'PUT', 'DELETE']) {
            for (const body of BODIES) yield { method, path, body, headers };
          }
        }
      }
      for (const path of MINIFLUX_LISTS) {
        for (const name of MINIFLUX_QUERY) {
          for (const value of VALUES) yield { method: 'GET', path: `${path}?${name}=${value}`, headers };
        }
        yield { method: 'GET', path: `${path}?limit=1&limit=2&status=read&status=bogus`, headers };
        // A search the store sorts every match of, with the filters the date-ordered one does not take.
        for (const value of VALUES)
          yield { method: 'GET', path: `${path}?search=${value}&order=title&status=read&tags=x`, headers };
      }
    }
    const { sent, wrong } = await sweep(requests(), (status, type, body) => {
      if (status < 400) return null;
      if (!type.startsWith('application/json')) return `an error as ${type}`;
      try {
        const message = (JSON.parse(body) as { error_message?: unknown }).error_message;
        return typeof message === 'string' && message !== '' ? null : 'an error without error_message';
      } catch {
        return 'an error that is not JSON';
      }
    });
    assert.ok(sent > 2000, `${sent} requests`);
    assert.deepEqual(wrong, []);
    assert.equal(await library(), before);
  });

  it('Google Reader: no failure, every error as plain text, nothing changed', async () => {
    const before = await library();
    const headers = { authorization: `GoogleLogin auth=${greaderAuth}` };
    const form = { ...headers, 'content-type': 'application/x-www-form-urlencoded' };
    const routes = [
      ...pathsUnder('/accounts/', '/accounts/no-such-call'),
      ...pathsUnder('/reader/', '/reader/api/0/no-such-call'),
    ];
    assert.ok(routes.includes('/reader/api/0/edit-tag') && routes.length > 18, routes.join(' '));
    function* requests(): Generator<Sent> {
      for (const route of routes) {
        for (const path of withIds(route, STREAMS)) {
          yield { method: 'GET', path, headers };
          yield { method: 'GET', path: `/api/greader.php${path}`, headers };
          for (const body of BODIES) yield { method: 'POST', path, body, headers: form };
          for (const name of GREADER_QUERY) {
            for (const value of VALUES) yield { method: 'GET', path: `${path}?${name}=${value}`, headers };
            // The form is read as the query is (one parameter may come twice, as clients repeat `i`).
            for (const value of VALUES.slice(0, 4)) {
              yield { method: 'POST', path, body: `${name}=${value}&${name}=${value}`, headers: form };
            }
          }
        }
      }
    }
    const { sent, wrong } = await sweep(requests(), (status, type) =>
      status < 400 || type.startsWith('text/plain') ? null : `an error as ${type}`,
    );
    assert.ok(sent > 5000, `${sent} requests`);
    assert.deepEqual(wrong, []);
    assert.equal(await library(), before);
  });

  it('Fever: no failure, every answer a Fever object, nothing changed', async () => {
    const before = await library();
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    function* requests(): Generator<Sent> {
      for (const path of ['/api/fever.php', '/fever/']) {
        for (const name of FEVER_QUERY) {
          for (const value of VALUES) {
            yield {
              method: 'POST',
              path: `${path}?api&${name}=${value}`,
              body: `api_key=${fever}&${name}=${value}`,
              headers: form,
            };
            yield {
              method: 'POST',
              path: `${path}?api&${name}=${value}`,
              body: `api_key=${value}`,
              headers: form,
            };
          }
        }
        for (const body of BODIES) yield { method: 'POST', path: `${path}?api`, body, headers: form };
      }
    }
    const { sent, wrong } = await sweep(requests(), (_status, _type, body) => {
      try {
        const answer = JSON.parse(body) as { api_version?: unknown; auth?: unknown };
        return answer.api_version === 3 && (answer.auth === 0 || answer.auth === 1)
          ? null
          : 'not a Fever answer';
      } catch {
        return 'not JSON';
      }
    });
    assert.ok(sent > 500, `${sent} requests`);
    assert.deepEqual(wrong, []);
    assert.equal(await library(), before);
  });
});
