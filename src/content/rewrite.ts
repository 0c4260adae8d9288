// Miniflux's rewrite rules, those Gleaner runs: changes made to each new entry's content before it
// is sanitized, written as Miniflux writes them (`add_image_title, replace("x"|"y")`). remove() is
// the feed's remove selector (FetchOptions.removeSelector), kept apart.
//   add_image_title     an image's title shown under it (xkcd's punchlines)
//   add_dynamic_image   a lazy-loading image's real source (data-src and the like) made its src
//   add_youtube_video   a YouTube entry's video, embedded (youtube-nocookie.com) above its text
//   remove_tables       tables unwrapped: their cells' content kept, a line a row, in a <div>
//   nl2br               line breaks in the text made <br> (feeds that send plain text as HTML)
//   convert_text_link   web addresses written in the text made links
//   replace("re"|"to")  what a regular expression matches in the markup, replaced ($1 for a group)
//
// Threat: the rules are the user's, the content a stranger's. A replace() pattern runs on V8's
// linear-time engine (as subscribers' rules do, ingest/rules.ts), the tree is built within the
// nesting limit, and what comes out is sanitized as any content is.
import { DomUtils, ElementType, parseDocument } from 'htmlparser2';
import { escapeHtml } from './escape.js';
import { compileRule } from '../ingest/rules.js';
import { GleanerError } from '../model/errors.js';
import { parseDocumentWithinNesting } from './nesting.js';

/** Longer rule lists are refused: a real one names a few rules. */
export const MAX_REWRITE_RULES_LENGTH = 2000;

/** The rules that work on the content's tree (rewriteTree). */
type TreeRule = 'add_image_title' | 'add_dynamic_image' | 'remove_tables' | 'nl2br' | 'convert_text_link';

/** A rule, and `text`, the one way Gleaner writes it (a replace() as it was given). */
export type RewriteRule = { text: string } & (
  { kind: TreeRule | 'add_youtube_video' } | { kind: 'replace'; pattern: RegExp; replacement: string }
);

const SIMPLE = new Set([
  'add_image_title',
  'add_dynamic_image',
  'add_youtube_video',
  'remove_tables',
  'nl2br',
  'convert_text_link',
]);

/** Where lazy-loading scripts keep an image's real source, and its sources for srcset. */
const LAZY_SOURCES = ['data-src', 'data-original', 'data-lazy-src', 'data-orig-file', 'data-url'];
const LAZY_SRCSETS = ['data-srcset', 'data-lazy-srcset'];

/**
 * A Miniflux rule list split: the selectors of its remove("…") rules (the feed's remove selector,
 * kept apart), and its other rules, in order. A USAGE error naming the first rule Gleaner does not
 * run, or cannot read. Rules are separated by commas; the quoted parts of remove() and replace()
 * run to the `")` that ends them, and may hold quotes and commas.
 */
