import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  MAX_HTML_CHARS,
  MAX_LINKED_FEEDS,
  commonFeedPaths,
  discoverFeeds,
  feedUrlOf,
  findIcon,
  type DiscoveredFeed,
} from './index.js';
import { prng } from '../../testing/random.js';

const page = (name: string): string => readFileSync(new URL(`testdata/${name}`, import.meta.url), 'utf8');
const PAGE_URL = 'https://site.example/page/1';

function feed(type: DiscoveredFeed['type'], url: string, title: string | null): DiscoveredFeed {
  return { url, title, type };
}

const pages: {
  name: string;
  html: string;
  feeds: DiscoveredFeed[];
  linked?: DiscoveredFeed[];
  icon: string;
}[] = [
  {
    name: 'WordPress: entries and comments feeds, not the REST API or oEmbed',
    html: page('wordpress.html'),
    feeds: [
      feed('rss', 'https://blog.example.com/feed/', 'My WordPress Blog » Feed'),
      feed('rss', 'https://blog.example.com/comments/feed/', 'My WordPress Blog » Comments Feed'),
      feed(
        'rss',
        'https://blog.example.com/2024/09/hello-world/feed/',
        'My WordPress Blog » Hello world! Comments Feed',
      ),
    ],
    icon: 'https://blog.example.com/wp-content/uploads/2024/01/cropped-logo-192x192.png',
  },
  {
    name: 'Ghost',
    html: page('ghost.html'),
    feeds: [feed('rss', 'https://ghost.example.org/rss/', 'The Ghost Blog')],
    icon: 'https://ghost.example.org/content/images/size/w256h256/2023/05/icon.png',
  },
  {
    name: 'Hugo: RSS sections and a JSON feed; a scalable icon wins',
    html: page('hugo.html'),
    feeds: [
      feed('rss', 'https://hugo.example.net/index.xml', 'A Hugo site'),
      feed('rss', 'https://hugo.example.net/posts/index.xml', 'Posts on A Hugo site'),
      feed('json', 'https://hugo.example.net/index.json', 'A Hugo site'),
    ],
    icon: 'https://site.example/favicon.svg',
  },
  {
    name: 'Substack: the largest apple-touch-icon',
    html: page('substack.html'),
    feeds: [feed('rss', 'https://joletter.substack.com/feed', 'The Weekly Letter')],
    icon: 'https://substackcdn.com/image/fetch/icon_180x180.png',
  },
  {
    name: 'Medium-like: alternates that are not feeds are ignored',
    html: page('medium.html'),
    feeds: [feed('rss', 'https://medium.com/feed/engineering-blog', 'RSS')],
    icon: 'https://miro.medium.com/v2/resize:fill:304:304/10fd5c419ac61637245384e7099e131627900034828f4f386bdaa47a74eae156',
  },
  {
    name: 'several feeds, in document order, without duplicates or unusable links',
    html: page('several.html'),
    feeds: [
      feed('atom', 'https://site.example/news.atom', 'News (Atom)'),
      feed('rss', 'https://site.example/news.rss', 'News (RSS)'),
      feed('rss', 'https://site.example/page/news.rss', 'News again'),
      feed('rss', 'https://site.example/news.rdf', 'News (RDF)'),
      feed('unknown', 'https://cdn.example.com/podcast.xml', 'Podcast'),
      feed('json', 'https://site.example/feed.json', 'JSON Feed'),
    ],
    icon: 'https://site.example/favicon.ico',
  },
  {
    name: 'no feed at all',
    html: page('none.html'),
    feeds: [],
    icon: 'https://site.example/favicon.ico',
  },
  {
    name: 'relative hrefs against the first <base>, even for links before it',
    html: page('base.html'),
    feeds: [
      feed('atom', 'https://site.example/blog/atom.xml', 'Before the base'),
      feed('rss', 'https://site.example/blog/rss.xml', 'After the base'),
    ],
    icon: 'https://site.example/img/icon.png',
  },
  {
    name: 'uppercase tags, attributes and types',
    html: page('uppercase.html'),
    feeds: [feed('rss', 'https://site.example/RSS.XML', 'Old & Loud')],
    icon: 'https://site.example/FAVICON.ICO',
  },
  {
    name: 'feed-looking links in the body to the site itself, when the head declares none',
    html: page('body-links.html'),
    feeds: [],
    linked: [
      feed('unknown', 'https://site.example/blog/feed', 'via RSS'),
      feed('atom', 'https://site.example/blog/atom.xml', 'Atom feed'),
      feed('json', 'https://site.example/feed.json', 'JSON Feed'),
      feed('rss', 'https://site.example/?feed=rss2', 'old style'),
      feed('rss', 'https://www.site.example/feeds/all.rss', 'all'),
    ],
    icon: 'https://site.example/favicon.ico',
  },
  {
    name: 'junk markup: what can be read is kept',
    html: page('junk.html'),
    feeds: [feed('rss', 'https://cdn.example.com/f.xml', 'junk &bogus; &')],
    icon: 'https://site.example/favicon.ico',
  },
  {
    name: 'several rel tokens in any case, a type with parameters',
    html: '<link rel="home ALTERNATE" type="APPLICATION/ATOM+XML ; charset=utf-8" href="/a">',
    feeds: [feed('atom', 'https://site.example/a', null)],
    icon: 'https://site.example/favicon.ico',
  },
  {
    name: 'the head is enough when it declares a feed, even without </head>',
    html: '<head><link rel=alternate type=application/rss+xml href=/rss><body><a href="/other.xml">x</a>',
    feeds: [feed('rss', 'https://site.example/rss', null)],
    icon: 'https://site.example/favicon.ico',
  },
  {
    name: 'links to a feed in the body that are also declared, or not feeds',
    html: '<body><a href="/feed/">Feed</a><a href="/feed/#comments">Feed</a><a href="javascript:void(0)//feed">x</a><a href="/a/b">b</a>',
    feeds: [],
    linked: [feed('unknown', 'https://site.example/feed/', 'Feed')],
    icon: 'https://site.example/favicon.ico',
  },
];

