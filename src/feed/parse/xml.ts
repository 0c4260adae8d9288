// A small, forgiving XML tree for feed documents, built on htmlparser2's tokenizer.
//
// Feeds are often not well-formed (unescaped `&`, HTML entities, undeclared prefixes, unclosed
// tags, junk before the root), so this never rejects a document: it keeps what it can read.
// External entities are never read, and internal DTD entities are expanded only as plain literals
// within a budget (no billion laughs): see readInternalEntities.
import { Parser } from 'htmlparser2';
import { quotedText } from './text.js';
import { IndexOfTokenizer } from './tokenizer.js';
import { decodeHTML } from 'entities';
import { FeedParseError } from '../../model/errors.js';

/** An element. `ns` is a canonical prefix for known namespaces ('' for none), else the prefix as written. */
export interface XmlElement {
  ns: string;
  local: string;
  /** Raw attribute values (entities not decoded): read them with `attr()`. */
  attrs: Record<string, string>;
  children: XmlNode[];
  /** xml:base in scope, resolved; null when none was given. */
  base: string | null;
  /** xml:lang in scope. */
  lang: string | null;
}
export type XmlNode = XmlElement | string;

/** Canonical prefixes for the namespaces feeds use, whatever prefix a document binds them to. */
const NAMESPACES: Record<string, string> = {
  'http://www.w3.org/2005/atom': 'atom',
  'http://purl.org/atom/ns#': 'atom',
  'http://purl.org/rss/1.0/': '',
  'http://my.netscape.com/rdf/simple/0.9/': '',
  'http://backend.userland.com/rss2': '',
  'http://backend.userland.com/rss': '',
  'http://blogs.law.harvard.edu/tech/rss': '',
  'http://www.w3.org/1999/02/22-rdf-syntax-ns#': 'rdf',
  'http://purl.org/dc/elements/1.1/': 'dc',
  'http://purl.org/dc/elements/1.0/': 'dc',
  'http://purl.org/dc/terms/': 'dcterms',
  'http://purl.org/rss/1.0/modules/content/': 'content',
  'http://search.yahoo.com/mrss/': 'media',
  'http://search.yahoo.com/mrss': 'media',
  'http://www.itunes.com/dtds/podcast-1.0.dtd': 'itunes',
  'http://www.itunes.com/dtds/podcast-1.0.dtd/': 'itunes',
  'http://www.w3.org/xml/1998/namespace': 'xml',
  'http://www.w3.org/1999/xhtml': 'xhtml',
  'http://purl.org/rss/1.0/modules/slash/': 'slash',
  'http://wellformedweb.org/commentapi/': 'wfw',
  'http://purl.org/syndication/thread/1.0': 'thr',
  'http://www.georss.org/georss': 'georss',
  'http://webns.net/mvcb/': 'admin',
  'http://purl.org/rss/1.0/modules/syndication/': 'sy',
  'http://www.google.com/schemas/play-podcasts/1.0': 'googleplay',
  'https://podcastindex.org/namespace/1.0': 'podcast',
};

/** Prefixes whose conventional binding we assume when a document uses them undeclared. */
const CONVENTIONAL_PREFIXES: Record<string, string> = {
  atom: 'atom',
  atom03: 'atom',
  dc: 'dc',
  dcterms: 'dcterms',
  content: 'content',
  media: 'media',
  itunes: 'itunes',
  rdf: 'rdf',
  xhtml: 'xhtml',
  xml: 'xml',
};

