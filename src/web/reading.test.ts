// The reading pages over real HTTP: lists and their pagination, the article with its byline, tags
// and related posts, state changes by form and by JSON, mark all read with undo, counts, and what
// one user may see of another's.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { PreparedEntry } from '../model/index.js';
import type { FeedFetchUpdate } from '../store/index.js';
import { makeCertificate, opensslSkipReason } from '../testing/certificates.js';
import { startTestServer, respond, type TestServer } from '../testing/testserver.js';
import { proxiedImageUrl, proxyContentImages } from './proxy.js';
import { startWebApp, type WebApp, type WebClient } from './testing.js';
import { DEFAULT_FETCH_OPTIONS } from '../subscribe/index.js';

const DAY = 86_400_000;
const NOW = Date.now();

function entry(n: number, over: Partial<PreparedEntry> = {}): PreparedEntry {
  return {
    guid: `g${n}`,
    link: `https://site.example/${n}`,
    title: `Story number ${n}`,
    author: 'Ada',
    contentHtml: `<p>Body of story ${n}</p>`,
    contentText: `Body of story ${n}`,
    summaryText: `Body of story ${n}`,
    readingMinutes: 2,
    publishedAt: NOW - n * 3_600_000,
    updatedAt: null,
    categories: [],
    enclosures: [],
    imageUrl: null,
    commentsUrl: null,
    language: 'en',
    dedupeKey: `g:g${n}`,
    contentHash: `h${n}`,
    ...over,
  };
}

const fetched = (title: string): FeedFetchUpdate => ({
  checkedAt: NOW,
  nextCheckAt: NOW + 3_600_000,
  etag: null,
  lastModified: null,
  title,
  siteUrl: 'https://site.example/',
  description: null,
  iconUrl: null,
  language: 'en',
  hubUrl: null,
  format: 'rss',
});

/** Markup with the formatter's line breaks and indentation collapsed, for matching. */
const flat = (body: string): string => body.replace(/\s+/g, ' ').replace(/> </g, '><').replace(/ >/g, '>');

async function entryIds(web: WebApp, userId: number, feedId: number): Promise<Map<string, number>> {
  const views = await web.store.queryEntries({ userId, feedId, status: 'all', limit: 1000 });
  return new Map(views.map((v) => [v.entry.title, v.entry.id]));
}

