// The account pages and the sign-in flow through a real server over HTTP: setup, login and its
// limits, sessions, CSRF and origin checks, settings, passwords, API keys, user administration,
// one user's isolation from another, security headers, and the Chinese dictionary's coverage.
import { describe, it, before, after } from 'node:test';
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FetchOptions } from '../model/index.js';
import type { Store } from '../store/index.js';
import { hashPassword, tokenHash } from './auth.js';
import { ZH } from './i18n-zh.js';
import { normalizeSettings } from './settings.js';
import { startWebApp } from './testing.js';
import { SHORTCUTS } from './views/layout.js';
import { DEFAULT_FETCH_OPTIONS } from '../subscribe/index.js';

interface TestApp {
  base: string;
  store: Store;
  close(): Promise<void>;
}

/** A fresh server over an empty in-memory store: no user yet, so the first-run setup is open. */
async function startApp(): Promise<TestApp> {
  const web = await startWebApp();
  return { base: web.baseUrl, store: web.store, close: () => web.close() };
}

interface Reply {
  status: number;
  headers: Headers;
  location: string | null;
  body: string;
  setCookies: string[];
}

type Fields = Record<string, string>;

/** A browser without JavaScript: a cookie jar, and the CSRF token of the last page it saw. */
class Browser {
  readonly cookies = new Map<string, string>();
  csrf = '';

  constructor(readonly base: string) {}

  async request(
    method: 'GET' | 'POST',
    path: string,
    options: { form?: Fields; headers?: Record<string, string> } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = { ...options.headers };
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (cookie) headers.cookie = cookie;
    const response = await fetch(this.base + path, {
      method,
      headers,
      redirect: 'manual',
      ...(options.form ? { body: new URLSearchParams(options.form) } : {}),
    });
    const setCookies = response.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (!value || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const body = await response.text();
    const token = /<meta name="csrf-token" content="([^"]*)"/.exec(body)?.[1];
    if (token) this.csrf = token;
    return {
      status: response.status,
      headers: response.headers,
      location: response.headers.get('location'),
      body,
      setCookies,
    };
  }

  get(path: string, headers?: Record<string, string>): Promise<Reply> {
    return this.request('GET', path, headers ? { headers } : {});
  }

  /** Posts a form with the CSRF token of the page last seen (unless the form sets its own). */
  post(path: string, form: Fields = {}, headers?: Record<string, string>): Promise<Reply> {
    return this.request('POST', path, {
      form: { _csrf: this.csrf, ...form },
      ...(headers ? { headers } : {}),
    });
  }

  /** Signs in through the login form; returns the login POST's reply. */
  async login(username: string, password: string, next?: string): Promise<Reply> {
    const page = await this.get('/login');
    assert.equal(page.status, 200, 'the login page shows');
    const reply = await this.post('/login', { username, password, ...(next !== undefined ? { next } : {}) });
    // The new session has its own CSRF token: read it from a page.
    if (reply.status === 303) await this.get('/settings');
    return reply;
  }

  copy(): Browser {
    const other = new Browser(this.base);
    for (const [k, v] of this.cookies) other.cookies.set(k, v);
    other.csrf = this.csrf;
    return other;
  }
}

const ADMIN = 'admin';
const ADMIN_PASSWORD = 'correct horse battery';
const FETCH_OPTIONS: FetchOptions = DEFAULT_FETCH_OPTIONS;

function signedOut(reply: Reply): boolean {
  return reply.status === 303 && (reply.location ?? '').startsWith('/login');
}

