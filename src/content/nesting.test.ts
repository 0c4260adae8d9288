import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Parser, parseDocument } from 'htmlparser2';
import { htmlToText } from '../feed/parse/text.js';
import { prng } from '../testing/random.js';
import { capNesting, NESTING_LIMIT, parseDocumentWithinNesting } from './nesting.js';
import { removeMatching } from './selector.js';
import { sanitizeWithText } from './sanitize.js';

/**
 * The most open elements any htmlparser2 parser held during `parse`: what its time grows with the
 * square of. Read where the parser keeps them, after each start tag it parses.
 */
function deepestParse(parse: () => unknown): number {
  const prototype = Parser.prototype as unknown as {
    onopentagname: (this: { stack: string[] }, start: number, endIndex: number) => void;
  };
  const original = prototype.onopentagname;
  let deepest = 0;
  prototype.onopentagname = function (start, endIndex) {
    original.call(this, start, endIndex);
    deepest = Math.max(deepest, this.stack.length);
  };
  try {
    parse();
  } finally {
    prototype.onopentagname = original;
  }
  return deepest;
}

describe('capNesting', () => {
  const unchanged = [
    '',
    'plain text',
    '<p>one</p><p>two</p>',
    '<div><div><div>three deep</div></div></div>',
    // implied closes keep the stack flat, as in a parser
    '<p>a<p>b<p>c<p>d<p>e',
    '<ul><li>a<li>b<li>c<li>d</ul>',
    '<tr><td>a<td>b<tr><td>c<td>d',
    '<dl><dt>a<dd>b<dt>c<dd>d</dl>',
    // void elements never deepen
    '<br><br><br><img src=x><hr><wbr><br/>',
    '<div><div><div><img src=x><br></div></div></div>',
    // stray and unterminated tags
    '</div></div></span><div',
    '<script><div><div><div><div></script>',
    '<!-- <div><div><div><div> -->',
    // in foreign content a self-closing tag opens nothing
    '<svg><g/><g/><g/><g/></svg>',
  ];
  for (const html of unchanged) {
    it(`leaves ${JSON.stringify(html)} alone at depth 3`, () => {
      assert.equal(capNesting(html, 3), html);
    });
  }

  // A cut tag's end tag stays: the parser then ignores it, or it closes an element left open.
  const capped: { html: string; want: string }[] = [
    { html: '<div><div><div>x</div></div></div>', want: '<div><div>x</div></div></div>' },
    { html: '<b><i><u>x</u> y</i> z</b> w', want: '<b><i>x</u> y</i> z</b> w' },
    {
      html: '<div a="1"><div b=">"><div c=\'<\'>x</div  ></div></div>',
      want: '<div a="1"><div b=">">x</div  ></div></div>',
    },
    { html: '<DIV><Div><div>x</DIV></div></div>', want: '<DIV><Div>x</DIV></div></div>' },
    { html: '<div/><div/><div/>x', want: '<div/><div/>x' },
    { html: '<p><span><em>x</p></em>', want: '<p><span>x</p></em>' },
    // at the limit, even one that would first close the element on top
    { html: '<ul><li>a<li>b</ul>', want: '<ul><li>ab</ul>' },
    // a raw-text element goes with its content (its end tag stays), <plaintext> with the rest
    { html: '<b><i><script>if (a<b) x()</script>y', want: '<b><i></script>y' },
    { html: '<b><i><style>b{}</style>y', want: '<b><i></style>y' },
    { html: '<b><i><plaintext><u>x</u>', want: '<b><i>' },
    // in <svg> and <math> they are elements like any other
    { html: '<svg><i><style><u>x</u></style>', want: '<svg><i>x</u></style>' },
    // a '<' before a cut tag stays text
    { html: '<b><i><<u>u>', want: '<b><i>< u>' },
  ];
  for (const { html, want } of capped) {
    it(`caps ${JSON.stringify(html)} at depth 2`, () => {
      assert.equal(capNesting(html, 2), want);
    });
  }

  it('caps a megabyte of nested divs and keeps the text', () => {
    const depth = 200_000;
    const html = '<div>'.repeat(depth) + 'the text' + '</div>'.repeat(depth);
    assert.equal(capNesting(html, 256), '<div>'.repeat(256) + 'the text' + '</div>'.repeat(depth));
  });
});

