import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { GleanerError } from '../../model/errors.js';
import { buildOpml, parseOpml, type OpmlFeed } from './index.js';
import { prng } from '../../testing/random.js';

const testdata = new URL('testdata/', import.meta.url);
const fixture = (name: string): Buffer => readFileSync(new URL(name, testdata));
const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

function feed(url: string, title: string | null, siteUrl: string | null, folder: string | null): OpmlFeed {
  return { url, title, siteUrl, folder };
}

/**
 * An outline as buildOpml writes it: its cookie left out (and its fetch options, when that was
 * all), and that it is paused.
 */
function asWritten({ paused: _paused, ...outline }: OpmlFeed): OpmlFeed {
  if (outline.fetch === undefined) return outline;
  const { fetch, ...rest } = outline;
  const kept = { ...fetch, cookie: null };
  return Object.values(kept).some((v) => v !== null) ? { ...rest, fetch: kept } : rest;
}

function assertOpmlError(fn: () => unknown, message: RegExp): void {
  assert.throws(
    fn,
    (err) => err instanceof GleanerError && err.code === 'OPML_INVALID' && message.test(err.message),
  );
}

describe('parseOpml on real-world exports', () => {
  const cases: { file: string; title: string; outlines: OpmlFeed[]; warnings: RegExp[] }[] = [
    {
      file: 'feedly.opml',
      title: 'Jane subscriptions in feedly Cloud',
      outlines: [
        feed(
          'https://feeds.arstechnica.com/arstechnica/index',
          'Ars Technica',
          'https://arstechnica.com/',
          'Tech',
        ),
        feed(
          'https://www.theverge.com/rss/index.xml',
          'The Verge - All Posts',
          'https://www.theverge.com/',
          'Tech',
        ),
        // The folder repeated at the end holds a duplicate: it is dropped.
        feed(
          'http://feeds.feedburner.com/smittenkitchen',
          'Smitten Kitchen',
          'https://smittenkitchen.com/',
          'Cooking & Food',
        ),
        feed(
          'https://www.seriouseats.com/feeds/serious-eats',
          'Serious Eats',
          'https://www.seriouseats.com/',
          'Cooking & Food',
        ),
      ],
      warnings: [],
    },
    {
      file: 'freshrss.opml',
      title: 'FreshRSS',
      outlines: [
        feed(
          'https://github.com/FreshRSS/FreshRSS/releases.atom',
          'FreshRSS releases',
          'https://github.com/FreshRSS/FreshRSS/',
          'Sans catégorie',
        ),
        {
          ...feed(
            'https://www.lemonde.fr/economie/rss_full.xml',
            'Le Monde – Économie',
            'https://www.lemonde.fr/economie/',
            'Économie',
          ),
          fetch: {
            articleSelector: null,
            removeSelector: '.services, aside[data-ad="1"]',
            userAgent: 'Mozilla/5.0 (FreshRSS)',
            cookie: 'consent=yes',
            scrape: null,
            rewriteRules: null,
          },
        },
        {
          ...feed(
            'https://ec.europa.eu/eurostat/en/search?p_p_id=estatsearchportlet_WAR_estatsearchportlet&p_p_lifecycle=2&_estatsearchportlet_WAR_estatsearchportlet_action=search&text=news',
            'Eurostat news',
            'https://ec.europa.eu/eurostat',
            'Économie/Europe',
          ),
          fetch: {
            articleSelector: 'article .content',
            removeSelector: null,
            userAgent: null,
            cookie: null,
            scrape: null,
            rewriteRules: null,
          },
        },
        {
          ...feed(
            'https://www.handelsblatt.com/contentexport/feed/schlagzeilen',
            'Handelsblatt',
            'https://www.handelsblatt.com/',
            'Économie/Europe/Deutschland',
          ),
          minCheckMinutes: 360,
        },
        {
          ...feed(
            'https://dwh.lequipe.fr/api/edito/rss?path=/',
            "L'Équipe",
            'https://www.lequipe.fr/',
            'Sport/Europe',
          ),
          paused: true,
        },
      ],
      warnings: [
        /^left out the article selector of https:\/\/www\.handelsblatt\.com\/contentexport\/feed\/schlagzeilen: the article selector may not use :has\(\)/,
        /"Relative link".*not an absolute http\(s\) URL/,
        /"Script link".*javascript:alert/,
      ],
    },
    {
      file: 'newsboat.opml',
      title: 'newsboat - Exported Feeds',
      outlines: [
        feed('https://lwn.net/headlines/rss', 'LWN.net', 'https://lwn.net/', null),
        feed('https://www.phoronix.com/rss.php', 'Phoronix', 'https://www.phoronix.com/', null),
        feed('https://xkcd.com/atom.xml', 'xkcd.com', 'https://xkcd.com/', null),
        feed('https://news.ycombinator.com/rss', null, null, null),
      ],
      warnings: [/"Weather".*exec:/],
    },
    {
      file: 'netnewswire.opml',
      title: 'Subscriptions-OnMyMac.opml',
      outlines: [
        feed('https://daringfireball.net/feeds/main', 'Daring Fireball', 'https://daringfireball.net/', null),
        feed('https://www.swift.org/atom.xml', 'Swift.org', 'https://www.swift.org/', 'Swift'),
        feed(
          'https://swiftbysundell.com/rss',
          'Swift by Sundell',
          'https://www.swiftbysundell.com/',
          'Swift',
        ),
      ],
      warnings: [],
    },
    {
      file: 'quirks.opml',
      title: 'Mes abonnements & co',
      outlines: [
        feed('https://xn--caf-dma.example/feed', 'Café Crème', null, 'Café'),
        feed('http://old.example/rss.xml', 'Old style', null, 'Café'),
        feed('http://old.example/atom', null, null, 'Café'),
        feed('https://wrapped.example/rss', 'Wrapped', null, 'Café'),
      ],
      warnings: [/unescaped &/, /skipped "Just a link": an outline of type "link" links to a web page/],
    },
  ];

  for (const c of cases) {
    it(c.file, () => {
      const parsed = parseOpml(fixture(c.file));
      assert.equal(parsed.title, c.title);
      assert.deepEqual(parsed.outlines, c.outlines);
      assert.equal(parsed.warnings.length, c.warnings.length, parsed.warnings.join('\n'));
      c.warnings.forEach((pattern, i) => assert.match(parsed.warnings[i] ?? '', pattern));
    });
  }
});

