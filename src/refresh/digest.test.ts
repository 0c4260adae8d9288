import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import { GleanerError } from '../model/errors.js';
import { isPacked, type PreparedEntry } from '../model/index.js';
import { indexText } from '../search/index.js';
import { preparedEntry } from '../testing/fetched.js';
import { pageScrapeOf } from '../feed/scrape/index.js';
import { createDigestPool, digestFeed, packEntries, type DigestRequest } from './digest.js';

const NOW = Date.UTC(2026, 10, 23);
const request = (body: string, url = 'https://blog.example/feed.xml'): DigestRequest => ({
  body: Buffer.from(body),
  url,
  contentType: 'application/rss+xml',
  maxBytes: 1 << 20,
  now: NOW,
});
const FEED =
  '<rss version="2.0"><channel><title>Pool</title><item><title>A &amp; B</title><link>/a?utm_source=x</link>' +
  '<guid>a</guid><description>&lt;p onclick="x()"&gt;Hi&lt;/p&gt;&lt;script&gt;bad()&lt;/script&gt;</description></item></channel></rss>';

describe('digest pool', () => {
  const pool = createDigestPool(2);
  after(() => pool.close());

  it('gives on worker threads what digestFeed gives in-process, its entries packed', async () => {
    const inProcess = digestFeed(request(FEED));
    const pooled = await pool.digest(request(FEED));
    assert.deepEqual(pooled, { ...inProcess, entries: packEntries(inProcess.entries).entries });
    const [entry] = pooled.entries;
    assert.ok(entry && isPacked(entry));
    assert.equal(utf8(entry.contentHtml), '<p>Hi</p>');
    assert.equal(entry.link, 'https://blog.example/a');
  });

  it('answers many requests at once, each with its own result', async () => {
    const docs = Array.from({ length: 20 }, (_, i) =>
      FEED.replace('<title>Pool</title>', `<title>Feed ${i}</title>`),
    );
    const results = await Promise.all(docs.map((d) => pool.digest(request(d))));
    assert.deepEqual(
      results.map((r) => r.feed.title),
      docs.map((_, i) => `Feed ${i}`),
    );
  });

  it('takes a body that is all of its memory, and copies a view on shared memory', async () => {
    // A feed above Buffer's pool size: Buffer.concat gives it an ArrayBuffer of its own.
    const items = Array.from(
      { length: 200 },
      (_, i) => `<item><guid>${i}</guid><title>Item ${i}</title></item>`,
    );
    const big = FEED.replace('</channel>', `${items.join('')}</channel>`);
    const own = Buffer.concat([Buffer.from(big)]);
    assert.equal(own.byteLength, own.buffer.byteLength);
    const taken = await pool.digest({ ...request(big), body: own });
    assert.equal(taken.entries.length, 201);
    assert.equal(own.byteLength, 0, 'the body was handed over, not copied');
    // Handed again, it has nothing left to give: refused at once (a message handing it over
    // again would be dropped, and the digest never end).
    await assert.rejects(pool.digest({ ...request(big), body: own }), /detached/);
    assert.equal((await pool.digest(request(big))).entries.length, 201, 'the worker goes on');

    // A small buffer is a view on Buffer's pool, which other buffers share.
    const small = Buffer.from(FEED);
    const neighbour = Buffer.from('a neighbour in the same pool');
    assert.ok(small.byteLength < small.buffer.byteLength);
    const copied = await pool.digest({ ...request(FEED), body: small });
    assert.equal(copied.entries.length, 1);
    assert.equal(small.toString(), FEED);
    assert.equal(neighbour.toString(), 'a neighbour in the same pool');
  });

  it('leaves out the entries stored unchanged, in-process and on worker threads', async () => {
    const items = ['x', 'y', 'z']
      .map(
        (g) => `<item><guid>${g}</guid><title>Item ${g}</title><description>Body ${g}</description></item>`,
      )
      .join('');
    const doc = FEED.replace('</channel>', `${items}</channel>`);
    const all = digestFeed(request(doc)).entries;
    assert.deepEqual(
      all.map((e) => e.guid),
      ['a', 'x', 'y', 'z'],
    );
    // x stored as it is, y in another version; a and z not stored.
    const stored = new Map([
      ['g:x', all[1]?.contentHash ?? ''],
      ['g:y', 'an older version'],
      ['g:gone', 'an entry the document no longer holds'],
    ]);
    const here = digestFeed({ ...request(doc), stored });
    assert.deepEqual(
      here.entries.map((e) => e.guid),
      ['a', 'y', 'z'],
    );
    // A feed with stored entries has its items' sources hashed (its first fetch does not).
    assert.deepEqual(
      here.entries.map(({ sourceHash: _, altKey: _alt, ...e }) => e),
      [all[0], all[2], all[3]],
    );
    assert.ok(all.every((e) => e.sourceHash === undefined && e.altKey === undefined));
    // With the link it has, the key a's item would have if its guid were repeated.
    assert.equal(here.entries[0]?.altKey, 'l:https://blog.example/a');
    // x's source, for the store to keep: the next fetch leaves it out unprepared.
    assert.deepEqual(
      here.sources?.map(([key]) => key),
      ['g:x'],
    );
    const pooled = await pool.digest({ ...request(doc), stored });
    assert.deepEqual(pooled, { ...here, entries: packEntries(here.entries).entries });
    assert.equal(here.itemCount, 4, 'every item read, prepared or not');
  });

  it('prepares an undated entry of a scraped page once: its fetch time is no part of its source', () => {
    const page =
      '<main><article><h2><a href="/a">First</a></h2><p>One</p></article>' +
      '<article><h2><a href="/b">Second</a></h2><p>Two</p></article></main>';
    const at = (now: number, stored?: Map<string, string>, sources?: Map<string, string>) =>
      digestFeed({
        ...request(page, 'https://news.example/'),
        contentType: 'text/html',
        now,
        scrape: pageScrapeOf({ items: 'article' }),
        stored,
        sources,
      });
    const first = at(NOW);
    // Undated, they keep the page's order: the first newest.
    assert.deepEqual(
      first.entries.map((e) => [e.title, e.publishedAt]),
      [
        ['First', NOW],
        ['Second', NOW - 1000],
      ],
    );
    const stored = new Map(first.entries.map((e) => [e.dedupeKey, e.contentHash]));
    // Fetched again: prepared to find them as stored, and their sources kept for next time.
    const second = at(NOW + 3_600_000, stored);
    assert.deepEqual(second.entries, []);
    const sources = new Map(second.sources);
    assert.equal(sources.size, 2);
    // And the time after: not prepared at all, so no source to keep anew.
    const third = at(NOW + 7_200_000, stored, sources);
    assert.deepEqual(third.entries, []);
    assert.equal(third.sources, undefined);
    assert.equal(third.itemCount, 2);
  });

  it('leaves out removed entries whatever their content, and tells which the document no longer holds', async () => {
    const items = ['x', 'y']
      .map(
        (g) => `<item><guid>${g}</guid><title>Item ${g}</title><description>Body ${g}</description></item>`,
      )
      .join('');
    const doc = FEED.replace('</channel>', `${items}</channel>`);
    const removed = ['g:x', 'g:dropped'];
    const here = digestFeed({ ...request(doc), removed });
    assert.deepEqual(
      here.entries.map((e) => e.guid),
      ['a', 'y'],
    );
    assert.deepEqual(here.gone, ['g:dropped']);
    const pooled = await pool.digest({ ...request(doc), removed });
    assert.deepEqual(pooled, { ...here, entries: packEntries(here.entries).entries });
    // A document that may lack items the feed still has tells nothing of them.
    const pushed = digestFeed({ ...request(doc), removed, partial: true });
    assert.deepEqual(pushed.gone, []);
    assert.equal(pushed.entries.length, 2);
  });

  it('carries errors back as the same GleanerError', async () => {
    await assert.rejects(pool.digest(request('<html><body>a page</body></html>')), (err: unknown) => {
      return err instanceof GleanerError && err.code === 'PARSE_NOT_A_FEED' && /not a feed/.test(err.message);
    });
    await assert.rejects(pool.digest(request(' \n')), (err: unknown) => {
      return (
        err instanceof GleanerError &&
        err.code === 'PARSE_NOT_A_FEED' &&
        /answered with an empty document; the site may be failing, Gleaner tries again at the next check$/.test(
          err.message,
        )
      );
    });
    await assert.rejects(pool.digest({ ...request(FEED), maxBytes: 10 }), (err: unknown) => {
      return err instanceof GleanerError && err.code === 'PARSE_TOO_LARGE';
    });
  });
});

