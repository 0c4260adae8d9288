// A depth limit applied to raw HTML before any tree is built from it.
//
// Threat: a feed entry of deeply nested tags (1 MB of <div> is 200,000 levels) costs time quadratic in
// the depth in htmlparser2, which keeps its open elements with Array#unshift (~20 s for that entry),
// in the sanitizer and in Readability. This pass is linear: it uses htmlparser2's tokenizer alone,
// with a stack of our own, and cuts the tags that would open deeper than the limit (their text stays).
// It mirrors the parser's implied closes so ordinary markup (unclosed <p>, <li>) is never cut; where it
// differs from a parser it only decides which tags go, and everything it returns is sanitized after.
import { Tokenizer } from 'htmlparser2';

/** Deeper than anything real nests: a parse that goes past it stops, and its input is cut first. */
export const NESTING_LIMIT = 256;

/** Thrown out of a parse that opened an element deeper than NESTING_LIMIT (see parseWithinNesting). */
export const TOO_DEEP = new Error('nested too deeply');

/**
 * `parse(html, false)`, which throws TOO_DEEP when it opens an element past NESTING_LIMIT; then
 * `parse` of capNesting's cut, told it is cut (which may still open deeper: capNesting only mirrors
 * the parser). htmlparser2's time grows with the square of the depth, so deep input is cut first.
 */
export function parseWithinNesting<T>(html: string, parse: (input: string, capped: boolean) => T): T {
  try {
    return parse(html, false);
  } catch (err) {
    if (err !== TOO_DEEP) throw err;
    return parse(capNesting(html, NESTING_LIMIT), true);
  }
}

/** Elements that never have content (so never deepen the tree). */
// prettier-ignore
const VOID_ELEMENTS = new Set([
  'area', 'base', 'basefont', 'br', 'col', 'command', 'embed', 'frame', 'hr', 'img', 'input', 'isindex',
  'keygen', 'link', 'meta', 'param', 'source', 'track', 'wbr',
]);

const P = ['p'];
// prettier-ignore
const CLOSE_P = [
  'p', 'address', 'article', 'aside', 'blockquote', 'details', 'div', 'dl', 'fieldset', 'figcaption', 'figure',
  'footer', 'form', 'header', 'hr', 'main', 'nav', 'ol', 'pre', 'section', 'table', 'ul',
];
const HEADINGS = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p'];
const FORM_CONTROLS = ['input', 'option', 'optgroup', 'select', 'button', 'datalist', 'textarea'];

/** Opening the key closes any of these left open on top of the stack (htmlparser2's table). */
const OPEN_IMPLIES_CLOSE = new Map<string, ReadonlySet<string>>(
  Object.entries({
    tr: ['tr', 'th', 'td'],
    th: ['th'],
    td: ['thead', 'th', 'td'],
    body: ['head', 'link', 'script'],
    a: ['a'],
    li: ['li'],
    option: ['option'],
    optgroup: ['optgroup', 'option'],
    dd: ['dd', 'dt'],
    dt: ['dd', 'dt'],
    rt: ['rt', 'rp'],
    rp: ['rt', 'rp'],
    tbody: ['thead', 'tbody'],
    tfoot: ['thead', 'tbody'],
    ...Object.fromEntries(['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((h) => [h, HEADINGS])),
    ...Object.fromEntries(
      ['select', 'input', 'output', 'button', 'datalist', 'textarea'].map((tag) => [tag, FORM_CONTROLS]),
    ),
    ...Object.fromEntries(CLOSE_P.map((tag) => [tag, P])),
  }).map(([tag, closes]) => [tag, new Set(closes)]),
);

/** `html` without the tags that would open deeper than `maxDepth`; the same string when there are none. */
export function capNesting(html: string, maxDepth: number): string {
  const names: string[] = [];
  const cutFlags: boolean[] = [];
  const openCounts = new Map<string, number>();
  const cuts: number[] = []; // [start, end) pairs, in document order
  let tagName = '';
  let tagStart = 0;

  const push = (name: string, cut: boolean): void => {
    names.push(name);
    cutFlags.push(cut);
    openCounts.set(name, (openCounts.get(name) ?? 0) + 1);
  };
  const pop = (): { name: string; cut: boolean } => {
    const name = names.pop() ?? '';
    const cut = cutFlags.pop() ?? false;
    openCounts.set(name, (openCounts.get(name) ?? 1) - 1);
    return { name, cut };
  };
  // HTML ignores the '/' of '<div/>', so a self-closing tag opens like any other.
  const openTag = (endIndex: number): void => {
    if (VOID_ELEMENTS.has(tagName)) return;
    const closes = OPEN_IMPLIES_CLOSE.get(tagName);
    if (closes !== undefined) {
      while (names.length > 0 && closes.has(names[names.length - 1] ?? '')) pop();
    }
    const cut = names.length >= maxDepth;
    push(tagName, cut);
    if (cut) cuts.push(tagStart, endIndex + 1);
  };

  const tokenizer = new Tokenizer(
    { decodeEntities: false },
    {
      onopentagname(start, endIndex) {
        tagName = html.slice(start, endIndex).toLowerCase();
        tagStart = start - 1; // the '<'
      },
      onopentagend: openTag,
      onselfclosingtag: openTag,
      onclosetag(start, endIndex) {
        const name = html.slice(start, endIndex).toLowerCase();
        if ((openCounts.get(name) ?? 0) === 0) return; // a stray end tag: the parser ignores it too
        for (;;) {
          const element = pop();
          if (element.name !== name) continue;
          const end = html.indexOf('>', endIndex);
          if (element.cut && end !== -1) cuts.push(start - 2, end + 1); // from the '</'
          return;
        }
      },
      onattribdata() {},
      onattribentity() {},
      onattribend() {},
      onattribname() {},
      oncdata() {},
      oncomment() {},
      ondeclaration() {},
      onend() {},
      onprocessinginstruction() {},
      ontext() {},
      ontextentity() {},
    },
  );
  tokenizer.write(html);
  tokenizer.end();
  if (cuts.length === 0) return html;

  let out = '';
  let from = 0;
  for (let i = 0; i + 1 < cuts.length; i += 2) {
    out += html.slice(from, cuts[i]);
    from = cuts[i + 1] ?? html.length;
  }
  return out + html.slice(from);
}