describe('parseOpml on broken and empty documents', () => {
  it('reads an empty list', () => {
    assert.deepEqual(parseOpml(bytes('<opml version="2.0"><head/><body/></opml>')), {
      title: null,
      outlines: [],
      warnings: [],
    });
    assert.deepEqual(parseOpml(bytes('<opml version="1.0"></opml>')).outlines, []);
  });

  it('keeps what it can read from a truncated file', () => {
    const parsed = parseOpml(
      bytes(
        '<opml><body><outline text="A"><outline xmlUrl="https://a.example/feed" text="One"/><outline xmlUr',
      ),
    );
    assert.deepEqual(parsed.outlines, [feed('https://a.example/feed', 'One', null, 'A')]);
    assert.match(parsed.warnings.join('\n'), /truncated/);
  });

  it('ignores junk before the root and unclosed folders', () => {
    const parsed = parseOpml(
      bytes(
        'garbage\n<opml><body><outline text="F &nbsp; &eacute;"><outline xmlUrl="https://b.example/?a=1&b=2" text="B"></body></opml>',
      ),
    );
    assert.deepEqual(parsed.outlines, [feed('https://b.example/?a=1&b=2', 'B', null, 'F é')]);
  });

  it('ignores outlines that are neither feeds nor folders, saying so of links', () => {
    const parsed = parseOpml(
      bytes(
        '<opml><body><outline text="note"/><outline type="link" url="https://x.example/"/><outline><outline xmlUrl="https://c.example/"/></outline></body></opml>',
      ),
    );
    assert.deepEqual(parsed.outlines, [feed('https://c.example/', null, null, null)]);
    assert.deepEqual(parsed.warnings, [
      'skipped "https://x.example/": an outline of type "link" links to a web page or another OPML file, ' +
        'not to a feed; add the site with gleaner add to find its feed',
    ]);
  });

  it('reads a url without a type as a feed, unless the outline holds others', () => {
    const parsed = parseOpml(
      bytes(
        '<opml><body><outline text="Plain" url="https://plain.example/feed"/>' +
          '<outline text="Folder" url="https://folder.example/"><outline text="In" xmlUrl="https://in.example/feed"/></outline>' +
          '<outline text="Bad" url="not a url"/></body></opml>',
      ),
    );
    assert.deepEqual(parsed.outlines, [
      feed('https://plain.example/feed', 'Plain', null, null),
      feed('https://in.example/feed', 'In', null, 'Folder'),
    ]);
    assert.deepEqual(parsed.warnings.length, 1);
    assert.match(
      parsed.warnings[0] ?? '',
      /skipped feed "Bad": "not a url" is not an absolute http\(s\) URL/,
    );
  });

  it('files a feed outside any folder in the folder its category names', () => {
    const outline = (url: string, category: string): string =>
      `<outline text="${url}" xmlUrl="https://${url}/feed" category="${category}"/>`;
    const parsed = parseOpml(
      bytes(
        '<opml version="2.0"><body>' +
          outline('a.example', '/Tech/Blogs') +
          outline('b.example', 'news, /World/ , /Other') +
          outline('c.example', 'just-a-tag') +
          outline('d.example', '/ /') +
          `<outline text="Mine">${outline('e.example', '/Tech')}</outline>` +
          '</body></opml>',
      ),
    );
    assert.deepEqual(
      parsed.outlines.map((o) => [o.url, o.folder]),
      [
        ['https://a.example/feed', 'Tech/Blogs'],
        ['https://b.example/feed', 'World'],
        ['https://c.example/feed', null],
        ['https://d.example/feed', null],
        ['https://e.example/feed', 'Mine'],
      ],
    );
  });

  it('bounds the warnings on a file full of bad URLs', () => {
    const outlines = '<outline xmlUrl="relative/feed" text="x"/>'.repeat(1000);
    const parsed = parseOpml(bytes(`<opml><body>${outlines}</body></opml>`));
    assert.equal(parsed.outlines.length, 0);
    assert.equal(parsed.warnings.length, 21);
    assert.match(parsed.warnings[20] ?? '', /^980 more feeds skipped/);
  });

  const notOpml: [string, string | Buffer][] = [
    ['an empty file', ''],
    ['whitespace', '  \n'],
    ['an RSS feed', '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>'],
    ['an HTML page', '<!doctype html><html><body><p>Export</p></body></html>'],
    ['JSON', '{"opml": []}'],
    ['random bytes', Buffer.from([0xff, 0x00, 0x3c, 0x81, 0xfe])],
  ];
  for (const [name, content] of notOpml) {
    it(`refuses ${name} with a message a user can act on`, () => {
      assertOpmlError(
        () => parseOpml(typeof content === 'string' ? bytes(content) : content),
        /no <opml> root/,
      );
    });
  }

  it('refuses a deeply nested file', () => {
    const deep = '<opml><body>' + '<outline text="f">'.repeat(5000) + '</body></opml>';
    assertOpmlError(() => parseOpml(bytes(deep)), /nests elements/);
  });

  it('refuses a huge file before reading it', () => {
    assertOpmlError(() => parseOpml(new Uint8Array(17 * 1024 * 1024)), /above the limit/);
  });
});