const utf8 = (bytes: Uint8Array): string => new TextDecoder('utf-8', { fatal: true }).decode(bytes);

describe('packEntries', () => {
  // Texts UTF-8 takes one to four bytes a character of, and ones the search index rewrites.
  const TEXTS = [
    'Plain ASCII words',
    'Ünïcödé — “quotes” and café',
    '中文标题 and 日本語のテキスト',
    'emoji 😀 and ＦＵＬＬ－ｗｉｄｔｈ ｌｅｔｔｅｒｓ',
    '',
  ];
  const prepared = (texts: readonly string[]): PreparedEntry[] =>
    texts.map((text, i) =>
      preparedEntry(`p${i}`, { contentHtml: `<p>${text}</p>`, contentText: text, readingMinutes: i }),
    );

  it('gives each body, and its text in the search index’s form, as UTF-8 on one buffer of their size', () => {
    const entries = prepared(TEXTS);
    const { entries: packed, buffer } = packEntries(entries);
    assert.equal(packed.length, entries.length);
    let bytes = 0;
    packed.forEach((p, i) => {
      const e = entries[i] as PreparedEntry;
      assert.equal(utf8(p.contentHtml), e.contentHtml);
      assert.equal(utf8(p.searchText), indexText(e.contentText));
      assert.equal(p.textLength, e.contentText.length);
      assert.equal(p.contentHtml.buffer, buffer);
      assert.equal(p.searchText.buffer, buffer);
      assert.ok(!('contentText' in p), 'the text goes as its search form only');
      const { contentHtml: _h, contentText: _t, ...rest } = e;
      const { contentHtml: _ph, searchText: _s, textLength: _l, ...packedRest } = p;
      assert.deepEqual(packedRest, rest);
      bytes += p.contentHtml.byteLength + p.searchText.byteLength;
    });
    assert.equal(buffer.byteLength, bytes);
    // CJK runs become bigrams, full-width letters ASCII.
    assert.match(utf8((packed[2] as { searchText: Uint8Array }).searchText), /中文 文标 标题/);
    assert.match(utf8((packed[3] as { searchText: Uint8Array }).searchText), /FULL-width letters/);
  });

  it('leaves the entries packed before it as they were', () => {
    const first = packEntries(prepared(['the first feed’s body']));
    const second = packEntries(prepared(['a second, longer feed’s body, written where the first was']));
    assert.equal(
      utf8((first.entries[0] as { contentHtml: Uint8Array }).contentHtml),
      '<p>the first feed’s body</p>',
    );
    assert.notEqual(first.buffer, second.buffer);
  });

  it('packs a feed larger than its reusable buffer, and none', () => {
    const long = 'long “text” '.repeat(200_000);
    const { entries, buffer } = packEntries(prepared([long, 'short']));
    assert.equal(utf8((entries[0] as { contentHtml: Uint8Array }).contentHtml), `<p>${long}</p>`);
    assert.equal(utf8((entries[1] as { searchText: Uint8Array }).searchText), 'short');
    assert.equal(buffer.byteLength, Buffer.byteLength(`<p>${long}</p>${indexText(long)}<p>short</p>short`));
    const none = packEntries([]);
    assert.deepEqual([none.entries, none.buffer.byteLength], [[], 0]);
  });
});
