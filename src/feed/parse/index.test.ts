import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { ParsedEntry } from '../../model/index.js';
import { xmlText } from '../../content/xml.js';
import { GleanerError } from '../../model/errors.js';
import { MAX_CATEGORIES, MAX_ENCLOSURES } from './extensions.js';
import { parseFeed } from './index.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`./testdata/${name}`, import.meta.url));
const parse = (text: string, url = 'http://example.test/feed.xml') => parseFeed(Buffer.from(text), { url });
const item = (entries: ParsedEntry[], i: number): ParsedEntry => {
  const entry = entries[i];
  assert.ok(entry, `entry #${i} exists`);
  return entry;
};

describe('parseFeed: RSS 2.0 with namespaces', () => {
  const feed = parseFeed(fixture('rss2-namespaces.xml'), { url: 'https://blog.example.com/rss/' });

  it('reads the channel', () => {
    assert.equal(feed.format, 'rss');
    assert.equal(feed.title, 'The Example Blog');
    assert.equal(feed.link, 'https://blog.example.com');
    assert.equal(feed.description, 'News & notes');
    assert.equal(feed.language, 'en-us');
    assert.equal(feed.ttlMinutes, 60);
    assert.equal(feed.selfUrl, 'https://blog.example.com/rss/');
    assert.equal(feed.hubUrl, 'https://hub.example.com/');
    assert.equal(feed.iconUrl, 'https://blog.example.com/favicon.png');
    assert.deepEqual(feed.warnings, []);
  });

  it('reads an item shaped like the Cloudflare blog feed', () => {
    const e = item(feed.items, 0);
    assert.equal(e.id, '2CqKLNS1jaf5H2j99sDONe');
    assert.equal(e.title, 'A good day to trie-hard');
    assert.equal(e.link, 'https://blog.example.com/trie-hard/');
    assert.equal(e.published, '2024-09-10T14:00:00Z');
    assert.equal(e.author, 'Kevin Guthrie');
    assert.deepEqual(e.categories, ['Rust', 'Performance']);
    assert.match(e.summaryHtml ?? '', /<b>microseconds<\/b>/);
    assert.equal(
      e.contentHtml,
      '<p>Pingora handles 35M+ requests per second.</p><img src="/images/chart.png">',
    );
    assert.equal(e.imageUrl, 'https://blog.example.com/thumb.png');
  });

  it('uses a permalink guid as the link, reads RSS authors, enclosures, keywords and escaped HTML', () => {
    const e = item(feed.items, 1);
    assert.equal(e.title, 'Episode 2 — Tries & maps');
    assert.equal(e.link, 'https://blog.example.com/episode-2');
    assert.equal(e.published, '2024-09-09T08:00:00Z');
    assert.equal(e.author, 'Jane Doe');
    assert.deepEqual(e.enclosures, [
      { url: 'https://cdn.example.com/ep2.mp3', type: 'audio/mpeg', length: 12345 },
    ]);
    assert.deepEqual(e.categories, ['tries', 'maps']);
    assert.equal(e.summaryHtml, '<p>Escaped &amp; markup</p>');
    assert.equal(e.durationSeconds, 4190, 'itunes:duration H:MM:SS');
    assert.equal(e.explicit, false);
    assert.equal(item(feed.items, 0).durationSeconds, 95, 'itunes:duration in seconds');
  });
});

