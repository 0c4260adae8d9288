// Feed management through the real server over HTTP, with feeds served on 127.0.0.1: subscribing
// (with discovery and its errors, SSRF refusals included), CSRF, editing, refreshing,
// unsubscribing, folders, OPML export and import (hostile files too), the recommended directory
// and the statistics page.
import { describe, it, before, after } from 'node:test';
import { strict as assert } from 'node:assert';
import { loadRecommended } from '../feed/recommended/index.js';
import { DEFAULT_FETCH_OPTIONS } from '../subscribe/index.js';
import { eventually } from '../testing/eventually.js';
import { makeCertificate, opensslSkipReason } from '../testing/certificates.js';
import { X509Certificate } from 'node:crypto';
import { respond, startTestServer, type TestServer } from '../testing/testserver.js';
import { startWebApp, type WebApp, type WebClient, type WebResponse } from './testing.js';

const DAY = 86_400_000;

interface Item {
  guid: string;
  title: string;
  /** Epoch ms. */
  date: number;
}

function rss(title: string, items: Item[]): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>${title}</title>` +
    `<link>https://blog.example/</link>` +
    items
      .map(
        (i) =>
          `<item><title>${i.title}</title><link>https://blog.example/${i.guid}</link><guid>${i.guid}</guid>` +
          `<pubDate>${new Date(i.date).toUTCString()}</pubDate><description>Hello</description></item>`,
      )
      .join('') +
    `</channel></rss>`
  );
}

const RSS_HEADERS = { 'content-type': 'application/rss+xml; charset=utf-8' };
const HTML_HEADERS = { 'content-type': 'text/html; charset=utf-8' };

/** The path and query of a redirect's target (without its fragment). */
function target(res: WebResponse): URL {
  assert.ok(res.location, `expected a redirect, got ${res.status}: ${norm(res.body).slice(0, 300)}`);
  return new URL(res.location, 'http://reader.test');
}

async function follow(client: WebClient, res: WebResponse): Promise<WebResponse> {
  assert.equal(res.status, 303, norm(res.body).slice(0, 500));
  const url = target(res);
  return client.get(url.pathname + url.search);
}

/** Markup with whitespace collapsed, whatever way the templates are laid out. */
function norm(page: string): string {
  return page
    .replace(/\s+/g, ' ')
    .replace(/\s*\/>/g, '>')
    .replace(/\s+>/g, '>')
    .replace(/>\s+</g, '><');
}

/** The text of the page's error alert, or null. */
function alertOf(page: string): string | null {
  return /<p class="error" role="alert">\s*([^<]*?)\s*<\/p>/.exec(norm(page))?.[1] ?? null;
}

function flashOf(page: string): string | null {
  return /<div class="flash" role="status">\s*([\s\S]*?)\s*<\/div>/.exec(norm(page))?.[1] ?? null;
}

/** Pages are built for a CSP without inline styles or scripts. */
function assertNoInlineStyleOrScript(page: string): void {
  assert.doesNotMatch(page, /\sstyle=/i);
  assert.doesNotMatch(page, /<style/i);
  for (const m of page.matchAll(/<script([^>]*)>/gi)) assert.match(m[1] ?? '', /\ssrc=/);
}

