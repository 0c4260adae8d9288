// One wiki page as the reader sees it: front matter, Markdown body, title, kind, the pages it links
// to and its plain text for search. Pure: takes the file's text and its path inside the wiki.
import { posix } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { isoTime } from '../../model/time.js';

/** The kinds the wiki contract names, in the order the index lists them. */
export const PAGE_KINDS = [
  'index',
  'source',
  'company',
  'system',
  'concept',
  'pattern',
  'skill',
  'raw',
  'log',
] as const;
export type PageKind = (typeof PAGE_KINDS)[number] | 'other';

/** A front matter value worth showing: a string, number or boolean (nested values are left out). */
export type FrontMatter = Record<string, string | number | boolean>;

export interface WikiPage {
  /** The file's path inside the wiki, with `/` separators: `concepts/trie.md`. */
  path: string;
  title: string;
  kind: PageKind;
  frontMatter: FrontMatter;
  /** The Markdown after the front matter. */
  body: string;
  /** The wiki paths this page links to (relative `.md` links resolved; those escaping refused). */
  links: string[];
  /** The visible text, Markdown syntax removed: what search reads. */
  text: string;
}

const MAX_FRONT_MATTER = 16 * 1024;
const FRONT_MATTER = /^---[ \t]*\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/;

/** Splits off and reads the YAML front matter; a page without one (or with broken YAML) has none. */
export function splitFrontMatter(source: string): { frontMatter: FrontMatter; body: string } {
  const text = source.startsWith('\uFEFF') ? source.slice(1) : source;
  const m = text.startsWith('---') ? FRONT_MATTER.exec(text.slice(0, MAX_FRONT_MATTER + 10)) : null;
  if (!m) return { frontMatter: {}, body: text };
  const body = text.slice(m[0].length);
  let data: unknown;
  try {
    // No aliases: a page on disk is untrusted, and alias expansion is the YAML bomb.
    data = parseYaml(m[1] ?? '', { maxAliasCount: 0, prettyErrors: false, uniqueKeys: false });
  } catch {
    return { frontMatter: {}, body };
  }
  const frontMatter: FrontMatter = {};
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
        frontMatter[key] = typeof value === 'string' ? value.slice(0, 2000) : value;
      else if (value instanceof Date && !Number.isNaN(value.getTime()))
        frontMatter[key] = isoTime(value.getTime()).slice(0, 10);
      else if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number'))
        frontMatter[key] = value.slice(0, 50).join(', ');
    }
  }
  return { frontMatter, body };
}

const KIND_BY_FOLDER: Record<string, PageKind> = {
  raw: 'raw',
  sources: 'source',
  companies: 'company',
  systems: 'system',
  concepts: 'concept',
  patterns: 'pattern',
  skills: 'skill',
};

function kindOf(path: string, declared: unknown): PageKind {
  if (typeof declared === 'string' && (PAGE_KINDS as readonly string[]).includes(declared))
    return declared as PageKind;
  if (path === 'index.md') return 'index';
  if (path === 'log.md') return 'log';
  return KIND_BY_FOLDER[path.split('/')[0] ?? ''] ?? 'other';
}

/** The page's first `# heading`, or its file name. */
function fallbackTitle(path: string, body: string): string {
  const heading = /^#[ \t]+(.+?)[ \t#]*$/m.exec(body.slice(0, 4000));
  if (heading?.[1]) return heading[1];
  const base = posix.basename(path, '.md');
  return base === 'SKILL' ? posix.basename(posix.dirname(path)) : base;
}

export function parsePage(path: string, source: string): WikiPage {
  const { frontMatter, body } = splitFrontMatter(source);
  const declared = frontMatter.title;
  const title =
    (typeof declared === 'string' && declared.trim()) ||
    (typeof frontMatter.name === 'string' && frontMatter.name.trim()) ||
    fallbackTitle(path, body);
  return {
    path,
    title: title.slice(0, 500),
    kind: kindOf(path, frontMatter.kind),
    frontMatter,
    body,
    links: linkTargets(path, body),
    text: plainText(body),
  };
}