describe('parseFeed: Atom 1.0', () => {
  const feed = parseFeed(fixture('atom10-xhtml-base.xml'), { url: 'http://example.test/feed.xml' });

  it('resolves links against xml:base and strips markup from html titles', () => {
    assert.equal(feed.format, 'atom');
    assert.equal(feed.title, 'Example Atom');
    assert.equal(feed.link, 'https://example.org/blog/');
    assert.equal(feed.selfUrl, 'https://example.org/blog/feed.atom');
    assert.equal(feed.description, 'All the news');
    assert.equal(feed.language, 'en');
  });

  it('reads text, xhtml and html constructs, dates with offsets, categories and enclosures', () => {
    const e = item(feed.items, 0);
    assert.equal(e.id, 'tag:example.org,2024:1');
    assert.equal(e.title, 'Less < more', 'type="text" is literal text');
    assert.equal(e.link, 'https://example.org/blog/posts/1');
    assert.equal(e.published, '2024-01-01T09:00:00Z');
    assert.equal(e.updated, '2024-01-02T03:04:05Z');
    assert.equal(e.author, 'Feed Author', 'inherits the feed author (RFC 4287 4.2.1)');
    assert.deepEqual(e.categories, ['design', 'web']);
    assert.equal(e.summaryHtml, 'Short &amp; sweet');
    assert.equal(e.contentHtml?.trim(), '<p>Hello <a href="x.html">world</a> &amp; friends</p>');
    assert.deepEqual(e.enclosures, [
      { url: 'https://example.org/media/talk.mp4', type: 'video/mp4', length: 1000 },
    ]);
  });

  it('uses an http id as the link when there is none, and an entry-level xml:base', () => {
    const e = item(feed.items, 1);
    assert.equal(e.link, 'https://other.example.net/2');
    assert.equal(e.author, 'Guest');
    assert.equal(e.published, '2024-01-03T00:00:00Z');
    assert.equal(e.contentHtml, '<p>HTML &amp; more</p>');
  });
});

describe('parseFeed: RSS 1.0 (RDF)', () => {
  it('reads items beside the channel with Dublin Core', () => {
    const feed = parseFeed(fixture('rdf.xml'));
    assert.equal(feed.format, 'rdf');
    assert.equal(feed.title, 'RDF Site');
    const e = item(feed.items, 0);
    assert.equal(e.id, 'http://example.com/1');
    assert.equal(e.published, '2002-09-05T16:00:00Z');
    assert.equal(e.author, 'Alice');
    assert.deepEqual(e.categories, ['rdf']);
  });
});

describe('parseFeed: JSON Feed 1.1', () => {
  const feed = parseFeed(fixture('jsonfeed11.json'), { url: 'https://json.example.com/feed.json' });

  it('reads the feed, WebSub hub and authors', () => {
    assert.equal(feed.format, 'json');
    assert.equal(feed.title, 'JSON Example');
    assert.equal(feed.hubUrl, 'https://hub.example.com/');
    assert.equal(feed.items.length, 2);
  });

  it('reads items: numeric ids as strings, relative urls, tags once, attachments', () => {
    const e = item(feed.items, 0);
    assert.equal(e.id, '42');
    assert.equal(e.link, 'https://json.example.com/posts/42');
    assert.equal(e.title, 'Numbers & ids');
    assert.equal(e.published, '2024-05-06T09:08:09Z');
    assert.equal(e.author, 'Feed Writer');
    assert.deepEqual(e.categories, ['json', 'feeds']);
    assert.deepEqual(e.enclosures, [
      { url: 'https://cdn.example.com/a.mp3', type: 'audio/mpeg', length: 99 },
    ]);
  });

  it('turns content_text into escaped HTML', () => {
    assert.equal(item(feed.items, 1).contentHtml, 'Line one<br>Line &lt;two&gt;');
  });
});