describe('sign-in and account pages', () => {
  let app: TestApp;
  let admin: Browser;

  before(async () => {
    app = await startApp();
    admin = new Browser(app.base);
  });
  after(async () => {
    await app.close();
  });

  const createUser = async (username: string, password: string, isAdmin = false) =>
    app.store.createUser(username, { isAdmin, passwordHash: await hashPassword(password) }, Date.now());

  it('sends a fresh server to the first-run setup, creates the administrator, then refuses setup', async () => {
    const visitor = new Browser(app.base);
    const first = await visitor.get('/login');
    assert.equal(first.status, 303);
    assert.equal(first.location, '/setup');
    const setup = await visitor.get('/setup');
    assert.equal(setup.status, 200);
    assert.ok(visitor.cookies.get('gleaner_csrf'), 'the setup form gets a CSRF cookie');

    const badName = await visitor.post('/setup', {
      username: 'no spaces',
      password: ADMIN_PASSWORD,
      confirm: ADMIN_PASSWORD,
    });
    assert.equal(badName.status, 400);
    assert.match(badName.body, /<p class="error" role="alert">\s*A user name is 1 to 64/);
    const differ = await visitor.post('/setup', {
      username: ADMIN,
      password: ADMIN_PASSWORD,
      confirm: 'something else',
    });
    assert.equal(differ.status, 400);
    assert.match(differ.body, /The two passwords differ\./);
    assert.equal((await app.store.listUsers()).length, 0);

    const created = await admin
      .get('/setup')
      .then(() =>
        admin.post('/setup', { username: ADMIN, password: ADMIN_PASSWORD, confirm: ADMIN_PASSWORD }),
      );
    assert.equal(created.status, 303);
    assert.equal(created.location, '/unread');
    const users = await app.store.listUsers();
    assert.equal(users.length, 1);
    assert.equal(users[0]?.username, ADMIN);
    assert.equal(users[0]?.isAdmin, true);
    const settings = await admin.get('/settings');
    assert.equal(settings.status, 200, 'setup signs the administrator in');

    assert.equal((await visitor.get('/setup')).location, '/login');
    const again = await visitor.post('/setup', {
      username: 'mallory',
      password: 'mallory-password',
      confirm: 'mallory-password',
    });
    assert.equal(again.status, 409);
    assert.equal(await app.store.findUserByName('mallory'), null);
    assert.equal((await app.store.listUsers()).length, 1);
  });

  it('refuses a wrong password with 401 and a message', async () => {
    const visitor = new Browser(app.base);
    const reply = await visitor.login(ADMIN, 'not the password');
    assert.equal(reply.status, 401);
    assert.match(reply.body, /<p class="error" role="alert">\s*Wrong user name or password\.\s*<\/p>/);
    assert.equal(visitor.cookies.get('gleaner_session'), undefined);
    const unknown = await visitor.login('nobody', ADMIN_PASSWORD);
    assert.equal(unknown.status, 401);
  });

  it('sets an HttpOnly, SameSite=Lax session cookie and security headers', async () => {
    const visitor = new Browser(app.base);
    const reply = await visitor.login(ADMIN, ADMIN_PASSWORD);
    assert.equal(reply.status, 303);
    const cookie = reply.setCookies.find((c) => c.startsWith('gleaner_session='));
    assert.ok(cookie, 'a session cookie is set');
    assert.match(cookie, /;\s*HttpOnly/i);
    assert.match(cookie, /;\s*SameSite=Lax/i);
    assert.match(cookie, /;\s*Path=\//i);
    for (const path of ['/login', '/settings']) {
      const page = path === '/login' ? await new Browser(app.base).get(path) : await visitor.get(path);
      assert.equal(page.status, 200, path);
      const csp = page.headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self'(;|$)/, path);
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.equal(page.headers.get('referrer-policy'), 'no-referrer', path);
      assert.equal(page.headers.get('x-content-type-options'), 'nosniff', path);
    }
    assert.equal((await visitor.get('/settings')).headers.get('cache-control'), 'no-store');
  });

  it('never follows `next` to another site', async () => {
    const visitor = new Browser(app.base);
    for (const next of [
      '//evil.example',
      '/\\evil.example',
      'https://evil.example/',
      'http:evil.example',
      '/\\/evil.example',
    ]) {
      const reply = await new Browser(app.base).login(ADMIN, ADMIN_PASSWORD, next);
      assert.equal(reply.status, 303, next);
      assert.equal(reply.location, '/unread', next);
    }
    const local = await visitor.login(ADMIN, ADMIN_PASSWORD, '/starred');
    assert.equal(local.location, '/starred', 'a local path is followed');
    const signedIn = await visitor.get('/login?next=' + encodeURIComponent('//evil.example'));
    assert.equal(signedIn.status, 303);
    assert.equal(signedIn.location, '/unread');
  });

  it('ends the session on logout: the old cookie no longer works', async () => {
    const visitor = new Browser(app.base);
    await visitor.login(ADMIN, ADMIN_PASSWORD);
    const stolen = visitor.copy();
    assert.equal((await stolen.get('/settings')).status, 200);
    const out = await visitor.post('/logout');
    assert.equal(out.status, 303);
    assert.equal(out.location, '/login');
    assert.equal(visitor.cookies.get('gleaner_session'), undefined, 'the cookie is cleared');
    assert.ok(signedOut(await stolen.get('/settings')), 'the session is gone on the server too');
  });

  it('refuses state changes from another origin or without the CSRF token', async () => {
    const before = await app.store.getUserSettings((await app.store.findUserByName(ADMIN))!.id);
    const evil = await admin.post('/settings', { theme: 'dark' }, { origin: 'http://evil.example' });
    assert.equal(evil.status, 403);
    const crossSite = await admin.post('/settings', { theme: 'dark' }, { 'sec-fetch-site': 'cross-site' });
    assert.equal(crossSite.status, 403);
    const missing = await admin.request('POST', '/settings', { form: { theme: 'dark' } });
    assert.equal(missing.status, 403);
    const wrong = await admin.request('POST', '/settings', {
      form: { theme: 'dark', _csrf: 'x'.repeat(43) },
    });
    assert.equal(wrong.status, 403);
    const visitorToken = await admin.request('POST', '/settings', {
      form: { theme: 'dark', _csrf: admin.cookies.get('gleaner_csrf') ?? 'none' },
    });
    assert.equal(visitorToken.status, 403, 'the visitor token is not the session token');
    const after = await app.store.getUserSettings((await app.store.findUserByName(ADMIN))!.id);
    assert.deepEqual(after, before, 'nothing changed');
    const sameOrigin = await admin.post('/settings', { theme: 'light' }, { origin: app.base });
    assert.equal(sameOrigin.status, 303, 'the same origin is accepted');
  });

  it('answers a path that does not decode with a 400 page, and a form sent nowhere with 404', async () => {
    const undecodable = await admin.get('/feeds/%ff');
    assert.equal(undecodable.status, 400);
    assert.match(undecodable.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(undecodable.body, /This address is not valid\./);
    // No hook runs for such a request: the page still carries the reader's security headers.
    assert.match(undecodable.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.equal(undecodable.headers.get('x-frame-options'), 'DENY');
    const asJson = await admin.get('/feeds/%ff', { accept: 'application/json' });
    assert.equal(asJson.status, 400);
    assert.deepEqual(JSON.parse(asJson.body), { error: 'Bad Request' });
    // No route changes anything there: the answer says so, whatever the token.
    const nowhere = await admin.request('POST', '/no-such-page', { form: { theme: 'dark' } });
    assert.equal(nowhere.status, 404);
    assert.match(nowhere.body, /This page does not exist\./);
  });

  it('saves settings and applies them to the pages, Chinese included', async () => {
    const saved = await admin.post('/settings', {
      theme: 'dark',
      fontSize: 'large',
      perPage: '100',
      order: 'oldest',
      language: 'en',
      markReadOnOpen: 'on',
      // unreadOnly and markReadOnScroll unchecked: off
    });
    assert.equal(saved.status, 303);
    assert.equal(saved.location, '/settings?done=settings');
    const page = await admin.get(saved.location);
    assert.match(page.body, /<html lang="en" class="theme-dark font-large"/);
    assert.match(page.body, /<div class="flash" role="status">\s*Settings saved\.\s*<\/div>/);
    assert.match(page.body, /<option value="100"\s+selected/);
    assert.match(page.body, /name="unreadOnly" value="on"\s*\/?>/, 'the unchecked box shows unchecked');
    const stored = normalizeSettings(
      await app.store.getUserSettings((await app.store.findUserByName(ADMIN))!.id),
    );
    assert.deepEqual(stored, {
      theme: 'dark',
      fontSize: 'large',
      perPage: 100,
      order: 'oldest',
      unreadOnly: false,
      language: 'en',
      markReadOnOpen: true,
      markReadOnScroll: false,
    });

    const chinese = await admin.post('/settings', { ...formOf(stored), language: 'zh' });
    assert.equal(chinese.status, 303);
    const zh = await admin.get('/settings?done=settings');
    assert.match(zh.body, /<html lang="zh-CN" class="theme-dark font-large"/);
    assert.match(zh.body, /<h1>\s*设置\s*<\/h1>/);
    assert.match(zh.body, /设置已保存。/);
    assert.match(zh.body, /修改密码/);
    const back = await admin.post('/settings', { ...formOf(stored), language: 'en' });
    assert.equal(back.status, 303);
    assert.match((await admin.get('/settings')).body, /<html lang="en"/);
  });

  it('says in the settings which old entries the server removes', async () => {
    const page = await admin.get('/settings');
    const keeping = /<section class="card" aria-labelledby="keeping-heading">([\s\S]*?)<\/section>/.exec(
      page.body,
    )?.[1];
    assert.ok(keeping, 'a section of its own');
    const items = [...keeping.matchAll(/<li>\s*([^<]*?)\s*<\/li>/g)].map((m) => m[1]);
    assert.deepEqual(items, [
      'Read entries are kept for good.',
      'Unread entries are removed 180 days after they arrive.',
      'Starred, read-later and labelled entries are always kept, and so are the 50 newest of each feed.',
      'So is what a public page shows (a published feed, folder, tag or search) while it is published.',
      'A feed keeps at most 10000 entries: past that, its oldest go.',
    ]);
    const forGood = await startWebApp({
      retention: { readMs: null, unreadMs: null, keepPerFeed: 0, maxPerFeed: null },
    });
    try {
      const browser = new Browser(forGood.baseUrl);
      await forGood.store.createUser(
        'keeper',
        { isAdmin: false, passwordHash: await hashPassword('keeper-password') },
        Date.now(),
      );
      await browser.login('keeper', 'keeper-password');
      const body = (await browser.get('/settings')).body;
      assert.match(body, /Read entries are kept for good\./);
      assert.match(body, /Unread entries are kept for good\./);
      assert.match(body, /Starred, read-later and labelled entries are always kept\./);
      assert.doesNotMatch(body, /at most/);
    } finally {
      await forGood.close();
    }
  });

  it('normalizes hostile settings values', async () => {
    const userId = (await app.store.findUserByName(ADMIN))!.id;
    const before = normalizeSettings(await app.store.getUserSettings(userId));
    const reply = await admin.post('/settings', {
      theme: '<script>alert(1)</script>',
      fontSize: '"><b>huge',
      perPage: '1e9',
      order: 'sideways',
      language: 'xx',
      unreadOnly: 'yes please',
      ['__proto__']: 'polluted',
      constructor: 'x',
    });
    assert.equal(reply.status, 303);
    const raw = await app.store.getUserSettings(userId);
    assert.deepEqual(Object.keys(raw).sort(), Object.keys(before).sort(), 'only known settings are stored');
    const after = normalizeSettings(raw);
    assert.equal(after.theme, before.theme);
    assert.equal(after.fontSize, before.fontSize);
    assert.equal(after.perPage, before.perPage);
    assert.equal(after.order, before.order);
    assert.equal(after.language, before.language);
    const page = await admin.get('/settings');
    assert.doesNotMatch(page.body, /<script>alert/);
    assert.doesNotMatch(page.body, /<b>huge/);
    const numbers = await admin.post('/settings', { ...formOf(before), perPage: '-1' });
    assert.equal(numbers.status, 303);
    assert.equal(normalizeSettings(await app.store.getUserSettings(userId)).perPage, before.perPage);
  });

  it('changes the password only with the current one, and ends every other session', async () => {
    await createUser('carol', 'carol-password-1');
    const a = new Browser(app.base);
    const b = new Browser(app.base);
    assert.equal((await a.login('carol', 'carol-password-1')).status, 303);
    assert.equal((await b.login('carol', 'carol-password-1')).status, 303);
    const aBefore = a.copy();

    const wrong = await a.post('/settings/password', {
      current: 'nope',
      password: 'carol-password-2',
      confirm: 'carol-password-2',
    });
    assert.equal(wrong.status, 400);
    assert.match(wrong.body, /<p class="error" role="alert">\s*The current password is wrong\.\s*<\/p>/);
    const short = await a.post('/settings/password', {
      current: 'carol-password-1',
      password: 'short',
      confirm: 'short',
    });
    assert.equal(short.status, 400);
    assert.match(short.body, /The password needs at least 8 characters\./);
    const differ = await a.post('/settings/password', {
      current: 'carol-password-1',
      password: 'carol-password-2',
      confirm: 'carol-password-3',
    });
    assert.equal(differ.status, 400);
    assert.match(differ.body, /The two passwords differ\./);
    assert.equal((await b.get('/settings')).status, 200, 'refused changes end nothing');

    const changed = await a.post('/settings/password', {
      current: 'carol-password-1',
      password: 'carol-password-2',
      confirm: 'carol-password-2',
    });
    assert.equal(changed.status, 303);
    assert.equal(changed.location, '/settings?done=password');
    assert.ok(
      changed.setCookies.some((c) => c.startsWith('gleaner_session=')),
      'this browser gets a new session',
    );
    const after = await a.get('/settings?done=password');
    assert.equal(after.status, 200, 'this browser stays signed in');
    assert.match(after.body, /Password changed\./);
    assert.ok(signedOut(await b.get('/settings')), 'the other session ended');
    assert.ok(signedOut(await aBefore.get('/settings')), 'the old cookie of this browser ended too');
    assert.equal((await new Browser(app.base).login('carol', 'carol-password-1')).status, 401);
    assert.equal((await new Browser(app.base).login('carol', 'carol-password-2')).status, 303);
  });

  it('shows a new API key once and stores only its hash', async () => {
    const carol = new Browser(app.base);
    await carol.login('carol', 'carol-password-2');
    const user = (await app.store.findUserByName('carol'))!;

    const empty = await carol.post('/settings/api-keys', { name: '   ' });
    assert.equal(empty.status, 400);
    assert.match(empty.body, /Give the key a name\./);

    const created = await carol.post('/settings/api-keys', { name: 'phone <b>' });
    assert.equal(created.status, 200);
    assert.equal(created.headers.get('cache-control'), 'no-store');
    const key = /<code class="api-key">\s*([^<\s]+)\s*<\/code>/.exec(created.body)?.[1];
    assert.ok(key && key.length >= 24, 'the key is shown');
    assert.match(created.body, /phone &lt;b&gt;/, 'the name is escaped');

    const later = await carol.get('/settings');
    assert.ok(!later.body.includes(key), 'the key is never shown again');
    assert.match(later.body, /phone &lt;b&gt;/, 'the key is listed by name');

    const keys = await app.store.listApiKeys(user.id);
    assert.equal(keys.length, 1);
    assert.ok(!JSON.stringify(keys).includes(key));
    assert.equal(await app.store.findUserByApiKey(key, Date.now()), null, 'the key is not stored in clear');
    assert.equal((await app.store.findUserByApiKey(tokenHash(key), Date.now()))?.id, user.id, 'its hash is');

    // Another user cannot revoke it.
    const id = keys[0]!.id;
    const other = await admin.post(`/settings/api-keys/${id}/delete`);
    assert.equal(other.status, 404);
    assert.equal((await app.store.listApiKeys(user.id)).length, 1);

    const revoked = await carol.post(`/settings/api-keys/${id}/delete`);
    assert.equal(revoked.status, 303);
    assert.equal((await app.store.listApiKeys(user.id)).length, 0);
    assert.equal(await app.store.findUserByApiKey(tokenHash(key), Date.now()), null);
    assert.match((await carol.get('/settings?done=key-revoked')).body, /The API key was revoked\./);
    assert.equal((await carol.post('/settings/api-keys/abc/delete')).status, 404);
  });

  it('keeps the administration to administrators', async () => {
    const carol = new Browser(app.base);
    await carol.login('carol', 'carol-password-2');
    const adminId = (await app.store.findUserByName(ADMIN))!.id;
    assert.equal((await carol.get('/admin/users')).status, 403);
    assert.equal(
      (await carol.post('/admin/users', { username: 'eve', password: 'eve-password' })).status,
      403,
    );
    assert.equal((await carol.post(`/admin/users/${adminId}/delete`)).status, 403);
    assert.equal((await carol.post(`/admin/users/${adminId}/admin`, { admin: '0' })).status, 403);
    const carolId = (await app.store.findUserByName('carol'))!.id;
    assert.equal((await carol.post(`/admin/users/${carolId}/admin`, { admin: '1' })).status, 403);
    assert.equal(await app.store.findUserByName('eve'), null);
    assert.equal((await app.store.getUser(adminId))?.isAdmin, true);
    assert.equal((await app.store.getUser(carolId))?.isAdmin, false);
    assert.doesNotMatch(
      (await carol.get('/settings')).body,
      /href="\/admin\/users"/,
      'no link for non-admins',
    );
    const visitor = new Browser(app.base);
    const anonymous = await visitor.get('/admin/users');
    assert.ok(signedOut(anonymous));
  });

  it('lets an administrator add, promote and delete users, but not themselves', async () => {
    const list = await admin.get('/admin/users');
    assert.equal(list.status, 200);
    assert.match(list.body, /<td>\s*carol\s*<\/td>/);

    const badName = await admin.post('/admin/users', { username: 'bad name!', password: 'dave-password' });
    assert.equal(badName.status, 400);
    assert.match(badName.body, /<p class="error" role="alert">\s*A user name is 1 to 64/);
    const short = await admin.post('/admin/users', { username: 'dave', password: 'short' });
    assert.equal(short.status, 400);
    assert.match(short.body, /The password needs at least 8 characters\./);
    const duplicate = await admin.post('/admin/users', { username: 'Carol', password: 'another-password' });
    assert.equal(duplicate.status, 409);
    assert.match(
      duplicate.body,
      /<p class="error" role="alert">\s*A user named Carol exists already\.\s*<\/p>/,
    );
    assert.equal((await app.store.listUsers()).length, 2);

    const created = await admin.post('/admin/users', {
      username: 'dave',
      password: 'dave-password',
      admin: 'on',
    });
    assert.equal(created.status, 303);
    assert.equal(created.location, '/admin/users?done=created');
    const dave = (await app.store.findUserByName('dave'))!;
    assert.equal(dave.isAdmin, true);
    assert.equal(
      (await new Browser(app.base).login('dave', 'dave-password')).status,
      303,
      'the new user can sign in',
    );

    const demoted = await admin.post(`/admin/users/${dave.id}/admin`, { admin: '0' });
    assert.equal(demoted.status, 303);
    assert.equal((await app.store.getUser(dave.id))?.isAdmin, false);
    const toggled = await admin.post(`/admin/users/${dave.id}/admin`);
    assert.equal(toggled.status, 303);
    assert.equal((await app.store.getUser(dave.id))?.isAdmin, true);

    const adminId = (await app.store.findUserByName(ADMIN))!.id;
    const selfDemote = await admin.post(`/admin/users/${adminId}/admin`, { admin: '0' });
    assert.equal(selfDemote.status, 400);
    assert.equal((await app.store.getUser(adminId))?.isAdmin, true);
    const selfDelete = await admin.post(`/admin/users/${adminId}/delete`);
    assert.equal(selfDelete.status, 400);
    assert.match(selfDelete.body, /You cannot delete your own account\./);
    assert.ok(await app.store.getUser(adminId));

    const page = await admin.get('/admin/users');
    assert.match(
      page.body,
      new RegExp(
        `<details class="confirm">\\s*<summary>\\s*Delete…\\s*</summary>\\s*<form method="post" action="/admin/users/${dave.id}/delete"`,
      ),
    );
    assert.doesNotMatch(
      page.body,
      new RegExp(`action="/admin/users/${adminId}/delete"`),
      'no delete button for oneself',
    );

    const daveSession = new Browser(app.base);
    await daveSession.login('dave', 'dave-password');
    const deleted = await admin.post(`/admin/users/${dave.id}/delete`);
    assert.equal(deleted.status, 303);
    assert.equal(deleted.location, '/admin/users?done=deleted');
    assert.equal(await app.store.getUser(dave.id), null);
    assert.ok(signedOut(await daveSession.get('/settings')), "the deleted user's sessions end");
    assert.equal((await admin.post(`/admin/users/${dave.id}/delete`)).status, 404);
  });

  it("shows a second user none of the first user's subscriptions", async () => {
    const adminUser = (await app.store.findUserByName(ADMIN))!;
    const feed = await app.store.ensureFeed('https://private.example/feed.xml', FETCH_OPTIONS, Date.now());
    await app.store.subscribe(
      adminUser.id,
      feed.id,
      { folderId: null, title: 'Admin Private Feed' },
      Date.now(),
    );

    const own = await admin.get('/unread');
    assert.equal(own.status, 200);
    assert.match(own.body, /Admin Private Feed/, 'the subscriber sees their feed');

    const carol = new Browser(app.base);
    await carol.login('carol', 'carol-password-2');
    for (const path of ['/unread', '/all', '/settings']) {
      const page = await carol.get(path);
      assert.equal(page.status, 200, path);
      assert.doesNotMatch(page.body, /Admin Private Feed|private\.example/, path);
    }
    assert.equal((await carol.get(`/feed/${feed.id}`)).status, 404);
    const counts = await carol.get('/api/counts');
    assert.deepEqual(JSON.parse(counts.body), { total: 0, feeds: {}, folders: {} });
    assert.equal(
      (await app.store.listSubscriptions((await app.store.findUserByName('carol'))!.id)).length,
      0,
    );
  });
});

describe('login rate limit', () => {
  let app: TestApp;
  before(async () => {
    app = await startApp();
    await app.store.createUser(
      'victim',
      { isAdmin: true, passwordHash: await hashPassword('the right password') },
      Date.now(),
    );
  });
  after(async () => {
    await app.close();
  });

  it('answers 429 with Retry-After after 10 failures, even to the right password', async () => {
    const attacker = new Browser(app.base);
    for (let i = 0; i < 10; i++) {
      const reply = await attacker.login('victim', `guess ${i}`);
      assert.equal(reply.status, 401, `attempt ${i + 1}`);
    }
    const limited = await attacker.login('victim', 'guess 10');
    assert.equal(limited.status, 429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter > 0, 'Retry-After is a number of seconds');
    assert.match(limited.body, /<p class="error" role="alert">\s*Too many failed logins/);
    const right = await attacker.login('victim', 'the right password');
    assert.equal(right.status, 429, 'the lock holds for the right password too');
    assert.equal(attacker.cookies.get('gleaner_session'), undefined);
  });
});

/** The settings as the settings form would submit them. */
function formOf(s: ReturnType<typeof normalizeSettings>): Fields {
  const form: Fields = {
    theme: s.theme,
    fontSize: s.fontSize,
    perPage: String(s.perPage),
    order: s.order,
    language: s.language,
  };
  if (s.unreadOnly) form.unreadOnly = 'on';
  if (s.markReadOnOpen) form.markReadOnOpen = 'on';
  if (s.markReadOnScroll) form.markReadOnScroll = 'on';
  return form;
}

// Every message the web UI passes to t('…') as a literal, from the sources under src/web.
const WEB_DIR = fileURLToPath(new URL('.', import.meta.url));

function webSources(): string[] {
  return readdirSync(WEB_DIR, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
    .filter((f) => !/(^|[/\\])i18n-zh\.ts$/.test(f))
    .sort();
}

/** The value of a quoted string literal's body. */
function unquote(body: string, quote: string): string {
  return body.replace(/\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/gs, (_all, esc: string) => {
    if (esc.startsWith('u{')) return String.fromCodePoint(parseInt(esc.slice(2, -1), 16));
    if (esc.length > 1) return String.fromCharCode(parseInt(esc.slice(1), 16));
    return (
      ({ n: '\n', t: '\t', r: '\r', '0': '\0' } as Record<string, string>)[esc] ??
      (esc === quote ? quote : esc)
    );
  });
}

function translatedMessages(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const call =
    /(?<![\w$])t\(\s*(?:'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\$]|\\.|\$(?!\{))*)`)\s*[,)]/g;
  for (const file of webSources()) {
    const source = readFileSync(join(WEB_DIR, file), 'utf8');
    for (const m of source.matchAll(call)) {
      const message =
        m[1] !== undefined
          ? unquote(m[1], "'")
          : m[2] !== undefined
            ? unquote(m[2], '"')
            : unquote(m[3] ?? '', '`');
      const line = source.slice(0, m.index).split('\n').length;
      found.set(message, [...(found.get(message) ?? []), `${file}:${line}`]);
    }
  }
  return found;
}

const placeholders = (text: string): string[] =>
  [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();

describe('the Chinese dictionary', () => {
  it('finds the messages it checks', () => {
    const messages = translatedMessages();
    assert.ok(messages.has('Settings'), 'the scan sees t() calls');
    assert.ok(messages.has('The password needs {rule}.'), 'calls with parameters too');
    assert.ok(messages.size > 50);
  });

  it('translates every message passed to t() under src/web', () => {
    const missing = [...translatedMessages()]
      .filter(([message]) => !Object.hasOwn(ZH, message))
      .map(([message, where]) => `${JSON.stringify(message)} (${where.join(', ')})`);
    assert.deepEqual(missing, [], `add these to src/web/i18n-zh.ts:\n${missing.join('\n')}`);
  });

  it('translates the keyboard shortcut help', () => {
    const missing = SHORTCUTS.map(([, description]) => description).filter((d) => !Object.hasOwn(ZH, d));
    assert.deepEqual(missing, []);
  });

  it('keeps every placeholder of each message, and translates to something', () => {
    const wrong = Object.entries(ZH)
      .filter(([en, zh]) => zh.trim() === '' || placeholders(en).join() !== placeholders(zh).join())
      .map(([en, zh]) => `${JSON.stringify(en)} → ${JSON.stringify(zh)}`);
    assert.deepEqual(wrong, []);
  });
});