describe('buildOpml', () => {
  const now = new Date('2024-09-10T14:00:00Z');

  it('writes OPML 2.0 with feeds grouped by folder', () => {
    const opml = buildOpml(
      'Gleaner',
      [
        feed('https://a.example/feed', 'A', 'https://a.example/', 'Tech'),
        feed('https://b.example/rss', null, null, null),
        feed('https://c.example/atom', 'C', null, 'Tech'),
      ],
      now,
    );
    assert.equal(
      opml,
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        '  <head>',
        '    <title>Gleaner</title>',
        '    <dateCreated>Tue, 10 Sep 2024 14:00:00 GMT</dateCreated>',
        '  </head>',
        '  <body>',
        '    <outline type="rss" text="https://b.example/rss" xmlUrl="https://b.example/rss"/>',
        '    <outline text="Tech" title="Tech">',
        '      <outline type="rss" text="A" title="A" xmlUrl="https://a.example/feed" htmlUrl="https://a.example/"/>',
        '      <outline type="rss" text="C" title="C" xmlUrl="https://c.example/atom"/>',
        '    </outline>',
        '  </body>',
        '</opml>',
        '',
      ].join('\n'),
    );
  });

  it('round-trips feeds and folders through parseOpml', () => {
    const feeds = [
      feed('https://x.example/feed', 'Unfiled', 'https://x.example/', null),
      feed('https://b.example/rss?a=1&b=2', 'B & Co', 'https://b.example/', 'Économie/Europe'),
      feed('https://a.example/feed', null, null, 'Tech'),
      feed('https://c.example/atom.xml', '"Quoted" <tag>', null, 'Tech'),
      feed('https://a.example/feed', 'Same feed, other folder', null, 'News'),
    ];
    const parsed = parseOpml(bytes(buildOpml('Mine', feeds, now)));
    assert.equal(parsed.title, 'Mine');
    assert.deepEqual(parsed.warnings, []);
    assert.deepEqual(parsed.outlines, feeds);
  });

  it('round-trips every fixture', () => {
    for (const file of readdirSync(testdata)) {
      const first = parseOpml(fixture(file));
      const second = parseOpml(bytes(buildOpml(first.title ?? '', first.outlines, now)));
      assert.deepEqual(second.outlines, first.outlines.map(asWritten), file);
    }
  });

  it('escapes hostile titles and drops what XML cannot carry', () => {
    const hostile =
      'a]]>b <script>alert("x")</script> &amp; \'q\' \u0000\u0001\u001b\u007f\ud800\ufffe\udfff 😀 \u00e9';
    const expected = 'a]]>b <script>alert("x")</script> &amp; \'q\' 😀 é';
    const opml = buildOpml(
      hostile,
      [feed('https://h.example/feed?x="1"&y=<2>', hostile, null, hostile)],
      now,
    );
    assert.doesNotMatch(opml, /\]\]>|<script|(?![\t\n\r])[\p{Cc}\p{Cs}\ufffe]/u);
    assert.match(
      opml,
      /<title>a\]\]&gt;b &lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp;amp; 'q' {2}😀 é<\/title>/,
    );
    assert.match(opml, /text="a\]\]&gt;b &lt;script&gt;alert\(&quot;x&quot;\)/);
    const parsed = parseOpml(bytes(opml));
    assert.equal(parsed.title, expected);
    assert.deepEqual(parsed.outlines, [
      feed('https://h.example/feed?x=%221%22&y=%3C2%3E', expected, null, expected),
    ]);
  });

  it('writes how a feed is fetched as FreshRSS’s attributes, never its cookie, and reads them back', () => {
    const fetched: OpmlFeed = {
      ...feed('https://f.example/feed', 'F', null, null),
      fetch: {
        articleSelector: 'main > article',
        removeSelector: '.share, a[href="/ads"]',
        userAgent: 'Reader/1',
        cookie: 'session=secret',
        scrape: null,
        rewriteRules: null,
      },
      minCheckMinutes: 90,
      paused: true,
    };
    const opml = buildOpml('t', [fetched, feed('https://plain.example/feed', 'P', null, null)], now);
    assert.match(opml, /^<opml version="2.0" xmlns:frss="https:\/\/freshrss.org\/opml">$/m);
    assert.match(
      opml,
      /xmlUrl="https:\/\/f.example\/feed" frss:cssFullContent="main &gt; article" frss:cssContentFilter=".share, a\[href=&quot;\/ads&quot;\]" frss:CURLOPT_USERAGENT="Reader\/1" frss:ttl="5400"\/>/,
    );
    assert.doesNotMatch(opml, /secret|COOKIE/);
    const [read, plain] = parseOpml(bytes(opml)).outlines;
    assert.deepEqual(read, asWritten(fetched));
    assert.deepEqual(plain, feed('https://plain.example/feed', 'P', null, null));
    assert.match(
      buildOpml('t', [feed('https://plain.example/feed', 'P', null, null)], now),
      /^<opml version="2.0">$/m,
    );
  });

  it('writes a web page read as a feed with its selectors, in Gleaner’s attributes, and reads them back', () => {
    const scrape = {
      items: '.advisories tr',
      title: 'td > a',
      link: null,
      content: null,
      date: 'td[data-x="1"]',
      author: null,
      categories: null,
    };
    const page: OpmlFeed = {
      ...feed('https://vendor.example/advisories', 'Advisories', null, null),
      fetch: {
        articleSelector: null,
        removeSelector: null,
        userAgent: null,
        cookie: null,
        scrape,
        rewriteRules: 'add_image_title, replace("a, b"|"<c>")',
      },
    };
    const opml = buildOpml('t', [page], now);
    assert.match(opml, /^<opml version="2.0" xmlns:gleaner="urn:x-gleaner:opml">$/m);
    assert.match(
      opml,
      /gleaner:scrapeItems=".advisories tr" gleaner:scrapeTitle="td &gt; a" gleaner:scrapeDate="td\[data-x=&quot;1&quot;\]" gleaner:rewriteRules="add_image_title, replace\(&quot;a, b&quot;\|&quot;&lt;c&gt;&quot;\)"\/>/,
    );
    assert.deepEqual(parseOpml(bytes(opml)).outlines, [page]);
  });

  it('leaves out FreshRSS’s XPath pages, which Gleaner cannot read, and page selectors it cannot use, saying so', () => {
    const opml =
      '<opml version="2.0" xmlns:frss="https://freshrss.org/opml" xmlns:gleaner="urn:x-gleaner:opml"><body>' +
      '<outline type="HTML+XPath" text="Changelog" xmlUrl="https://x.example/changes" frss:xPathItem="//li"/>' +
      '<outline type="rss" text="Bad" xmlUrl="https://y.example/page" gleaner:scrapeItems="li:has(a)"/>' +
      '<outline type="rss" text="Rules" xmlUrl="https://z.example/feed" gleaner:rewriteRules="parse_markdown"/>' +
      '</body></opml>';
    const parsed = parseOpml(bytes(opml));
    assert.deepEqual(
      parsed.outlines.map((o) => [o.url, o.fetch?.scrape ?? null]),
      [
        ['https://y.example/page', null],
        ['https://z.example/feed', null],
      ],
    );
    assert.match(
      parsed.warnings.join('\n'),
      /left out the rewrite rules of https:\/\/z\.example\/feed: .*does not run the rewrite rule "parse_markdown"/,
    );
    assert.match(
      parsed.warnings.join('\n'),
      /skipped "Changelog": FreshRSS reads https:\/\/x\.example\/changes with XPath/,
    );
    assert.match(
      parsed.warnings.join('\n'),
      /left out the page selectors of https:\/\/y\.example\/page: .*may not use :has/,
    );
  });

  it('keeps whitespace in attributes as character references', () => {
    const opml = buildOpml('t', [feed('https://w.example/', 'tab\there\nnewline', null, null)], now);
    assert.match(opml, /text="tab&#9;here&#10;newline"/);
  });
});