describe('reading pages', () => {
  let web: WebApp;
  let ann: WebClient;
  let bob: WebClient;
  let feedId: number;
  let otherFeedId: number;
  let ids: Map<string, number>;

  before(async () => {
    web = await startWebApp();
    ann = await web.login('ann', 'correct horse battery');
    bob = await web.login('bob', 'another long password');
    const feed = await web.store.ensureFeed('https://site.example/feed', DEFAULT_FETCH_OPTIONS, NOW);
    const other = await web.store.ensureFeed('https://other.example/feed', DEFAULT_FETCH_OPTIONS, NOW);
    feedId = feed.id;
    otherFeedId = other.id;
    await web.store.subscribe(ann.user.id, feed.id, { folderId: null, title: null }, NOW);
    await web.store.subscribe(ann.user.id, other.id, { folderId: null, title: null }, NOW);
    const entries = Array.from({ length: 120 }, (_, i) => entry(i + 1));
    entries[0] = entry(1, {
      title: 'Rust memory safety <script>alert(1)</script>',
      categories: ['Rust', 'Security'],
      contentHtml:
        '<p>Borrow checking explained. <img src="https://img.example/a.png?x=1&amp;y=2" alt=""></p>',
    });
    entries[1] = entry(2, { title: 'Another Rust post', categories: ['rust'] });
    await web.store.recordFetchSuccess(feed.id, fetched('Site Example'), entries);
    await web.store.recordFetchSuccess(other.id, fetched('Other Example'), [
      entry(1, { title: 'Security roundup', categories: ['security'], link: 'https://other.example/1' }),
    ]);
    ids = await entryIds(web, ann.user.id, feed.id);
  });
  after(() => web.close());

  it('lists unread entries newest first with feed, author and time, and counts them', async () => {
    const page = await ann.get('/unread');
    assert.equal(page.status, 200);
    assert.match(flat(page.body), /Another Rust post/);
    assert.ok(
      flat(page.body).indexOf('Rust memory safety') < flat(page.body).indexOf('Another Rust post'),
      'newest first',
    );
    assert.match(flat(page.body), /<span class="author">Ada<\/span>/);
    assert.match(flat(page.body), /data-count="unread">121</);
    // The feed's title from the feed itself, with a letter avatar (no icon stored).
    assert.match(flat(page.body), /class="avatar avatar-\d+" data-letter="S"/);
    const counts = (await ann.get('/api/counts', { accept: 'application/json' })).json<{
      total: number;
      feeds: Record<string, number>;
    }>();
    assert.equal(counts.total, 121);
    assert.equal(counts.feeds[String(otherFeedId)], 1);
  });

  it("names each entry's feed in lists across feeds, and not on the feed's own page", async () => {
    const metaOf = (body: string): string[] =>
      flat(body)
        .split('<article')
        .slice(1)
        .map((item) => /<div class="meta">([\s\S]*?)<\/div>/.exec(item)?.[1] ?? '');
    const across = metaOf((await ann.get('/all?status=all')).body);
    assert.ok(across.length > 0);
    for (const meta of across) {
      assert.match(
        meta,
        /^<span class="via">.*<a href="\/feed\/\d+">(Site|Other) Example<\/a><\/span> · <span class="author">Ada<\/span> · <time /,
      );
    }
    const own = metaOf((await ann.get(`/feed/${feedId}?status=all`)).body);
    assert.ok(own.length > 0);
    for (const meta of own) {
      assert.match(meta, /^<span class="author">Ada<\/span> · <time [^>]*>[^<]*<\/time>/);
      assert.doesNotMatch(meta, /class="via"|Site Example/);
    }
  });

  it('counts an opened article read at once, once, in its own feed only', async () => {
    type Counts = { total: number; feeds: Record<string, number> };
    const counts = async (): Promise<Counts> =>
      (await ann.get('/api/counts', { accept: 'application/json' })).json<Counts>();
    const before = await counts();
    const id = (await entryIds(web, ann.user.id, otherFeedId)).get('Security roundup');
    assert.equal((await ann.get(`/entry/${id}`)).status, 200);
    const opened = await counts();
    assert.equal(opened.total, before.total - 1);
    assert.equal(opened.feeds[String(otherFeedId)], 0);
    assert.equal(opened.feeds[String(feedId)], before.feeds[String(feedId)]);
    // Opened again, already read: nothing more comes off.
    assert.equal((await ann.get(`/entry/${id}`)).status, 200);
    assert.equal((await counts()).total, before.total - 1);
    assert.match(
      flat((await ann.get('/unread')).body),
      new RegExp(`data-count="unread">${before.total - 1}<`),
    );
    // Unread again, as it was for the tests after this one.
    assert.equal((await ann.post(`/entry/${id}/state`, { read: 0 })).status, 303);
    assert.equal((await counts()).total, before.total);
  });

  it("serves a feed's icon to its readers only", async () => {
    const png = Buffer.from('89504e470d0a1a0a', 'hex');
    await web.store.saveFeedIcon(feedId, { contentType: 'image/png', data: png }, NOW);
    const mine = await ann.get(`/icons/${feedId}`);
    assert.equal(mine.status, 200);
    assert.equal(mine.headers.get('content-type'), 'image/png');
    // Bob follows no feed of Ann's: her feeds' icons, and which exist, are not his to find.
    assert.equal((await bob.get(`/icons/${feedId}`)).status, 404);
    assert.equal((await bob.get('/icons/999999')).status, 404);
  });

  it('escapes titles from feeds', async () => {
    const page = await ann.get(`/feed/${feedId}`);
    assert.ok(!flat(page.body).includes('<script>alert(1)</script>'));
    assert.match(flat(page.body), /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  });

  it('searches within the feed chosen in the form, and keeps it chosen', async () => {
    const options = (body: string): string[] =>
      [
        ...(/<select name="feed"[^>]*>(.*?)<\/select>/.exec(flat(body))?.[1] ?? '').matchAll(
          /<option[^>]*>/g,
        ),
      ].map((m) => m[0]);
    const all = await ann.get('/search?q=security');
    assert.match(flat(all.body), /<mark>Security<\/mark> roundup/);
    const unfiltered = options(all.body);
    assert.equal(unfiltered[0], '<option value="" selected>');
    assert.deepEqual(
      unfiltered.slice(1).sort(),
      [`<option value="${feedId}">`, `<option value="${otherFeedId}">`].sort(),
    );
    for (const [chosen, other] of [
      [otherFeedId, feedId],
      [feedId, otherFeedId],
    ] as const) {
      const page = await ann.get(`/search?q=security&feed=${chosen}`);
      const shown = options(page.body);
      assert.equal(shown.filter((o) => o.includes('selected')).length, 1, shown.join(''));
      assert.ok(shown.includes(`<option value="${chosen}" selected>`), shown.join(''));
      assert.ok(shown.includes(`<option value="${other}">`), shown.join(''));
      assert.ok(shown.includes('<option value="">'), shown.join(''));
    }
    assert.match(
      flat((await ann.get(`/search?q=security&feed=${otherFeedId}`)).body),
      /<mark>Security<\/mark> roundup/,
    );
    assert.doesNotMatch(
      flat((await ann.get(`/search?q=security&feed=${feedId}`)).body),
      /<mark>Security<\/mark> roundup/,
    );
    // The unfiltered page after them shows no feed chosen.
    const again = options((await ann.get('/search?q=security')).body);
    assert.deepEqual(
      again.filter((o) => o.includes('selected')),
      ['<option value="" selected>'],
    );
  });

  it('pages with keyset links in both directions without repeating or skipping entries', async () => {
    const seen: string[] = [];
    let path: string | null = `/feed/${feedId}?status=all`;
    let pages = 0;
    while (path) {
      const page = await ann.get(path);
      assert.equal(page.status, 200);
      for (const m of flat(page.body).matchAll(/<h3 class="entry-title"><a href="\/entry\/(\d+)/g))
        seen.push(m[1] ?? '');
      // Each entry's star, read and later buttons post to that entry's own address.
      for (const item of flat(page.body).split('<article').slice(1)) {
        const id = /data-entry-id="(\d+)"/.exec(item)?.[1];
        const targets = [...item.matchAll(/formaction="([^"]*)"/g)].map((m) => m[1]);
        assert.deepEqual(targets, [`/entry/${id}/state`, `/entry/${id}/state`, `/entry/${id}/state`]);
      }
      assert.ok(!page.body.includes('\u0000'));
      const next = /<a href="([^"]+)" rel="next"/.exec(flat(page.body))?.[1];
      path = next ? next.replace(/&amp;/g, '&') : null;
      pages++;
      if (pages === 2) {
        const back = /<a href="([^"]+)" rel="prev"/.exec(flat(page.body))?.[1];
        assert.ok(back, 'page 2 links back');
        const previous = await ann.get(back.replace(/&amp;/g, '&'));
        const firstIds = [
          ...flat(previous.body).matchAll(/<h3 class="entry-title"><a href="\/entry\/(\d+)/g),
        ].map((m) => m[1]);
        assert.deepEqual(firstIds, seen.slice(0, 50));
      }
    }
    assert.equal(pages, 3);
    assert.equal(seen.length, 120);
    assert.equal(new Set(seen).size, 120);
  });

  it('shows an article as author · date · via feed with tags and related posts, and marks it read', async () => {
    const id = ids.get('Rust memory safety <script>alert(1)</script>');
    assert.ok(id);
    const page = await ann.get(`/entry/${id}?in=feed:${feedId}`);
    assert.equal(page.status, 200);
    assert.match(
      flat(page.body),
      /<p class="byline"><span class="author">Ada<\/span> · <time[^>]*>\d{4}-\d\d-\d\d<\/time> · via <a href="\/feed\/\d+">/,
    );
    assert.match(flat(page.body), /<a href="\/tag\/rust">rust<\/a>/);
    assert.match(flat(page.body), /<a href="\/tag\/security">security<\/a>/);
    const related = /<section class="related">([\s\S]*?)<\/section>/.exec(flat(page.body))?.[1] ?? '';
    assert.match(related, /Another Rust post/);
    assert.match(related, /Security roundup/, 'related posts come from any subscribed feed');
    assert.match(flat(page.body), /Read original/);
    assert.match(flat(page.body), /rel="next"/);
    const [view] = await web.store.queryEntries({ userId: ann.user.id, entryIds: [id], limit: 1 });
    assert.equal(view?.read, true);
  });

  it('fetches an article’s full text from its page on request, by form and by JSON', async () => {
    const article =
      '<html><body><nav>Home · Archive</nav><article><h1>The full story</h1>' +
      Array.from(
        { length: 40 },
        (_, i) => `<p>Paragraph ${i} of the complete article, told at some length.</p>`,
      ).join('') +
      '<script>track()</script></article></body></html>';
    const pages = await startTestServer({
      '/post': respond(200, { 'content-type': 'text/html; charset=utf-8' }, article),
      '/empty': respond(200, { 'content-type': 'text/html' }, '<html><body></body></html>'),
    });
    try {
      const feed = await web.store.ensureFeed(pages.url('/feed.xml'), DEFAULT_FETCH_OPTIONS, NOW);
      await web.store.subscribe(ann.user.id, feed.id, { folderId: null, title: null }, NOW);
      await web.store.recordFetchSuccess(feed.id, fetched('Teasers'), [
        entry(1, { title: 'Teaser', link: pages.url('/post'), contentHtml: '<p>Only a teaser.</p>' }),
        entry(2, { title: 'Nothing there', link: pages.url('/empty') }),
        entry(3, { title: 'Gone', link: pages.url('/gone') }),
      ]);
      const mine = await entryIds(web, ann.user.id, feed.id);
      const teaser = mine.get('Teaser');
      const before = await ann.get(`/entry/${teaser}`);
      assert.match(flat(before.body), /formaction="\/entry\/\d+\/full-article"[^>]*>Fetch full article</);

      assert.equal((await ann.post(`/entry/${teaser}/full-article`, {}, { csrf: null })).status, 403);
      assert.equal((await bob.post(`/entry/${teaser}/full-article`, {})).status, 404);
      const res = await ann.post(`/entry/${teaser}/full-article`, { back: `/entry/${teaser}?in=all` });
      assert.equal(res.status, 303);
      assert.equal(res.location, `/entry/${teaser}?in=all&article=fetched`);
      const after = flat((await ann.get(res.location ?? '')).body);
      assert.match(after, /The full article was fetched from its page/);
      assert.match(after, /Paragraph 39 of the complete article/);
      assert.doesNotMatch(after, /Only a teaser|track\(\)/);

      const none = await ann.postJson(`/entry/${mine.get('Nothing there')}/full-article`, {});
      assert.deepEqual(none.json(), { id: mine.get('Nothing there'), outcome: 'none' });
      const gone = await ann.post(`/entry/${mine.get('Gone')}/full-article`, {});
      assert.equal(gone.location, `/entry/${mine.get('Gone')}?article=failed`);
      assert.match(
        flat((await ann.get(gone.location ?? '')).body),
        /role="alert">Its page could not be fetched/,
      );
      assert.equal((await ann.post('/entry/not-a-number/full-article', {})).status, 404);

      // A feed whose article selector is too costly on the page (ten ancestors out of 240): the
      // user is told it is the selector, not the site.
      pages.route('/deep', (_q, res) =>
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end(
            `<html><body>${'<div>'.repeat(240)}${'<span>x</span>'.repeat(2_000)}${'</div>'.repeat(240)}</body></html>`,
          ),
      );
      const selected = await web.store.ensureFeed(
        pages.url('/selected.xml'),
        { ...DEFAULT_FETCH_OPTIONS, articleSelector: `section ${'div '.repeat(10)}span` },
        NOW,
      );
      await web.store.subscribe(ann.user.id, selected.id, { folderId: null, title: null }, NOW);
      await web.store.recordFetchSuccess(selected.id, fetched('Selected'), [
        entry(4, { title: 'Deep', link: pages.url('/deep') }),
      ]);
      const deep = (await entryIds(web, ann.user.id, selected.id)).get('Deep');
      const costly = await ann.post(`/entry/${deep}/full-article`, {});
      assert.equal(costly.location, `/entry/${deep}?article=selector`);
      assert.match(
        flat((await ann.get(costly.location ?? '')).body),
        /role="alert">The feed’s selectors could not be used on its page/,
      );
    } finally {
      await pages.close();
    }
  });

  it('does not mark read when another site makes the browser load the article', async () => {
    const id = ids.get('Story number 50');
    assert.ok(id);
    await ann.get(`/entry/${id}`, { 'sec-fetch-site': 'cross-site' });
    const [view] = await web.store.queryEntries({ userId: ann.user.id, entryIds: [id], limit: 1 });
    assert.equal(view?.read, false);
  });

  it('stars, marks unread and saves for later by form and by JSON', async () => {
    const id = ids.get('Story number 3');
    assert.ok(id);
    const form = await ann.post(`/entry/${id}/state`, { starred: 1, back: '/starred' });
    assert.equal(form.status, 303);
    assert.equal(form.location, '/starred');
    assert.match(flat((await ann.get('/starred')).body), /Story number 3/);
    const json = await ann.post(
      `/entry/${id}/state`,
      { readLater: 1, read: 1 },
      { headers: { accept: 'application/json' } },
    );
    assert.deepEqual(json.json(), { id, read: true, starred: true, readLater: true });
    assert.match(flat((await ann.get('/later')).body), /Story number 3/);
    const batch = await ann.postJson('/entries/state', {
      ids: [ids.get('Story number 4'), ids.get('Story number 5')],
      read: true,
    });
    assert.deepEqual(batch.json(), { changed: 2 });
  });

  it('refuses state changes without the CSRF token or for bad input', async () => {
    const id = ids.get('Story number 6');
    assert.equal((await ann.post(`/entry/${id}/state`, { starred: 1 }, { csrf: null })).status, 403);
    assert.equal((await ann.post(`/entry/${id}/state`, { starred: 1 }, { csrf: 'forged' })).status, 403);
    assert.equal((await ann.postJson('/entries/state', { ids: 'all', read: true })).status, 400);
    assert.equal(
      (await ann.postJson('/entries/state', { ids: Array.from({ length: 1001 }, (_, i) => i), read: true }))
        .status,
      400,
    );
    assert.equal((await ann.post('/entry/not-a-number/state', { starred: 1 })).status, 404);
  });

  it('marks a feed read older than N days, and undoes it', async () => {
    const before =
      (await web.store.listSubscriptions(ann.user.id)).find((s) => s.feed.id === feedId)?.unreadCount ?? 0;
    const res = await ann.post('/mark-all-read', { feedId, olderThanDays: 2, back: `/feed/${feedId}` });
    assert.equal(res.status, 303);
    const location = res.location ?? '';
    assert.match(location, new RegExp(`^/feed/${feedId}\\?undo=\\d+&marked=\\d+$`));
    const marked = Number(/marked=(\d+)/.exec(location)?.[1]);
    // Entries are an hour apart: those older than two days are numbers 48 or 49 and up.
    assert.ok(marked >= 70 && marked <= 73, `marked ${marked}`);
    const unreadAfter = (await web.store.listSubscriptions(ann.user.id)).find(
      (s) => s.feed.id === feedId,
    )?.unreadCount;
    assert.equal(unreadAfter, before - marked);
    const page = await ann.get(location);
    assert.match(flat(page.body), /Marked \d+ entries read\./);
    const at = /name="at" value="(\d+)"/.exec(flat(page.body))?.[1];
    assert.ok(at);
    await ann.post('/mark-all-read/undo', { at, back: `/feed/${feedId}` });
    const restored = (await web.store.listSubscriptions(ann.user.id)).find(
      (s) => s.feed.id === feedId,
    )?.unreadCount;
    assert.equal(restored, before);
    // The other feed was untouched throughout.
    assert.equal(
      (await web.store.listSubscriptions(ann.user.id)).find((s) => s.feed.id === otherFeedId)?.unreadCount,
      1,
    );
    void DAY;
  });

  it('lists by tag', async () => {
    const page = await ann.get('/tag/rust');
    assert.match(flat(page.body), /Another Rust post/);
    assert.ok(!flat(page.body).includes('Story number 30'));
  });

  it('shows another user none of the first user’s entries or state', async () => {
    const id = ids.get('Story number 3');
    assert.equal((await bob.get(`/entry/${id}`)).status, 404);
    const page = await bob.get('/unread');
    assert.ok(!flat(page.body).includes('Story number'));
    assert.equal(
      (await bob.post(`/entry/${id}/state`, { starred: 0 }, { headers: { accept: 'application/json' } }))
        .status,
      404,
    );
    const [view] = await web.store.queryEntries({ userId: ann.user.id, entryIds: [id ?? 0], limit: 1 });
    assert.equal(view?.starred, true, 'bob could not unstar ann’s entry');
  });

  it('sends visitors to the login page, and JSON callers a 401', async () => {
    const page = await web.fetch('/unread');
    assert.equal(page.status, 303);
    assert.match(page.location ?? '', /^\/login\?next=%2Funread$/);
    assert.equal((await web.fetch('/api/counts', { headers: { accept: 'application/json' } })).status, 401);
    assert.equal((await web.fetch('/healthz')).status, 200);
  });

  it('survives hostile paths and query strings', async () => {
    for (const path of [
      '/feed/1%27%20OR%201=1',
      '/feed/99999999999999999999',
      '/entry/-1',
      `/all?after=${'9'.repeat(400)}.1`,
      '/all?after=1.2&before=x',
      `/tag/${encodeURIComponent('<img src=x onerror=alert(1)>')}`,
      '/unread?status[]=x&order[$gt]=1',
    ]) {
      const res = await ann.get(path);
      assert.ok(res.status === 200 || res.status === 404, `${path}: ${res.status}`);
      assert.ok(!flat(res.body).includes('<img src=x onerror'), path);
    }
  });
});

