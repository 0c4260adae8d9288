// A depth limit on every tree built from untrusted HTML.
//
// Threat: a feed entry of deeply nested tags (1 MB of <div> is 200,000 levels) costs time quadratic in
// the depth in htmlparser2, which keeps its open elements with Array#unshift (~20 s for that entry),
// in the sanitizer and in Readability. So a parse stops at the first element past the limit, and
// HTML that has one is parsed again by htmlparser2's own parser, made to ignore each start tag that
// would open an element past the limit: the parser keeps the limit itself, whatever the input. A
// pass before the parser could not: it would have to agree with the parser on what is a tag, which
// differs in ways easy to miss (in <svg> and <math>, <style> and <title> are elements with markup
// inside, elsewhere their content is text; a <script> tag cut out leaves its content markup).
import { DomHandler, Parser, type Handler, type parseDocument, type ParserOptions } from 'htmlparser2';
import { IndexOfTokenizer } from '../feed/parse/tokenizer.js';

/** Deeper than anything real nests: tags that would open deeper are ignored. */
export const NESTING_LIMIT = 256;

/** Thrown by a parse's handler when it sees an element open past NESTING_LIMIT (see parseWithinNesting). */
export const TOO_DEEP = new Error('nested too deeply');

/** Parses the HTML at hand with htmlparser2, as `new Parser(handler, options).end(html)` does. */
export type ParseHtml = (handler: Partial<Handler>, options: ParserOptions) => void;

/**
 * `run(parse)`, whose handler counts the elements open (an onopentag opens one, an onclosetag closes
 * one) and throws TOO_DEEP past NESTING_LIMIT. `parse` is htmlparser2's Parser as it is, which most
 * HTML never takes that deep. If the handler throws, `run(parse)` again with a parser that ignores
 * each start tag that would open an element past the limit, and the content of a raw-text one
 * (<script>, <style>, <plaintext>...): its handler never sees one. What such a tag held stays, as
 * its parent's; its end tag closes what it would have closed without it, as a stray end tag does.
 */
export function parseWithinNesting<T>(html: string, run: (parse: ParseHtml) => T): T {
  try {
    return run((handler, options) => new Parser(handler, options).end(html));
  } catch (err) {
    if (err !== TOO_DEEP) throw err;
    // One level of room: what opens and closes at once in its deepest element (an <img>, the
    // empty <p> of a stray </p>) is one deeper.
    return run((handler, options) =>
      new NestingLimitedParser(html, handler, options, NESTING_LIMIT - 1).end(html),
    );
  }
}

/**
 * The document htmlparser2's parseDocument builds from `html`, without the tags that would open an
 * element past NESTING_LIMIT (as parseWithinNesting's second parse leaves them).
 */
export function parseDocumentWithinNesting(html: string): ReturnType<typeof parseDocument> {
  const handler = new DomHandler();
  new NestingLimitedParser(html, handler, {}, NESTING_LIMIT).end(html);
  return handler.root;
}

/**
 * `html` without the tags that would open an element past `maxDepth` (and the content of raw-text
 * ones), as parseWithinNesting's second parse ignores them, for a parser that is not ours: what
 * htmlparser2 12 builds from it holds no more than `maxDepth` open elements. The same string when
 * there are none.
 */
export function capNesting(html: string, maxDepth: number): string {
  const parser = new NestingLimitedParser(
    html,
    {},
    { decodeEntities: false, Tokenizer: IndexOfTokenizer },
    maxDepth,
  );
  parser.end(html);
  const { cuts } = parser;
  if (cuts.length === 0) return html;
  let out = '';
  let from = 0;
  for (let i = 0; i + 1 < cuts.length; i += 2) {
    out += html.slice(from, cuts[i]);
    // A '<' the cut tag followed would start a tag with what comes after the cut: a space keeps it text.
    if (out.endsWith('<')) out += ' ';
    from = cuts[i + 1] ?? html.length;
  }
  return out + html.slice(from);
}