const TOKENS = [
  '<opml>',
  '</opml>',
  '<body>',
  '</body>',
  '<outline ',
  '</outline>',
  '/>',
  '>',
  'text="',
  'xmlUrl="',
  'XMLURL="',
  'type="rss" url="',
  'https://a.example/feed',
  'feed://',
  'feed:',
  '"',
  '&amp;',
  '&',
  '&#0;',
  '&#xD800;',
  '<![CDATA[',
  ']]>',
  '<!DOCTYPE x [<!ENTITY a "b">]>',
  '&a;',
  '\u0000',
  '\ud800',
  ' ',
  '/',
  '<',
];

function sorted(feeds: OpmlFeed[]): string[] {
  return feeds.map((f) => JSON.stringify(f)).sort();
}

function check(input: Uint8Array): void {
  try {
    const parsed = parseOpml(input);
    for (const outline of parsed.outlines) {
      assert.match(outline.url, /^https?:\/\//);
      assert.ok(outline.siteUrl === null || /^https?:\/\//.test(outline.siteUrl));
      assert.notEqual(outline.folder, '');
      assert.notEqual(outline.title, '');
    }
    // Whatever was read can be written and read back (grouped by folder, so compare as sets).
    const again = parseOpml(bytes(buildOpml('fuzz', parsed.outlines, new Date(0)))).outlines;
    assert.deepEqual(sorted(again), sorted(parsed.outlines.map(asWritten)));
  } catch (err) {
    if (!(err instanceof GleanerError)) throw err;
  }
}

describe('parseOpml fuzz', () => {
  it('survives random token soup', () => {
    const rand = prng(1);
    for (let n = 0; n < 2000; n++) {
      let doc = '';
      const len = 1 + Math.floor(rand() * 60);
      for (let i = 0; i < len; i++) doc += TOKENS[Math.floor(rand() * TOKENS.length)] ?? '';
      check(bytes(doc));
    }
  });

  it('survives mutated fixtures', () => {
    const docs = readdirSync(testdata).map(fixture);
    const rand = prng(2);
    for (let n = 0; n < 2000; n++) {
      const doc = docs[Math.floor(rand() * docs.length)];
      if (!doc) continue;
      const mutated = Buffer.from(doc);
      const mutations = 1 + Math.floor(rand() * 8);
      for (let m = 0; m < mutations; m++) {
        const at = Math.floor(rand() * mutated.length);
        const kind = rand();
        if (kind < 0.5) mutated[at] = Math.floor(rand() * 256);
        else if (kind < 0.9) mutated[at] = '<>&"/='.charCodeAt(Math.floor(rand() * 6));
      }
      check(rand() < 0.5 ? mutated.subarray(0, Math.floor(rand() * mutated.length)) : mutated);
    }
  });
});