describe('discoverFeeds and findIcon on real-world-shaped pages', () => {
  for (const p of pages) {
    it(p.name, () => {
      assert.deepEqual(discoverFeeds(p.html, PAGE_URL), { declared: p.feeds, linked: p.linked ?? [] });
      assert.equal(findIcon(p.html, PAGE_URL), p.icon);
    });
  }
});

describe('findIcon', () => {
  const cases: [string, string, string | null][] = [
    ['no icon: /favicon.ico at the root', '<head></head>', 'https://site.example/favicon.ico'],
    [
      'a data: icon is skipped',
      '<link rel="icon" href="data:,"><link rel="icon" href="/i.png">',
      'https://site.example/i.png',
    ],
    [
      'mask-icon is not a favicon',
      '<link rel="mask-icon" href="/mask.svg" color="#000">',
      'https://site.example/favicon.ico',
    ],
    [
      'declared sizes beat undeclared ones; ties keep the first',
      '<link rel="icon" href="/a.png"><link rel="icon" href="/b.png" sizes="16x16 48x48"><link rel="icon" href="/c.png" sizes="48x48">',
      'https://site.example/b.png',
    ],
    [
      'an icon in the body is not read',
      '<head></head><body><link rel="icon" href="/late.png"></body>',
      'https://site.example/favicon.ico',
    ],
  ];
  for (const [name, html, expected] of cases) {
    it(name, () => assert.equal(findIcon(html, PAGE_URL), expected));
  }

  it('is null when the page URL is not http(s)', () => {
    assert.equal(findIcon('', 'not a url'), null);
    assert.equal(findIcon('', 'file:///etc/passwd'), null);
    assert.equal(
      findIcon('<link rel=icon href="https://cdn.example/i.png">', 'nope'),
      'https://cdn.example/i.png',
    );
  });
});