describe('image proxy', () => {
  let web: WebApp;
  let images: TestServer;
  let client: WebClient;

  before(async () => {
    images = await startTestServer({
      '/pixel.png': respond(200, { 'content-type': 'image/png' }, Buffer.from('89504e470d0a1a0a', 'hex')),
      '/page.html': respond(200, { 'content-type': 'text/html' }, '<html>not an image</html>'),
    });
    web = await startWebApp({ proxyImages: true });
    client = await web.login('pat', 'a long enough password');
  });
  after(async () => {
    await web.close();
    await images.close();
  });

  it('serves signed image URLs through the guarded fetcher, and nothing else', async () => {
    const good = proxiedImageUrl(`${images.url('/pixel.png')}`);
    const res = await client.get(good);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    // A URL Gleaner did not sign is refused.
    const forged = good.replace(/\/proxy\/image\/[^/]+\//, '/proxy/image/AAAAAAAAAAAAAAAAAAAAAA/');
    assert.equal((await client.get(forged)).status, 403);
    // Not an image.
    assert.equal((await client.get(proxiedImageUrl(`${images.url('/page.html')}`))).status, 415);
    // Visitors are sent to sign in.
    assert.equal((await web.fetch(good)).status, 303);
  });

  it(
    'fetches an entry’s images as its feed is fetched, trusting its own certificate',
    { skip: opensslSkipReason() },
    async () => {
      const own = makeCertificate('nas.test', ['DNS:nas.test']);
      const nas = await startTestServer(
        {
          '/photo.png': respond(200, { 'content-type': 'image/png' }, Buffer.from('89504e470d0a1a0a', 'hex')),
        },
        '127.0.0.1',
        own,
      );
      try {
        const options = { ...DEFAULT_FETCH_OPTIONS, trustedCertificate: own.cert };
        const feed = await web.store.ensureFeed(nas.url('/feed.xml'), options, Date.now());
        const other = await web.store.ensureFeed(images.url('/feed.xml'), DEFAULT_FETCH_OPTIONS, Date.now());
        const html = proxyContentImages(`<img src="${nas.url('/photo.png')}">`, feed.id);
        const src = (/src="([^"]+)"/.exec(html)?.[1] ?? '').replace(/&amp;/g, '&');
        assert.match(src, new RegExp(`\\?feed=${feed.id}$`));
        const res = await client.get(src);
        assert.equal(res.status, 200, res.body);
        assert.equal(res.headers.get('content-type'), 'image/png');
        // Without its feed, or claiming another one, the same image is fetched as any other, or not at all.
        const plain = await client.get(proxiedImageUrl(nas.url('/photo.png')));
        assert.equal(plain.status, 502);
        assert.match(plain.body, /DEPTH_ZERO_SELF_SIGNED_CERT/);
        assert.equal((await client.get(src.replace(/feed=\d+$/, `feed=${other.id}`))).status, 403);
        assert.equal((await client.get(src.replace(/\?feed=\d+$/, ''))).status, 403);

        // The feed's icon, where none is kept: fetched as the feed is too (through the feed proxy,
        // for a feed fetched through it), not as any other image.
        await web.store.recordFetchSuccess(
          feed.id,
          { ...fetched('The NAS'), iconUrl: nas.url('/photo.png') },
          [],
        );
        await web.store.subscribe(client.user.id, feed.id, { folderId: null, title: null }, NOW);
        const page = await client.get(`/feed/${feed.id}`);
        const icon = (/<img\s+class="feed-icon"\s+src="([^"]+)"/.exec(page.body)?.[1] ?? '').replace(
          /&amp;/g,
          '&',
        );
        assert.match(icon, new RegExp(`^/proxy/image/.*\\?feed=${feed.id}$`));
        assert.equal((await client.get(icon)).status, 200);
      } finally {
        await nas.close();
      }
    },
  );

  it('refuses to proxy private addresses', async () => {
    const res = await client.get(proxiedImageUrl('http://169.254.169.254/latest/meta-data'));
    assert.equal(res.status, 502);
  });

  it('rewrites content images to signed proxy URLs, dropping srcset', () => {
    const out = proxyContentImages(
      '<p><img src="https://img.example/a.png?x=1&amp;y=2" srcset="https://img.example/b.png 2x" alt="A"></p>',
    );
    const src = /src="([^"]+)"/.exec(out)?.[1] ?? '';
    assert.equal(src, proxiedImageUrl('https://img.example/a.png?x=1&y=2').replace(/&/g, '&amp;'));
    assert.ok(!out.includes('srcset'));
    assert.ok(out.includes('alt="A"'));
  });

  it('allows only its own images in the CSP', async () => {
    const res = await client.get('/unread');
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /img-src 'self' data:;/);
  });
});
