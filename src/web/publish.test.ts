// Publishing through the real server over HTTP, with feeds served on 127.0.0.1: publishing from the
// reader (CSRF, errors), the public archive, post pages and index signed out, attribution and
// canonical links, output feeds read back by Gleaner's own parser, by Debian's python3-feedparser
// and checked by xmllint, conditional GET, withdrawal, the no-republish switch, hostile input, and
// another user's private entries never showing.
import { describe, it, before, after } from 'node:test';
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseOpml } from '../feed/opml/index.js';
import { parseFeed } from '../feed/parse/index.js';
import type { ParsedFeed } from '../model/index.js';
import { respond, startTestServer, type TestServer } from '../testing/testserver.js';
import { startWebApp, type WebApp, type WebClient, type WebResponse } from './testing.js';

const SEED_002 = new URL('../../../shared/seeds/002_8d3710f0974aeed0.txt', import.meta.url);
const PINGORA = 'https://blog.cloudflare.com/pingora-saving-compute-1-percent-at-a-time/';
const RSS = { 'content-type': 'application/rss+xml; charset=utf-8' };
const PASSWORD = 'correct horse battery';

/** Text of a page as a reader sees it: tags dropped, entities decoded, whitespace collapsed. */
function textOf(page: string): string {
  return page
    .replace(/<[^>]*>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

function rss(
  items: { guid: string; title: string; date: number; tags: string[]; author?: string }[],
): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">` +
    `<channel><title>Bulk Blog</title><link>https://bulk.example/</link>` +
    items
      .map(
        (i) =>
          `<item><title>${i.title}</title><link>https://bulk.example/${i.guid}</link><guid>${i.guid}</guid>` +
          `<pubDate>${new Date(i.date).toUTCString()}</pubDate><description>Body of ${i.title}</description>` +
          i.tags.map((t) => `<category>${t}</category>`).join('') +
          (i.author ? `<dc:creator>${i.author}</dc:creator>` : '') +
          `</item>`,
      )
      .join('') +
    `</channel></rss>`
  );
}

// Sources that try to break the output: `]]>`, control characters, lone surrogates, markup in
// titles and authors, script in content.
const HOSTILE_JSON = JSON.stringify({
  version: 'https://jsonfeed.org/version/1.1',
  title: 'Hostile <Feed> & "Co"',
  home_page_url: 'https://hostile.example/',
  items: [
    {
      id: 'h1',
      url: 'https://hostile.example/h1?a=1&b=2',
      title: 'Breaks ]]> out \u0001\u0008 of <b>CDATA</b> & \ud800 surrogate',
      content_html: '<p>End ]]> here \u000b and <script>alert(1)</script> <b>bold</b></p>',
      date_published: '2024-09-11T10:00:00Z',
      authors: [{ name: 'Mallory <m@evil> & "friends"' }],
      tags: ['Optimization', 'con\u0007trol'],
    },
  ],
});

// Invalid UTF-8 in the source: bytes 0xFF 0xFE in the title.
const BAD_UTF8 = Buffer.concat([
  Buffer.from(
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bytes</title><link>https://bytes.example/</link><item><title>Bad ',
  ),
  Buffer.from([0xff, 0xfe]),
  Buffer.from(
    ' bytes</title><link>https://bytes.example/1</link><guid>b1</guid><pubDate>Wed, 11 Sep 2024 12:00:00 GMT</pubDate><category>Optimization</category><description>x</description></item></channel></rss>',
  ),
]);

const DEBIAN_PYTHON = ['/usr/bin/python3', 'python3'].find(
  (py) => spawnSync(py, ['-c', 'import feedparser'], { stdio: 'ignore' }).status === 0,
);