describe('commonFeedPaths', () => {
  it('resolves the usual paths in the page’s directory, then at the site root', () => {
    assert.deepEqual(commonFeedPaths('https://blog.example.com:8443/project/post.html?utm=x#top'), [
      'https://blog.example.com:8443/project/feed',
      'https://blog.example.com:8443/project/feed/',
      'https://blog.example.com:8443/project/rss',
      'https://blog.example.com:8443/project/rss.xml',
      'https://blog.example.com:8443/project/atom.xml',
      'https://blog.example.com:8443/project/index.xml',
      'https://blog.example.com:8443/project/feed.xml',
      'https://blog.example.com:8443/project/feed.json',
      'https://blog.example.com:8443/project/?feed=rss2',
      'https://blog.example.com:8443/feed',
      'https://blog.example.com:8443/feed/',
      'https://blog.example.com:8443/rss',
      'https://blog.example.com:8443/rss.xml',
      'https://blog.example.com:8443/atom.xml',
      'https://blog.example.com:8443/index.xml',
      'https://blog.example.com:8443/feed.xml',
      'https://blog.example.com:8443/feed.json',
      'https://blog.example.com:8443/?feed=rss2',
    ]);
  });

  it('tries each path once, for a page at the root', () => {
    assert.deepEqual(commonFeedPaths('https://site.example/?p=1'), [
      'https://site.example/feed',
      'https://site.example/feed/',
      'https://site.example/rss',
      'https://site.example/rss.xml',
      'https://site.example/atom.xml',
      'https://site.example/index.xml',
      'https://site.example/feed.xml',
      'https://site.example/feed.json',
      'https://site.example/?feed=rss2',
    ]);
  });

  it('offers nothing for a page that is not http(s)', () => {
    assert.deepEqual(commonFeedPaths('ftp://example.com/'), []);
    assert.deepEqual(commonFeedPaths('example.com'), []);
    assert.deepEqual(commonFeedPaths(''), []);
  });
});

describe('feedUrlOf', () => {
  const cases: [string, string][] = [
    ['https://site.example/feed.xml', 'https://site.example/feed.xml'],
    ['https://site.example/feed.xml#top', 'https://site.example/feed.xml'],
    ['https://site.example/feed.xml?', 'https://site.example/feed.xml'],
    ['https://site.example/feed.xml?#', 'https://site.example/feed.xml'],
    ['https://site.example/?feed=rss2#x', 'https://site.example/?feed=rss2'],
    ['https://site.example/feed?a=1&', 'https://site.example/feed?a=1&'],
  ];
  for (const [written, kept] of cases) {
    it(`${written} is ${kept}`, () => assert.equal(feedUrlOf(new URL(written)), kept));
  }

  it('names the feeds a page links to so', () => {
    assert.deepEqual(
      discoverFeeds('<link rel=alternate type=application/rss+xml href="/f.xml?#x">', PAGE_URL).declared,
      [feed('rss', 'https://site.example/f.xml', null)],
    );
  });
});

describe('links in the body', () => {
  it('offers only those to the page’s own site, www. or not, and a few of them', () => {
    const html =
      '<body><a href="http://friend.example/feed">a friend</a><a href="https://site.example.evil/feed">x</a>' +
      '<a href="https://www.site.example/rss">RSS</a>' +
      Array.from({ length: 10 }, (_, i) => `<a href="/f${i}.xml">${i}</a>`).join('');
    assert.deepEqual(
      discoverFeeds(html, PAGE_URL).linked.map((f) => f.url),
      [
        'https://www.site.example/rss',
        ...Array.from({ length: MAX_LINKED_FEEDS - 1 }, (_, i) => `https://site.example/f${i}.xml`),
      ],
    );
  });
});