describe('feed management', () => {
  let web: WebApp;
  let feeds: TestServer;
  const now = Date.now();

  before(async () => {
    web = await startWebApp();
    // Someone has a password: visitors are sent to the login page, not to the first-run setup.
    await web.addUser('admin', 'correct horse battery');
    feeds = await startTestServer({
      '/blog.xml': respond(
        200,
        RSS_HEADERS,
        rss('Loopback Blog', [
          { guid: 'b1', title: 'First post', date: now - 2 * DAY },
          { guid: 'b2', title: 'Second post', date: now - DAY },
        ]),
      ),
      '/a.xml': respond(200, RSS_HEADERS, rss('Feed A', [{ guid: 'a1', title: 'A one', date: now - DAY }])),
      '/imported.xml': respond(
        200,
        RSS_HEADERS,
        rss('Imported Feed', [{ guid: 'i1', title: 'Imported one', date: now - DAY }]),
      ),
      '/b.xml': respond(200, RSS_HEADERS, rss('Feed B', [{ guid: 'b1', title: 'B one', date: now - DAY }])),
      '/old.xml': respond(
        200,
        RSS_HEADERS,
        rss('Old Blog', [{ guid: 'o1', title: 'Long ago', date: Date.UTC(2020, 0, 1, 12) }]),
      ),
      '/site/': respond(
        200,
        HTML_HEADERS,
        '<!doctype html><html><head><title>Site</title>' +
          '<link rel="alternate" type="application/rss+xml" title="Posts" href="/a.xml">' +
          '<link rel="alternate" type="application/atom+xml" title="Comments" href="/b.xml">' +
          '</head><body>Hello</body></html>',
      ),
      '/page.html': respond(
        200,
        HTML_HEADERS,
        '<!doctype html><html><head><title>x</title></head><body>no feeds</body></html>',
      ),
    });
  });

  after(async () => {
    await web.close();
    await feeds.close();
  });

  it('sends visitors to the login page', async () => {
    const res = await web.fetch('/feeds');
    assert.equal(res.status, 303);
    assert.match(res.location ?? '', /^\/login\?next=%2Ffeeds/);
    const post = await web.fetch('/feeds/subscribe', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ url: feeds.url('/blog.xml') }),
    });
    assert.ok(post.status === 401 || post.status === 403, String(post.status));
  });

  it('subscribes through the form, fetches the feed (once) and shows it in its folder', async () => {
    const alice = await web.login('alice', 'correct horse battery');
    const page = await alice.get('/feeds');
    assert.equal(page.status, 200);
    assert.match(norm(page.body), /<form method="post" action="\/feeds\/subscribe"/);
    assertNoInlineStyleOrScript(norm(page.body));

    const asked = feeds.requests.length;
    const res = await alice.post('/feeds/subscribe', {
      url: feeds.url('/blog.xml'),
      newFolder: 'News',
      title: '',
    });
    assert.equal(res.status, 303, alertOf(norm(res.body)) ?? norm(res.body).slice(0, 300));
    const to = target(res);
    assert.equal(to.pathname, '/feeds');
    assert.equal(to.searchParams.get('done'), 'subscribed');
    const feedId = Number(to.searchParams.get('feed'));

    const subs = await web.store.listSubscriptions(alice.user.id);
    const sub = subs.find((s) => s.feed.id === feedId);
    assert.ok(sub, 'subscribed');
    assert.equal(sub.feed.url, feeds.url('/blog.xml'));
    assert.equal(sub.folderName, 'News');
    assert.equal(await web.store.countEntries(feedId), 2, 'the entries are stored after the refresh');
    assert.equal(
      feeds.requests.slice(asked).filter((r) => r.path === '/blog.xml').length,
      1,
      'what finding the feed fetched is stored; the feed is not asked for twice',
    );

    const shown = await follow(alice, res);
    assert.match(flashOf(norm(shown.body)) ?? '', /Subscribed to Loopback Blog: 2 entries\./);
    assert.match(norm(shown.body), new RegExp(`<tr id="feed-${feedId}" class="feed-row">`));
    assert.match(norm(shown.body), /<a href="\/folder\/\d+">News<\/a>/);
    assert.match(norm(shown.body), /OK<\/span> · checked/);
    assert.match(
      norm(shown.body),
      /<svg class="sparkline"[^>]*role="img"[^>]*><title>Loopback Blog: 2 posts in the last 30 days<\/title>/,
    );
    assert.match(
      norm(shown.body),
      /<td class="feed-counts"><span title="unread">2<\/span> \/ <span title="total">2<\/span>/,
    );
    assertNoInlineStyleOrScript(norm(shown.body));
  });

  it('subscribing again to a feed followed already changes only what is asked', async () => {
    const olga = await web.login('olga', 'correct horse battery');
    const first = await olga.post('/feeds/subscribe', {
      url: feeds.url('/blog.xml'),
      newFolder: 'News',
      title: 'The Blog',
    });
    assert.equal(first.status, 303);
    const feedId = Number(target(first).searchParams.get('feed'));

    // With no folder and no title: nothing moves.
    const again = await olga.post('/feeds/subscribe', { url: feeds.url('/blog.xml'), title: '' });
    assert.equal(again.status, 303);
    assert.equal(target(again).searchParams.get('done'), 'already');
    assert.equal(Number(target(again).searchParams.get('feed')), feedId);
    assert.match(flashOf(norm((await follow(olga, again)).body)) ?? '', /You already follow The Blog\./);
    const subs = async (): Promise<unknown[][]> =>
      (await web.store.listSubscriptions(olga.user.id)).map((s) => [
        s.feed.id,
        s.folderName,
        s.subscription.title,
      ]);
    assert.deepEqual(await subs(), [[feedId, 'News', 'The Blog']]);

    // A title or folder named is applied to the same subscription.
    const renamed = await olga.postJson('/feeds/subscribe', { url: feeds.url('/blog.xml'), title: 'Blog!' });
    assert.equal(renamed.status, 200, norm(renamed.body));
    assert.equal(renamed.json<{ already: boolean }>().already, true);
    assert.deepEqual(await subs(), [[feedId, 'News', 'Blog!']]);

    // Other fetch options than it is followed with: an error that says what to do, nothing added.
    const full = await olga.post('/feeds/subscribe', { url: feeds.url('/blog.xml'), fullArticle: '1' });
    assert.equal(full.status, 400);
    assert.match(
      alertOf(norm(full.body)) ?? '',
      /already follow .* with other fetch options; change them in the feed.* edit form/,
    );
    assert.deepEqual(await subs(), [[feedId, 'News', 'Blog!']]);
  });

  it('subscribes with the user agent, cookie and credentials a site asks for, and refuses ones a request cannot carry', async () => {
    const basic = `Basic ${Buffer.from('reader:s3cret pass').toString('base64')}`;
    feeds.route('/members.xml', (req, res) => {
      const welcome =
        req.headers.authorization === basic &&
        req.headers.cookie === 'session=abc' &&
        req.headers['user-agent'] === 'MyReader/1.0';
      if (!welcome) res.writeHead(401, { 'www-authenticate': 'Basic realm="members"' }).end('no');
      else
        res
          .writeHead(200, RSS_HEADERS)
          .end(rss('Members', [{ guid: 'm1', title: 'For members', date: now }]));
    });
    const pat = await web.login('pat', 'correct horse battery');
    const form = await pat.get('/feeds');
    assert.match(norm(form.body), /<input type="password" name="password"/);
    const options = {
      userAgent: 'MyReader/1.0',
      cookie: 'session=abc',
      username: 'reader',
      password: 's3cret pass',
    };

    const refused = await pat.post('/feeds/subscribe', { url: feeds.url('/members.xml') });
    assert.equal(refused.status, 502, 'without them the site says no');
    const res = await pat.post('/feeds/subscribe', { url: feeds.url('/members.xml'), ...options });
    assert.equal(res.status, 303, norm(res.body).slice(0, 300));
    const [sub] = await web.store.listSubscriptions(pat.user.id);
    assert.deepEqual(sub?.feed.options, {
      ...options,
      fetchFullArticle: false,
      articleSelector: null,
      ignoreHttpCache: false,
      removeSelector: null,
      fetchViaProxy: false,
      trustedCertificate: null,
      scrape: null,
      rewriteRules: null,
    });
    assert.equal(await web.store.countEntries(sub?.feed.id), 1, 'fetched with them');
    const again = await pat.post('/feeds/subscribe', { url: feeds.url('/members.xml'), ...options });
    assert.equal(target(again).searchParams.get('done'), 'already');
    // The same credentials written into the URL: the same feed, whose URL holds none.
    const inUrl = await pat.post('/feeds/subscribe', {
      url: feeds.url('/members.xml').replace('://', '://reader:s3cret%20pass@'),
      userAgent: options.userAgent,
      cookie: options.cookie,
    });
    assert.equal(target(inUrl).searchParams.get('done'), 'already');
    assert.deepEqual(
      (await web.store.listSubscriptions(pat.user.id)).map((s) => s.feed.url),
      [feeds.url('/members.xml')],
    );
    // A page offering two feeds: each choice is posted with the credentials, none shows them.
    const choose = await pat.post('/feeds/subscribe', {
      url: feeds.url('/site/').replace('://', '://ann:pw-9@'),
    });
    assert.equal(choose.status, 200);
    const page = norm(choose.body);
    assert.equal(page.match(/<input type="hidden" name="password" value="pw-9">/g)?.length, 2, page);
    assert.doesNotMatch(page.replace(/value="pw-9"/g, ''), /pw-9/);

    const hostile: [Record<string, string>, RegExp][] = [
      [{ userAgent: 'Evil\r\nX-Injected: 1' }, /user agent cannot hold line breaks/],
      [{ cookie: 'a=1\nb=2' }, /cookie cannot hold line breaks/],
      [{ cookie: 'name=名前' }, /cookie can only hold Latin-1 characters/],
      [{ username: 'a:b', password: 'x' }, /username cannot hold a colon/],
      [{ password: 'x'.repeat(5000) }, /password is too long/],
    ];
    for (const [fields, says] of hostile) {
      const bad = await pat.post('/feeds/subscribe', { url: feeds.url('/a.xml'), ...fields });
      assert.equal(bad.status, 400, JSON.stringify(fields).slice(0, 80));
      assert.match(alertOf(norm(bad.body)) ?? '', says);
    }
    assert.equal((await web.store.listSubscriptions(pat.user.id)).length, 1, 'none of those was added');
    assert.doesNotMatch(
      norm((await pat.get('/feeds')).body),
      /s3cret/,
      'the password is not shown on the feeds page',
    );
  });

  it('changes a feed’s fetch options: in place for its only reader, apart for one of several', async () => {
    let wanted = 'session=old';
    feeds.route('/club.xml', (req, res) => {
      if (req.headers.cookie !== wanted) res.writeHead(401).end('no');
      else res.writeHead(200, RSS_HEADERS).end(rss('Club', [{ guid: 'c1', title: 'Club news', date: now }]));
    });
    const quinn = await web.login('quinn', 'correct horse battery');
    const subscribed = await quinn.post('/feeds/subscribe', {
      url: feeds.url('/club.xml'),
      newFolder: 'Clubs',
      title: 'My club',
      cookie: 'session=old',
      username: 'quinn',
      password: 'pw-1',
    });
    const feedId = Number(target(subscribed).searchParams.get('feed'));
    const [entry] = await web.store.queryEntries({ userId: quinn.user.id, feedId, limit: 1 });
    assert.ok(entry);
    await web.store.setEntryState(quinn.user.id, [entry.entry.id], { read: true, starred: true }, now);
    const edit = (id: number, fields: Record<string, string>) =>
      quinn.post(`/feeds/${id}/edit`, {
        title: 'My club',
        newFolder: 'Clubs',
        fetchOptionsField: '1',
        username: 'quinn',
        ...fields,
      });

    // The session cookie expired: a new one, the password left empty (kept).
    wanted = 'session=new';
    const renewed = await edit(feedId, { cookie: 'session=new', password: '' });
    assert.equal(target(renewed).searchParams.get('done'), 'edited');
    assert.equal(Number(target(renewed).searchParams.get('feed')), feedId, 'the same feed');
    const feed = await web.store.getFeed(feedId);
    assert.equal(feed?.options.cookie, 'session=new');
    assert.equal(feed?.options.password, 'pw-1', 'an empty password keeps the one set');
    assert.equal(feed?.errorCount, 0, 'fetched again with the new cookie');
    const [kept] = await web.store.queryEntries({ userId: quinn.user.id, feedId, limit: 1 });
    assert.deepEqual([kept?.entry.id, kept?.read, kept?.starred], [entry.entry.id, true, true]);
    const page = norm((await quinn.get('/feeds')).body);
    assert.match(page, /name="cookie" value="session=new"/);
    assert.doesNotMatch(page, /pw-1/, 'the password is never written into the page');

    // Someone else follows it with the same options; a change of quinn's leaves theirs alone.
    const rita = await web.login('rita', 'correct horse battery');
    const shared = await rita.post('/feeds/subscribe', {
      url: feeds.url('/club.xml'),
      cookie: 'session=new',
      username: 'quinn',
      password: 'pw-1',
    });
    assert.equal(Number(target(shared).searchParams.get('feed')), feedId);
    await web.store.updateSubscription(quinn.user.id, feedId, { blockRules: '(?i)minutes' });
    const apart = await edit(feedId, { cookie: 'session=new', userAgent: 'Quinn/2', password: '' });
    const apartId = Number(target(apart).searchParams.get('feed'));
    assert.notEqual(apartId, feedId);
    const mine = await web.store.listSubscriptions(quinn.user.id);
    assert.equal(mine[0]?.subscription.blockRules, '(?i)minutes', 'quinn’s rules go with the subscription');
    assert.deepEqual(
      mine.map((s) => [s.feed.id, s.feed.options.userAgent, s.folderName, s.subscription.title]),
      [[apartId, 'Quinn/2', 'Clubs', 'My club']],
    );
    assert.equal((await web.store.getFeed(feedId))?.options.userAgent, null, 'rita’s feed as she has it');
    assert.deepEqual(
      (await web.store.listSubscriptions(rita.user.id)).map((s) => s.feed.id),
      [feedId],
    );

    // What a request cannot carry changes nothing, and says why.
    const bad = await edit(apartId, { cookie: 'a=1\r\nX-Injected: 1', title: 'Renamed' });
    assert.equal(target(bad).searchParams.get('error'), 'fetch-options');
    assert.match(alertOf(norm((await follow(quinn, bad)).body)) ?? '', /cannot go into a request/);
    const after = (await web.store.listSubscriptions(quinn.user.id))[0];
    assert.deepEqual([after?.feed.options.cookie, after?.subscription.title], ['session=new', 'My club']);

    // An article selector is kept, and shown in the form; one Gleaner cannot use changes nothing.
    const same = { cookie: 'session=new', userAgent: 'Quinn/2', password: '' };
    const selected = await edit(apartId, {
      ...same,
      articleSelector: ' article .post-body ',
      removeSelector: ' .share, aside ',
      ignoreHttpCache: '1',
      viaProxy: '1',
    });
    assert.equal(target(selected).searchParams.get('done'), 'edited');
    assert.equal(
      Number(target(selected).searchParams.get('feed')),
      apartId,
      'quinn’s alone: changed in place',
    );
    assert.equal((await web.store.getFeed(apartId))?.options.articleSelector, 'article .post-body');
    assert.equal((await web.store.getFeed(apartId))?.options.ignoreHttpCache, true);
    assert.equal((await web.store.getFeed(apartId))?.options.removeSelector, '.share, aside');
    assert.equal((await web.store.getFeed(apartId))?.options.fetchViaProxy, true);
    const shown = norm((await quinn.get('/feeds')).body);
    assert.match(shown, /name="articleSelector" value="article .post-body"/);
    assert.match(shown, /name="removeSelector" value=".share, aside"/);
    assert.match(shown, /name="viaProxy" value="1" checked/);
    assert.match(shown, /name="ignoreHttpCache" value="1" checked/);
    const badSelector = await edit(apartId, { ...same, articleSelector: 'div:has(img)' });
    assert.equal(target(badSelector).searchParams.get('error'), 'selector');
    assert.match(
      alertOf(norm((await follow(quinn, badSelector)).body)) ?? '',
      /without :has\(\) or :contains\(\)/,
    );
    assert.equal((await web.store.getFeed(apartId))?.options.articleSelector, 'article .post-body');
    const badRemoval = await edit(apartId, { ...same, articleSelector: 'article', removeSelector: 'p[' });
    assert.equal(target(badRemoval).searchParams.get('error'), 'remove-selector');
    assert.match(
      alertOf(norm((await follow(quinn, badRemoval)).body)) ?? '',
      /Those elements to remove are not a selector Gleaner can use/,
    );
    assert.equal((await web.store.getFeed(apartId))?.options.removeSelector, '.share, aside');
  });

  it(
    'trusts a server of your own by the certificate pasted into its forms',
    { skip: opensslSkipReason() },
    async () => {
      const own = makeCertificate('nas.test', ['DNS:nas.test']);
      const fingerprint = new X509Certificate(own.cert).fingerprint256;
      const nas = await startTestServer(
        {
          '/feed.xml': respond(
            200,
            RSS_HEADERS,
            rss('Home NAS', [{ guid: 'n1', title: 'Backup done', date: now }]),
          ),
          '/favicon.ico': respond(
            200,
            { 'content-type': 'image/png' },
            Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(60, 1)]),
          ),
        },
        '127.0.0.1',
        own,
      );
      try {
        const nadia = await web.login('nadia', 'correct horse battery');
        const refused = await nadia.post('/feeds/subscribe', { url: nas.url('/feed.xml') });
        assert.match(alertOf(norm(refused.body)) ?? '', /DEPTH_ZERO_SELF_SIGNED_CERT.*trust its certificate/);
        // The certificate the server shows comes back filled in, for the user to check, not yet trusted.
        assert.ok(
          (alertOf(norm(refused.body)) ?? '').includes(
            `It shows the certificate below (SHA-256 ${fingerprint}, made for DNS:nas.test).`,
          ),
          alertOf(norm(refused.body)) ?? '',
        );
        const offered = /<textarea[^>]*name="trustedCertificate"[^>]*>\s*([^<]*)<\/textarea/.exec(
          refused.body,
        )?.[1];
        assert.equal(offered?.trim(), new X509Certificate(own.cert).toString().trim());
        assert.equal((await web.store.listSubscriptions(nadia.user.id)).length, 0, 'nothing trusted yet');
        const leaked = await nadia.post('/feeds/subscribe', {
          url: nas.url('/feed.xml'),
          trustedCertificate: own.key,
        });
        assert.equal(leaked.status, 400);
        assert.match(alertOf(norm(leaked.body)) ?? '', /that is a private key/);
        assert.ok(!leaked.body.includes(own.key.split('\n')[1] ?? '-'), 'the key is not written back');

        const subscribed = await nadia.post('/feeds/subscribe', {
          url: nas.url('/feed.xml'),
          trustedCertificate: own.cert.replace(/\n/g, '\r\n'),
        });
        assert.equal(target(subscribed).searchParams.get('done'), 'subscribed');
        const feedId = Number(target(subscribed).searchParams.get('feed'));
        const feed = await web.store.getFeed(feedId);
        assert.equal(feed?.options.trustedCertificate, new X509Certificate(own.cert).toString());
        assert.equal(await web.store.countEntries(feedId), 1);
        assert.ok(await web.store.getFeedIcon(feedId), 'its icon, fetched trusting it too');
        const page = (await nadia.get('/feeds')).body;
        assert.match(
          norm(page),
          new RegExp(`Its SHA-256 fingerprint: <code class="fingerprint">${fingerprint}</code>`),
        );
        assert.match(page, /<textarea\s[^>]*name="trustedCertificate"[^>]*>\s*-----BEGIN CERTIFICATE-----/);

        const edit = (trustedCertificate: string) =>
          nadia.post(`/feeds/${feedId}/edit`, { title: '', fetchOptionsField: '1', trustedCertificate });
        const bad = await edit('-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----');
        assert.equal(target(bad).searchParams.get('error'), 'certificate');
        assert.match(
          alertOf(norm((await follow(nadia, bad)).body)) ?? '',
          /not a certificate Gleaner can trust/,
        );
        assert.equal(
          (await web.store.getFeed(feedId))?.options.trustedCertificate,
          feed?.options.trustedCertificate,
        );
        const json = await nadia.postJson(`/feeds/${feedId}/edit`, {
          fetchOptionsField: '1',
          trustedCertificate: 'x',
        });
        assert.equal(json.status, 400);
        assert.match(json.body, /PEM form/);

        // A year on, the server's certificate is renewed: refreshing fails, naming the one trusted.
        const renewed = makeCertificate('nas.test', ['DNS:nas.test']);
        nas.useCertificate(renewed);
        const failed = await nadia.post(
          `/feeds/${feedId}/refresh`,
          {},
          { headers: { accept: 'application/json' } },
        );
        assert.match(
          failed.json<{ error: string }>().error,
          new RegExp(`the certificate this feed trusts \\(SHA-256 ${fingerprint}\\)`),
        );
        // Its form asks for the one the server presents now, shows it, and trusts nothing yet.
        const asked = await nadia.post(`/feeds/${feedId}/certificate`, { title: '' });
        assert.equal(asked.status, 200);
        const renewedFingerprint = new X509Certificate(renewed.cert).fingerprint256;
        assert.ok(
          flashOf(asked.body)?.includes(`(SHA-256 ${renewedFingerprint}, made for DNS:nas.test)`),
          flashOf(asked.body) ?? '',
        );
        assert.match(norm(asked.body), new RegExp(`<details class="feed-edit" open>`));
        assert.ok(asked.body.includes(`formaction="/feeds/${feedId}/certificate"`), 'the button that asked');
        const shownPem = /<textarea[^>]*name="trustedCertificate"[^>]*>\s*([^<]*)<\/textarea/.exec(
          asked.body.slice(asked.body.indexOf(`/feeds/${feedId}/edit`)),
        )?.[1];
        assert.equal(shownPem?.trim(), new X509Certificate(renewed.cert).toString().trim());
        assert.equal(
          (await web.store.getFeed(feedId))?.options.trustedCertificate,
          new X509Certificate(own.cert).toString(),
        );
        // Saved, it is trusted, and the feed is fetched again.
        const saved = await edit(shownPem ?? '');
        assert.equal(target(saved).searchParams.get('done'), 'edited');
        const refreshed = await nadia.post(
          `/feeds/${feedId}/refresh`,
          {},
          { headers: { accept: 'application/json' } },
        );
        assert.equal(refreshed.json<{ error: string | null }>().error, null);
        const plain = await web.store.ensureFeed(feeds.url('/plain.xml'), DEFAULT_FETCH_OPTIONS, now);
        await web.store.subscribe(nadia.user.id, plain.id, { folderId: null, title: null }, now);
        assert.ok(!(await nadia.get('/feeds')).body.includes(`formaction="/feeds/${plain.id}/certificate"`));
        const notTls = await nadia.post(`/feeds/${plain.id}/certificate`, {});
        assert.match(alertOf(notTls.body) ?? '', /is not https: it has no certificate to trust/);
        assert.equal((await nadia.post('/feeds/999999/certificate', {})).status, 404);
        // A feed fetched through the feed proxy: the button makes no connection of its own.
        const hidden = await web.store.ensureFeed(
          nas.url('/hidden.xml'),
          { ...DEFAULT_FETCH_OPTIONS, fetchViaProxy: true },
          now,
        );
        await web.store.subscribe(nadia.user.id, hidden.id, { folderId: null, title: null }, now);
        const before = nas.connections;
        const viaProxy = await nadia.post(`/feeds/${hidden.id}/certificate`, {});
        assert.match(alertOf(viaProxy.body) ?? '', /behind GLEANER_FEED_PROXY/);
        assert.equal(nas.connections, before, 'the server saw no connection');

        const cleared = await edit('');
        assert.equal(target(cleared).searchParams.get('done'), 'edited');
        assert.equal((await web.store.getFeed(feedId))?.options.trustedCertificate, null);
      } finally {
        await nas.close();
      }
    },
  );

  it('reads a web page without a feed as one, from the selectors in its forms', async () => {
    feeds.route('/changelog', (_req, res) =>
      res
        .writeHead(200, HTML_HEADERS)
        .end(
          '<html><head><title>Changelog</title></head><body>' +
            '<section class="release"><h3>v2.1</h3><a href="/releases/2.1">notes</a><time datetime="2026-12-01">Dec 1</time></section>' +
            '<section class="release"><h3>v2.0</h3><a href="/releases/2.0">notes</a><time datetime="2026-11-01">Nov 1</time></section>' +
            '</body></html>',
        ),
    );
    const lea = await web.login('lea', 'correct horse battery');
    // Subscribed to as a feed, the page declares none: the form opens where it can be read as one.
    const asFeed = await lea.post('/feeds/subscribe', { url: feeds.url('/changelog') });
    assert.match(alertOf(asFeed.body) ?? '', /or read the page itself as a feed/, alertOf(asFeed.body) ?? '');
    assert.match(norm(asFeed.body), /<details class="fetch-options" open>.*name="scrapeItems"/);
    const bad = await lea.post('/feeds/subscribe', { url: feeds.url('/changelog'), scrapeTitle: 'h3' });
    assert.match(alertOf(bad.body) ?? '', /say where each entry is on the page/);
    const subscribed = await lea.post('/feeds/subscribe', {
      url: feeds.url('/changelog'),
      scrapeItems: ' section.release ',
      scrapeTitle: 'h3',
    });
    assert.equal(target(subscribed).searchParams.get('done'), 'subscribed');
    const feedId = Number(target(subscribed).searchParams.get('feed'));
    assert.deepEqual((await web.store.getFeed(feedId))?.options.scrape, {
      items: 'section.release',
      title: 'h3',
      link: null,
      content: null,
      date: null,
      author: null,
      categories: null,
    });
    const [newest] = await web.store.queryEntries({ userId: lea.user.id, feedId, limit: 1 });
    assert.deepEqual([newest?.entry.title, newest?.entry.link], ['v2.1', feeds.url('/releases/2.1')]);
    const page = norm((await lea.get('/feeds')).body);
    assert.match(page, /name="scrapeItems" value="section.release"/);
    assert.match(page, /name="scrapeTitle" value="h3"/);

    const edit = (fields: Record<string, string>) =>
      lea.post(`/feeds/${feedId}/edit`, {
        title: '',
        fetchOptionsField: '1',
        scrapeItems: 'section.release',
        ...fields,
      });
    const partial = await lea.post(`/feeds/${feedId}/edit`, {
      title: '',
      fetchOptionsField: '1',
      scrapeTitle: 'h3',
    });
    assert.equal(target(partial).searchParams.get('error'), 'scrape');
    const refused = await edit({ scrapeDate: 'time:has(b)' });
    assert.equal(target(refused).searchParams.get('error'), 'scrape');
    assert.match(
      alertOf((await follow(lea, refused)).body) ?? '',
      /page selectors are not ones Gleaner can use/,
    );
    assert.equal((await web.store.getFeed(feedId))?.options.scrape?.date, null);
    const dated = await edit({ scrapeTitle: 'h3', scrapeDate: 'time' });
    assert.equal(target(dated).searchParams.get('done'), 'edited');
    assert.equal((await web.store.getFeed(feedId))?.options.scrape?.date, 'time');
  });

  it('follows a feed that moved without a redirect at its new URL, from the edit form', async () => {
    feeds.route('/moving-old.xml', (_req, res) =>
      res
        .writeHead(200, RSS_HEADERS)
        .end(rss('Moving', [{ guid: 'm1', title: 'Before the move', date: now }])),
    );
    feeds.route('/moving-new.xml', (_req, res) =>
      res.writeHead(200, RSS_HEADERS).end(
        rss('Moving', [
          { guid: 'm1', title: 'Before the move', date: now },
          { guid: 'm2', title: 'After the move', date: now },
        ]),
      ),
    );
    const mo = await web.login('mo', 'correct horse battery');
    const subscribed = await mo.post('/feeds/subscribe', { url: feeds.url('/moving-old.xml') });
    const feedId = Number(target(subscribed).searchParams.get('feed'));
    assert.match(
      norm((await mo.get('/feeds')).body),
      new RegExp(`name="url" value="${feeds.url('/moving-old.xml')}"`),
    );
    const edit = (url: string, title = '') => mo.post(`/feeds/${feedId}/edit`, { title, url });

    const lost = await edit(feeds.url('/nowhere.xml'), 'Renamed');
    assert.equal(lost.status, 502, 'the site failed');
    assert.match(alertOf(lost.body) ?? '', /Could not move it to that URL: .*nowhere\.xml returned 404/);
    const unchanged = (await web.store.listSubscriptions(mo.user.id))[0];
    assert.deepEqual(
      [unchanged?.feed.url, unchanged?.subscription.title],
      [feeds.url('/moving-old.xml'), null],
    );
    const json = await mo.postJson(`/feeds/${feedId}/edit`, { url: 'ftp://x.example/feed' });
    assert.equal(json.status, 400);
    assert.match(json.json<{ error: string }>().error, /not an http\(s\) URL/);

    const moved = await edit(feeds.url('/moving-new.xml'), 'Moved blog');
    assert.equal(target(moved).searchParams.get('done'), 'edited');
    assert.equal(Number(target(moved).searchParams.get('feed')), feedId, 'hers alone: the same feed');
    const [sub] = await web.store.listSubscriptions(mo.user.id);
    assert.deepEqual([sub?.feed.url, sub?.subscription.title], [feeds.url('/moving-new.xml'), 'Moved blog']);
    assert.equal(await web.store.countEntries(feedId), 2, 'fetched at its new URL before the page came back');
  });

  it('keeps a subscriber’s rules for new entries, refuses ones it cannot run, and applies them at the next fetch', async () => {
    let items = [{ guid: 'r1', title: 'Welcome', date: now - 3 * DAY }];
    feeds.route('/rules.xml', (_req, res) => res.writeHead(200, RSS_HEADERS).end(rss('Ruled', items)));
    const rae = await web.login('rae', 'correct horse battery');
    const subscribed = await rae.post('/feeds/subscribe', { url: feeds.url('/rules.xml') });
    const feedId = Number(target(subscribed).searchParams.get('feed'));
    const edit = (fields: Record<string, string>) =>
      rae.post(`/feeds/${feedId}/edit`, { title: '', rulesField: '1', ...fields });

    const bad = await edit({ blockRules: '(sponsor)\\1', keepRules: '' });
    assert.equal(target(bad).searchParams.get('error'), 'rules');
    assert.match(alertOf(norm((await follow(rae, bad)).body)) ?? '', /not a pattern Gleaner can run/);
    const json = await rae.postJson(`/feeds/${feedId}/edit`, { rulesField: '1', blockRules: '(?<=a)b' });
    assert.equal(json.status, 400);
    assert.match(json.json<{ error: string }>().error, /the block rule is not a pattern Gleaner can run/);

    const saved = await edit({ blockRules: '(?i)sponsor', keepRules: '' });
    assert.equal(target(saved).searchParams.get('done'), 'edited');
    const page = norm((await rae.get('/feeds')).body);
    assert.match(page, /<details class="entry-rules" open>/);
    assert.match(page, /name="blockRules" value="\(\?i\)sponsor"/);

    items = [
      ...items,
      { guid: 'r2', title: 'A word from our SPONSOR', date: now - DAY },
      { guid: 'r3', title: 'Real news', date: now },
    ];
    await rae.post(`/feeds/${feedId}/refresh`, {});
    const titles = (await web.store.queryEntries({ userId: rae.user.id, feedId, limit: 10 })).map(
      (v) => v.entry.title,
    );
    assert.deepEqual(titles, ['Real news', 'Welcome']);

    // A form without the rules (an older page) leaves them as they are; an empty rule is none.
    await rae.post(`/feeds/${feedId}/edit`, { title: 'Renamed' });
    const [kept] = await web.store.listSubscriptions(rae.user.id);
    assert.equal(kept?.subscription.blockRules, '(?i)sponsor');
    await edit({ blockRules: ' ', keepRules: '' });
    const [cleared] = await web.store.listSubscriptions(rae.user.id);
    assert.equal(cleared?.subscription.blockRules, null);
  });

  it('checks a feed at most as often as its edit form says, and refuses what the list does not offer', async () => {
    feeds.route('/paced.xml', (_req, res) =>
      res.writeHead(200, RSS_HEADERS).end(rss('Paced', [{ guid: 'p1', title: 'One', date: now }])),
    );
    const sid = await web.login('sid', 'correct horse battery');
    const subscribed = await sid.post('/feeds/subscribe', { url: feeds.url('/paced.xml') });
    const feedId = Number(target(subscribed).searchParams.get('feed'));
    const edit = (fields: Record<string, string>) =>
      sid.post(`/feeds/${feedId}/edit`, { title: '', checkField: '1', ...fields });
    const page = norm((await sid.get('/feeds')).body);
    assert.match(page, /<option value="" selected>as often as it publishes<\/option>/);

    assert.equal(target(await edit({ minCheckMinutes: '360' })).searchParams.get('done'), 'edited');
    assert.equal((await web.store.getFeed(feedId))?.minCheckMinutes, 360, 'its only subscriber asks it');
    assert.match(norm((await sid.get('/feeds')).body), /<option value="360" selected>every 6 h<\/option>/);
    for (const bad of ['0', '99999', 'soon', '1.5']) {
      const refused = await edit({ minCheckMinutes: bad });
      assert.equal(target(refused).searchParams.get('error'), 'check', bad);
    }
    assert.match(
      alertOf(norm((await follow(sid, await edit({ minCheckMinutes: '-1' }))).body)) ?? '',
      /Choose how often/,
    );
    assert.equal((await web.store.getFeed(feedId))?.minCheckMinutes, 360, 'unchanged');
    const json = await sid.postJson(`/feeds/${feedId}/edit`, { checkField: '1', minCheckMinutes: 720 });
    assert.equal(json.status, 200, json.body);
    assert.equal((await web.store.getFeed(feedId))?.minCheckMinutes, 720, 'a number, from a JSON client');
    const refusedJson = await sid.postJson(`/feeds/${feedId}/edit`, { checkField: '1', minCheckMinutes: 0 });
    assert.equal(refusedJson.status, 400);
    assert.match(refusedJson.json<{ error: string }>().error, /whole number of minutes/);
    // A form without the field (an older page) leaves it; an empty choice is the feed's pace.
    await sid.post(`/feeds/${feedId}/edit`, { title: 'Renamed' });
    assert.equal((await web.store.listSubscriptions(sid.user.id))[0]?.subscription.minCheckMinutes, 720);
    await edit({ minCheckMinutes: '' });
    assert.equal((await web.store.getFeed(feedId))?.minCheckMinutes, null);
  });

  it('answers JSON when asked', async () => {
    const json = await web.login('jason', 'correct horse battery');
    const res = await json.postJson('/feeds/subscribe', { url: feeds.url('/a.xml'), fullArticle: false });
    assert.equal(res.status, 200, norm(res.body));
    const body = res.json<{ feedId: number; entries: number; error: string | null }>();
    assert.ok(body.feedId > 0);
    assert.equal(body.entries, 1);
    assert.equal(body.error, null);

    const choose = await json.postJson('/feeds/subscribe', { url: feeds.url('/site/') });
    assert.equal(choose.status, 200);
    const { candidates } = choose.json<{ candidates: { url: string; title: string | null }[] }>();
    assert.deepEqual(
      candidates.map((c) => c.url),
      [feeds.url('/a.xml'), feeds.url('/b.xml')],
    );

    const bad = await json.postJson('/feeds/subscribe', { url: feeds.url('/missing.xml') });
    assert.equal(bad.status, 502);
    assert.match(bad.json<{ error: string }>().error, /404/);
  });

  it('lists every feed a site offers, each with its own subscribe button', async () => {
    const dora = await web.login('dora', 'correct horse battery');
    const res = await dora.post('/feeds/subscribe', {
      url: feeds.url('/site/'),
      folderId: '',
      title: 'Mine',
    });
    assert.equal(res.status, 200);
    assert.match(norm(res.body), /offers 2 feeds; choose one/);
    const forms = [...norm(res.body).matchAll(/<li class="candidate">([\s\S]*?)<\/li>/g)].map(
      (m) => m[1] ?? '',
    );
    assert.equal(forms.length, 2);
    assert.match(forms[0] ?? '', /Posts/);
    assert.match(forms[0] ?? '', new RegExp(`name="url" value="${feeds.url('/a.xml')}"`));
    assert.match(forms[1] ?? '', /Comments/);
    assert.match(forms[1] ?? '', new RegExp(`name="url" value="${feeds.url('/b.xml')}"`));
    assert.match(forms[1] ?? '', /name="title" value="Mine"/, 'the form values travel with the choice');
    assert.equal((await web.store.listSubscriptions(dora.user.id)).length, 0, 'nothing subscribed yet');

    const chosen = await dora.post('/feeds/subscribe', { url: feeds.url('/b.xml'), title: 'Mine' });
    assert.equal(chosen.status, 303);
    const subs = await web.store.listSubscriptions(dora.user.id);
    assert.deepEqual(
      subs.map((s) => [s.feed.url, s.subscription.title]),
      [[feeds.url('/b.xml'), 'Mine']],
    );
  });

  it('explains bad URLs, missing feeds and pages without feeds, keeping the form', async () => {
    const eve = await web.login('eve', 'correct horse battery');
    const cases: { url: string; status: number; says: RegExp }[] = [
      { url: 'ftp://example.com/feed', status: 400, says: /not an http\(s\) URL/ },
      { url: 'http://exa mple.com/', status: 400, says: /is not a URL/ },
      { url: feeds.url('/missing.xml'), status: 502, says: /404/ },
      { url: feeds.url('/page.html'), status: 400, says: /declares no feed/ },
    ];
    for (const c of cases) {
      const res = await eve.post('/feeds/subscribe', { url: c.url, newFolder: 'Later', title: 'My title' });
      assert.equal(res.status, c.status, `${c.url}: ${norm(res.body).slice(0, 200)}`);
      const alert = alertOf(norm(res.body));
      assert.ok(alert, `${c.url}: an error is shown`);
      assert.match(alert, /^Could not subscribe: /);
      assert.match(alert, c.says);
      assert.match(norm(res.body), /name="title" value="My title"/);
      assert.match(norm(res.body), /name="newFolder" value="Later"/);
      assert.ok(norm(res.body).includes(`name="url" value="${c.url}"`), 'the URL is kept');
    }
    const empty = await eve.post('/feeds/subscribe', { url: '  ' });
    assert.equal(empty.status, 400);
    assert.match(alertOf(norm(empty.body)) ?? '', /Give the address/);
    assert.equal((await web.store.listSubscriptions(eve.user.id)).length, 0);
    assert.equal((await web.store.listFolders(eve.user.id)).length, 0, 'no folder is left behind');
  });

  it('refuses addresses on private networks and cloud metadata', async () => {
    const mallory = await web.login('mallory', 'correct horse battery');
    const metadata = await mallory.post('/feeds/subscribe', {
      url: 'http://169.254.169.254/latest/meta-data/',
    });
    assert.equal(metadata.status, 400);
    assert.match(
      alertOf(norm(metadata.body)) ?? '',
      /169\.254\.169\.254.*cloud metadata address; Gleaner never fetches such addresses/,
    );

    const internal = await mallory.post('/feeds/subscribe', { url: 'http://10.0.0.1/feed.xml' });
    assert.equal(internal.status, 400);
    assert.match(
      alertOf(norm(internal.body)) ?? '',
      /10\.0\.0\.1.*private address; Gleaner fetches only public addresses/,
    );
    assert.equal((await web.store.listSubscriptions(mallory.user.id)).length, 0);
  });

  it('refuses an edit whose body is not a form, and a check interval that is not one, changing nothing', async () => {
    const kit = await web.login('kit', 'correct horse battery');
    const now = Date.now();
    const feed = await web.store.ensureFeed(feeds.url('/kit.xml'), DEFAULT_FETCH_OPTIONS, now);
    await web.store.subscribe(kit.user.id, feed.id, { folderId: null, title: 'Kept title' }, now);
    await web.store.updateSubscription(kit.user.id, feed.id, { minCheckMinutes: 60 });
    const path = `/feeds/${feed.id}/edit`;
    const answers = [
      await kit.postRaw(path, 'garbage', 'application/octet-stream'),
      await kit.postJson(path, ['title', 'x']),
      await kit.postJson(path, null),
      await kit.postJson(path, { title: 'Kept title', checkField: '1', minCheckMinutes: { x: 1 } }),
    ];
    assert.deepEqual(
      answers.map((a) => a.status),
      [400, 400, 400, 400],
    );
    const [sub] = await web.store.listSubscriptions(kit.user.id);
    assert.equal(sub?.subscription.title, 'Kept title');
    assert.equal(sub?.subscription.minCheckMinutes, 60);
  });

  it('refuses changes without the right CSRF token', async () => {
    const frank = await web.login('frank', 'correct horse battery');
    const missing = await frank.post('/feeds/subscribe', { url: feeds.url('/a.xml') }, { csrf: null });
    assert.equal(missing.status, 403);
    const wrong = await frank.post(
      '/feeds/subscribe',
      { url: feeds.url('/a.xml') },
      { csrf: 'x'.repeat(43) },
    );
    assert.equal(wrong.status, 403);
    const json = await frank.postJson('/feeds/subscribe', { url: feeds.url('/a.xml') }, { csrf: null });
    assert.equal(json.status, 403);
    const opml = await frank.post('/opml/import', { opml: '<opml/>' }, { csrf: null });
    assert.equal(opml.status, 403);
    assert.equal((await web.store.listSubscriptions(frank.user.id)).length, 0);

    const ok = await frank.post('/feeds/subscribe', { url: feeds.url('/a.xml') });
    const feedId = Number(target(ok).searchParams.get('feed'));
    for (const action of ['unsubscribe', 'refresh', 'edit']) {
      const res = await frank.post(`/feeds/${feedId}/${action}`, { title: 'x' }, { csrf: 'nope' });
      assert.equal(res.status, 403, action);
    }
    const [sub] = await web.store.listSubscriptions(frank.user.id);
    assert.equal(sub?.subscription.title, null, 'still subscribed, unchanged');
  });

  it('edits the title and folder, refreshes now and unsubscribes', async () => {
    const gina = await web.login('gina', 'correct horse battery');
    let items: Item[] = [{ guid: 'f1', title: 'One', date: now - DAY }];
    let failing = false;
    feeds.route('/flaky.xml', (_req, res) => {
      if (failing) res.writeHead(500, { 'content-type': 'text/plain' }).end('oops');
      else res.writeHead(200, RSS_HEADERS).end(rss('Flaky', items));
    });
    const sub = await gina.post('/feeds/subscribe', { url: feeds.url('/flaky.xml') });
    const feedId = Number(target(sub).searchParams.get('feed'));
    assert.ok(feedId > 0);

    const edited = await gina.post(`/feeds/${feedId}/edit`, { title: 'My Flaky', newFolder: 'Tech' });
    assert.equal(target(edited).searchParams.get('done'), 'edited');
    let [view] = await web.store.listSubscriptions(gina.user.id);
    assert.equal(view?.subscription.title, 'My Flaky');
    assert.equal(view?.folderName, 'Tech');
    assert.match(flashOf(norm((await follow(gina, edited)).body)) ?? '', /Saved My Flaky\./);

    // Paused: the row says so, and the refresh loop leaves the feed alone; unchecked, it resumes.
    const paused = await gina.post(`/feeds/${feedId}/edit`, {
      title: 'My Flaky',
      folderId: String(view?.subscription.folderId),
      pausedField: '1',
      paused: '1',
    });
    assert.equal(target(paused).searchParams.get('done'), 'edited');
    const row = /<tr id="feed-\d+"[\s\S]*?<\/tr>/.exec(norm((await gina.get('/feeds')).body))?.[0] ?? '';
    assert.match(row, /<span class="paused">Paused<\/span>/);
    assert.match(row, /name="paused" value="1" checked/);
    assert.equal(
      (await web.store.dueFeeds(Number.MAX_SAFE_INTEGER, 1000)).some((f) => f.id === feedId),
      false,
      'not due while paused',
    );
    await gina.post(`/feeds/${feedId}/edit`, {
      title: 'My Flaky',
      folderId: String(view?.subscription.folderId),
      pausedField: '1',
    });
    [view] = await web.store.listSubscriptions(gina.user.id);
    assert.equal(view?.subscription.paused, false);
    assert.equal(view?.folderName, 'Tech', 'the rest as it was');

    // Another user's folder is not a choice.
    const outsider = await web.addUser('outsider', 'correct horse battery');
    const other = await web.store.ensureFolder(outsider.id, 'Alien');
    const refused = await gina.post(`/feeds/${feedId}/edit`, { title: 'Hijack', folderId: other.id });
    assert.equal(target(refused).searchParams.get('error'), 'folder');
    [view] = await web.store.listSubscriptions(gina.user.id);
    assert.equal(view?.subscription.title, 'My Flaky');
    assert.equal(view?.folderName, 'Tech');

    const cleared = await gina.post(`/feeds/${feedId}/edit`, { title: '', folderId: '' });
    assert.equal(cleared.status, 303);
    [view] = await web.store.listSubscriptions(gina.user.id);
    assert.equal(view?.subscription.title, null);
    assert.equal(view?.folderName, null);

    items = [...items, { guid: 'f2', title: 'Two', date: now }];
    const refreshed = await gina.post(`/feeds/${feedId}/refresh`);
    assert.equal(target(refreshed).searchParams.get('added'), '1');
    assert.match(flashOf(norm((await follow(gina, refreshed)).body)) ?? '', /Refreshed Flaky: 1 new entry\./);
    assert.equal(await web.store.countEntries(feedId), 2);

    failing = true;
    const broken = await gina.post(`/feeds/${feedId}/refresh`);
    const page = await follow(gina, broken);
    assert.match(alertOf(norm(page.body)) ?? '', /^Refreshing Flaky failed: .*500/);
    assert.match(norm(page.body), new RegExp(`<tr id="feed-${feedId}" class="feed-row failing">`));
    assert.match(norm(page.body), /<span class="error">Failing at the last check: [^<]*500/);

    assert.equal((await gina.post('/feeds/999999/refresh')).status, 404);

    const gone = await gina.post(`/feeds/${feedId}/unsubscribe`);
    assert.equal(target(gone).searchParams.get('done'), 'unsubscribed');
    assert.equal((await web.store.listSubscriptions(gina.user.id)).length, 0);
    const after = await follow(gina, gone);
    assert.doesNotMatch(norm(after.body), new RegExp(`id="feed-${feedId}"`));
    assert.match(flashOf(norm(after.body)) ?? '', /Unsubscribed/);
    assert.equal((await gina.post(`/feeds/${feedId}/unsubscribe`)).status, 404);
  });

  it('offers unsubscribing behind a confirmation that works without JavaScript', async () => {
    const nina = await web.login('nina', 'correct horse battery');
    await nina.post('/feeds/subscribe', { url: feeds.url('/a.xml') });
    const page = await nina.get('/feeds');
    const [sub] = await web.store.listSubscriptions(nina.user.id);
    assert.ok(sub);
    assert.match(
      norm(page.body),
      new RegExp(
        `<details class="confirm"><summary class="link danger">Unsubscribe</summary>[^]*?<form method="post" action="/feeds/${sub.feed.id}/unsubscribe" class="inline"><input type="hidden" name="_csrf" value="${nina.csrf}"><button type="submit" class="button danger"`,
      ),
    );
  });

  it('renames and deletes folders, keeping their feeds', async () => {
    const hank = await web.login('hank', 'correct horse battery');
    await hank.post('/feeds/subscribe', { url: feeds.url('/a.xml'), newFolder: 'Reading' });
    await web.store.ensureFolder(hank.user.id, 'Taken');
    const [folder] = (await web.store.listFolders(hank.user.id)).filter((f) => f.name === 'Reading');
    assert.ok(folder);

    const renamed = await hank.post(`/folders/${folder.id}/rename`, { name: 'Daily' });
    assert.equal(target(renamed).searchParams.get('done'), 'folder-renamed');
    assert.deepEqual((await web.store.listFolders(hank.user.id)).map((f) => f.name).sort(), [
      'Daily',
      'Taken',
    ]);

    const taken = await hank.post(`/folders/${folder.id}/rename`, { name: 'Taken' });
    assert.equal(target(taken).searchParams.get('error'), 'folder-taken');
    assert.match(alertOf(norm((await follow(hank, taken)).body)) ?? '', /already have a folder/);

    const blank = await hank.post(`/folders/${folder.id}/rename`, { name: '   ' });
    assert.equal(target(blank).searchParams.get('error'), 'folder-name');

    const outsider = await web.addUser('stranger', 'correct horse battery');
    const aliens = [await web.store.ensureFolder(outsider.id, 'Theirs')];
    for (const f of aliens) {
      assert.equal((await hank.post(`/folders/${f.id}/rename`, { name: 'Mine' })).status, 404);
      assert.equal((await hank.post(`/folders/${f.id}/delete`)).status, 404);
    }

    const deleted = await hank.post(`/folders/${folder.id}/delete`);
    assert.equal(target(deleted).searchParams.get('done'), 'folder-deleted');
    assert.deepEqual(
      (await web.store.listFolders(hank.user.id)).map((f) => f.name),
      ['Taken'],
    );
    const subs = await web.store.listSubscriptions(hank.user.id);
    assert.equal(subs.length, 1, 'the feed stays subscribed');
    assert.equal(subs[0]?.folderName, null);
  });

  it('exports OPML that another user imports', async () => {
    const ivan = await web.login('ivan', 'correct horse battery');
    await ivan.post('/feeds/subscribe', {
      url: feeds.url('/blog.xml'),
      newFolder: 'News',
      title: 'The Blog',
    });
    await ivan.post('/feeds/subscribe', { url: feeds.url('/a.xml') });

    const res = await ivan.get('/opml');
    assert.equal(res.status, 200);
    assert.match(
      res.headers.get('content-disposition') ?? '',
      /^attachment; filename="gleaner-subscriptions\.opml"$/,
    );
    assert.match(res.headers.get('content-type') ?? '', /opml|xml/);
    assert.match(norm(res.body), /<opml version="2\.0">/);
    assert.ok(norm(res.body).includes(`xmlUrl="${feeds.url('/blog.xml')}"`));
    assert.ok(norm(res.body).includes(`xmlUrl="${feeds.url('/a.xml')}"`));
    assert.match(norm(res.body), /<outline text="News"/);

    const judy = await web.login('judy', 'correct horse battery');
    const imported = await judy.post('/opml/import', { opml: res.body });
    assert.equal(imported.status, 200, alertOf(norm(imported.body)) ?? '');
    assert.match(
      flashOf(norm(imported.body)) ?? '',
      /Imported 2 feeds: 2 new, 0 already subscribed, 0 skipped\./,
    );
    const mine = (await web.store.listSubscriptions(judy.user.id))
      .map((s) => [s.feed.url, s.folderName, s.subscription.title])
      .sort();
    assert.deepEqual(mine, [
      // The export names each feed, so the import keeps the name as the subscription's title.
      [feeds.url('/a.xml'), null, 'Feed A'],
      [feeds.url('/blog.xml'), 'News', 'The Blog'],
    ]);

    // Importing again changes nothing; a raw file upload works too.
    const again = await judy.postRaw('/opml/import', res.body, 'text/x-opml', {
      headers: { accept: 'application/json' },
    });
    assert.equal(again.status, 200, norm(again.body));
    const counts = again.json<{ added: number; existing: number }>();
    assert.equal(counts.added, 0);
    assert.equal(counts.existing, 2);
    assert.equal((await web.store.listSubscriptions(judy.user.id)).length, 2);

    // What she has changed since stays as she keeps it: a feed moved and renamed, and one followed
    // with fetch options of its own (a feed of its own in the store: not a second subscription).
    const subs = await web.store.listSubscriptions(judy.user.id);
    const blog = subs.find((s) => s.feed.url === feeds.url('/blog.xml'));
    assert.ok(blog);
    const reading = await web.store.ensureFolder(judy.user.id, 'Reading');
    await web.store.updateSubscription(judy.user.id, blog.feed.id, {
      folderId: reading.id,
      title: 'My Blog',
    });
    const full = await web.store.ensureFeed(
      feeds.url('/b.xml'),
      { ...DEFAULT_FETCH_OPTIONS, fetchFullArticle: true },
      0,
    );
    await web.store.subscribe(judy.user.id, full.id, { folderId: null, title: null }, 0);
    const opml =
      '<opml version="2.0"><body><outline text="Elsewhere">' +
      `<outline text="Blog" xmlUrl="${feeds.url('/blog.xml')}"/><outline text="B" xmlUrl="${feeds.url('/b.xml')}"/>` +
      `</outline><outline text="Feed A" xmlUrl="${feeds.url('/a.xml')}"/>` +
      `<outline text="Must Read"><outline text="B" xmlUrl="${feeds.url('/b.xml')}"/></outline></body></opml>`;
    const once = await judy.post('/opml/import', { opml });
    // B, listed twice, is one feed.
    assert.match(
      flashOf(norm(once.body)) ?? '',
      /Imported 3 feeds: 0 new, 3 already subscribed, 0 skipped\. .*1 feed the file lists more than once is followed once/,
    );
    const kept = (await web.store.listSubscriptions(judy.user.id))
      .map((s) => [s.feed.url, s.folderName, s.subscription.title, s.feed.options.fetchFullArticle])
      .sort();
    assert.deepEqual(kept, [
      [feeds.url('/a.xml'), null, 'Feed A', false],
      [feeds.url('/b.xml'), null, null, true],
      [feeds.url('/blog.xml'), 'Reading', 'My Blog', false],
    ]);
  });

  it('fetches the feeds an import added at once, not in the next refresh', async () => {
    const sam = await web.login('sam', 'correct horse battery');
    // A feed she paused before it was ever fetched stays unfetched.
    const paused = await web.store.ensureFeed(feeds.url('/paused.xml'), DEFAULT_FETCH_OPTIONS, 0);
    await web.store.subscribe(sam.user.id, paused.id, { folderId: null, title: null }, 0);
    await web.store.updateSubscription(sam.user.id, paused.id, { paused: true });
    const opml =
      '<opml version="2.0"><body>' +
      `<outline text="Imported" xmlUrl="${feeds.url('/imported.xml')}"/>` +
      `<outline text="Gone" xmlUrl="${feeds.url('/gone.xml')}"/></body></opml>`;
    const res = await sam.post('/opml/import', { opml });
    assert.equal(res.status, 200, alertOf(norm(res.body)) ?? '');
    assert.match(flashOf(norm(res.body)) ?? '', /2 new, .* New feeds are being fetched now\./);
    const checked = await eventually('both imported feeds checked', async () => {
      const subs = (await web.store.listSubscriptions(sam.user.id)).filter((s) => s.feed.id !== paused.id);
      return subs.length === 2 && subs.every((s) => s.feed.lastCheckedAt !== null) ? subs : null;
    });
    assert.equal(
      feeds.requests.filter((r) => r.path === '/paused.xml').length,
      0,
      'the paused feed is not fetched',
    );
    const imported = checked.find((s) => s.feed.url === feeds.url('/imported.xml'));
    assert.equal(imported?.feed.title, 'Imported Feed');
    assert.equal(imported.entryCount, 1);
    const gone = checked.find((s) => s.feed.url === feeds.url('/gone.xml'));
    assert.equal(gone?.feed.errorCount, 1, 'a feed that could not be fetched says why');
    assert.match(gone.feed.lastError ?? '', /404/);
  });

  it('explains hostile or broken OPML files instead of failing', async () => {
    const kim = await web.login('kim', 'correct horse battery');
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
      '<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
      '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">' +
      '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">' +
      '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>' +
      '<opml version="2.0"><head><title>&lol4;</title></head><body><outline text="&lol4;" xmlUrl="&lol4;"/></body></opml>';
    const deep =
      '<opml version="2.0"><body>' +
      '<outline text="f">'.repeat(10_000) +
      '</outline>'.repeat(10_000) +
      '</body></opml>';
    const cases: { name: string; opml: string; says: RegExp }[] = [
      { name: 'not XML', opml: 'this is { not xml at all', says: /not an OPML file/ },
      { name: 'an HTML page', opml: '<html><body>hello</body></html>', says: /not an OPML file/ },
      {
        name: 'entity expansion',
        opml: laughs,
        says: /the one feed in the file has no usable address/,
      },
      { name: 'deep nesting', opml: deep, says: /nests elements more than \d+ deep/ },
      { name: 'no feeds', opml: '<opml version="2.0"><body></body></opml>', says: /lists no feeds/ },
    ];
    for (const c of cases) {
      const res = await kim.post('/opml/import', { opml: c.opml });
      assert.equal(res.status, 400, `${c.name}: ${res.status}`);
      const alert = alertOf(norm(res.body));
      assert.ok(alert, `${c.name}: an error is shown`);
      assert.match(alert, /^Could not import: /, c.name);
      assert.match(alert, c.says, c.name);
      assert.doesNotMatch(norm(res.body), /lollollol/, `${c.name}: entities are not expanded`);
    }
    const empty = await kim.post('/opml/import', { opml: '' });
    assert.equal(empty.status, 400);
    assert.equal((await web.store.listSubscriptions(kim.user.id)).length, 0);
  });

  it('lists the recommended feeds by topic, marking those already subscribed', async () => {
    const leo = await web.login('leo', 'correct horse battery');
    const directory = loadRecommended();
    const first = directory[0];
    assert.ok(first);
    // Subscribed straight in the store: the test has no network to fetch the real feed.
    const feed = await web.store.ensureFeed(first.url, DEFAULT_FETCH_OPTIONS, now);
    await web.store.subscribe(leo.user.id, feed.id, { folderId: null, title: null }, now);

    const page = await leo.get('/recommended');
    assert.equal(page.status, 200);
    assertNoInlineStyleOrScript(norm(page.body));
    assert.match(norm(page.body), /<a href="\/recommended" class="active" aria-current="page">/);
    for (const topic of new Set(directory.map((f) => f.topic))) {
      assert.ok(norm(page.body).includes(`<section class="topic" id="topic-${topic}"`), topic);
    }
    const items = [...norm(page.body).matchAll(/<li class="recommended-item">([\s\S]*?)<\/li>/g)].map(
      (m) => m[1] ?? '',
    );
    assert.equal(items.length, directory.length);
    const subscribed = items.filter((i) => i.includes('&#10003; Subscribed'));
    assert.equal(subscribed.length, 1);
    assert.ok(subscribed[0]?.includes(first.name.replace(/&/g, '&amp;')));
    assert.equal(
      items.filter((i) => i.includes('action="/recommended/subscribe"')).length,
      directory.length - 1,
    );
    assert.match(norm(page.body), /Subscribe to the whole topic \(\d+\)/);

    const unknown = await leo.post('/recommended/subscribe', {
      url: 'https://not-in-the-directory.example/feed',
    });
    assert.equal(unknown.status, 404);
    const noTopic = await leo.post('/recommended/subscribe', { topic: 'no-such-topic' });
    assert.equal(noTopic.status, 404);

    // What subscribing to a whole topic did, in words that fit its counts.
    const told = async (added: number, failed: number): Promise<string> => {
      const shown = await leo.get(`/recommended?done=topic&topic=security&added=${added}&failed=${failed}`);
      return (
        alertOf(norm(shown.body)) ??
        norm(shown.body)
          .match(/<div class="flash[^"]*" role="status">([^<]*)/)?.[1]
          ?.trim() ??
        ''
      );
    };
    assert.match(await told(1, 0), /^Subscribed to 1 feed of Security; it is being fetched now\.$/);
    assert.match(await told(3, 0), /^Subscribed to 3 feeds of Security; they are being fetched/);
    assert.match(
      await told(1, 2),
      /^Subscribed to 1 feed of Security; 2 could not be added\. It is being fetched/,
    );
    assert.match(await told(0, 0), /^You already follow every feed of Security\.$/);
    assert.match(await told(0, 2), /^No feed of Security was added: 2 could not be\.$/);
  });

  it('draws reading and posting activity, quiet feeds and failing feeds', async () => {
    const mia = await web.login('mia', 'correct horse battery');
    const blog = await mia.post('/feeds/subscribe', { url: feeds.url('/blog.xml') });
    const blogId = Number(target(blog).searchParams.get('feed'));
    const old = await mia.post('/feeds/subscribe', { url: feeds.url('/old.xml') });
    assert.equal(old.status, 303);
    feeds.route('/down.xml', respond(200, RSS_HEADERS, rss('Down', [{ guid: 'd', title: 'd', date: now }])));
    const down = await mia.post('/feeds/subscribe', { url: feeds.url('/down.xml') });
    const downId = Number(target(down).searchParams.get('feed'));
    feeds.route('/down.xml', respond(503, { 'content-type': 'text/plain' }, 'down'));
    await mia.post(`/feeds/${downId}/refresh`);

    const [entry] = await web.store.queryEntries({ userId: mia.user.id, feedId: blogId, limit: 1 });
    assert.ok(entry);
    await web.store.setEntryState(mia.user.id, [entry.entry.id], { read: true }, now);

    const page = await mia.get('/stats');
    assert.equal(page.status, 200);
    assertNoInlineStyleOrScript(norm(page.body));
    assert.match(
      norm(page.body),
      /<svg class="chart reading-chart"[^>]*role="img"[^>]*><title>Entries read per day over the last 90 days: 1 in all<\/title>/,
    );
    assert.equal([...norm(page.body).matchAll(/<rect class="chart-bar[^"]*"/g)].length, 90);
    const today = new Date(now).toISOString().slice(0, 10);
    assert.ok(norm(page.body).includes(`<title>${today}: 1 entry read</title>`));
    assert.match(norm(page.body), /<title>Loopback Blog: 2 posts in the last 30 days<\/title>/);

    const quiet =
      /<section class="stats-section" id="quiet"[\s\S]*?<\/section>/.exec(norm(page.body))?.[0] ?? '';
    assert.match(
      quiet,
      /Old Blog<\/a>\s?<span class="muted small">last entry <time datetime="2020-01-01T12:00:00.000Z">2020-01-01<\/time>/,
    );
    assert.doesNotMatch(quiet, /Loopback Blog/);
    const failing =
      /<section class="stats-section" id="failing"[\s\S]*?<\/section>/.exec(norm(page.body))?.[0] ?? '';
    assert.match(failing, /Down<\/a>\s?<span class="error">Failing at the last check: [^<]*503/);
    assert.doesNotMatch(failing, /Old Blog|Loopback Blog/);
  });
});