/** An `&` that does not start one of XML's own references. */
const NON_XML_AMPERSAND = /&(?!(?:amp|lt|gt|quot|apos|#\d{1,8}|#x[\da-fA-F]{1,8});)/;

/** Nesting deeper than this is refused: no real feed comes close, and it bounds the work of the adapters. */
export const MAX_DEPTH = 512;

interface Scope {
  /** Prefix → namespace URI (lowercased), '' is the default namespace. */
  bindings: Map<string, string> | null;
  parent: Scope | null;
  /** Tag name → [ns, local], resolved once per scope (feeds repeat the same few names). */
  names: Map<string, [string, string]>;
}

function canonicalPrefix(uri: string | undefined, written: string): string {
  if (uri === undefined) return CONVENTIONAL_PREFIXES[written] ?? written;
  const known = NAMESPACES[uri];
  if (known !== undefined) return known;
  // An unknown namespace: keep the prefix as written ('' stays default).
  return written;
}

function lookup(scope: Scope | null, prefix: string): string | undefined {
  for (let s = scope; s; s = s.parent) {
    const uri = s.bindings?.get(prefix);
    if (uri !== undefined) return uri;
  }
  return undefined;
}

function resolveUrl(url: string, base: string | null): string | null {
  try {
    return new URL(url, base ?? undefined).href;
  } catch {
    return base;
  }
}

// Internal DTD entities are expanded only when they are plain literals (no references inside, so
// no nesting: the "billion laughs" attack needs nesting), and within a budget that bounds the
// expansion of a hostile document that repeats one entity. External entities are never read.
const MAX_ENTITIES = 64;
const MAX_ENTITY_VALUE = 1024;
const ENTITY_EXPANSION_BUDGET = 1 << 20;
const DOCTYPE_WITHIN = 4096;
const MAX_INTERNAL_SUBSET = 65536;
const ENTITY_DECLARATION =
  /<!ENTITY\s+([A-Za-z_][\w.-]{0,63})\s+(?:"([^"&%<]{0,1024})"|'([^'&%<]{0,1024})')\s*>/g;

function readInternalEntities(chunks: readonly string[]): Map<string, string> | null {
  // A DOCTYPE comes before the root element, so near the start; most feeds have none.
  const startOf = (length: number): string => {
    let start = '';
    for (const chunk of chunks) {
      if (start.length >= length) break;
      start += chunk;
    }
    return start.slice(0, length);
  };
  const doctype = startOf(DOCTYPE_WITHIN).search(/<!DOCTYPE/i);
  if (doctype < 0) return null;
  const head = startOf(doctype + MAX_INTERNAL_SUBSET).slice(doctype);
  if (!head.includes('<!ENTITY')) return null;
  const subsetEnd = head.indexOf(']>');
  const subset = subsetEnd > 0 ? head.slice(0, subsetEnd) : head;
  const entities = new Map<string, string>();
  for (const m of subset.matchAll(ENTITY_DECLARATION)) {
    const value = m[2] ?? m[3] ?? '';
    if (m[1] && value.length <= MAX_ENTITY_VALUE && !entities.has(m[1])) entities.set(m[1], value);
    if (entities.size >= MAX_ENTITIES) break;
  }
  return entities.size ? entities : null;
}

/**
 * Parses a whole document, given whole or in consecutive pieces, into a tree. The root returned is
 * a synthetic element holding the document's top-level nodes; `baseUrl` is the base for relative
 * references. What had to be repaired is reported once per kind in `warnings`.
 */
export function parseXml(
  document: string | readonly string[],
  baseUrl: string | null,
  warnings: string[] = [],
): XmlElement {
  const chunks = typeof document === 'string' ? [document] : document;
  const root: XmlElement = { ns: '', local: '#document', attrs: {}, children: [], base: baseUrl, lang: null };
  const stack: XmlElement[] = [root];
  const scopes: (Scope | null)[] = [null];
  let current = root;
  let scope: Scope | null = null;
  const rootNames = new Map<string, [string, string]>();
  let inCdata = false;
  let sawLooseAmpersand = false;
  const warned = new Set<string>();
  const warn = (message: string): void => {
    if (warned.has(message) || warned.size >= 8) return;
    warned.add(message);
    warnings.push(message);
  };
  const entities = readInternalEntities(chunks);
  let expansionBudget = ENTITY_EXPANSION_BUDGET;
  const expandEntities = (data: string): string =>
    data.replace(/&([A-Za-z_][\w.-]{0,63});/g, (ref, name: string) => {
      const value = entities?.get(name);
      if (value === undefined || expansionBudget < value.length) return ref;
      expansionBudget -= value.length;
      return value;
    });

  let pending = '';
  const appendText = (value: string): void => {
    const children = current.children;
    const last = children.length - 1;
    if (last >= 0 && typeof children[last] === 'string') children[last] += value;
    else children.push(value);
  };
  const flushText = (): void => {
    if (pending === '') return;
    const data = pending;
    pending = '';
    if (current === root && data.trim() !== '' && root.children.length === 0) {
      warn('text before the root element was ignored');
    }
    let value = data;
    if (data.includes('&')) {
      if (!sawLooseAmpersand && NON_XML_AMPERSAND.test(data)) {
        sawLooseAmpersand = true;
        warn('unescaped & or an HTML entity in XML text');
      }
      value = decodeHTML(entities ? expandEntities(data) : data);
    }
    appendText(value);
  };

  const parser = new Parser(
    {
      onopentag(name, attribs) {
        flushText();
        if (stack.length > MAX_DEPTH) {
          throw new FeedParseError(
            'PARSE_TOO_DEEP',
            `the document nests elements more than ${MAX_DEPTH} deep, far past what any feed or OPML file needs`,
          );
        }
        let bindings: Map<string, string> | null = null;
        let base = current.base;
        let lang = current.lang;
        // Hot path: most elements have no attributes.
        for (const key in attribs) {
          if (key.charCodeAt(0) === 120 /* x */) {
            if (key === 'xmlns' || key.startsWith('xmlns:')) {
              bindings ??= new Map();
              bindings.set(key.length === 5 ? '' : key.slice(6), (attribs[key] ?? '').trim().toLowerCase());
            } else if (key === 'xml:base') {
              base = resolveUrl(decodeHTML(attribs[key] ?? '').trim(), base);
            } else if (key === 'xml:lang') {
              lang = decodeHTML(attribs[key] ?? '').trim() || null;
            }
          }
        }
        if (bindings) scope = { bindings, parent: scope, names: new Map() };
        const names = scope ? scope.names : rootNames;
        let resolved = names.get(name);
        if (!resolved) {
          const colon = name.indexOf(':');
          if (colon < 0) resolved = [scope ? canonicalPrefix(lookup(scope, ''), '') : '', name];
          else {
            const prefix = name.slice(0, colon);
            resolved = [canonicalPrefix(lookup(scope, prefix), prefix), name.slice(colon + 1)];
          }
          names.set(name, resolved);
        }
        const element: XmlElement = {
          ns: resolved[0],
          local: resolved[1],
          attrs: attribs,
          children: [],
          base,
          lang,
        };
        current.children.push(element);
        stack.push(element);
        scopes.push(scope);
        current = element;
      },
      onclosetag() {
        flushText();
        if (stack.length <= 1) return;
        stack.pop();
        scopes.pop();
        current = stack[stack.length - 1] ?? root;
        scope = scopes[scopes.length - 1] ?? null;
      },
      ontext(data) {
        // Text outside CDATA is decoded once it ends: a piece of the document may end inside a
        // reference (`&am` | `p;`).
        if (inCdata) appendText(data);
        else pending += data;
      },
      oncdatastart() {
        flushText();
        inCdata = true;
      },
      oncdataend() {
        inCdata = false;
      },
    },
    {
      xmlMode: true,
      decodeEntities: false,
      lowerCaseTags: true,
      lowerCaseAttributeNames: false,
      Tokenizer: IndexOfTokenizer,
    },
  );
  for (const chunk of chunks) parser.write(chunk);
  flushText();
  if (stack.length > 1)
    warn(`unclosed <${quotedText(current.local)}> element at the end (the document is truncated)`);
  parser.end();
  flushText();
  return root;
}

/** An attribute's value with entities decoded, or null. Names are matched as written, then lowercased. */
export function attr(element: XmlElement, name: string): string | null {
  let raw = element.attrs[name];
  if (raw === undefined) {
    for (const key in element.attrs) {
      if (key.toLowerCase() === name) {
        raw = element.attrs[key];
        break;
      }
    }
  }
  if (raw === undefined) return null;
  return raw.includes('&') ? decodeHTML(raw) : raw;
}

/** The concatenated text of an element and its descendants. */
export function textContent(element: XmlElement): string {
  const children = element.children;
  if (children.length === 1 && typeof children[0] === 'string') return children[0];
  let out = '';
  for (const child of children) out += typeof child === 'string' ? child : textContent(child);
  return out;
}

/** Whether an element holds child elements (inline markup), not just text. */
export function hasElementChildren(element: XmlElement): boolean {
  for (const child of element.children) if (typeof child !== 'string') return true;
  return false;
}

const VOID_ELEMENTS = new Set('area base br col embed hr img input link meta source track wbr'.split(' '));

function escapeText(text: string): string {
  return text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

function escapeAttr(text: string): string {
  return text.replace(/[&<>"]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;',
  );
}

/**
 * The children of an element as HTML markup. `escape` is true for real XML text (Atom xhtml
 * content), false where decoded text is itself HTML (RSS descriptions with stray tags).
 */
export function innerHtml(element: XmlElement, escape: boolean): string {
  let out = '';
  for (const child of element.children) {
    if (typeof child === 'string') {
      out += escape ? escapeText(child) : child;
      continue;
    }
    const tag = child.local;
    out += '<' + tag;
    for (const key in child.attrs) {
      if (key === 'xmlns' || key.startsWith('xmlns:')) continue;
      const value = child.attrs[key] ?? '';
      out += ` ${key}="${escapeAttr(value.includes('&') ? decodeHTML(value) : value)}"`;
    }
    out += '>';
    if (VOID_ELEMENTS.has(tag)) {
      out += innerHtml(child, escape);
    } else {
      out += innerHtml(child, escape) + `</${tag}>`;
    }
  }
  return out;
}

/** The first child element with the namespace and local name, or undefined. */
export function child(element: XmlElement, ns: string, local: string): XmlElement | undefined {
  for (const c of element.children) {
    if (typeof c !== 'string' && c.local === local && c.ns === ns) return c;
  }
  return undefined;
}

/** All child elements with the namespace and local name. */
export function children(element: XmlElement, ns: string, local: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of element.children) {
    if (typeof c !== 'string' && c.local === local && c.ns === ns) out.push(c);
  }
  return out;
}

/** Resolves a reference against the element's xml:base (or the document URL). */
export function resolveReference(reference: string, element: XmlElement): string | null {
  const ref = reference.trim();
  if (ref === '') return null;
  // Fast path: already absolute http(s).
  if ((ref.startsWith('https://') || ref.startsWith('http://')) && !/[\s\\]/.test(ref)) return ref;
  try {
    return new URL(ref, element.base ?? undefined).href;
  } catch {
    return element.base ? null : ref;
  }
}

/** A reference resolved against the element's base, when the result is an http(s) URL. */
export function httpUrl(reference: string, element: XmlElement): string | null {
  const url = resolveReference(reference, element);
  return url && /^https?:\/\//i.test(url) ? url : null;
}
