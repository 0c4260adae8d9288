import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { absolutizeUrl, stripTrackingParams, type UrlKind } from './urls.js';

const BASE = 'https://blog.example.com/2024/03/post.html';

describe('absolutizeUrl', () => {
  const cases: { url: string; base?: string | null; kind?: UrlKind; want: string | null }[] = [
    // resolved against the base
    { url: 'image.png', want: 'https://blog.example.com/2024/03/image.png' },
    { url: '../img/a.png', want: 'https://blog.example.com/2024/img/a.png' },
    { url: '/about', want: 'https://blog.example.com/about' },
    { url: '//cdn.example.net/a.js', want: 'https://cdn.example.net/a.js' },
    { url: '?page=2', want: 'https://blog.example.com/2024/03/post.html?page=2' },
    { url: '#comments', want: 'https://blog.example.com/2024/03/post.html#comments' },
    { url: '  /padded  ', want: 'https://blog.example.com/padded' },
    { url: 'HTTPS://Other.Example/Path', want: 'https://other.example/Path' },
    { url: 'https://other.example/a b', want: 'https://other.example/a%20b' },
    { url: 'https://other.example/', base: null, want: 'https://other.example/' },
    { url: 'mailto:editor@example.com', want: 'mailto:editor@example.com' },
    // unusable
    { url: '', want: null },
    { url: '   ', want: null },
    { url: 'relative/path', base: null, want: null },
    { url: '/rooted', base: null, want: null },
    { url: 'relative', base: 'not a url', want: null },
    { url: 'relative', base: 'javascript:alert(1)', want: null },
    { url: 'passwd', base: 'file:///etc/', want: null },
    { url: 'https://[::1', want: null },
    { url: 'http://exa mple.com/', want: null },
    // schemes that are not links
    { url: 'javascript:alert(1)', want: null },
    { url: '  JaVaScRiPt:alert(1)', want: null },
    { url: 'java\tscript:alert(1)', want: null },
    { url: 'java\nscript:alert(1)', want: null },
    { url: '\u0001javascript:alert(1)', want: null },
    { url: 'vbscript:msgbox(1)', want: null },
    { url: 'data:text/html,<script>alert(1)</script>', want: null },
    { url: 'data:image/png;base64,AAAA', want: null },
    { url: 'file:///etc/passwd', want: null },
    { url: 'ftp://files.example.com/a', want: null },
    { url: 'tel:+15555555555', want: null },
    { url: 'blob:https://example.com/uuid', want: null },
    // media may not be mailto
    { url: 'mailto:editor@example.com', kind: 'media', want: null },
    { url: 'pic.jpg', kind: 'media', want: 'https://blog.example.com/2024/03/pic.jpg' },
  ];
  for (const { url, base = BASE, kind, want } of cases) {
    it(`${JSON.stringify(url)} against ${JSON.stringify(base)}${kind ? ` as ${kind}` : ''}`, () => {
      assert.equal(absolutizeUrl(url, base, kind), want);
    });
  }

  it('gives what the WHATWG parser gives for any URL, those it keeps as written included', () => {
    // Absolute URLs are kept without parsing when parsing would give them back unchanged: random
    // ones, built of what the parser rewrites (case, dot segments, escapes, ports, IP addresses,
    // IDNs, backslashes, spaces), each checked against the parser itself.
    const pieces = [
      ...[
        'a',
        'b9',
        'Z',
        '-',
        '_',
        '~',
        '.',
        '..',
        '/',
        '//',
        '/./',
        '/../',
        '%2e',
        '%2E',
        '%41',
        '%',
        '%zz',
      ],
      ...['?', '#', '&', '=', "'", '"', ' ', '\t', '\\', '@', ':', ':80', ':443', '0x7f', '127', '1', '08'],
      ...[
        'xn--',
        'xn--nxa',
        'é',
        '中',
        '`',
        '{',
        '|',
        '[',
        ']',
        '^',
        '<',
        '+',
        '!',
        '$',
        '(',
        ')',
        '*',
        ',',
        ';',
      ],
      ...['utm_source=x', 'com', 'example', '.com', '\u0000', '\n', 'HTTP://'],
    ];
    let seed = 42;
    const random = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      // The high bits: an LCG's low bits repeat with a short period.
      return Math.floor((seed / 2 ** 31) * n);
    };
    const some = (count: number): string =>
      Array.from({ length: count }, () => pieces[random(pieces.length)]).join('');
    const parsed = (url: string): string | null => {
      try {
        const u = new URL(url, BASE);
        return ['http:', 'https:', 'mailto:'].includes(u.protocol) ? u.href : null;
      } catch {
        return null;
      }
    };
    let kept = 0;
    for (let i = 0; i < 20_000; i++) {
      const scheme = ['http://', 'https://', 'HTTPS://', 'http:/', ''][random(5)];
      const host = [`${some(2)}.example`, 'example.com', `a.${some(1)}`, some(3)][random(4)];
      const url = random(8) === 0 ? `#${some(random(3))}` : `${scheme}${host}/${some(random(8))}`;
      assert.equal(absolutizeUrl(url, BASE), parsed(url), JSON.stringify(url));
      if (absolutizeUrl(url, BASE) === url) kept++;
    }
    // Enough of them were kept as written for the test to mean something.
    assert.ok(kept > 1_000, `${kept} kept`);
  });
});