describe('parseFeed: forgiving of broken documents', () => {
  const feed = parseFeed(fixture('broken.xml'), { url: 'http://example.com/feed' });

  it('recovers what it can: junk before the root, unescaped &, HTML entities, stray tags, truncation', () => {
    assert.equal(feed.format, 'rss');
    assert.equal(feed.title, 'AT&T news © 2024');
    assert.equal(feed.link, 'http://example.com/?a=1&b=2');
    assert.equal(feed.items.length, 2);
    const e = item(feed.items, 0);
    assert.equal(e.title, 'Unescaped & ampersand');
    assert.equal(e.link, 'http://example.com/item?x=1&y=2');
    assert.equal(e.author, 'Bob', 'an undeclared dc: prefix is read by convention');
    assert.match(e.summaryHtml ?? '', /Stray <b>HTML<\/b> inside<br>/);
    assert.equal(item(feed.items, 1).title, 'Truncated item');
  });

  it('says what it repaired', () => {
    assert.ok(feed.warnings.some((w) => w.includes('before the root')));
    assert.ok(feed.warnings.some((w) => w.includes('unescaped &')));
    assert.ok(feed.warnings.some((w) => w.includes('truncated')));
  });

  it('reads namespace prefixes by their URI, not their spelling', () => {
    const doc = `<rss xmlns:x="http://purl.org/dc/elements/1.1/" xmlns:y="http://purl.org/rss/1.0/modules/content/">
      <channel><item><x:creator>Ann</x:creator><y:encoded>&lt;p&gt;Body&lt;/p&gt;</y:encoded></item></channel></rss>`;
    const e = item(parse(doc).items, 0);
    assert.equal(e.author, 'Ann');
    assert.equal(e.contentHtml, '<p>Body</p>');
  });

  it('falls back to media:description for a summary', () => {
    const doc = `<rss xmlns:media="http://search.yahoo.com/mrss/"><channel><item><title>v</title>
      <media:group><media:description>A video about tries</media:description></media:group></item></channel></rss>`;
    assert.equal(item(parse(doc).items, 0).summaryHtml, 'A video about tries');
  });

  it('does not treat a non-permalink guid as a link, and never invents an id or date', () => {
    const doc = `<rss><channel><item><guid isPermaLink="false">abc</guid><pubDate>not a date</pubDate></item>
      <item><title>t</title></item></channel></rss>`;
    const [a, b] = parse(doc).items;
    assert.equal(a?.link, null);
    assert.equal(a?.published, null);
    assert.equal(b?.id, null);
  });

  it('answers an HTML page as not a feed however many void elements it holds', () => {
    const body = '<div>' + '<img src="/a.png" alt=x><br>'.repeat(2000) + '</div>';
    const pages = [
      `<!DOCTYPE html><html><head>${'<link rel="stylesheet" href="/s.css">'.repeat(600)}</head><body>${body}</body></html>`,
      `\uFEFF<?xml version="1.0"?>\n<!-- a theme --><!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml">${body}</html>`,
      `<HEAD><meta charset=utf-8>${'<meta name=x content=y>'.repeat(600)}</HEAD>`,
      `<body>${body}`,
      // HTML5 may leave out <html> and <head>: its doctype says what it is.
      `<!doctype html><meta charset=utf-8><title>Blog</title>${'<link rel=stylesheet href=/s.css>'.repeat(600)}`,
    ];
    for (const page of pages) {
      const feed = parse(page);
      assert.equal(feed.format, null);
      assert.match(feed.warnings.join(' '), /not a feed: the root element is <(html|head|body)>/);
    }
  });

  it('reads a feed after the markup of an error message printed before it', () => {
    // PHP's warnings, printed before a WordPress feed, start with <br />.
    const afterJunk = parse(
      '<br />\n<b>Warning</b>: something in <b>x.php</b><br />\n<?xml version="1.0"?><rss version="2.0"><channel><title>Kept</title></channel></rss>',
    );
    assert.equal(afterJunk.format, 'rss');
    assert.equal(afterJunk.title, 'Kept');
  });

  it('answers documents that are not feeds with format null and a warning', () => {
    for (const doc of [
      '<html><body>hi</body></html>',
      '',
      '{"not": "a feed"}',
      '{ broken json',
      'plain text',
    ]) {
      const feed = parse(doc);
      assert.equal(feed.format, null, doc);
      assert.equal(feed.items.length, 0);
      assert.ok(feed.warnings.length > 0, `a warning for ${JSON.stringify(doc)}`);
    }
  });
});

