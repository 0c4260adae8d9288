// The gleaner command end to end: the compiled CLI (what `npm install` builds) against feeds served
// on 127.0.0.1, with a temporary database. Loopback is allowed explicitly, as an operator would.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import type { ServerResponse } from 'node:http';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BIN, run, runReadingFirstChunk, runWithInput } from './cli.js';
import Database from 'better-sqlite3';
import { eastAsianWidth } from 'get-east-asian-width';
import { startTestServer, type TestServer } from '../src/testing/testserver.js';
import { MIGRATIONS, SQLITE } from '../src/store/migrations.js';

function rss(title: string, n: number, prefix = 'item'): string {
  let items = '';
  for (let i = 0; i < n; i++) {
    items +=
      `<item><title>${prefix} ${i}</title><link>https://site.example/${prefix}/${i}</link>` +
      `<guid isPermaLink="false">${prefix}-${i}</guid><pubDate>Mon, 23 Nov 2026 ${String(i % 24).padStart(2, '0')}:00:00 GMT</pubDate>` +
      `<description>&lt;p&gt;Body ${i}&lt;/p&gt;</description></item>`;
  }
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>${title}</title><link>https://site.example/</link>${items}</channel></rss>`;
}

describe('gleaner CLI', () => {
  let server: TestServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  const gleaner = (...args: string[]) => run(env, ...args);

  /**
   * `count` feeds served at /NAME/I.xml, each answering its nth fetch with `render(i, n)` after
   * `delayMs`, imported into a database of their own: its path, its environment, and how many
   * fetches the feeds have had.
   */
  async function importedFeeds(
    name: string,
    count: number,
    render: (i: number, fetch: number) => string,
    delayMs = 0,
  ): Promise<{ db: string; env: NodeJS.ProcessEnv; fetches: () => number }> {
    const db = join(dir, `${name}.db`);
    const feedEnv = { ...env, GLEANER_DB: db };
    let fetches = 0;
    const perFeed = new Map<number, number>();
    for (let i = 0; i < count; i++) {
      server.route(`/${name}/${i}.xml`, (_q, res) => {
        fetches++;
        const n = (perFeed.get(i) ?? 0) + 1;
        perFeed.set(i, n);
        const send = (): void =>
          void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(render(i, n));
        if (delayMs > 0) setTimeout(send, delayMs);
        else send();
      });
    }
    const opml = join(dir, `${name}.opml`);
    const outlines = Array.from(
      { length: count },
      (_, i) => `<outline text="${name}${i}" xmlUrl="${server.url(`/${name}/${i}.xml`)}"/>`,
    );
    writeFileSync(opml, `<opml version="2.0"><body>${outlines.join('')}</body></opml>`);
    assert.equal((await run(feedEnv, 'import', opml)).code, 0);
    return { db, env: feedEnv, fetches: () => fetches };
  }

  /** How many entries the database at `db` holds, read beside whatever process writes it. */
  function entriesIn(db: string): number {
    const conn = new Database(db, { readonly: true });
    try {
      return (conn.prepare('SELECT COUNT(*) AS n FROM entries').get() as { n: number }).n;
    } finally {
      conn.close();
    }
  }

  before(async () => {
    server = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), 'gleaner-cli-'));
    env = {
      ...process.env,
      GLEANER_DB: join(dir, 'cli.db'),
      GLEANER_ALLOW_PRIVATE_NETWORKS: '1',
      GLEANER_LOG_LEVEL: 'error',
    };
    server.route('/feed.xml', (_q, res) =>
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss('Loop Feed', 5)),
    );
    server.route('/other.xml', (_q, res) =>
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss('Other Feed', 3, 'o')),
    );
    server.route('/', (_q, res) =>
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(
          `<html><head><title>Site</title><link rel="alternate" type="application/rss+xml" title="Loop" href="/feed.xml">` +
            `<link rel="icon" href="/favicon.png"></head><body>hi</body></html>`,
        ),
    );
    server.route('/two', (_q, res) =>
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(
          `<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml">` +
            `<link rel="alternate" type="application/atom+xml" href="/other.xml"></head></html>`,
        ),
    );
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses loopback unless the operator allows it', async () => {
    const r = await run(
      { ...env, GLEANER_ALLOW_PRIVATE_NETWORKS: '' },
      'add',
      server.url('/feed.xml'),
      '--db',
      join(dir, 'strict.db'),
    );
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /loopback address.*GLEANER_ALLOW_PRIVATE_NETWORKS/);
  });

  it('adds a feed discovered from a site page, fetches it (once) and lists it', async () => {
    const before = server.requests.length;
    const add = await gleaner('add', server.url('/'), '--folder', 'Tech');
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /found .*\/feed\.xml/);
    assert.match(add.stdout, /subscribed to Loop Feed \(5 entries\)/);
    // The document that showed it is a feed is the one stored: the feed is not asked for again.
    assert.equal(server.requests.slice(before).filter((r) => r.path === '/feed.xml').length, 1);
    const feeds = await gleaner('feeds', '--json');
    const list = JSON.parse(feeds.stdout) as {
      title: string;
      folder: string;
      unread: number;
      errorCount: number;
    }[];
    assert.deepEqual(
      list.map((f) => [f.title, f.folder, f.unread, f.errorCount]),
      [['Loop Feed', 'Tech', 5, 0]],
    );

    // Added again without a folder: the one subscription stays where it is.
    const again = await gleaner('add', server.url('/feed.xml'));
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already subscribed to Loop Feed \(5 entries\)/);
    const after = JSON.parse((await gleaner('feeds', '--json')).stdout) as { folder: string }[];
    assert.deepEqual(
      after.map((f) => f.folder),
      ['Tech'],
    );
    // Added again into another folder: moved there, and told so.
    const moved = await gleaner('add', server.url('/feed.xml'), '--folder', 'News');
    assert.equal(moved.code, 0, moved.stderr);
    assert.match(moved.stdout, /already subscribed to Loop Feed \(5 entries\); now in folder News\n/);
    const movedList = JSON.parse((await gleaner('feeds', '--json')).stdout) as { folder: string }[];
    assert.deepEqual(
      movedList.map((f) => f.folder),
      ['News'],
    );
    assert.equal((await gleaner('add', server.url('/feed.xml'), '--folder', 'Tech')).code, 0);
    const other = await gleaner('add', server.url('/feed.xml'), '--full-article');
    assert.equal(other.code, 1);
    assert.match(
      other.stderr,
      /already follow .*feed\.xml with other fetch options; change them .*\(or with gleaner edit\)/,
    );
  });

  it('edits a subscription: title, folder, and a cookie that expired', async () => {
    let cookie = 'session=1';
    server.route('/members.xml', (req, res) => {
      if (req.headers.cookie !== cookie) res.writeHead(401).end('no');
      else res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss('Members', 2, 'm'));
    });
    const url = server.url('/members.xml');
    assert.equal((await gleaner('add', url, '--cookie', 'session=1')).code, 0);
    cookie = 'session=2';
    const refused = await gleaner('refresh', url);
    assert.equal(refused.code, 1, 'the old cookie is refused');
    assert.match(
      refused.stderr + refused.stdout,
      /1 failed; 0 new entries, 0 updated \(gleaner feeds --failing says why\)/,
    );
    interface Listed {
      id: number;
      url: string;
      title: string;
      folder: string | null;
      lastError: string | null;
      blockRules: string | null;
      keepRules: string | null;
    }
    const feed = async (): Promise<Listed> =>
      (JSON.parse((await gleaner('feeds', '--json')).stdout) as Listed[]).find((f) => f.url === url) ??
      assert.fail('the feed is listed');
    assert.match((await feed()).lastError ?? '', /401/);
    // The failing feed alone, and the count of failing feeds under every listing.
    const failing = (await gleaner('feeds', '--failing')).stdout;
    assert.match(failing, /members\.xml[\s\S]*FAILING ×1 \(last fetched [^)]+\): .*401/);
    assert.doesNotMatch(failing, /feed\.xml/, 'the feeds that work are left out');
    assert.match(failing, /\n\d+ feeds: 1 failing, 0 paused\n$/);
    assert.match(
      (await gleaner('feeds')).stdout,
      /: 1 failing, 0 paused \(gleaner feeds --failing lists the failing ones\)\n$/,
    );

    const renewed = await gleaner(
      'edit',
      url,
      '--cookie',
      'session=2',
      '--title',
      'Club',
      '--folder',
      'Clubs',
    );
    assert.equal(renewed.code, 0, renewed.stderr);
    assert.match(renewed.stdout, /changed Club; fetched with the new options \(2 entries\)/);
    const after = await feed();
    assert.deepEqual([after.title, after.folder, after.lastError], ['Club', 'Clubs', null]);
    const listed = (await gleaner('feeds')).stdout;
    assert.match(listed, /members\.xml {2}\(with a cookie\)/);
    assert.doesNotMatch(listed, /session=2/, 'the cookie itself is not shown');

    const out = await gleaner('edit', String(after.id), '--no-folder');
    assert.match(out.stdout, /changed Club/);
    assert.equal((await feed()).folder, null);
    assert.match((await gleaner('edit', url)).stdout, /nothing to change/);
    assert.match((await gleaner('edit', url, '--pause')).stdout, /changed Club \(paused\)/);
    assert.match((await gleaner('feeds')).stdout, /PAUSED · ok/);
    assert.equal((await gleaner('edit', url, '--pause', '--resume')).code, 1);
    assert.match((await gleaner('edit', url, '--resume')).stdout, /\(resumed\)/);
    const ruled = await gleaner('edit', url, '--block-rules', '(?i)sponsored', '--keep-rules', 'item');
    assert.equal(ruled.code, 0, ruled.stderr);
    assert.match(ruled.stdout, /changed Club/);
    assert.match(
      (await gleaner('feeds')).stdout,
      /new entries: blocking \/\(\?i\)sponsored\/, keeping \/item\//,
    );
    const listedRules = await feed();
    assert.deepEqual([listedRules.blockRules, listedRules.keepRules], ['(?i)sponsored', 'item']);
    const badRule = await gleaner('edit', url, '--block-rules', '(?<=x)y');
    assert.equal(badRule.code, 1);
    assert.match(
      badRule.stderr,
      /the block rule \(--block-rules\) is not a pattern Gleaner can run: rules may not use backreferences, lookaround/,
    );
    assert.equal((await gleaner('edit', url, '--block-rules', '', '--keep-rules', '')).code, 0);
    assert.doesNotMatch((await gleaner('feeds')).stdout, /new entries:/);
    const hostile = await gleaner('edit', url, '--cookie', 'a=1\r\nX-Injected: 1');
    assert.equal(hostile.code, 1);
    assert.match(hostile.stderr, /cookie cannot hold line breaks/);
    assert.match(
      (await gleaner('edit', server.url('/nope.xml'), '--title', 'x')).stderr,
      /you are not subscribed to/,
    );

    // The feed moved without a redirect: followed at its new URL, the same feed, its entries kept.
    server.route('/members-moved.xml', (req, res) => {
      if (req.headers.cookie !== cookie) res.writeHead(401).end('no');
      else res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss('Members', 3, 'm'));
    });
    const movedUrl = server.url('/members-moved.xml');
    const lost = await gleaner('edit', url, '--url', server.url('/gone.xml'), '--title', 'Lost');
    assert.equal(lost.code, 1);
    assert.match(lost.stderr, /gone\.xml returned 404/);
    assert.deepEqual([(await feed()).url, (await feed()).title], [url, 'Club'], 'nothing changed');
    const moved = await gleaner('edit', url, '--url', movedUrl);
    assert.equal(moved.code, 0, moved.stderr);
    assert.ok(moved.stdout.includes(`changed Club; fetched at ${movedUrl} (3 entries)`), moved.stdout);
    const listedMoved = JSON.parse((await gleaner('feeds', '--json')).stdout) as Listed[];
    assert.deepEqual(
      listedMoved.filter((f) => f.url.includes('members')).map((f) => [f.id, f.url, f.title]),
      [[after.id, movedUrl, 'Club']],
    );
    assert.equal((await gleaner('remove', movedUrl)).code, 0);
  });

  it('takes titles and folders on one line, trimmed, a blank title as the feed’s own', async () => {
    const own = { ...env, GLEANER_DB: join(dir, 'names.db') };
    const url = server.url('/other.xml');
    const listed = async (): Promise<(string | null)[][]> =>
      (JSON.parse((await run(own, 'feeds', '--json')).stdout) as { title: string; folder: string }[]).map(
        (f) => [f.title, f.folder],
      );
    const added = await run(own, 'add', url, '--no-refresh', '--title', '   ', '--folder', '  Tech  ');
    assert.equal(added.code, 0, added.stderr);
    assert.deepEqual(await listed(), [[null, 'Tech']]);
    const edited = await run(own, 'edit', url, '--title', ' Mine\n', '--folder', 'Tech\n');
    assert.equal(edited.code, 0, edited.stderr);
    assert.deepEqual(await listed(), [['Mine', 'Tech']]);
    const blank = await run(own, 'edit', url, '--title', ' ', '--folder', '');
    assert.equal(blank.code, 0, blank.stderr);
    assert.deepEqual(await listed(), [[null, null]]);
  });

  it('fetches full articles where an article selector says, and refuses one it cannot use', async () => {
    server.route('/story', (_q, res) =>
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(
          '<html><body><article><p>What Readability keeps.</p></article><div class="notes"><p>Selected notes.</p></div></body></html>',
        ),
    );
    server.route('/selected.xml', (_q, res) =>
      res
        .writeHead(200, { 'content-type': 'application/rss+xml' })
        .end(
          `<rss version="2.0"><channel><title>Selected</title><item><title>Story</title><guid>s1</guid>` +
            `<link>${server.url('/story')}</link><description>A teaser.</description></item></channel></rss>`,
        ),
    );
    const url = server.url('/selected.xml');
    const refused = await gleaner('add', url, '--full-article', '--article-selector', 'div:contains(notes)');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /the article selector may not use :contains\(\)/);
    const added = await gleaner('add', url, '--full-article', '--article-selector', '.notes');
    assert.equal(added.code, 0, added.stderr);
    assert.match(
      (await gleaner('feeds')).stdout,
      /selected\.xml {2}\(with full articles, article selector "\.notes"\)/,
    );
    assert.equal(
      server.requests.filter((r) => r.path === '/story').length,
      1,
      'the article fetched (what it keeps: refresh.test.ts)',
    );
    const bad = await gleaner('edit', url, '--article-selector', 'p[');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /the article selector is not a valid CSS selector/);
    const cleared = await gleaner('edit', url, '--article-selector', '');
    assert.equal(cleared.code, 0, cleared.stderr);
    assert.match((await gleaner('feeds')).stdout, /selected\.xml {2}\(with full articles\)\n/);
    const both = await gleaner('edit', url, '--ignore-http-cache', '--use-http-cache');
    assert.match(both.stderr, /give --ignore-http-cache or --use-http-cache, not both/);
    assert.equal((await gleaner('edit', url, '--ignore-http-cache')).code, 0);
    assert.match(
      (await gleaner('feeds')).stdout,
      /selected\.xml {2}\(with full articles, no HTTP caching\)\n/,
    );
    assert.equal((await gleaner('remove', url)).code, 0);
  });

  it('reads a web page without a feed as one, from the selectors given', async () => {
    server.route('/advisories', (_q, res) =>
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(
          '<html><head><title>Advisories</title></head><body><table>' +
            '<tr><td><a href="/vsa/2">Heap overflow</a></td><td>2026-11-20</td></tr>' +
            '<tr><td><a href="/vsa/1">Auth bypass</a></td><td>2026-11-02</td></tr></table></body></html>',
        ),
    );
    const url = server.url('/advisories');
    const partial = await gleaner('add', url, '--scrape-title', 'td a');
    assert.match(partial.stderr, /--scrape-items says where the entries are on the page/);
    const costly = await gleaner('add', url, '--scrape-items', 'tr:has(a)');
    assert.match(costly.stderr, /the item selector may not use :has\(\)/);
    const missing = await gleaner('add', url, '--scrape-items', 'li.advisory');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /the item selector "li\.advisory" finds nothing on http/);

    // Selectors tried on a saved copy of the page first.
    const saved = join(dir, 'advisories.html');
    writeFileSync(saved, await (await fetch(url)).text());
    const tried = await gleaner(
      'parse',
      saved,
      '--base',
      url,
      '--scrape-items',
      'tr',
      '--scrape-date',
      'td:last-child',
    );
    assert.equal(tried.code, 0, tried.stderr);
    const result = (
      JSON.parse(tried.stdout) as {
        result: { format: string; items: { title: string; link: string; published: string }[] };
      }
    ).result;
    assert.equal(result.format, 'html');
    assert.deepEqual(
      result.items.map((i) => [i.title, i.link, i.published]),
      [
        ['Heap overflow', server.url('/vsa/2'), '2026-11-20T00:00:00Z'],
        ['Auth bypass', server.url('/vsa/1'), '2026-11-02T00:00:00Z'],
      ],
    );
    const added = await gleaner('add', url, '--scrape-items', 'tr', '--scrape-date', 'td:last-child');
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /subscribed to Advisories \(2 entries\)/);
    assert.match(
      (await gleaner('feeds')).stdout,
      /advisories {2}\(with entries read off the page: items "tr", date "td:last-child"\)/,
    );
    const edited = await gleaner('edit', url, '--scrape-title', 'td:first-child');
    assert.equal(edited.code, 0, edited.stderr);
    assert.match((await gleaner('feeds')).stdout, /items "tr", title "td:first-child", date "td:last-child"/);
    const asFeed = await gleaner('edit', url, '--scrape-items', '');
    assert.equal(asFeed.code, 1, 'a page is no feed');
    assert.match(asFeed.stdout, /fetching it with the new options failed: .*is not a feed/);
    assert.equal((await gleaner('remove', url)).code, 0);
  });

  it('takes out of entries what a remove selector matches, and refuses one it cannot use', async () => {
    const shared = '&lt;p&gt;The post.&lt;/p&gt;&lt;div class="share"&gt;Share it&lt;/div&gt;';
    server.route('/removing.xml', (_q, res) =>
      res
        .writeHead(200, { 'content-type': 'application/rss+xml' })
        .end(
          `<rss version="2.0"><channel><title>Removing</title><item><title>Post</title><guid>p1</guid>` +
            `<description>${shared}</description></item></channel></rss>`,
        ),
    );
    const url = server.url('/removing.xml');
    const refused = await gleaner('add', url, '--remove-selector', 'div:has(p)');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /the remove selector may not use :has\(\)/);
    const added = await gleaner('add', url, '--remove-selector', '.share');
    assert.equal(added.code, 0, added.stderr);
    assert.match((await gleaner('feeds')).stdout, /removing\.xml {2}\(with remove selector "\.share"\)/);
    const conn = new Database(env.GLEANER_DB, { readonly: true });
    try {
      const bodies = conn
        .prepare(
          `SELECT b.content_html FROM entry_bodies b JOIN entries e ON e.id = b.entry_id WHERE e.guid = 'p1'`,
        )
        .pluck()
        .all();
      assert.deepEqual(bodies, ['<p>The post.</p>']);
    } finally {
      conn.close();
    }
    const bad = await gleaner('edit', url, '--remove-selector', 'p[');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /the remove selector is not a valid CSS selector/);
    assert.equal((await gleaner('edit', url, '--remove-selector', '')).code, 0);
    assert.match((await gleaner('feeds')).stdout, /removing\.xml\n/);
    // Miniflux's other rewrite rules, those Gleaner runs.
    const unknown = await gleaner('edit', url, '--rewrite-rules', 'add_mailto_subject');
    assert.equal(unknown.code, 1);
    assert.match(
      unknown.stderr,
      /--rewrite-rules: Gleaner does not run the rewrite rule "add_mailto_subject"/,
    );
    const rewriting = await gleaner('edit', url, '--rewrite-rules', 'replace("The (post)"|"A $1") ,nl2br');
    assert.equal(rewriting.code, 0, rewriting.stderr);
    assert.match(
      (await gleaner('feeds')).stdout,
      /removing\.xml {2}\(with rewrite rules replace\("The \(post\)"\|"A \$1"\), nl2br\)/,
    );
    assert.equal((await gleaner('remove', url)).code, 0);
  });

  it('fetches a feed through the feed proxy when asked, and never another way', async () => {
    server.route('/proxied.xml', (_q, res) =>
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss('Proxied', 2, 'px')),
    );
    const url = server.url('/proxied.xml');
    const fetches = () => server.requests.filter((r) => r.path === '/proxied.xml').length;
    const refused = await gleaner('add', url, '--via-proxy');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /is to be fetched through a proxy .*GLEANER_FEED_PROXY is not set/);
    assert.equal(fetches(), 0, 'not fetched another way');
    assert.equal((await gleaner('add', url)).code, 0);
    const proxied = await gleaner('edit', url, '--via-proxy');
    assert.equal(proxied.code, 1);
    assert.match(
      proxied.stdout,
      /but fetching it with the new options failed: .*GLEANER_FEED_PROXY is not set/,
    );
    assert.equal(fetches(), 1, 'only the direct fetch of add');
    assert.match((await gleaner('feeds')).stdout, /proxied\.xml {2}\(with the feed proxy\)\n.*FAILING ×1/);
    assert.match((await gleaner('edit', url, '--via-proxy', '--direct')).stderr, /not both/);
    const direct = await gleaner('edit', url, '--direct');
    assert.equal(direct.code, 0, direct.stderr);
    assert.equal(fetches(), 2);
    assert.equal((await gleaner('remove', url)).code, 0);
  });

  it('checks a feed at most as often as asked, and says so', async () => {
    server.route('/paced.xml', (_q, res) =>
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss('Paced', 2, 'pc')),
    );
    const url = server.url('/paced.xml');
    assert.equal((await gleaner('add', url, '--no-refresh', '--check-every', '90')).code, 0);
    assert.match((await gleaner('feeds')).stdout, /\(at most every 90 min\)/);
    const bad = await gleaner('edit', url, '--check-every', '3 weeks');
    assert.equal(bad.code, 1);
    assert.match(
      bad.stderr,
      /--check-every "3 weeks": how often to check a feed is a whole number of minutes/,
    );
    const set = await gleaner('edit', url, '--check-every', '6h');
    assert.equal(set.code, 0, set.stderr);
    assert.match((await gleaner('feeds')).stdout, /next [^\n]* \(at most every 6 h\) · not fetched yet/);
    const listed = JSON.parse((await gleaner('feeds', '--json')).stdout) as {
      url: string;
      minCheckMinutes: number;
    }[];
    assert.equal(listed.find((f) => f.url === url)?.minCheckMinutes, 360);
    assert.equal((await gleaner('edit', url, '--check-every', 'default')).code, 0);
    assert.doesNotMatch((await gleaner('feeds')).stdout, /at most every/);
    assert.equal((await gleaner('remove', url)).code, 0);
  });

  it('lists a feed paused by its only follower without a next check, and with one when others follow it', async () => {
    const own = { ...env, GLEANER_DB: join(dir, 'paused.db') };
    const url = server.url('/other.xml');
    assert.equal((await run(own, 'add', url, '--no-refresh', '--check-every', '90')).code, 0);
    assert.equal((await run(own, 'edit', url, '--pause')).code, 0);
    const alone = (await run(own, 'feeds')).stdout;
    assert.match(alone, /· checked never \(at most every 90 min\) · PAUSED · not fetched yet\n/);
    assert.doesNotMatch(alone, /next|others/);
    const json = JSON.parse((await run(own, 'feeds', '--json')).stdout) as { nextCheckAt: number | null }[];
    assert.deepEqual(
      json.map((f) => f.nextCheckAt),
      [null],
    );
    // Another user follows it, unpaused and at the feed's own pace: it is checked, for them.
    assert.equal((await runWithInput(own, 'a long password\n', 'user', 'add', 'bob')).code, 0);
    assert.equal((await run(own, 'add', url, '--no-refresh', '--user', 'bob')).code, 0);
    assert.match(
      (await run(own, 'feeds', '--user', 'admin')).stdout,
      /· next [^(·]+ \(at most every 90 min, more often for others who follow it\) · PAUSED/,
    );
  });

  it('subscribes with rules that apply from the first fetch', async () => {
    server.route('/ruled.xml', (_q, res) =>
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss('Ruled', 4, 'r')),
    );
    const url = server.url('/ruled.xml');
    const bad = await gleaner('add', url, '--keep-rules', '(a)\\1');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /the keep rule \(--keep-rules\) is not a pattern Gleaner can run/);
    const added = await gleaner('add', url, '--block-rules', 'r [13]$');
    assert.equal(added.code, 0, added.stderr);
    const listed = (
      JSON.parse((await gleaner('feeds', '--json')).stdout) as {
        url: string;
        unread: number;
        blockRules: string | null;
      }[]
    ).find((f) => f.url === url);
    assert.deepEqual([listed?.unread, listed?.blockRules], [2, 'r [13]$']);
    assert.equal((await gleaner('remove', url)).code, 0);
  });

  it('lists the feeds of a page that offers several instead of guessing', async () => {
    const r = await gleaner('add', server.url('/two'));
    assert.equal(r.code, 2);
    assert.match(r.stdout, /offers 2 feeds/);
    assert.match(r.stdout, /other\.xml/);
  });

  it('exports OPML and imports it into another database with folders kept', async () => {
    const out = join(dir, 'subs.opml');
    assert.equal((await gleaner('add', server.url('/other.xml'), '--no-refresh')).code, 0);
    assert.equal((await gleaner('export', '--output', out)).code, 0);
    const opml = readFileSync(out, 'utf8');
    assert.match(opml, /<outline text="Tech"/);
    const other = { ...env, GLEANER_DB: join(dir, 'imported.db') };
    const imp = await run(other, 'import', out);
    assert.equal(imp.code, 0, imp.stderr);
    assert.match(imp.stderr + imp.stdout, /imported 2 feeds: 2 new in 1 folder, 0 already subscribed;/);
    const ref = await run(other, 'refresh');
    assert.equal(ref.code, 0, ref.stderr);
    assert.match(ref.stderr + ref.stdout, /refreshed 2 feeds: 2 changed.*8 new entries/);
  });

  it('imports a feed listed in two folders once, and says so', async () => {
    // As Feedly exports its "Must Read": a feed of another folder again.
    const opml = join(dir, 'must-read.opml');
    writeFileSync(
      opml,
      `<opml version="2.0"><body>
        <outline text="Tech"><outline text="A" xmlUrl="https://a.example/feed"/><outline text="B" xmlUrl="https://b.example/feed"/></outline>
        <outline text="Must Read"><outline text="A" xmlUrl="https://a.example/feed"/></outline>
      </body></opml>`,
    );
    const fresh = { ...env, GLEANER_DB: join(dir, 'must-read.db') };
    const imp = await run(fresh, 'import', opml);
    assert.equal(imp.code, 0, imp.stderr);
    assert.match(
      imp.stderr,
      /imported 2 feeds: 2 new in 1 folder, 0 already subscribed, 1 listed twice \(kept in the folder listed first\);/,
    );
    const listed = JSON.parse((await run(fresh, 'feeds', '--json')).stdout) as { folder: string }[];
    assert.deepEqual(
      listed.map((f) => f.folder),
      ['Tech', 'Tech'],
    );
  });

  it('imports each OPML file given, and removes each feed given', async () => {
    const own = { ...env, GLEANER_DB: join(dir, 'several.db') };
    const outline = (name: string): string =>
      `<outline text="${name}" xmlUrl="https://${name}.example/feed"/>`;
    const [first, second] = [join(dir, 'first.opml'), join(dir, 'second.opml')];
    writeFileSync(first, `<opml version="2.0"><body>${outline('a')}${outline('b')}</body></opml>`);
    writeFileSync(second, `<opml version="2.0"><body>${outline('c')}${outline('a')}</body></opml>`);
    const imp = await run(own, 'import', first, second);
    assert.equal(imp.code, 0, imp.stderr);
    assert.match(imp.stderr, /first\.opml: imported 2 feeds: 2 new, 0 already subscribed\n/);
    assert.match(
      imp.stderr,
      /second\.opml: imported 2 feeds: 1 new, 1 already subscribed; run gleaner refresh/,
    );
    const listed = async (): Promise<{ id: number; url: string }[]> =>
      JSON.parse((await run(own, 'feeds', '--json')).stdout) as { id: number; url: string }[];
    const [a, b, c] = (await listed()).sort((x, y) => x.url.localeCompare(y.url));
    assert.ok(a && b && c);
    // One it does not know: none removed.
    const unknown = await run(own, 'remove', String(a.id), 'https://nowhere.example/feed');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /you are not subscribed to https:\/\/nowhere\.example\/feed/);
    assert.equal((await listed()).length, 3);
    const removed = await run(own, 'remove', String(a.id), c.url, 'a.example/feed');
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(removed.stdout, 'unsubscribed from a\nunsubscribed from c\n');
    assert.deepEqual(
      (await listed()).map((f) => f.url),
      [b.url],
    );
  });

  it('keeps credentials written into a feed’s URL out of its listing and the OPML export', async () => {
    const basic = `Basic ${Buffer.from('member:pw-secret').toString('base64')}`;
    server.route('/private.xml', (req, res) =>
      req.headers.authorization === basic
        ? res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss('Private Feed', 2, 'p'))
        : res.writeHead(401).end('no'),
    );
    const own = { ...env, GLEANER_DB: join(dir, 'credentials.db') };
    const added = await run(
      own,
      'add',
      server.url('/private.xml').replace('://', '://member:pw-secret@'),
      '--cookie',
      'sid=cookie-secret',
      '--remove-selector',
      '.share',
    );
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /subscribed to Private Feed \(2 entries\)/, 'fetched with them');
    const out = join(dir, 'credentials.opml');
    assert.equal((await run(own, 'export', '--output', out)).code, 0);
    assert.match(
      readFileSync(out, 'utf8'),
      / frss:cssContentFilter="\.share"\/>/,
      'the rest of its options, as FreshRSS writes them',
    );
    const shown = [
      (await run(own, 'feeds')).stdout,
      (await run(own, 'feeds', '--json')).stdout,
      readFileSync(out, 'utf8'),
    ].join('\n');
    assert.match(shown, new RegExp(server.url('/private.xml').replace(/[.?]/g, '\\$&')));
    assert.doesNotMatch(shown, /pw-secret|member|cookie-secret/);
  });

  it('takes an empty user agent, username and password for none, as gleaner edit does', async () => {
    const sent: { agent?: string; authorization?: string }[] = [];
    server.route('/as-is.xml', (req, res) => {
      sent.push({ agent: req.headers['user-agent'], authorization: req.headers.authorization });
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss('As Is', 1, 'a'));
    });
    const own = { ...env, GLEANER_DB: join(dir, 'empty-options.db'), GLEANER_USER_AGENT: 'Gleaner-e2e' };
    const url = server.url('/as-is.xml');
    const added = await run(own, 'add', url, '--user-agent', '', '--username', '', '--password', '');
    assert.equal(added.code, 0, added.stderr);
    assert.deepEqual(sent, [{ agent: 'Gleaner-e2e', authorization: undefined }]);
    const conn = new Database(own.GLEANER_DB, { readonly: true });
    try {
      const options = conn.prepare('SELECT user_agent, username, password FROM feeds WHERE url = ?').all(url);
      assert.deepEqual(options, [{ user_agent: null, username: null, password: null }]);
    } finally {
      conn.close();
    }
  });

  it('refreshes the feeds it is given, and only those', async () => {
    type Listed = { url: string; lastCheckedAt: number | null };
    const listed = async (): Promise<Listed[]> =>
      JSON.parse((await gleaner('feeds', '--json')).stdout) as Listed[];
    const checked = (list: Listed[], path: string): number | null =>
      list.find((f) => f.url === server.url(path))?.lastCheckedAt ?? null;
    const before = await listed();
    assert.equal(checked(before, '/other.xml'), null, 'added with --no-refresh');
    const r = await gleaner('refresh', server.url('/other.xml'));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr + r.stdout, /refreshed 1 feed: 1 changed.*3 new entries/);
    // Answered 200 again (no ETag or date to compare) with what is stored: nothing changed.
    const again = await gleaner('refresh', server.url('/other.xml'));
    assert.match(
      again.stderr + again.stdout,
      /refreshed 1 feed: 0 changed, 1 unchanged, 0 failed; 0 new entries/,
    );
    const after = await listed();
    assert.notEqual(checked(after, '/other.xml'), null);
    assert.equal(checked(after, '/feed.xml'), checked(before, '/feed.xml'), 'the other feed is not fetched');

    const unknown = await gleaner('refresh', '999999');
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /not subscribed to 999999; see gleaner feeds/);
    const both = await gleaner('refresh', '--watch', server.url('/other.xml'));
    assert.notEqual(both.code, 0);
    assert.match(both.stderr, /give feeds, or --watch or --due, not both/);
  });

  it('removes a subscription', async () => {
    // Given as a person may type it: the stored URL is found all the same.
    const r = await gleaner('remove', server.url('/other.xml').replace(/^http:/, 'HTTP:'));
    assert.equal(r.code, 0, r.stderr);
    const list = JSON.parse((await gleaner('feeds', '--json')).stdout) as unknown[];
    assert.equal(list.length, 1);
    assert.notEqual((await gleaner('remove', server.url('/other.xml'))).code, 0);
  });

  it('stops quietly, as SIGPIPE stops other Unix tools, when what reads its output stops reading', async () => {
    // Each some MB, far more than a pipe holds (64 KiB): the command writes on after the reader left.
    const file = join(dir, 'long.xml');
    const items = Array.from(
      { length: 50 },
      (_, i) =>
        `<item><title>Item ${i}</title><guid>${i}</guid><description>${'x'.repeat(200)}</description></item>`,
    );
    writeFileSync(file, `<rss version="2.0"><channel><title>T</title>${items.join('')}</channel></rss>`);
    const opml = join(dir, 'long.opml');
    const outlines = Array.from(
      { length: 5000 },
      (_, i) => `<outline text="${'t'.repeat(500)}" xmlUrl="https://site.example/${i}.xml"/>`,
    );
    writeFileSync(opml, `<opml version="2.0"><body>${outlines.join('')}</body></opml>`);
    const manyEnv = { ...env, GLEANER_DB: join(dir, 'piped.db') };
    assert.equal((await run(manyEnv, 'import', opml)).code, 0);
    for (const [runEnv, args] of [
      [env, ['parse', ...Array.from({ length: 100 }, () => file)]],
      [manyEnv, ['export']],
    ] as const) {
      const r = await runReadingFirstChunk(runEnv, ...args);
      assert.ok(r.stdout.length > 0, 'the reader had the start of it');
      assert.equal(r.stderr, '', `${args[0]}: nothing said`);
      assert.equal(r.code, 141, args[0]);
    }
  });

  it('parses a file and shows the sanitized content with --content', async () => {
    const file = join(dir, 'hostile.xml');
    writeFileSync(
      file,
      '<rss version="2.0"><channel><title>T</title><item><title>X</title><link>https://site.example/x</link>' +
        '<description>&lt;p onclick="x()"&gt;Hi &lt;img src="/a.png"&gt;&lt;/p&gt;&lt;script&gt;bad()&lt;/script&gt;</description></item></channel></rss>',
    );
    const r = await gleaner('parse', file, '--content');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { result: { items: { content_html: string }[] } };
    assert.equal(
      out.result.items[0]?.content_html,
      '<p>Hi <img src="https://site.example/a.png" loading="lazy" /></p>',
    );
  });

  it('answers bad input with a clear error', async () => {
    assert.match((await gleaner('add', 'not a url at all')).stderr, /not a URL/);
    assert.match((await gleaner('import', join(dir, 'missing.opml'))).stderr, /cannot read/);
    const notOpml = join(dir, 'bad.opml');
    writeFileSync(notOpml, '<html>nope</html>');
    assert.notEqual((await gleaner('import', notOpml)).code, 0);
    const unknown = await gleaner('frobnicate');
    assert.match(unknown.stderr, /unknown command/);
    assert.equal(unknown.code, 1);
    const twoUrls = await gleaner('add', server.url('/feed.xml'), server.url('/other.xml'));
    assert.match(twoUrls.stderr, /give one URL/);
    assert.equal(twoUrls.code, 1);
    assert.match((await gleaner('--help')).stdout, /Exit status: 0 done; 1 failed, or given wrongly/);
    // Options a command does not take, or without their value: said in a line, no stack trace, and
    // with the status of any other error, as a command's own refusals have (gleaner --help).
    for (const args of [
      ['feeds', '--bogus'],
      ['refresh', '--concurrency', '-3'],
      ['feeds', 'stray'],
      ['add', '--folder'],
      ['add', '-x'],
    ]) {
      const bad = await gleaner(...args);
      assert.equal(bad.code, 1, args.join(' '));
      assert.match(bad.stderr, new RegExp(`^gleaner ${args[0]}: .+\\nRun \`gleaner ${args[0]} --help\``));
      assert.doesNotMatch(bad.stderr, /\bat \w+ \(|node:internal/);
    }
    const notDatabase = await run({ ...env, GLEANER_DB: dir }, 'feeds');
    assert.equal(notDatabase.code, 1);
    assert.match(notDatabase.stderr, /^gleaner: cannot open the database .*set GLEANER_DB/);
    const unwritable = await gleaner('export', '--output', join(dir, 'no', 'such', 'dir', 'x.opml'));
    assert.equal(unwritable.code, 1);
    assert.match(unwritable.stderr, /^gleaner: cannot write .*x\.opml: ENOENT/);
    assert.doesNotMatch(unwritable.stderr, /node:internal|\bat \w+ \(/);
  });

  it('prints no terminal escape from a hostile feed', async () => {
    // ESC sequences that would clear the screen, recolour it and set the window's title, BEL and the C1 CSI.
    const hostile = 'Evil\u001b[2J\u001b]0;pwned\u0007 feed\u009b31m';
    server.route('/evil.xml', (_q, res) =>
      res
        .writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' })
        .end(rss(hostile, 2, `bad\u001b[5m`)),
    );
    const added = await gleaner('add', server.url('/evil.xml'));
    assert.equal(added.code, 0, added.stderr);
    const listed = await gleaner('feeds');
    assert.match(listed.stdout, /Evil \[2J \]0;pwned feed 31m/);
    // The feed turns into a document whose element names hold the escapes: the error quoting them
    // is kept as the feed's last error, which the listing prints.
    server.route('/evil.xml', (_q, res) =>
      res
        .writeHead(200, { 'content-type': 'application/xml' })
        .end(`<?xml version="1.0"?><ev\u001b]0;pwned\u0007il\u009b2J><x/>`),
    );
    const refreshed = await gleaner('refresh', server.url('/evil.xml'));
    assert.equal(refreshed.code, 1);
    const failing = await gleaner('feeds', '--failing');
    // Fetched once before: since when it fails shows.
    assert.match(
      failing.stdout,
      /FAILING ×1 \(last fetched (now|\d+ s ago)\): .*unclosed <ev ]0;pwned il 2j> element/,
    );
    const json = await gleaner('feeds', '--json');
    assert.match(
      (JSON.parse(json.stdout) as { lastError: string | null }[]).map((f) => f.lastError).join('\n'),
      /<ev ]0;pwned il 2j>/,
    );
    // A title of the user's own (a client app may send any) is listed without its escapes.
    assert.equal(
      (await gleaner('edit', server.url('/evil.xml'), '--title', 'Mine\u001b[2J\u009b1m')).code,
      0,
    );
    const renamed = await gleaner('feeds');
    assert.match(renamed.stdout, /\d+ {2}Mine \[2J 1m\n/);
    // A message quoting what was typed, and the parser's output of a file holding C1 controls.
    const typed = await gleaner('add', 'http://exa mple\u001b[2J.test/');
    assert.match(typed.stderr, /^gleaner: "http:\/\/exa mple \[2J\.test\/" is not a URL/);
    const file = join(dir, 'c1.xml');
    writeFileSync(file, rss('C1\u009b31m\u0085', 1));
    const parsed = await gleaner('parse', file);
    assert.equal(parsed.code, 0, parsed.stderr);
    for (const out of [added, listed, refreshed, failing, json, renamed, typed, parsed]) {
      // eslint-disable-next-line no-control-regex -- the test: no control character but the newline
      assert.doesNotMatch(out.stdout + out.stderr, /[\0-\x09\x0b-\x1f\x7f-\x9f]/);
    }
    assert.equal((await gleaner('remove', server.url('/evil.xml'))).code, 0);
  });

  it('lines up the recommended directory, Chinese names (two columns a character) included', async () => {
    const directory = await gleaner('recommended');
    const lines = [...directory.stdout.matchAll(/^( {2}.*) ([a-z]{2}) {2}https?:\/\/\S+$/gm)];
    assert.ok(
      lines.some((m) => /\p{Script=Han}/u.test(m[1] ?? '')),
      'some names are Chinese',
    );
    const widths = lines.map((m) =>
      [...(m[1] ?? '')].reduce((w, c) => w + eastAsianWidth(c.codePointAt(0) ?? 0), 0),
    );
    assert.ok(widths.length > 20);
    assert.deepEqual([...new Set(widths.filter((w) => w <= 42))], [42]);
  });

  it('filters the recommended directory in any case, and refuses what it does not have', async () => {
    const ai = await gleaner('recommended', '--topic', 'AI', '--language', 'EN');
    assert.equal(ai.code, 0, ai.stderr);
    assert.match(ai.stdout, /^ai \(\d+\)\n/);
    assert.doesNotMatch(ai.stdout, / zh {2}http/, 'English only');
    const unknown = await gleaner('recommended', '--topic', 'nope');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no topic "nope" in the directory; topics: ai, .*privacy/);
    assert.equal(unknown.stdout, '');
    const language = await gleaner('recommended', '--language', 'xx');
    assert.equal(language.code, 1);
    assert.match(language.stderr, /no language "xx" in the directory; languages: en, zh/);
    const blank = await gleaner('recommended', '--subscribe', '');
    assert.equal(blank.code, 1);
    assert.match(blank.stderr, /--subscribe wants the name or URL of a recommended feed/);
    assert.equal(blank.stdout, '');
  });

  it('fails a recommended topic of which no feed could be fetched, as gleaner add does', async () => {
    // A proxy that refuses every connection: each fetch fails at once, without leaving the machine.
    const refused = {
      ...env,
      GLEANER_DB: join(dir, 'recommended.db'),
      GLEANER_FETCH_PROXY: 'http://127.0.0.1:1',
    };
    const r = await run(refused, 'recommended', '--subscribe-topic', 'Privacy');
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /subscribed to .*, but fetching it failed: .*ECONNREFUSED/);
  });

  it('tells its version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const out = await gleaner('--version');
    assert.equal(out.code, 0);
    assert.equal(out.stdout.trim(), version);
  });

  it('refreshes the feeds a clock that ran ahead left waiting, with --due and without', async () => {
    const ahead = await importedFeeds('ahead', 3, (i) => rss(`Ahead ${i}`, 1, `a${i}`));
    assert.equal((await run(ahead.env, 'refresh')).code, 0);
    assert.equal(ahead.fetches(), 3);
    // As if checked while the clock said 2030: one feed due in 2030, one "checked" then.
    const conn = new Database(ahead.db);
    const in2030 = Date.UTC(2030, 0, 1);
    try {
      conn.prepare('UPDATE feeds SET next_check_at = ? WHERE url LIKE ?').run(in2030, '%/ahead/0.xml');
      conn
        .prepare('UPDATE feeds SET last_checked_at = ?, next_check_at = ? WHERE url LIKE ?')
        .run(in2030, in2030 + 3_600_000, '%/ahead/1.xml');
    } finally {
      conn.close();
    }
    const due = await run(ahead.env, 'refresh', '--due');
    assert.equal(due.code, 0, due.stderr);
    assert.equal(ahead.fetches(), 5, 'both fetched again, the third not due');
    const feeds = await run(ahead.env, 'feeds');
    assert.doesNotMatch(feeds.stdout, /next in \d+ (d|mo|y)/, feeds.stdout);
  });

  it('loses nothing and duplicates nothing when killed -9 in the middle of a refresh', async () => {
    const FEEDS = 40;
    const ITEMS = 25;
    // Slow enough that the kill lands mid-pass.
    const crash = await importedFeeds('crash', FEEDS, (i) => rss(`Crash ${i}`, ITEMS, `c${i}`), 20);
    const db = crash.db;
    const crashEnv = crash.env;

    const child = spawn(process.execPath, [BIN, 'refresh', '--concurrency', '2', '--per-host', '2'], {
      env: crashEnv,
      stdio: 'ignore',
    });
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (crash.fetches() >= FEEDS / 4) {
          clearInterval(poll);
          child.kill('SIGKILL');
          resolve();
        }
      }, 5);
    });
    await new Promise((resolve) => child.once('exit', resolve));
    // Items as the feeds wrote them (each its own guid), and the search index's rows: a row stored
    // twice, or an entry indexed twice or not at all, shows against the entries' count.
    const count = (): { entries: number; items: number; indexed: number } => {
      const conn = new Database(db, { readonly: true });
      try {
        const n = (sql: string): number => (conn.prepare(sql).get() as { n: number }).n;
        return {
          entries: entriesIn(db),
          items: n(`SELECT COUNT(DISTINCT feed_id || ' ' || guid) AS n FROM entries`),
          indexed: n('SELECT COUNT(*) AS n FROM entry_fts'),
        };
      } finally {
        conn.close();
      }
    };
    const afterKill = count();
    assert.ok(afterKill.entries < FEEDS * ITEMS, 'the kill landed before the pass finished');
    assert.equal(afterKill.entries % ITEMS, 0, 'each feed is stored whole or not at all');
    const rerun = await run(crashEnv, 'refresh');
    assert.equal(rerun.code, 0, rerun.stderr);
    const final = count();
    assert.equal(final.entries, FEEDS * ITEMS, 'everything is there after a restart');
    assert.equal(final.items, final.entries, 'and nothing twice');
    assert.equal(final.indexed, final.entries, 'each entry found by search once');
    await run(crashEnv, 'refresh');
    assert.equal(count().entries, FEEDS * ITEMS, 'a further refresh adds nothing');
  });

  it('stops at Ctrl-C once the feeds under way are stored, and says so', async () => {
    const FEEDS = 30;
    const ITEMS = 10;
    const stop = await importedFeeds('stop', FEEDS, (i) => rss(`Stop ${i}`, ITEMS, `s${i}`), 20);
    const stopEnv = stop.env;

    const child = spawn(process.execPath, [BIN, 'refresh', '--concurrency', '2', '--per-host', '2'], {
      env: stopEnv,
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (stop.fetches() >= 4) {
          clearInterval(poll);
          child.kill('SIGINT');
          resolve();
        }
      }, 5);
    });
    assert.equal(await exited, 130, output);
    const told = /interrupted: refreshed (\d+) feeds: /.exec(output);
    assert.ok(told, output);
    const refreshed = Number(told[1]);
    // Two were under way when it stopped: their fetches ended with it, and their feeds wait.
    assert.ok(refreshed >= 2 && refreshed < FEEDS, `${refreshed} feeds before stopping`);
    assert.equal(entriesIn(stop.db), refreshed * ITEMS, 'every feed it says it refreshed is stored, whole');
    const rest = await run(stopEnv, 'refresh');
    assert.equal(rest.code, 0, rest.stderr);
    assert.equal(entriesIn(stop.db), FEEDS * ITEMS, 'the next refresh does the rest');
  });

  it('says the database is busy, without a stack trace, when another process holds it too long', async () => {
    const busy = await importedFeeds('busy', 2, (i) => rss(`Busy ${i}`, 3, `b${i}`));
    // Another process's transaction, held past the time Gleaner waits for the write lock.
    const other = new Database(busy.db);
    other.exec('BEGIN IMMEDIATE');
    try {
      const refresh = await run(busy.env, 'refresh');
      assert.equal(refresh.code, 1, refresh.stderr);
      assert.match(
        refresh.stderr,
        /the database is busy: another process .* nothing already stored was lost/,
      );
      assert.doesNotMatch(refresh.stderr, /\bat \w+ \(|SqliteError/);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    assert.equal((await run(busy.env, 'refresh')).code, 0, 'and carries on once it is free');
    assert.equal(entriesIn(busy.db), 6);
  });

  it('stops at SIGTERM without waiting for a server that does not answer, and leaves its feed due', async () => {
    const ITEMS = 5;
    const hang = await importedFeeds('hang', 3, (i) => rss(`Hang ${i}`, ITEMS, `h${i}`));
    const held: ServerResponse[] = [];
    server.route('/hang/1.xml', (_q, res) => void held.push(res));
    const child = spawn(process.execPath, [BIN, 'refresh', '--concurrency', '3'], { env: hang.env });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      // Once the other two are stored and the third's server holds its request.
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if (held.length > 0 && entriesIn(hang.db) === 2 * ITEMS) {
            clearInterval(poll);
            child.kill('SIGTERM');
            resolve();
          }
        }, 5);
      });
      assert.equal(await exited, 143, output);
      assert.match(output, /interrupted: refreshed 2 feeds: /);
      const conn = new Database(hang.db, { readonly: true });
      try {
        const row = conn
          .prepare('SELECT error_count, last_error, last_checked_at FROM feeds WHERE url = ?')
          .get(server.url('/hang/1.xml'));
        assert.deepEqual(
          row,
          { error_count: 0, last_error: null, last_checked_at: null },
          'not failed: still due',
        );
      } finally {
        conn.close();
      }
    } finally {
      for (const res of held) res.end();
    }
  });

  it('backs the database up while a refresh writes to it, to one whole file that Gleaner reads', async () => {
    const FEEDS = 20;
    const ITEMS = 10;
    // Each fetch a feed has one item more: the second refresh writes while the backup copies.
    const live = await importedFeeds('live', FEEDS, (i, n) => rss(`Live ${i}`, ITEMS + n - 1, `l${i}`));
    const { db, env: liveEnv } = live;
    assert.equal((await run(liveEnv, 'refresh')).code, 0);

    const folder = join(dir, 'backups');
    mkdirSync(folder);
    const copy = join(folder, 'live-copy.db');
    const refreshing = run(liveEnv, 'refresh', '--concurrency', '2');
    const backup = await run(liveEnv, 'backup', copy);
    assert.equal(backup.code, 0, backup.stderr);
    assert.match(backup.stdout, /^backed up \S+live\.db to \S+live-copy\.db \(\d+\.\d MB, checked\)$/m);
    assert.equal((await refreshing).code, 0);
    assert.deepEqual(readdirSync(folder), ['live-copy.db'], 'one file, nothing left beside it');
    const conn = new Database(copy, { readonly: true });
    try {
      assert.equal(conn.pragma('quick_check', { simple: true }), 'ok');
      assert.equal(conn.pragma('journal_mode', { simple: true }), 'delete');
      const entries = (conn.prepare('SELECT COUNT(*) AS n FROM entries').get() as { n: number }).n;
      assert.ok(entries >= FEEDS * ITEMS && entries <= FEEDS * (ITEMS + 1), `${entries} entries`);
    } finally {
      conn.close();
    }
    const restored = await run({ ...env, GLEANER_DB: copy }, 'feeds', '--json');
    assert.equal(restored.code, 0, restored.stderr);
    assert.equal((JSON.parse(restored.stdout) as unknown[]).length, FEEDS, 'Gleaner reads the copy');

    // What it refuses, saying why, and a folder given a name of its own.
    const again = await run(liveEnv, 'backup', copy);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /live-copy\.db exists: give a file that does not/);
    const itself = await run(liveEnv, 'backup', db);
    assert.match(itself.stderr, /is the database itself/);
    const nowhere = await run(liveEnv, 'backup', join(dir, 'no-such-folder', 'x.db'));
    assert.match(nowhere.stderr, /there is no folder/);
    const named = await run(liveEnv, 'backup', folder);
    assert.equal(named.code, 0, named.stderr);
    assert.equal(readdirSync(folder).filter((f) => /^gleaner-\d{8}-\d{6}\.db$/.test(f)).length, 1);
    // A folder that is not there, named as one: no file made in its name.
    const slash = await run(liveEnv, 'backup', `${join(dir, 'no-backups')}/`);
    assert.equal(slash.code, 1);
    assert.match(slash.stderr, /no-backups\/: there is no such folder/);
    // No database where it looks (cron in another folder, a typo): none made, and no backup.
    const typo = join(dir, 'typo', 'gleaner.db');
    const missing = await run({ ...env, GLEANER_DB: typo }, 'backup', join(folder, 'empty.db'));
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /there is no database at \S+typo\/gleaner\.db to back up/);
    assert.ok(!existsSync(typo) && !existsSync(join(folder, 'empty.db')));
    for (const command of ['refresh', 'export', 'cleanup']) {
      const none = await run({ ...env, GLEANER_DB: typo }, command);
      assert.equal(none.code, 1, command);
      assert.match(none.stderr, /there is no database at \S+typo\/gleaner\.db: set GLEANER_DB/, command);
    }
    assert.ok(!existsSync(typo), 'nor made by a refresh, an export or a clean-up');
    // Two at once, to one name: one copy, checked, and nothing left of the other.
    const both = await Promise.all([1, 2].map(() => run(liveEnv, 'backup', join(folder, 'twice.db'))));
    assert.deepEqual(both.map((r) => r.code).sort(), [0, 1], both.map((r) => r.stderr).join('\n'));
    assert.deepEqual(
      readdirSync(folder).filter((f) => f.startsWith('twice')),
      ['twice.db'],
    );
  });

  it('backs up a database an older Gleaner made as it is, without upgrading it', async () => {
    const path = join(dir, 'older.db');
    const older = new Database(path);
    for (const [version, step] of MIGRATIONS.slice(0, 30).entries()) {
      for (const sql of step(SQLITE)) older.exec(sql);
      older.pragma(`user_version = ${version + 1}`);
    }
    older.close();
    const copy = join(dir, 'older-copy.db');
    const backup = await run({ ...env, GLEANER_DB: path }, 'backup', copy);
    assert.equal(backup.code, 0, backup.stderr);
    for (const file of [path, copy]) {
      const conn = new Database(file, { readonly: true });
      try {
        assert.equal(conn.pragma('user_version', { simple: true }), 30, file);
      } finally {
        conn.close();
      }
    }
  });

  // A disk that fills up: a 64-KB tmpfs mounted in a mount namespace of the command's own.
  const smallDisk = spawnSync('unshare', ['--mount', 'true']).status === 0;
  it(
    'says a full disk is full when backing up, leaves nothing beside it, and the database loses nothing',
    { skip: smallDisk ? false : 'needs a mount namespace (unshare --mount) to make a small disk' },
    async () => {
      const full = await importedFeeds('disk', 10, (i) => rss(`Disk ${i}`, 20, `d${i}`));
      assert.equal((await run(full.env, 'refresh')).code, 0);
      const before = entriesIn(full.db);
      const disk = join(dir, 'small-disk');
      mkdirSync(disk);
      const script =
        'mount -t tmpfs -o size=64k none "$1" || exit 9; "$2" "$3" backup "$1/copy.db"; code=$?; ' +
        'echo "left: $(ls -A "$1")"; exit $code';
      const out = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
        const child = spawn('unshare', ['--mount', 'sh', '-c', script, 'sh', disk, process.execPath, BIN], {
          env: full.env,
        });
        let output = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
        child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
        child.once('error', reject);
        child.once('close', (code) => resolve({ code, output }));
      });
      assert.equal(out.code, 1, out.output);
      assert.match(out.output, /no space left for a backup at \S+copy\.db: none was made/);
      assert.match(out.output, /^left: $/m, 'no copy and no partial file on the full disk');
      const conn = new Database(full.db, { readonly: true });
      try {
        assert.equal(conn.pragma('quick_check', { simple: true }), 'ok');
      } finally {
        conn.close();
      }
      assert.equal(entriesIn(full.db), before, 'the database as it was');
      assert.equal((await run(full.env, 'refresh')).code, 0, 'and in use');
    },
  );

  it('removes old entries with `gleaner cleanup`, and the next refresh does not bring them back', async () => {
    const trim = await importedFeeds('trim', 2, (i) => rss(`Trim ${i}`, 30, `t${i}`));
    assert.equal((await run(trim.env, 'refresh')).code, 0);
    assert.equal(entriesIn(trim.db), 60);
    const config = await run(trim.env, 'config');
    assert.match(config.stdout, /^GLEANER_KEEP_READ_DAYS=0 /m);
    assert.match(config.stdout, /^GLEANER_MAX_PER_FEED=10000 /m);

    const limited = { ...trim.env, GLEANER_MAX_PER_FEED: '10' };
    const dry = await run(limited, 'cleanup', '--dry-run');
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(
      dry.stdout.trim(),
      "would remove about 40 entries: 0 by age, 40 past their feed's limit; 60 stored, none removed",
    );
    assert.equal(entriesIn(trim.db), 60);
    const cleanup = await run(limited, 'cleanup');
    assert.equal(cleanup.code, 0, cleanup.stderr);
    assert.equal(cleanup.stdout.trim(), "removed 40 entries: 0 by age, 40 past their feed's limit; 20 kept");
    assert.equal((await run(trim.env, 'refresh')).code, 0);
    assert.equal(entriesIn(trim.db), 20, 'the feeds still list them: they stay removed');
    assert.equal(
      (await run(limited, 'cleanup')).stdout.trim(),
      "removed 0 entries: 0 by age, 0 past their feed's limit; 20 kept",
    );

    // While a refresh writes: each waits for the other's transactions, neither fails.
    const busy = await importedFeeds('busy', 20, (i, n) => rss(`Busy ${i}`, 20 + n, `b${i}`), 20);
    assert.equal((await run(busy.env, 'refresh')).code, 0);
    const limitedBusy = { ...busy.env, GLEANER_MAX_PER_FEED: '5' };
    const refreshing = run(busy.env, 'refresh', '--concurrency', '2');
    const cleanups = [];
    for (let i = 0; i < 5; i++) cleanups.push(await run(limitedBusy, 'cleanup'));
    const refreshed = await refreshing;
    assert.equal(refreshed.code, 0, refreshed.stderr);
    for (const c of cleanups) assert.equal(c.code, 0, c.stderr);
    assert.equal((await run(limitedBusy, 'cleanup')).code, 0);
    assert.equal(entriesIn(busy.db), 20 * 5);

    const stray = await run(trim.env, 'cleanup', 'now');
    assert.notEqual(stray.code, 0);
    assert.match(stray.stderr, /gleaner cleanup takes no arguments/);
    const bad = await run({ ...trim.env, GLEANER_KEEP_UNREAD_DAYS: 'soon' }, 'cleanup');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /GLEANER_KEEP_UNREAD_DAYS="soon" is not a whole number from 0 to 100000/);
  });

  it('says the database is full, keeps each feed whole or not at all, and catches up once there is room', async () => {
    const FEEDS = 12;
    const ITEMS = 20;
    const long = `&lt;p&gt;${'several words of text '.repeat(250)}&lt;/p&gt;`;
    const { db, env: feedEnv } = await importedFeeds('full', FEEDS, (i) =>
      rss(`Full ${i}`, ITEMS, `f${i}`).replaceAll('&lt;p&gt;Body', `${long}Body`),
    );
    // A 1-MiB limit on the file stands for a full disk: SQLite refuses writes past it the same way.
    const fullEnv = { ...feedEnv, GLEANER_DB_MAX_MB: '1' };
    const entries = (): number => entriesIn(db);

    const full = await run(fullEnv, 'refresh');
    assert.equal(full.code, 1);
    assert.match(full.stderr, /gleaner: the database is full .*nothing already stored was lost/);
    assert.doesNotMatch(full.stderr, /\n\s+at /, 'a message, not a stack trace');
    const stored = entries();
    assert.ok(stored < FEEDS * ITEMS, 'the limit was reached');
    assert.equal(stored % ITEMS, 0, 'each feed is stored whole or not at all');

    const roomy = await run({ ...fullEnv, GLEANER_DB_MAX_MB: '0' }, 'refresh');
    assert.equal(roomy.code, 0, roomy.stderr);
    assert.equal(entries(), FEEDS * ITEMS, 'every entry, once');
  });
});