// Markup a parser nests thousands deep, in the ways a cut made apart from the parser could read
// its tags otherwise: in foreign content, in raw text and what looks like it, in what a cut leaves.
const N = 2000;
const DEEP: { name: string; html: string }[] = [
  ...['math><style', 'svg><script', 'math><title', 'math><xmp', 'math><iframe', 'math><textarea'].map(
    (open) => ({ name: `<${open}>`, html: `<${open}>` + '<b>'.repeat(N) + 'x' }),
  ),
  { name: '<svg><noembed>', html: '<svg><noembed>' + '<b>'.repeat(N) },
  { name: '<math><noframes>', html: '<math><noframes>' + '<b>'.repeat(N) },
  { name: '<math><plaintext>', html: '<math><plaintext>' + '<b>'.repeat(N) },
  { name: '<noscript>', html: '<noscript>' + '<b>'.repeat(N) },
  { name: 'CDATA in <svg>', html: '<svg><![CDATA[</svg>]]>' + '<b>'.repeat(N) },
  { name: '<script> past the limit', html: '<div>'.repeat(300) + '<script>' + '<b>'.repeat(N) + '</script>' },
  { name: '<style> past the limit', html: '<div>'.repeat(300) + '<style>' + '<b>'.repeat(N) },
  { name: '<plaintext> past the limit', html: '<div>'.repeat(300) + '<plaintext>' + '<b>'.repeat(N) },
  { name: "a '<' before each tag past the limit", html: '<div>'.repeat(300) + '<<b>b>'.repeat(N) },
  {
    name: 'self-closing tags in <svg>',
    html: '<svg>' + ('<b/>' + '<i>'.repeat(300) + '</b>').repeat(7),
  },
  {
    name: 'end tags read in <math>',
    html: '<svg><foreignObject><clippath><math></clippath>'.repeat(N / 2),
  },
];

describe('the nesting limit', () => {
  for (const { name, html } of DEEP) {
    it(`holds in every parse of ${name}`, () => {
      assert.ok(
        deepestParse(() => parseDocument(html)) > NESTING_LIMIT + 1,
        'the input nests past the limit',
      );
      // A first parse stops one past the limit, where its handler throws; the second keeps within.
      assert.equal(
        deepestParse(() => sanitizeWithText(html, null)),
        NESTING_LIMIT + 1,
        'sanitizeWithText',
      );
      assert.equal(
        deepestParse(() => htmlToText(html)),
        NESTING_LIMIT + 1,
        'htmlToText',
      );
      assert.equal(
        deepestParse(() => parseDocumentWithinNesting(html)),
        NESTING_LIMIT,
        'a tree',
      );
      assert.equal(
        deepestParse(() => removeMatching(html, 'https://e.example/', '.ad')),
        NESTING_LIMIT,
      );
      assert.equal(
        deepestParse(() => parseDocument(capNesting(html, NESTING_LIMIT))),
        NESTING_LIMIT,
      );
    });
  }

  it('holds in a parse of what capNesting leaves of random markup (2,000 cases)', () => {
    // prettier-ignore
    const tokens = [
      '<b>', '</b>', '<b/>', '<p>', '</p>', '<li>', '<td>', '<tr>', '<svg>', '</svg>', '<math>', '</math>',
      '<mi>', '</mi>', '<foreignObject>', '</foreignobject>', '<clipPath>', '</clippath>', '<desc>',
      '<title>', '</title>', '<style>', '</style>', '<script>', '</script>', '<textarea>', '<xmp>',
      '<iframe>', '</iframe>', '<noembed>', '<noframes>', '<plaintext>', '<noscript>', '</noscript>',
      '<![CDATA[', ']]>', '<!--', '-->', '<', '>', '/', '<form>', '</form>', '<image>', '<br>', '</br>',
      '<img>', 'x', '&amp;', '"', '<div a="', '<select>', '<option>', '<table>', '<a>', '</a>', '<h1>',
    ];
    const random = prng(0xdee9);
    for (let n = 0; n < 2000; n++) {
      const html = Array.from({ length: 20 + Math.floor(random() * 200) }, () => {
        return tokens[Math.floor(random() * tokens.length)] ?? '';
      }).join('');
      const depth = 1 + Math.floor(random() * 6);
      const capped = capNesting(html, depth);
      assert.ok(deepestParse(() => parseDocument(capped)) <= depth, `at depth ${depth}: ${html}`);
    }
  });

  it('drops the content of a raw-text element past the limit, as it drops the element', () => {
    const html = '<div>'.repeat(300) + '<script>alert(1)</script><style>p{}</style><title>t</title>shown';
    assert.equal(sanitizeWithText(html, null).text, 'shown');
    assert.equal(htmlToText(html), 'shown');
  });

  it('keeps images and line breaks at the limit', () => {
    const html = '<div>'.repeat(300) + 'a<br>b<img src="https://e.example/i.png" alt="i">';
    assert.match(sanitizeWithText(html, null).html, /a<br \/>b<img src="https:\/\/e.example\/i.png"/);
  });
});