function check(html: string, pageUrl = PAGE_URL): DiscoveredFeed[] {
  const page = discoverFeeds(html, pageUrl);
  const feeds = [...page.declared, ...page.linked];
  for (const f of feeds) assert.match(f.url, /^https?:\/\//);
  assert.equal(new Set(feeds.map((f) => f.url)).size, feeds.length);
  const icon = findIcon(html, pageUrl);
  assert.ok(icon === null || /^https?:\/\//.test(icon));
  return feeds;
}

describe('hostile pages', () => {
  it('ignores everything after the first 2 MB', () => {
    const padding = '<p>' + 'x'.repeat(MAX_HTML_CHARS) + '</p>';
    const late = '<link rel="alternate" type="application/rss+xml" href="/late.xml">';
    assert.deepEqual(check(`<html><body>${padding}${late}`), []);
  });

  it('bounds the candidates', () => {
    const links = Array.from(
      { length: 5000 },
      (_, i) => `<link rel="alternate" type="application/rss+xml" href="/f${i}.xml">`,
    ).join('');
    assert.equal(check(links).length, 100);
    const anchors = Array.from(
      { length: 5000 },
      (_, i) => `<a href="/nav/${i}">n</a><a href="/f${i}.xml">f</a>`,
    );
    assert.equal(check(`<body>${anchors.join('')}`).length, MAX_LINKED_FEEDS);
  });

  it('finishes on pathological shapes', () => {
    const shapes = [
      '<div>'.repeat(400_000),
      '<div>'.repeat(500) + '</x>'.repeat(500_000),
      '<a href="feed?' + 'feed?\n'.repeat(200_000) + '">',
      '<a href="' + '/feed'.repeat(200_000) + 'x">',
      '<link rel="' + 'alternate '.repeat(100_000) + '" type="application/rss+xml" href="/f">',
      '<link rel="icon" sizes="' + '99999x99999 '.repeat(100_000) + '" href="/i.png">',
      '<a href="/feed">' + 'text '.repeat(200_000) + '</a>',
      '<link rel="alternate" type="application/rss+xml" title="' + ' \u0000'.repeat(200_000) + '" href="/f">',
      '<base href="javascript:alert(1)"><link rel="alternate" type="application/rss+xml" href="f.xml">',
      '<script>' + '<link rel="alternate" type="application/rss+xml" href="/f">'.repeat(1000),
      '<!--' + '<a href="/feed">'.repeat(1000),
      '<link rel="alternate" type="constructor" href="/a"><link rel="alternate" type="__proto__" href="/b">',
    ];
    for (const shape of shapes) check(shape);
    assert.deepEqual(
      check('<link rel=alternate type=toString href=/a><link rel=alternate type=__proto__ href=/b>'),
      [],
    );
  });

  it('survives random token soup and page URLs', () => {
    const tokens = [
      '<head>',
      '</head>',
      '<body>',
      '<link ',
      '<a ',
      '</a>',
      '<base ',
      'rel="alternate" ',
      'rel=icon ',
      'type="application/rss+xml" ',
      'sizes="32x32 any" ',
      'href="',
      'href=',
      '/feed',
      '.xml',
      '//',
      'http://[::1',
      '../',
      '"',
      "'",
      '>',
      '<',
      '&amp;',
      '&',
      '\u0000',
      '\ud800',
      '<!--',
      '-->',
      '<script>',
      ' ',
    ];
    const pageUrls = [PAGE_URL, 'http://x/', 'garbage', '', 'https://[::1]:8080/a?b#c', 'data:text/html,x'];
    const rand = prng(7);
    for (let n = 0; n < 3000; n++) {
      let html = '';
      const len = 1 + Math.floor(rand() * 60);
      for (let i = 0; i < len; i++) html += tokens[Math.floor(rand() * tokens.length)] ?? '';
      check(html, pageUrls[Math.floor(rand() * pageUrls.length)]);
    }
  });
});
