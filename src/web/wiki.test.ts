// The knowledge wiki in the reader over real HTTP: the index, pages rendered from Markdown with their
// links rewritten and backlinks listed, search in English and Chinese, the source page beside its
// article, and what a hostile folder or a hostile request cannot do.
import { strict as assert } from 'node:assert';
import { cpSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { respond, startTestServer, type TestServer } from '../testing/testserver.js';
import { startWebApp, type WebApp, type WebClient } from './testing.js';

const VAULT = fileURLToPath(new URL('./wiki/testdata/vault', import.meta.url));
const ARTICLE_URL = 'https://blog.cloudflare.com/pingora-saving-compute-1-percent-at-a-time/';
const SOURCE_ROUTE = '/wiki/sources/2024-09-10-cloudflare-a-good-day-to-trie-hard';
const RSS_HEADERS = { 'content-type': 'application/rss+xml; charset=utf-8' };

const rss = (items: { title: string; link: string; guid: string }[]): string =>
  '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Engineering blogs</title>' +
  '<link>https://blog.cloudflare.com/</link>' +
  items
    .map(
      (i) =>
        `<item><title>${i.title}</title><link>${i.link}</link><guid>${i.guid}</guid>` +
        `<pubDate>Tue, 10 Sep 2024 13:00:00 GMT</pubDate><description>&lt;p&gt;${i.title} body&lt;/p&gt;</description></item>`,
    )
    .join('') +
  '</channel></rss>';

/** Markup with the formatter's line breaks and indentation collapsed, for matching. */
const flat = (body: string): string => body.replace(/\s+/g, ' ').replace(/> </g, '><').replace(/ >/g, '>');

/** The page's <main>, where the wiki's own markup lives (the sidebar links elsewhere). */
const mainOf = (body: string): string => flat(/<main[^>]*>([\s\S]*)<\/main>/.exec(body)?.[1] ?? '');

/** A GET exactly as written: fetch() would resolve `..` segments before sending them. */
function rawGet(base: string, path: string, cookie: string): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path, method: 'GET', headers: { cookie } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('the wiki in the reader', () => {
  let dir: string;
  let outside: string;
  let web: WebApp;
  let feeds: TestServer;
  let ada: WebClient;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gleaner-wiki-test-'));
    cpSync(VAULT, dir, { recursive: true });
    outside = mkdtempSync(join(tmpdir(), 'gleaner-wiki-outside-'));
    writeFileSync(join(outside, 'secret.md'), '---\ntitle: Secret\n---\nTOP-SECRET-CONTENT\n');
    // A vault's way out: links to files and folders elsewhere on the machine.
    symlinkSync(join(outside, 'secret.md'), join(dir, 'concepts', 'escape.md'));
    symlinkSync(outside, join(dir, 'outside'));
    writeFileSync(join(dir, '.gleaner', 'hidden.md'), '---\ntitle: Hidden\n---\nHIDDEN-CONTENT\n');

    feeds = await startTestServer({
      '/blog.xml': respond(
        200,
        RSS_HEADERS,
        rss([
          { title: 'A good day to trie-hard', link: ARTICLE_URL, guid: 'trie-hard' },
          { title: 'Unrelated news', link: 'https://blog.cloudflare.com/unrelated/', guid: 'other' },
        ]),
      ),
    });
    web = await startWebApp({ wikiDir: dir });
    ada = await web.login('ada', 'correct horse battery');
    const res = await ada.post('/feeds/subscribe', { url: feeds.url('/blog.xml'), title: '' });
    assert.equal(res.status, 303);
  });

  after(async () => {
    await web.close();
    await feeds.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('sends visitors to the login page, from every wiki address', async () => {
    for (const path of ['/wiki', '/wiki/concepts/trie-data-structure', '/wiki/search?q=trie']) {
      const res = await web.fetch(path);
      assert.equal(res.status, 303, path);
      assert.match(res.location ?? '', /^\/login\?next=%2Fwiki/, path);
      assert.doesNotMatch(res.body, /trie/i, path);
    }
  });

  it('lists the pages by kind, with counts, under the index page, and links it from the sidebar', async () => {
    const res = await ada.get('/wiki');
    assert.equal(res.status, 200);
    const main = mainOf(res.body);
    assert.match(
      flat(res.body),
      /<a href="\/wiki" class="active" aria-current="page"><span class="label">Wiki<\/span>/,
    );
    assert.match(main, /<h1>Wiki<\/h1>/);
    // index.md is the introduction, its links rewritten.
    assert.match(
      main,
      /What has been read, distilled\. Start with <a href="\/wiki\/companies\/cloudflare" class="wiki-link">Cloudflare<\/a>/,
    );
    assert.match(main, /<h2>Concepts <span class="count">3<\/span><\/h2>/);
    assert.match(main, /<h2>Sources <span class="count">1<\/span><\/h2>/);
    assert.match(main, /<h2>Skills <span class="count">1<\/span><\/h2>/);
    assert.match(main, /<a href="\/wiki\/concepts\/cache-coherence">缓存一致性<\/a>/);
    assert.match(
      main,
      /<a href="\/wiki\/skills\/cloudflare-performance-engineering\/SKILL">cloudflare-performance-engineering<\/a>/,
    );
    // Symbolic links and hidden folders are not part of the wiki.
    assert.doesNotMatch(main, /Secret|Hidden|escape/);

    const concepts = mainOf((await ada.get('/wiki?kind=concept')).body);
    assert.match(concepts, /<h2>Concepts/);
    assert.doesNotMatch(concepts, /<h2>Sources/);
  });

  it('renders a page: front matter as a header, links between pages as /wiki routes, links out to a new tab', async () => {
    const res = await ada.get(SOURCE_ROUTE);
    assert.equal(res.status, 200);
    const main = mainOf(res.body);
    assert.match(
      main,
      /<h1 class="article-title">Cloudflare — A good day to trie-hard: saving compute 1% at a time<\/h1>/,
    );
    assert.match(main, /<dt>Kind<\/dt><dd><a href="\/wiki\?kind=source" class="chip">Source<\/a><\/dd>/);
    assert.match(
      main,
      /<dt>url<\/dt><dd><a href="https:\/\/blog\.cloudflare\.com\/pingora-saving-compute-1-percent-at-a-time\/" target="_blank" rel="noopener noreferrer">/,
    );
    assert.match(main, /<dt>published<\/dt><dd>2024-09-10<\/dd>/);
    assert.doesNotMatch(main, /<div class="content"><h1>/, 'the title is not repeated above the text');
    assert.match(main, /<h2>Key takeaways<\/h2>/);
    assert.match(main, /<strong>Flip lookup direction when the lists are asymmetric\.<\/strong>/);
    // ../patterns/x.md from sources/ resolves to /wiki/patterns/x.
    assert.match(
      main,
      /<a href="\/wiki\/patterns\/flip-lookup-direction" class="wiki-link">patterns\/flip-lookup-direction<\/a>/,
    );
    assert.match(
      main,
      /<a href="\/wiki\/raw\/cloudflare\/2024-09-10-a-good-day-to-trie-hard-saving-compute-1-at-a-time-f90bdca0" class="wiki-link">raw copy<\/a>/,
    );
    assert.match(
      main,
      /<a href="https:\/\/github\.com\/cloudflare\/trie-hard" rel="noopener noreferrer" target="_blank">/,
    );
    assert.doesNotMatch(main, /href="[^"]*\.md"/, 'no link is left pointing at a .md file');

    // A fragment survives; a page in a skill's folder resolves ../../.
    const trie = mainOf((await ada.get('/wiki/concepts/trie-data-structure')).body);
    assert.match(
      trie,
      /<a href="\/wiki\/concepts\/big-o-over-key-length#why" class="wiki-link">Big-O over key length<\/a>/,
    );
    assert.match(trie, /<dt>aliases<\/dt><dd>prefix tree<\/dd>/);
    const skill = mainOf((await ada.get('/wiki/skills/cloudflare-performance-engineering/SKILL')).body);
    assert.match(
      skill,
      /<a href="\/wiki\/patterns\/flip-lookup-direction" class="wiki-link">flip lookup direction<\/a>/,
    );
    // A skill's folder names it too.
    const short = await ada.get('/wiki/skills/cloudflare-performance-engineering');
    assert.equal(short.status, 200);
    assert.match(mainOf(short.body), /Cloudflare Performance Engineering Style Guide/);
  });

  it('lists every page linking here as backlinks', async () => {
    const main = mainOf((await ada.get('/wiki/concepts/trie-data-structure')).body);
    const backlinks = /<section class="backlinks">(.*?)<\/section>/.exec(main)?.[1] ?? '';
    assert.match(backlinks, /<h2>Backlinks <span class="count">5<\/span><\/h2>/);
    for (const [href, title] of [
      ['/wiki/concepts/big-o-over-key-length', 'Big-O over key length'],
      ['/wiki/concepts/cache-coherence', '缓存一致性'],
      ['/wiki/sources/2024-09-10-cloudflare-a-good-day-to-trie-hard', 'Cloudflare — A good day to trie-hard'],
      ['/wiki/systems/trie-hard', 'trie-hard'],
      ['/wiki', 'Wiki index'],
    ] as const) {
      assert.ok(
        backlinks.includes(`<a href="${href === '/wiki' ? '/wiki/index' : href}">${title}`),
        `${title} links here`,
      );
    }
    // A page nothing links to says so.
    const skill = mainOf((await ada.get('/wiki/log')).body);
    assert.match(
      skill,
      /<h2>Backlinks <span class="count">0<\/span><\/h2><p class="muted small">No page links here yet\.<\/p>/,
    );
  });

  it('sees pages the builder adds, changes and removes', async () => {
    const path = join(dir, 'concepts', 'new-idea.md');
    writeFileSync(
      path,
      '---\ntitle: New idea\nkind: concept\n---\nLinks to [trie-hard](../systems/trie-hard.md).\n',
    );
    // The reader looks at the folder again after a second.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    assert.equal((await ada.get('/wiki/concepts/new-idea')).status, 200);
    const system = mainOf((await ada.get('/wiki/systems/trie-hard')).body);
    assert.match(system, /<a href="\/wiki\/concepts\/new-idea">New idea<\/a>/);

    // The builder replaces a page by renaming a new file over it, which changes the folder's mtime.
    writeFileSync(path, '---\ntitle: Renamed idea\nkind: concept\n---\nNo links now.\n');
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(dir, 'concepts'), later, later);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    assert.match(
      mainOf((await ada.get('/wiki/concepts/new-idea')).body),
      /<h1 class="article-title">Renamed idea<\/h1>/,
    );
    assert.doesNotMatch(mainOf((await ada.get('/wiki/systems/trie-hard')).body), /new-idea/);

    rmSync(path);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    assert.equal((await ada.get('/wiki/concepts/new-idea')).status, 404);
  });

  it('searches titles and text in English, title hits first, with highlighted snippets', async () => {
    const res = await ada.get('/wiki/search?q=trie');
    assert.equal(res.status, 200);
    const main = mainOf(res.body);
    const titles = [...main.matchAll(/<li class="wiki-hit"><h3><a href="([^"]+)">/g)].map((m) => m[1]);
    assert.ok(titles.length >= 4, titles.join());
    // Pages with "trie" in their title come before pages that only mention it.
    const firstTextOnly = titles.findIndex(
      (t) => t === '/wiki/concepts/big-o-over-key-length' || t === '/wiki/index',
    );
    for (const t of ['/wiki/concepts/trie-data-structure', '/wiki/systems/trie-hard'])
      assert.ok(
        titles.indexOf(t) !== -1 && titles.indexOf(t) < firstTextOnly,
        `${t} ranks above text-only hits`,
      );
    assert.match(
      main,
      /<h3><a href="\/wiki\/concepts\/trie-data-structure"><mark>Trie<\/mark> data structure<\/a><\/h3>/,
    );
    assert.match(main, /<p class="excerpt">[^<]*<mark>trie<\/mark>/i);

    // Stems, phrases and exclusions as in the reader's search.
    const stems = mainOf((await ada.get('/wiki/search?q=optimized')).body);
    assert.match(stems, /href="\/wiki\/systems\/trie-hard"/);
    const phrase = mainOf((await ada.get('/wiki/search?q=%22flip+lookup%22')).body);
    assert.match(phrase, /href="\/wiki\/patterns\/flip-lookup-direction"/);
    assert.doesNotMatch(phrase, /href="\/wiki\/concepts\/trie-data-structure"/);
    const without = mainOf((await ada.get('/wiki/search?q=trie+-rust')).body);
    assert.match(without, /href="\/wiki\/concepts\/trie-data-structure"/);
    assert.doesNotMatch(without, /href="\/wiki\/systems\/trie-hard"/);

    const none = mainOf((await ada.get('/wiki/search?q=zeppelin')).body);
    assert.match(none, /No wiki page matches\./);
  });

  it('searches Chinese without spaces, by word inside a sentence', async () => {
    const title = mainOf((await ada.get(`/wiki/search?q=${encodeURIComponent('一致性')}`)).body);
    assert.match(title, /<a href="\/wiki\/concepts\/cache-coherence">缓存<mark>一致性<\/mark><\/a>/);
    const text = mainOf((await ada.get(`/wiki/search?q=${encodeURIComponent('多核处理器')}`)).body);
    assert.match(text, /href="\/wiki\/concepts\/cache-coherence"/);
    assert.match(text, /<mark>多核处理器<\/mark>/);
    // Characters present but not in a row do not match.
    const scattered = mainOf((await ada.get(`/wiki/search?q=${encodeURIComponent('核缓')}`)).body);
    assert.match(scattered, /No wiki page matches\./);
    // Mixed with English.
    const mixed = mainOf((await ada.get(`/wiki/search?q=${encodeURIComponent('缓存 MESI')}`)).body);
    assert.match(mixed, /href="\/wiki\/concepts\/cache-coherence"/);
  });

  it("shows an article's source page beside it, and nothing for an article the wiki has not read", async () => {
    const views = await web.store.queryEntries({ userId: ada.user.id, status: 'all', limit: 10 });
    const article = views.find((v) => v.entry.link === ARTICLE_URL);
    const other = views.find((v) => v.entry.link !== ARTICLE_URL);
    assert.ok(article && other);

    const res = await ada.get(`/entry/${article.entry.id}`);
    assert.equal(res.status, 200);
    const main = mainOf(res.body);
    assert.match(main, /<div class="with-aside"><article class="article/);
    const panel = /<details class="wiki-panel" open data-wiki-panel>(.*?)<\/details>/.exec(main)?.[1] ?? '';
    assert.match(panel, /<summary>In the wiki<\/summary>/);
    assert.match(panel, new RegExp(`<h2><a href="${SOURCE_ROUTE}">Cloudflare — A good day to trie-hard`));
    assert.match(
      panel,
      /<h3>Summary<\/h3><div class="content"><p>Cloudflare's pingora-origin service runs at 35 M/,
    );
    assert.match(panel, /<h3>Key takeaways<\/h3><div class="content"><ul>/);
    assert.match(
      panel,
      /<a href="\/wiki\/concepts\/trie-data-structure" class="wiki-link">concepts\/trie-data-structure<\/a>/,
    );
    assert.doesNotMatch(panel, /Operational numbers|Caveats/, 'only the summary and the takeaways');
    assert.match(
      panel,
      new RegExp(`<a class="button" href="${SOURCE_ROUTE}">Open the source page &#8594;</a>`),
    );

    const plain = mainOf((await ada.get(`/entry/${other.entry.id}`)).body);
    assert.doesNotMatch(plain, /wiki-panel|with-aside/);

    // The builder's state may know an article by its entry id alone.
    const state = {
      version: 1,
      articles: {
        [ARTICLE_URL]: {
          entryId: article.entry.id,
          hash: 'a',
          raw: 'raw/x.md',
          source: 'sources/2024-09-10-cloudflare-a-good-day-to-trie-hard.md',
        },
        'https://moved.example/': {
          entryId: other.entry.id,
          hash: 'b',
          raw: 'raw/y.md',
          source: 'concepts/trie-data-structure.md',
        },
      },
      pages: { ignored: true },
    };
    writeFileSync(join(dir, '.gleaner', 'state.json'), JSON.stringify(state));
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    assert.match(
      mainOf((await ada.get(`/entry/${other.entry.id}`)).body),
      /<h2><a href="\/wiki\/concepts\/trie-data-structure">Trie data structure<\/a><\/h2>/,
    );

    // A broken state file maps nothing and breaks nothing.
    writeFileSync(join(dir, '.gleaner', 'state.json'), '{"version": 1, "articles": {"' + ARTICLE_URL);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const broken = await ada.get(`/entry/${article.entry.id}`);
    assert.equal(broken.status, 200);
    assert.doesNotMatch(mainOf(broken.body), /wiki-panel/);
    cpSync(join(VAULT, '.gleaner', 'state.json'), join(dir, '.gleaner', 'state.json'));
  });

  it('answers 404 to paths outside the wiki, encoded or not, and to links out of it', async () => {
    const paths = [
      '/wiki/../../etc/passwd',
      '/wiki/%2e%2e/%2e%2e/etc/passwd',
      '/wiki/..%2f..%2fetc%2fpasswd',
      '/wiki/concepts/..%2f..%2f..%2fetc%2fpasswd',
      '/wiki/%2fetc%2fpasswd',
      '/wiki//etc/passwd',
      '/wiki/concepts/trie-data-structure%00',
      '/wiki/concepts/trie-data-structure%00.txt',
      '/wiki/concepts/escape',
      '/wiki/outside/secret',
      '/wiki/.gleaner/hidden',
      '/wiki/.gleaner/state.json',
      '/wiki/concepts/trie-data-structure.md',
      '/wiki/concepts%5ctrie-data-structure',
      '/wiki/concepts/../concepts/trie-data-structure',
      '/wiki/no/such/page',
    ];
    for (const path of paths) {
      const res = await rawGet(web.baseUrl, path, ada.cookie);
      assert.equal(res.status, 404, path);
      assert.doesNotMatch(res.body, /TOP-SECRET|HIDDEN-CONTENT|root:/, path);
    }
    // The refusals are about the path, not the page: the page itself is there.
    assert.equal((await ada.get('/wiki/concepts/trie-data-structure')).status, 200);
  });

  it('renders hostile Markdown inert', async () => {
    const hostile = [
      '---',
      'title: "<script>alert(1)</script>Hostile"',
      'kind: concept',
      'url: "javascript:alert(1)"',
      'bomb: &a [x, x, x]',
      '---',
      '# Hostile',
      '',
      '<script>alert("script")</script>',
      '',
      '<img src="x" onerror="alert(\'img\')">',
      '',
      '<div onclick="alert(\'div\')" style="position:fixed">block <iframe src="https://evil.example/"></iframe></div>',
      '',
      '[click](javascript:alert(1)) [data](data:text/html,<script>alert(1)</script>) [vb](vbscript:msgbox)',
      '[up](../../../../etc/passwd.md) [abs](/etc/passwd.md) [esc](%2e%2e/%2e%2e/x.md)',
      '<a href="javascript:alert(2)">raw link</a> <form action="/logout" method="post"><button>go</button></form>',
      '<svg><script>alert(3)</script></svg><math><mi xlink:href="javascript:alert(4)">m</mi></math>',
      '![pixel](javascript:alert(5)) <base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=https://evil.example/">',
      '',
      '```html',
      '<script>alert("in code")</script>',
      '```',
    ].join('\n');
    writeFileSync(join(dir, 'concepts', 'hostile.md'), hostile);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const res = await ada.get('/wiki/concepts/hostile');
    assert.equal(res.status, 200);
    const main = mainOf(res.body);
    const content = /<div class="content">(.*?)<\/div><section class="backlinks">/.exec(main)?.[1] ?? '';
    assert.match(content, /<h1>Hostile<\/h1>/, 'a heading other than the title stays');
    assert.doesNotMatch(content, /<script|<iframe|<form|<svg|<math|<base|<meta|<button/i);
    assert.doesNotMatch(content, /\son\w+=|style=|javascript:|vbscript:|data:text/i);
    assert.doesNotMatch(content, /href="\/wiki\/etc|href="\/etc|href="[^"]*passwd/);
    // Links that lead nowhere safe keep their text and lose their target.
    assert.match(content, /<a>click<\/a>.*<a>up<\/a><a>abs<\/a><a>esc<\/a><a>raw link<\/a>/);
    assert.match(main, /<h1 class="article-title">&lt;script&gt;alert\(1\)&lt;\/script&gt;Hostile<\/h1>/);
    assert.match(main, /<dt>url<\/dt><dd>javascript:alert\(1\)<\/dd>/, 'shown as text, not a link');
    // Code shows as text.
    assert.match(content, /<pre><code>&lt;script&gt;alert\("in code"\)&lt;\/script&gt;/);

    // YAML aliases (the "billion laughs" bomb) are refused: the front matter is ignored, the page shown.
    const bomb = [
      '---',
      'a: &a [x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a]',
      'c: [*b, *b, *b, *b, *b, *b, *b]',
      'title: Bomb',
      '---',
      '# Defused',
      '',
    ];
    writeFileSync(join(dir, 'concepts', 'bomb.md'), bomb.join('\n'));
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const defused = await ada.get('/wiki/concepts/bomb');
    assert.equal(defused.status, 200);
    assert.match(mainOf(defused.body), /<h1 class="article-title">Defused<\/h1>/);
  });

  it('caps a huge page', async () => {
    const line = 'All work and no play makes a very long page. '.repeat(20) + '\n\n';
    writeFileSync(
      join(dir, 'concepts', 'huge.md'),
      '---\ntitle: Huge\n---\n' + line.repeat(3_000) + 'THE-END-OF-IT\n',
    );
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const res = await ada.get('/wiki/concepts/huge');
    assert.equal(res.status, 200);
    assert.match(res.body, /This page is very long; only its beginning is shown\./);
    assert.doesNotMatch(res.body, /THE-END-OF-IT/);
    assert.ok(res.body.length < 1.5 * 1024 * 1024, `${res.body.length} bytes`);
  });

  it('shows how to build a wiki when there is none', async () => {
    const empty = await startWebApp({ wikiDir: join(outside, 'no-wiki-here') });
    try {
      const bob = await empty.login('bob', 'correct horse battery');
      const res = await bob.get('/wiki');
      assert.equal(res.status, 200);
      assert.match(mainOf(res.body), /There is no wiki yet\..*<code>gleaner wiki build<\/code>/);
      // The administrator (the first user) is told where the folder is; nobody else is.
      assert.match(mainOf(res.body), /The wiki is read from .*no-wiki-here/);
      const carol = await empty.login('carol', 'correct horse battery');
      const other = mainOf((await carol.get('/wiki')).body);
      assert.match(other, /<code>gleaner wiki build<\/code>/);
      assert.doesNotMatch(other, /no-wiki-here/);
      assert.equal((await bob.get('/wiki/concepts/trie-data-structure')).status, 404);
      assert.match(mainOf((await bob.get('/wiki/search?q=trie')).body), /No wiki page matches\./);
      const zh = await bob.get('/wiki', { 'accept-language': 'zh-CN' });
      assert.equal(zh.status, 200);
    } finally {
      await empty.close();
    }
  });
});