const FEEDPARSER_SCRIPT = `
import feedparser, json, sys
d = feedparser.parse(sys.argv[1])
print(json.dumps({
  "bozo": bool(d.bozo), "error": str(d.get("bozo_exception", "")),
  "version": d.version, "title": d.feed.get("title"),
  "entries": [{
    "title": e.get("title"), "link": e.get("link"), "id": e.get("id"),
    "published": e.get("published_parsed") and list(e.published_parsed)[:6],
    "author": e.get("author"), "tags": [t["term"] for t in e.get("tags", [])],
  } for e in d.entries]}))
`;

interface Parsed {
  bozo: boolean;
  error: string;
  version: string;
  title: string;
  entries: { title: string; link: string; id: string; published: number[]; author: string; tags: string[] }[];
}

describe('publishing', () => {
  let web: WebApp;
  let feeds: TestServer;
  let alice: WebClient;
  let bob: WebClient;
  let dir: string;
  const now = Date.UTC(2024, 9, 1);
  const bulk = Array.from({ length: 45 }, (_, i) => ({
    guid: `b${i}`,
    title: `Bulk post ${i}`,
    date: Date.UTC(2024, 0, 1) + i * 3_600_000,
    tags: ['Bulk'],
    ...(i % 2 ? { author: `Writer ${i}` } : {}),
  }));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gleaner-publish-'));
    feeds = await startTestServer({
      '/cf.xml': respond(200, RSS, readFileSync(SEED_002)),
      '/hostile.json': respond(200, { 'content-type': 'application/feed+json' }, HOSTILE_JSON),
      '/bytes.xml': respond(200, RSS, BAD_UTF8),
      '/bulk.xml': respond(200, RSS, rss(bulk)),
      '/secret.xml': respond(
        200,
        RSS,
        rss([
          { guid: 's1', title: 'Bob private optimization notes', date: now, tags: ['Optimization'] },
        ]).replace(/Bulk Blog/g, 'Secret Blog'),
      ),
      '/nope.xml': respond(
        200,
        RSS,
        rss([{ guid: 'n1', title: 'Do not republish me', date: now, tags: ['Optimization'] }]).replace(
          /Bulk Blog/g,
          'Closed Blog',
        ),
      ),
    });
    web = await startWebApp({ clock: () => now });
    alice = await web.login('alice', PASSWORD);
    bob = await web.login('bob', PASSWORD);
    for (const path of ['/cf.xml', '/hostile.json', '/bytes.xml', '/bulk.xml', '/nope.xml']) {
      const res = await alice.post('/feeds/subscribe', { url: feeds.url(path), title: '' });
      assert.equal(res.status, 303, `subscribe ${path}: ${res.body.slice(0, 300)}`);
    }
    const res = await bob.post('/feeds/subscribe', { url: feeds.url('/secret.xml'), title: '' });
    assert.equal(res.status, 303);
  });

  after(async () => {
    await web.close();
    await feeds.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function publish(client: WebClient, target: string, extra: Record<string, string> = {}) {
    const res = await client.postJson('/publications', { target, ...extra });
    assert.equal(res.status, 200, res.body);
    return res.json<{ id: number; slug: string; url: string }>();
  }

  it('publishes nothing until asked, and only through a CSRF-checked POST', async () => {
    assert.equal((await web.fetch('/p/optimization/')).status, 404);
    const forged = await alice.post('/publications', { target: 'tag:Optimization' }, { csrf: 'wrong' });
    assert.equal(forged.status, 403);
    const visitor = await web.fetch('/publications', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'target=tag%3AOptimization',
    });
    assert.equal(visitor.status, 403);
    assert.deepEqual(await web.store.listPublications(alice.user.id), []);
    const bad = await alice.post('/publications', { target: 'everything' });
    assert.equal(bad.status, 400);
    assert.match(textOf(bad.body), /cannot publish "everything"/);
    const other = await alice.post('/publications', { target: 'folder:Nope' });
    assert.equal(other.status, 400);
    assert.match(textOf(other.body), /you have no folder "Nope"/);
  });

  it('publishes a tag from the list page and shows its public URL', async () => {
    const list = await alice.get('/tag/optimization');
    assert.match(list.body.replace(/\s+/g, ' '), /<form method="post" action="\/publications"/);
    assert.match(list.body, /name="target" value="tag:optimization"/);
    const res = await alice.post('/publications', { target: 'tag:Optimization', back: '/tag/optimization' });
    assert.equal(res.status, 303);
    const page = await alice.get('/settings/publications?done=published');
    assert.match(page.body, /Published\. Its public URL is below\./);
    assert.match(page.body, new RegExp(`href="${web.baseUrl}/p/optimization/"`));
    // Publishing again gives the same publication.
    assert.equal((await publish(alice, 'tag:optimization')).slug, 'optimization');
  });

  it('shows the archive signed out, attributed to the author or the feed, without private or excluded posts', async () => {
    const res = await web.fetch('/p/optimization/');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.ok(res.headers.get('content-security-policy'), 'security headers apply');
    assert.equal(res.headers.get('x-robots-tag'), 'noindex');
    const text = textOf(res.body);
    assert.match(text, /Tag Archives: Optimization/);
    assert.ok(text.includes(`Post Syndicated from Kevin Guthrie original ${PINGORA}`), text.slice(0, 2000));
    // No author in the source: the feed's title.
    assert.ok(text.includes('Post Syndicated from Bytes original https://bytes.example/1'), text);
    assert.ok(text.includes('Do not republish me'), 'allowed until the switch is set');
    assert.ok(!text.includes('Bob private'), 'another user’s entries never show');
    assert.doesNotMatch(res.body, /<script/i);
    const body = res.body.replace(/\s+/g, ' ');
    assert.match(
      body,
      /<link rel="alternate" type="application\/rss\+xml"[^>]*href="\/p\/optimization\/feed.xml"/,
    );
    assert.match(
      body,
      /<link rel="alternate" type="application\/atom\+xml"[^>]*href="\/p\/optimization\/atom.xml"/,
    );
    assert.match(
      body,
      /<link rel="alternate" type="application\/feed\+json"[^>]*href="\/p\/optimization\/feed.json"/,
    );
    assert.match(res.body, /<meta name="robots" content="noindex, follow"/);
    // Newest first: the hostile post (Sep 11) and the bytes one before Pingora (Sep 10).
    assert.ok(text.indexOf('Breaks ]]> out') < text.indexOf('A good day to trie-hard'));
  });

  it('leaves out feeds marked not to republish, from the feed edit form', async () => {
    const sub = (await web.store.listSubscriptions(alice.user.id)).find((s) =>
      s.feed.url.endsWith('/nope.xml'),
    );
    assert.ok(sub);
    const form = await alice.get('/feeds');
    assert.match(form.body, /name="noRepublish" value="1"/);
    const before = await web.fetch('/p/optimization/feed.xml');
    const res = await alice.post(`/feeds/${sub.feed.id}/edit`, {
      title: '',
      folderId: '',
      republishField: '1',
      noRepublish: '1',
    });
    assert.equal(res.status, 303);
    const page = await web.fetch('/p/optimization/');
    assert.ok(!textOf(page.body).includes('Do not republish me'));
    const afterwards = await web.fetch('/p/optimization/feed.xml');
    assert.notEqual(afterwards.headers.get('etag'), before.headers.get('etag'));
    assert.ok(!afterwards.body.includes('Do not republish me'));
    assert.match((await alice.get('/feeds')).body, /name="noRepublish" value="1"\s+checked/);
  });

  it('serves a post page with canonical and attribution to the original, related posts from the publication', async () => {
    const archive = await web.fetch('/p/optimization/');
    const href = /<h2 class="post-title"><a href="([^"]+)">A good day to trie-hard/.exec(archive.body)?.[1];
    assert.ok(href, 'the title links to its public page');
    assert.match(href, /^\/p\/optimization\/\d+-a-good-day-to-trie-hard-saving-compute-1-at-a-time$/);
    const res = await web.fetch(href);
    assert.equal(res.status, 200);
    assert.match(res.body, new RegExp(`<link rel="canonical" href="${PINGORA}"`));
    const text = textOf(res.body);
    assert.match(text, /Kevin Guthrie · 2024-09-10 · via The Cloudflare Blog/);
    assert.ok(text.includes(`Post Syndicated from Kevin Guthrie original ${PINGORA}`));
    assert.match(text, /Read original/);
    assert.doesNotMatch(text, /Open in Gleaner/, 'only for a signed-in reader');
    assert.match(res.body, /<h2>Related posts<\/h2>/);
    assert.match(res.body, /<li>rust<\/li>/);
    // Signed in with the entry in their reader: offered to open it there; bob has not got it.
    const id = /\/(\d+)-/.exec(href)?.[1];
    assert.match((await alice.get(href)).body, new RegExp(`href="/entry/${id}" data-open-reader`));
    assert.doesNotMatch((await bob.get(href)).body, /Open in Gleaner/);
    // Another spelling of the title part redirects to ours.
    const moved = await web.fetch(`/p/optimization/${id}-whatever`, { redirect: 'manual' });
    assert.equal(moved.status, 301);
    assert.equal(moved.location, href);
  });

  it('answers 404 for unknown publications, posts and pages, whatever the input', async () => {
    const secretId = (await web.store.queryEntries({ userId: bob.user.id, limit: 10 }))[0]?.entry.id;
    assert.ok(secretId);
    for (const path of [
      '/p/nothing-here/',
      '/p/nothing-here/feed.xml',
      `/p/optimization/${secretId}-bob-private-optimization-notes`,
      '/p/optimization/999999999-x',
      '/p/optimization/abc',
      '/p/optimization/?after=1.x',
      '/p/optimization/?after=1.1',
      `/p/${'a'.repeat(300)}/`,
      '/p/%2e%2e%2f%2e%2e%2fetc/',
      '/p/optimization/%00/',
    ]) {
      const res = await web.fetch(path, { redirect: 'manual' });
      assert.equal(res.status, 404, path);
      assert.ok(!res.body.includes('Bob private'), path);
    }
    const res = await web.fetch('/p/nothing-here/');
    assert.match(textOf(res.body), /No publication here: it was withdrawn, or never existed\./);
  });

  it('never writes a hostile Host header into absolute links', async () => {
    const { port } = new URL(web.baseUrl);
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/p/optimization/feed.xml',
          headers: { host: 'evil.example"><x y="' },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (d: string) => (text += d));
          res.on('end', () => resolve(text));
        },
      );
      req.once('error', reject);
      req.end();
    });
    assert.match(body, /<atom:link href="http:\/\/localhost\/p\/optimization\/feed.xml" rel="self"/);
    assert.ok(!body.includes('evil.example'));
  });

  it('pages through a large publication by keyset, newest first, every post once', async () => {
    const { slug } = await publish(alice, 'tag:Bulk');
    const seen: string[] = [];
    let path: string | null = `/p/${slug}/`;
    while (path) {
      const res: WebResponse = await web.fetch(path);
      assert.equal(res.status, 200, path);
      seen.push(
        ...[...res.body.matchAll(/<h2 class="post-title"><a href="[^"]+">(Bulk post \d+)</g)].map(
          (m) => m[1] ?? '',
        ),
      );
      path = /<a href="([^"]+)" rel="next">/.exec(res.body)?.[1]?.replace(/&amp;/g, '&') ?? null;
    }
    assert.deepEqual(seen, bulk.map((b) => b.title).reverse());
  });

  async function feedsOf(slug: string): Promise<{ rss: WebResponse; atom: WebResponse; json: WebResponse }> {
    const [rssRes, atom, json] = await Promise.all(
      ['feed.xml', 'atom.xml', 'feed.json'].map((f) => web.fetch(`/p/${slug}/${f}`)),
    );
    assert.ok(rssRes && atom && json);
    return { rss: rssRes, atom, json };
  }

  it('writes RSS, Atom and JSON Feed that Gleaner reads back with the same entries', async () => {
    const { rss: r, atom, json } = await feedsOf('optimization');
    assert.match(r.headers.get('content-type') ?? '', /application\/rss\+xml/);
    assert.match(atom.headers.get('content-type') ?? '', /application\/atom\+xml/);
    assert.match(json.headers.get('content-type') ?? '', /application\/feed\+json/);
    assert.match(r.body, new RegExp(`<atom:link href="${web.baseUrl}/p/optimization/feed.xml" rel="self"`));
    assert.doesNotMatch(r.body, /<!\[CDATA\[/);
    const parsed: ParsedFeed[] = [r, atom, json].map((res) => parseFeed(new TextEncoder().encode(res.body)));
    for (const feed of parsed) {
      assert.equal(feed.title, 'Optimization');
      const titles = feed.items.map((i) => i.title);
      assert.equal(titles.length, 3, JSON.stringify(titles));
      const pingora = feed.items.find((i) => i.link === PINGORA);
      assert.ok(pingora, `${feed.format}: the original link`);
      assert.equal(pingora.title, 'A good day to trie-hard: saving compute 1% at a time');
      assert.equal(pingora.author, 'Kevin Guthrie');
      assert.equal(pingora.published, '2024-09-10T14:00:00Z');
      assert.deepEqual(pingora.categories.map((c) => c.toLowerCase()).sort(), [
        'internet performance',
        'open source',
        'optimization',
        'pingora',
        'rust',
      ]);
      assert.match(pingora.contentHtml ?? '', /Post Syndicated from Kevin Guthrie original/);
      assert.match(pingora.contentHtml ?? '', /Pingora handles|60 million per second/);
      const hostile = feed.items.find((i) => i.link === 'https://hostile.example/h1?a=1&b=2');
      assert.ok(hostile, `${feed.format}: the hostile item survives`);
      // Control characters dropped; Gleaner reads titles as text, so the markup is gone too.
      assert.match(hostile.title ?? '', /^Breaks \]\]> out +of (<b>)?CDATA(<\/b>)? & \S* ?surrogate$/);
      assert.ok(!/[\p{Cc}]/u.test(hostile.title ?? ''), 'no control characters');
      assert.equal(hostile.author, 'Mallory <m@evil> & "friends"');
      assert.doesNotMatch(hostile.contentHtml ?? '', /<script/);
      assert.match(hostile.contentHtml ?? '', /End \]\](>|&gt;) here/);
    }
    // RSS carries one enclosure-free item per post, with a guid and the source.
    assert.match(r.body, /<guid isPermaLink="false">http:\/\/127\.0\.0\.1:\d+\/p\/optimization\/\d+-/);
    assert.match(r.body, /<dc:creator>Kevin Guthrie<\/dc:creator>/);
    assert.match(r.body, /<source url="http:\/\/127\.0\.0\.1:\d+\/cf\.xml">The Cloudflare Blog<\/source>/);
  });

  it('writes feeds xmllint finds well-formed and python3-feedparser reads without bozo', async (t) => {
    const { rss: r, atom, json } = await feedsOf('optimization');
    const files = { 'feed.xml': r.body, 'atom.xml': atom.body, 'feed.json': json.body };
    for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
    for (const name of ['feed.xml', 'atom.xml']) {
      const lint = spawnSync('xmllint', ['--noout', join(dir, name)], { encoding: 'utf8' });
      assert.equal(lint.status, 0, `${name}: ${lint.stderr}`);
    }
    JSON.parse(json.body);
    if (!DEBIAN_PYTHON) {
      t.skip('python3-feedparser is not installed (scripts/system-deps.sh installs it)');
      return;
    }
    const readBack = (name: string): Parsed =>
      JSON.parse(
        execFileSync(DEBIAN_PYTHON, ['-c', FEEDPARSER_SCRIPT, join(dir, name)], { encoding: 'utf8' }),
      ) as Parsed;
    const [fromRss, fromAtom] = [readBack('feed.xml'), readBack('atom.xml')];
    assert.equal(fromRss.version, 'rss20');
    assert.equal(fromAtom.version, 'atom10');
    const ours = parseFeed(new TextEncoder().encode(r.body)).items;
    for (const d of [fromRss, fromAtom]) {
      assert.equal(d.bozo, false, `${d.version}: ${d.error}`);
      assert.equal(d.title, 'Optimization');
      // Parsers differ only in how they fold whitespace.
      const fold = (s: string | null) => s?.replace(/\s+/g, ' ') ?? null;
      assert.deepEqual(
        d.entries.map((e) => [fold(e.title), e.link, e.author]),
        ours.map((i) => [fold(i.title), i.link, i.author]),
        d.version,
      );
      for (const [k, e] of d.entries.entries()) {
        const mine = ours[k];
        assert.ok(mine);
        const [y, mo, day, h, mi, sec] = e.published;
        const published = new Date(Date.UTC(y ?? 0, (mo ?? 1) - 1, day, h, mi, sec));
        assert.equal(published.toISOString().replace('.000', ''), mine.published);
        assert.deepEqual([...e.tags].sort(), [...mine.categories].sort());
      }
    }
  });

  it('answers conditional GETs with 304 and changes the ETag when entries change', async () => {
    for (const path of [
      '/p/optimization/',
      '/p/optimization/feed.xml',
      '/p/optimization/atom.xml',
      '/p/optimization/feed.json',
    ]) {
      const first = await web.fetch(path);
      const etag = first.headers.get('etag');
      const lastModified = first.headers.get('last-modified');
      assert.ok(etag && lastModified, path);
      assert.match(first.headers.get('cache-control') ?? '', /^public, max-age=\d+$/);
      const again = await web.fetch(path, { headers: { 'if-none-match': etag } });
      assert.equal(again.status, 304, path);
      assert.equal(again.body, '');
      assert.equal((await web.fetch(path, { headers: { 'if-modified-since': lastModified } })).status, 304);
      assert.equal((await web.fetch(path, { headers: { 'if-none-match': '"other"' } })).status, 200);
      assert.equal(
        (await web.fetch(path, { headers: { 'if-modified-since': 'Thu, 01 Jan 1970 00:00:00 GMT' } })).status,
        200,
      );
    }
    const before = (await web.fetch('/p/optimization/feed.xml')).headers.get('etag');
    // A new entry with the tag arrives.
    feeds.route(
      '/bulk.xml',
      respond(
        200,
        RSS,
        rss([...bulk, { guid: 'new', title: 'Fresh optimization', date: now, tags: ['Optimization'] }]),
      ),
    );
    const sub = (await web.store.listSubscriptions(alice.user.id)).find((s) =>
      s.feed.url.endsWith('/bulk.xml'),
    );
    assert.ok(sub);
    assert.equal((await alice.post(`/feeds/${sub.feed.id}/refresh`, {})).status, 303);
    const changed = await web.fetch('/p/optimization/feed.xml', {
      headers: { 'if-none-match': before ?? '' },
    });
    assert.equal(changed.status, 200);
    assert.ok(changed.body.includes('Fresh optimization'));
  });

  it('publishes starred entries, a folder, a feed and a search, each with only its own entries', async () => {
    const [pingora] = await web.store.queryEntries({ userId: alice.user.id, tags: ['pingora'], limit: 1 });
    assert.ok(pingora);
    await alice.post(`/entry/${pingora.entry.id}/state`, { starred: '1' });
    const starred = await publish(alice, 'starred');
    const starredPage = textOf((await web.fetch(`/p/${starred.slug}/`)).body);
    assert.ok(starredPage.includes('A good day to trie-hard'));
    assert.ok(!starredPage.includes('Bulk post'));

    const cf = (await web.store.listSubscriptions(alice.user.id)).find((s) => s.feed.url.endsWith('/cf.xml'));
    assert.ok(cf);
    const feed = await publish(alice, `feed:${cf.feed.url}`, { excerpt: '1' });
    const feedPage = await web.fetch(`/p/${feed.slug}/`);
    assert.match(textOf(feedPage.body), /The Cloudflare Blog/);
    assert.match(feedPage.body, /<p class="excerpt">/);
    assert.doesNotMatch(feedPage.body, /<div class="content"/, 'excerpts, as chosen');

    const res = await alice.post(`/feeds/${cf.feed.id}/edit`, {
      title: '',
      folderId: '',
      newFolder: 'Infra',
    });
    assert.equal(res.status, 303);
    const folder = await publish(alice, 'folder:Infra');
    const folderText = textOf((await web.fetch(`/p/${folder.slug}/`)).body);
    assert.ok(folderText.includes('Performance measurements'));
    assert.ok(!folderText.includes('Bulk post'));

    const search = await publish(alice, 'search:trie');
    const searchText = textOf((await web.fetch(`/p/${search.slug}/`)).body);
    assert.match(searchText, /Search Archives: trie/);
    assert.ok(searchText.includes('A good day to trie-hard'));
    assert.ok(!searchText.includes('Bulk post'));
    const bobSearch = await publish(bob, 'search:private');
    assert.ok(textOf((await web.fetch(`/p/${bobSearch.slug}/`)).body).includes('Bob private'));
  });

  it('lists live publications and a blogroll of their sources', async () => {
    const index = await web.fetch('/p/');
    assert.equal(index.status, 200);
    assert.match(index.body, /href="\/p\/optimization\/"/);
    const opml = await web.fetch('/p/opml.xml');
    assert.equal(opml.status, 200);
    const parsed = parseOpml(new TextEncoder().encode(opml.body));
    const urls = parsed.outlines.filter((o) => o.folder === 'Optimization').map((o) => o.url);
    assert.ok(urls.includes(feeds.url('/cf.xml')));
    assert.ok(!urls.includes(feeds.url('/nope.xml')), 'excluded feeds are not in the blogroll');
    // Bob's feed shows only under the search Bob published himself.
    const secret = parsed.outlines.filter((o) => o.url.endsWith('/secret.xml')).map((o) => o.folder);
    assert.deepEqual(secret, ['private']);
    const etag = opml.headers.get('etag') ?? '';
    assert.equal((await web.fetch('/p/opml.xml', { headers: { 'if-none-match': etag } })).status, 304);
  });

  it('withdraws a publication: its pages and feeds answer 404, and come back at the same URL', async () => {
    const pub = (await web.store.listPublications(alice.user.id)).find((p) => p.slug === 'optimization');
    assert.ok(pub);
    const archive = await web.fetch('/p/optimization/');
    const post = /<h2 class="post-title"><a href="([^"]+)"/.exec(archive.body)?.[1];
    assert.ok(post);
    assert.equal((await bob.post(`/publications/${pub.id}/withdraw`, {})).status, 404, 'only its owner');
    assert.equal((await alice.post(`/publications/${pub.id}/withdraw`, {})).status, 303);
    for (const path of [
      '/p/optimization/',
      '/p/optimization/feed.xml',
      '/p/optimization/atom.xml',
      '/p/optimization/feed.json',
      post,
    ]) {
      assert.equal((await web.fetch(path)).status, 404, path);
    }
    assert.doesNotMatch((await web.fetch('/p/')).body, /href="\/p\/optimization\/"/);
    assert.match((await alice.get('/settings/publications')).body, /Withdrawn/);
    assert.equal((await publish(alice, 'tag:optimization')).slug, 'optimization');
    assert.equal((await web.fetch('/p/optimization/')).status, 200);
  });
});