// [text](target "title") and [text](<target>): the destinations of inline Markdown links.
const LINK = /\]\(\s*(<[^>\n]*>|[^)\s]+)(?:\s+(?:"[^"\n]*"|'[^'\n]*'))?\s*\)/g;

/** The wiki paths a page's Markdown links to, each once, in order. */
export function linkTargets(from: string, body: string): string[] {
  const out = new Set<string>();
  for (const m of body.matchAll(LINK)) {
    let href = m[1] ?? '';
    if (href.startsWith('<')) href = href.slice(1, -1);
    const target = resolveWikiLink(from, href);
    if (target !== null && target !== from) out.add(target);
  }
  return [...out];
}

/** A URL with a scheme (`https:`, `javascript:`, `C:`) or protocol-relative: never a wiki link. */
const HAS_SCHEME = /^(?:[a-z][a-z0-9+.-]*:|\/\/|\\\\)/i;

/**
 * The wiki path a relative link from page `from` points at (`../concepts/trie.md` from
 * `sources/x.md` → `concepts/trie.md`), or null when it is not a link to a Markdown page inside the
 * wiki: external, absolute, escaping the folder with `..`, or holding a NUL or backslash.
 */
export function resolveWikiLink(from: string, href: string): string | null {
  const cut = href.search(/[?#]/);
  let target = cut === -1 ? href : href.slice(0, cut);
  if (target === '' || HAS_SCHEME.test(target) || target.startsWith('/')) return null;
  try {
    target = decodeURI(target);
  } catch {
    return null;
  }
  if (!target.toLowerCase().endsWith('.md') || target.includes('\0') || target.includes('\\')) return null;
  const joined = posix.normalize(posix.join(posix.dirname(from), target));
  if (joined.startsWith('../') || joined === '..' || joined.startsWith('/')) return null;
  return isPagePath(joined) ? joined : null;
}

/**
 * True for a path the wiki may serve: relative, `/`-separated, ending in `.md`, no empty, `.` or
 * `..` segments, no hidden segments (`.gleaner/`, `.obsidian/`), no NUL, backslash or control
 * characters.
 */
export function isPagePath(path: string): boolean {
  if (path.length === 0 || path.length > 1000 || !path.endsWith('.md')) return false;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(path)) return false;
  return path.split('/').every((segment) => segment.length > 0 && !segment.startsWith('.'));
}

/** Markdown to the text a reader sees, roughly: enough to search and to quote in a snippet. */
export function plainText(markdown: string): string {
  return markdown
    .replace(/<[^>\n]{0,500}>/g, ' ')
    .replace(/!?\[([^\]\n]*)\]\([^)\n]*\)/g, '$1')
    .replace(/^[ \t]{0,3}(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+|\d+[.)][ \t]+|\|)/gm, '')
    .replace(/[*_`~|]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The body without its first `# heading` when that repeats the title (the page header shows it). */
export function bodyWithoutTitle(page: WikiPage): string {
  const m = /^\s*#[ \t]+(.+?)[ \t#]*(?:\r?\n|$)/.exec(page.body);
  return m && m[1]?.trim().toLowerCase() === page.title.trim().toLowerCase()
    ? page.body.slice(m[0].length)
    : page.body;
}

/** The `## ` sections of a Markdown body, by heading (lower case, trimmed). */
export function sections(body: string): Map<string, string> {
  const out = new Map<string, string>();
  const parts = body.split(/^##[ \t]+/m);
  for (const part of parts.slice(1)) {
    const newline = part.indexOf('\n');
    const heading = (newline === -1 ? part : part.slice(0, newline))
      .replace(/[ \t#¶]+$/, '')
      .trim()
      .toLowerCase();
    if (heading && !out.has(heading)) out.set(heading, newline === -1 ? '' : part.slice(newline + 1));
  }
  return out;
}