describe('parseFeed: safety limits', () => {
  it('refuses documents above the size limit with a clear error', () => {
    assert.throws(
      () => parseFeed(Buffer.alloc(2048, 32), { maxBytes: 1024 }),
      (err: unknown) =>
        err instanceof GleanerError && err.code === 'PARSE_TOO_LARGE' && /limit/.test(err.message),
    );
  });

  it('refuses absurd nesting with a clear error', () => {
    const doc = '<rss><channel>' + '<x>'.repeat(5000) + '</channel></rss>';
    assert.throws(
      () => parse(doc),
      (err: unknown) => err instanceof GleanerError && err.code === 'PARSE_TOO_DEEP',
    );
  });

  it('does not expand nested DTD entities (billion laughs)', () => {
    const lol = ['<!DOCTYPE rss [', '<!ENTITY lol "lol">'];
    for (let i = 1; i < 10; i++) lol.push(`<!ENTITY lol${i} "${`&lol${i - 1 || ''};`.repeat(10)}">`);
    const doc = `${lol.join('\n')}\n]><rss><channel><title>&lol9;</title><item><title>&lol;</title></item></channel></rss>`;
    const feed = parse(doc);
    assert.equal(feed.title, '&lol9;', 'a nested entity stays a literal reference');
    assert.equal(item(feed.items, 0).title, 'lol', 'a plain internal entity is expanded');
  });

  it('never reads external entities', () => {
    const doc = `<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><rss><channel><title>&xxe;</title></channel></rss>`;
    const feed = parse(doc);
    assert.equal(feed.title, '&xxe;');
  });

  it('keeps no control character in titles, authors, categories or text, in every format', () => {
    // ESC sequences (colour, clear screen, window title), BEL, NUL and the C1 CSI, raw and as references.
    const raw = 'A\u001b[2J\u001b]0;pwned\u0007B\u009b31mC\u0000D';
    const escaped = 'A&#27;[2J&#x1b;]0;pwned&#7;B&#155;31mC\u0000D';
    const docs = [
      `<rss version="2.0"><channel><title>${raw}</title><item><title>${escaped}</title>
        <author>${raw}</author><category>${raw}</category><description>&lt;p&gt;${escaped}&lt;/p&gt;</description>
        </item></channel></rss>`,
      `<feed xmlns="http://www.w3.org/2005/Atom"><title>${raw}</title><entry><title type="html">${escaped}</title>
        <author><name>${raw}</name></author><category term="${raw}"/><summary>${raw}</summary></entry></feed>`,
      JSON.stringify({
        version: 'https://jsonfeed.org/version/1.1',
        title: raw,
        items: [
          { id: '1', title: raw, authors: [{ name: raw }], tags: [raw], content_html: `<p>${raw}</p>` },
        ],
      }),
    ];
    for (const doc of docs) {
      const feed = parse(doc);
      const entry = item(feed.items, 0);
      const texts = [feed.title, entry.title, entry.author, ...entry.categories];
      assert.equal(texts.length, 4, JSON.stringify(texts));
      for (const text of texts) {
        assert.ok(
          text && /^A\W*\[2J\W*\]0;pwned\W*B\W*31mC\W*D$/.test(text),
          `${JSON.stringify(text)} in ${doc}`,
        );
        // eslint-disable-next-line no-control-regex -- the test: no control character at all
        assert.doesNotMatch(text, /[\0-\x1f\x7f-\x9f]/, `${JSON.stringify(text)} in ${doc}`);
      }
    }
  });

  it('quotes a document’s names and labels in its warnings without control characters, and briefly', () => {
    const hostile = 'ev\u001b]0;pwned\u0007\u001b[31mil\u009b2J';
    const docs = [
      // A root that is no feed's, one left unclosed, markup before the root, an unknown charset,
      // invalid JSON quoted by the parser's message, and an HTML page's root.
      `<?xml version="1.0"?><${hostile}><x/></${hostile}>`,
      `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><${hostile}>`,
      `<${hostile}/><rss version="2.0"><channel><title>t</title></channel></rss>`,
      `<?xml version="1.0" encoding="${hostile}"?><rss version="2.0"><channel><title>t</title></channel></rss>`,
      `{"version": "https://jsonfeed.org/version/1.1", ${hostile}}`,
      `<!DOCTYPE html><${hostile}><p>x</p>`,
      `<?xml version="1.0"?><${'a'.repeat(1_000_000)}/>`,
    ];
    for (const doc of docs) {
      const { warnings } = parse(doc);
      assert.ok(warnings.length > 0, doc.slice(0, 80));
      for (const warning of warnings) {
        // eslint-disable-next-line no-control-regex -- the test: no control character at all
        assert.doesNotMatch(warning, /[\0-\x1f\x7f-\x9f]/, JSON.stringify(warning));
        assert.ok(warning.length < 300, `${warning.length} characters: ${warning.slice(0, 120)}`);
      }
    }
    assert.deepEqual(parse(docs[0] ?? '').warnings, [
      'not a feed: the root element is <ev ]0;pwned [31mil 2j>',
    ]);
    assert.match(parse(docs[6] ?? '').warnings[0] ?? '', /^not a feed: the root element is <a{80}…>$/);
  });

  it('keeps an entry to its first 100 categories and enclosures, in every format', () => {
    const n = 20_000;
    const terms = Array.from({ length: n }, (_, i) => `t${i}`);
    const docs = [
      `<rss version="2.0"><channel><title>C</title><item><title>i</title>` +
        terms
          .map(
            (t) => `<category>${t}</category><enclosure url="https://x.example/${t}.mp3" type="audio/mpeg"/>`,
          )
          .join('') +
        `</item></channel></rss>`,
      `<feed xmlns="http://www.w3.org/2005/Atom"><title>C</title><entry><title>i</title>` +
        terms
          .map((t) => `<category term="${t}"/><link rel="enclosure" href="https://x.example/${t}.mp3"/>`)
          .join('') +
        `</entry></feed>`,
      JSON.stringify({
        version: 'https://jsonfeed.org/version/1.1',
        title: 'C',
        items: [
          {
            id: '1',
            tags: terms,
            attachments: terms.map((t) => ({ url: `https://x.example/${t}.mp3`, mime_type: 'audio/mpeg' })),
          },
        ],
      }),
    ];
    for (const doc of docs) {
      const entry = item(parse(doc).items, 0);
      assert.deepEqual(entry.categories, terms.slice(0, MAX_CATEGORIES));
      assert.deepEqual(
        entry.enclosures.map((e) => e.url),
        terms.slice(0, MAX_ENCLOSURES).map((t) => `https://x.example/${t}.mp3`),
      );
    }
  });

  it('reads hostile authors and titles in one pass, with the answers the simple ones get', () => {
    // Shapes that made regular expressions backtrack: 8,000 "<@" took four minutes, "<a" with no >
    // read the rest of the title from every <.
    const authors: [string, string][] = [
      ['john@example.com (John Doe)', 'John Doe'],
      ['John Doe <john@example.com>', 'John Doe'],
      ['a@b.example (John (Jr))', 'John (Jr)'],
      ['Bob <bob at example>', 'Bob <bob at example>'],
      ['<x@y.example>', '<x@y.example>'],
      ['<@'.repeat(8000), '<@'.repeat(8000)],
      ['a' + '@'.repeat(20_000), 'a' + '@'.repeat(20_000)],
      ['Name ' + '<'.repeat(20_000) + '@>', 'Name'],
    ];
    for (const [author, name] of authors) {
      const doc = `<rss version="2.0"><channel><title>x</title><item><title>t</title><author>${xmlText(author)}</author></item></channel></rss>`;
      assert.equal(item(parse(doc).items, 0).author, name, author.slice(0, 40));
    }
    const title = '<a'.repeat(40_000);
    const doc = `<rss version="2.0"><channel><title>${xmlText(title)}</title><item><title>${xmlText('<b>bold</b> ' + title)}</title></item></channel></rss>`;
    const feed = parse(doc);
    assert.equal(feed.title, title, 'no tag closes: plain text');
    assert.equal(item(feed.items, 0).title, 'bold', 'a tag that closes: HTML, the rest an unclosed tag');
  });

  it('bounds the expansion of one entity repeated many times', () => {
    const value = 'x'.repeat(1000);
    const doc = `<!DOCTYPE rss [<!ENTITY big "${value}">]><rss><channel><title>${'&big;'.repeat(5000)}</title></channel></rss>`;
    const title = parse(doc).title ?? '';
    assert.ok(title.length < 2_000_000, `expansion is bounded (got ${title.length} characters)`);
    assert.ok(title.includes('&big;'), 'references past the budget stay literal');
  });
});