/** The parser's own stack of open elements: htmlparser2 12's private `stack`, innermost first. */
interface ParserInternals {
  stack: readonly string[];
}

/**
 * The elements whose content htmlparser2's tokenizer reads as text, outside <svg> and <math> (a
 * <plaintext>'s runs to the end of the document).
 */
// prettier-ignore
const RAW_TEXT_ELEMENTS = new Set([
  'script', 'style', 'title', 'textarea', 'xmp', 'iframe', 'noembed', 'noframes', 'plaintext',
]);

/**
 * htmlparser2's Parser, holding no more than `maxDepth` open elements: once it does, each start tag
 * but a void one is ignored, as the parser ignores a second <form> (no element, no implied end of
 * another, its attributes go nowhere). The tokenizer still reads the content of an ignored raw-text
 * element as text (what is a tag there is its to decide), and that text is dropped. `cuts` says where
 * all of these were, for capNesting.
 */
class NestingLimitedParser extends Parser {
  /** Each ignored start tag, with the content of a raw-text one: [start, end) pairs in document order. */
  readonly cuts: number[] = [];
  private readonly open: readonly string[];
  /** Between an ignored tag's name and its '>'. */
  private inIgnoredTag = false;
  private ignoredIsRawText = false;
  /** In the content of an ignored raw-text element, up to its end tag. */
  private inIgnoredText = false;

  constructor(
    private readonly html: string,
    handler: Partial<Handler>,
    options: ParserOptions,
    private readonly maxDepth: number,
  ) {
    super(handler, options);
    this.open = (this as unknown as ParserInternals).stack;
    // Without its stack the limit could not be kept: fail every parse rather than parse unbounded.
    if (!Array.isArray(this.open))
      throw new Error('htmlparser2 no longer keeps its open elements in `stack`');
  }

  override onopentagname(start: number, endIndex: number): void {
    if (this.open.length < this.maxDepth) {
      super.onopentagname(start, endIndex);
      return;
    }
    const name = this.html.slice(start, endIndex).toLowerCase();
    // A void element opens nothing, and stays (an <img>, a <br> in the deepest element).
    if (this.isVoidElement(name)) {
      super.onopentagname(start, endIndex);
      return;
    }
    this.inIgnoredTag = true;
    // The tokenizer asked the same question when it read the '<': the parser has not changed since.
    this.ignoredIsRawText = !this.isInForeignContext() && RAW_TEXT_ELEMENTS.has(name);
    this.cuts.push(start - 1); // from the '<'
  }

  override onopentagend(endIndex: number): void {
    super.onopentagend(endIndex);
    if (this.inIgnoredTag) this.endIgnoredTag(endIndex);
  }

  override onselfclosingtag(endIndex: number): void {
    super.onselfclosingtag(endIndex);
    // HTML reads a raw-text tag's content as text even when the tag ends in '/>'.
    if (this.inIgnoredTag) this.endIgnoredTag(endIndex);
  }

  override ontext(start: number, endIndex: number): void {
    if (!this.inIgnoredText) super.ontext(start, endIndex);
  }

  override ontextentity(cp: number, endIndex: number): void {
    if (!this.inIgnoredText) super.ontextentity(cp, endIndex);
  }

  override onclosetag(start: number, endIndex: number): void {
    if (this.inIgnoredText) {
      // The end tag itself stays: it may close an element of the same name that is open.
      this.inIgnoredText = false;
      this.cuts.push(start - 2); // up to the '</'
    }
    super.onclosetag(start, endIndex);
  }

  override onend(): void {
    // An ignored tag, or the content of one, runs to the end.
    if (this.cuts.length % 2 === 1) this.cuts.push(this.html.length);
    super.onend();
  }

  private endIgnoredTag(endIndex: number): void {
    this.inIgnoredTag = false;
    if (this.ignoredIsRawText) this.inIgnoredText = true;
    else this.cuts.push(endIndex + 1);
  }
}