export function splitRewriteRules(text: string): { removeSelectors: string[]; rules: RewriteRule[] } {
  if (text.length > MAX_REWRITE_RULES_LENGTH)
    throw new GleanerError(
      'USAGE',
      `the rewrite rules are longer than ${MAX_REWRITE_RULES_LENGTH} characters`,
    );
  const removeSelectors: string[] = [];
  const rules: RewriteRule[] = [];
  let rest = text.trim();
  while (rest !== '') {
    const remove = /^remove\("(.*?)"\)\s*(?:,\s*|$)/s.exec(rest);
    const replace = /^replace\("(.*?)"\|"(.*?)"\)\s*(?:,\s*|$)/s.exec(rest);
    const simple = /^([a-z0-9_]+)\s*(?:,\s*|$)/.exec(rest);
    if (remove) {
      const selector = (remove[1] ?? '').trim();
      if (selector !== '') removeSelectors.push(selector);
      rest = rest.slice(remove[0].length);
    } else if (replace) {
      // As written, spaces and all: replace(" - "|": ") is about the spaces around the dash.
      const pattern = compileRule(replace[1], 'replace() pattern', { keepSpaces: true });
      if (pattern === null)
        throw new GleanerError('USAGE', 'a replace() rule needs a pattern: replace("x"|"y")');
      rules.push({
        text: `replace("${replace[1]}"|"${replace[2]}")`,
        kind: 'replace',
        // eslint-disable-next-line no-invalid-regexp -- `l` is V8's linear-time engine (ingest/rules.ts)
        pattern: new RegExp(pattern.source, 'gl'),
        replacement: replace[2] ?? '',
      });
      rest = rest.slice(replace[0].length);
    } else if (simple && SIMPLE.has(simple[1] ?? '')) {
      const kind = simple[1] as Exclude<RewriteRule['kind'], 'replace'>;
      rules.push({ text: kind, kind });
      rest = rest.slice(simple[0].length);
    } else {
      const name = /^[^,(]*/.exec(rest)?.[0].trim() || rest.slice(0, 40);
      throw new GleanerError(
        'USAGE',
        name === 'replace' || name === 'remove'
          ? `Invalid rewrite rule ${JSON.stringify(rest.slice(0, 80))}: write ${name === 'replace' ? 'replace("pattern"|"replacement")' : 'remove("selector")'}`
          : `Gleaner does not run the rewrite rule ${JSON.stringify(name)}: it runs add_image_title, add_dynamic_image, add_youtube_video, remove_tables, nl2br, convert_text_link, replace("pattern"|"replacement") and remove("selector")`,
      );
    }
  }
  return { removeSelectors, rules };
}

/** The rules `text` lists, in order (splitRewriteRules); remove() is refused: it is the remove selector. */
export function parseRewriteRules(text: string): RewriteRule[] {
  const { removeSelectors, rules } = splitRewriteRules(text);
  if (removeSelectors.length > 0)
    throw new GleanerError(
      'USAGE',
      'remove("…") is the feed\'s remove selector, set apart from its rewrite rules: give the selector there',
    );
  return rules;
}

/** `rules` as Gleaner stores and shows them: one way of writing each, in order; null for none. */
export function rewriteRulesText(text: string | null): string | null {
  if (text === null || text.trim() === '') return null;
  return parseRewriteRules(text)
    .map((rule) => rule.text)
    .join(', ');
}

/**
 * A web address written in text, as far as the next space or markup character; what ends a
 * sentence after it is not part of it (linkedText). Each match starts where the last one ended,
 * so a text costs time in proportion to its length.
 */
const TEXT_LINKS = /https?:\/\/[^\s<>"']+/g;

/** `text` (as a text node holds it) as markup, its web addresses made links. */
function linkedText(text: string): string {
  let out = '';
  let at = 0;
  for (const match of text.matchAll(TEXT_LINKS)) {
    let end = match[0].length;
    while (end > 0 && '.,;:!?)]'.includes(match[0][end - 1] ?? '')) end--;
    const url = match[0].slice(0, end);
    const start = match.index;
    out += `${escapeHtml(text.slice(at, start))}<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>`;
    at = start + url.length;
  }
  return out + escapeHtml(text.slice(at));
}

const YOUTUBE_WATCH =
  /^https?:\/\/(?:www\.|m\.)?(?:youtube\.com\/watch\?(?:.*&)?v=|youtu\.be\/)([A-Za-z0-9_-]{11})/;

/** `html`, the content of the entry at `link`, with `rules` applied in order. Not sanitized. */
export function rewriteContent(html: string, link: string | null, rules: readonly RewriteRule[]): string {
  let out = html;
  for (const rule of rules) {
    switch (rule.kind) {
      case 'replace':
        out = out.replace(rule.pattern, rule.replacement);
        break;
      case 'add_youtube_video': {
        const id = link ? YOUTUBE_WATCH.exec(link)?.[1] : undefined;
        if (id)
          out = `<iframe src="https://www.youtube-nocookie.com/embed/${id}" allowfullscreen></iframe>${out}`;
        break;
      }
      default:
        out = rewriteTree(out, rule.kind);
    }
  }
  return out;
}

/** The first node of `html`, parsed: a node to put in a tree. */
function nodeOf(html: string): ChildNode {
  return parseDocument(html).children[0] as ChildNode;
}

type ChildNode = ReturnType<typeof parseDocument>['children'][number];

/** The rules that work on the content's tree. */
function rewriteTree(html: string, kind: TreeRule): string {
  const page = parseDocumentWithinNesting(html);
  if (kind === 'add_dynamic_image') {
    for (const img of DomUtils.getElementsByTagName('img', page)) {
      const src = DomUtils.getAttributeValue(img, 'src')?.trim() ?? '';
      // A placeholder: none, a data: pixel, or a spinner the script swaps out.
      const placeholder =
        src === '' ||
        src.startsWith('data:') ||
        /(?:blank|spacer|placeholder|lazy)\.(?:gif|png|svg)/i.test(src);
      const real = LAZY_SOURCES.map((name) => DomUtils.getAttributeValue(img, name)?.trim()).find(Boolean);
      if (placeholder && real) img.attribs.src = real;
      const set = LAZY_SRCSETS.map((name) => DomUtils.getAttributeValue(img, name)?.trim()).find(Boolean);
      if (set && !DomUtils.getAttributeValue(img, 'srcset')) img.attribs.srcset = set;
    }
  } else if (kind === 'add_image_title') {
    for (const img of DomUtils.getElementsByTagName('img', page)) {
      const title = DomUtils.getAttributeValue(img, 'title')?.trim();
      if (!title) continue;
      const figure = `<figure>${DomUtils.getOuterHTML(img)}<figcaption>${escapeHtml(title)}</figcaption></figure>`;
      DomUtils.replaceElement(img, nodeOf(figure));
    }
  } else if (kind === 'remove_tables') {
    // Innermost first: an outer table's rows then hold no other table's.
    for (const table of DomUtils.getElementsByTagName('table', page).reverse()) {
      const lines = DomUtils.getElementsByTagName('tr', table).map((tr) =>
        DomUtils.getChildren(tr)
          .filter((cell) => ElementType.isTag(cell))
          .map((cell) => DomUtils.getInnerHTML(cell))
          .join(' '),
      );
      // A <div>, which holds what a cell may (a <p> would end at the cell's first paragraph or list).
      DomUtils.replaceElement(table, nodeOf(`<div>${lines.join('<br>')}</div>`));
    }
  } else if (kind === 'convert_text_link') {
    const texts = DomUtils.filter((n) => isText(n) && /https?:\/\//.test(n.data), page, true);
    for (const text of texts) {
      if (!isText(text) || inside(text, ['a', 'pre', 'code'])) continue;
      DomUtils.replaceElement(text, nodeOf(`<span>${linkedText(text.data)}</span>`));
    }
  } else {
    const texts = DomUtils.filter((n) => isText(n) && n.data.includes('\n'), page, true);
    for (const text of texts) {
      if (!isText(text) || inside(text, ['pre'])) continue;
      const lines = text.data.split('\n').map(escapeHtml);
      DomUtils.replaceElement(text, nodeOf(`<span>${lines.join('<br>')}</span>`));
    }
  }
  return DomUtils.getOuterHTML(page);
}

type AnyNode = ChildNode | ReturnType<typeof parseDocument>;
type TextNode = Extract<ChildNode, { type: typeof ElementType.Text }>;

function isText(node: AnyNode): node is TextNode {
  return node.type === ElementType.Text;
}

/** Whether `node` is inside an element named one of `names`. */
function inside(node: ChildNode, names: readonly string[]): boolean {
  for (let up: AnyNode | null = node.parent; up !== null; up = up.parent) {
    if ('name' in up && names.includes(up.name)) return true;
  }
  return false;
}