describe('stripTrackingParams', () => {
  const cases: { url: string; want: string }[] = [
    { url: 'https://e.com/p?utm_source=rss', want: 'https://e.com/p' },
    { url: 'https://e.com/p?utm_source=rss&utm_medium=feed&utm_campaign=x', want: 'https://e.com/p' },
    { url: 'https://e.com/p?id=7&utm_source=rss', want: 'https://e.com/p?id=7' },
    { url: 'https://e.com/p?utm_source=rss&id=7', want: 'https://e.com/p?id=7' },
    { url: 'https://e.com/p?a=1&fbclid=IwAR0x&b=2', want: 'https://e.com/p?a=1&b=2' },
    { url: 'https://e.com/p?utm_source=rss#section-2', want: 'https://e.com/p#section-2' },
    {
      url: 'https://e.com/p?q=1&gclid=x#frag?utm_source=kept',
      want: 'https://e.com/p?q=1#frag?utm_source=kept',
    },
    { url: 'https://e.com/p?UTM_Source=RSS&ID=7', want: 'https://e.com/p?ID=7' },
    { url: 'https://e.com/p?utm%5Fsource=rss&x=1', want: 'https://e.com/p?x=1' },
    { url: 'https://e.com/p?utm_source', want: 'https://e.com/p' },
    { url: 'https://e.com/p?utm_content=a%20b&keep=a%20b', want: 'https://e.com/p?keep=a%20b' },
    {
      url: 'https://e.com/p?gclid=1&dclid=2&msclkid=3&mc_cid=4&mc_eid=5&_hsenc=6&_hsmi=7&igshid=8&yclid=9&k=v',
      want: 'https://e.com/p?k=v',
    },
    {
      url: 'https://e.com/p?ref_src=1&__s=2&mkt_tok=3&oly_anon_id=4&oly_enc_id=5&vero_id=6&wickedid=7&twclid=8&ttclid=9',
      want: 'https://e.com/p',
    },
    { url: 'https://e.com/p?hsa_cam=1&pk_campaign=2&mtm_source=3&_ga=4&k', want: 'https://e.com/p?k' },
    // everything else byte for byte
    { url: 'https://e.com/p', want: 'https://e.com/p' },
    { url: 'https://e.com/p?', want: 'https://e.com/p?' },
    { url: 'https://e.com/p?b=2&a=1&a=3', want: 'https://e.com/p?b=2&a=1&a=3' },
    { url: 'https://e.com/p?x=%E4%B8%AD&y=a+b&utm_term=z', want: 'https://e.com/p?x=%E4%B8%AD&y=a+b' },
    { url: 'https://e.com/p?&&utm_source=x&&a', want: 'https://e.com/p?&&&a' },
    { url: 'https://e.com/p?ref=home&source=rss&utm=1', want: 'https://e.com/p?ref=home&source=rss&utm=1' },
    { url: 'https://e.com/p?%zz=1&utm_id=2', want: 'https://e.com/p?%zz=1' },
    { url: 'https://e.com/p#?utm_source=x', want: 'https://e.com/p#?utm_source=x' },
    { url: 'https://e.com/utm_source=x/page', want: 'https://e.com/utm_source=x/page' },
    { url: 'mailto:a@e.com?subject=Hi&utm_source=x', want: 'mailto:a@e.com?subject=Hi' },
  ];
  for (const { url, want } of cases) {
    it(url, () => {
      assert.equal(stripTrackingParams(url), want);
    });
  }
});
