// What an article is about: its company (the feed's owner), systems (repositories and packages it
// links, named projects), concepts and patterns (a curated vocabulary shipped as data, grown from the
// corpus's tags). Pure, apart from reading the vocabulary once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assetsDir } from '../config/paths.js';
import type { ArticleLink } from './document.js';

export type EntityKind = 'company' | 'system' | 'concept' | 'pattern';

export interface Entity {
  kind: EntityKind;
  slug: string;
  title: string;
  summary: string;
}

interface VocabularyEntry {
  slug: string;
  title: string;
  aliases: string[];
  summary: string;
}

interface VocabularyFile {
  concepts: VocabularyEntry[];
  patterns: VocabularyEntry[];
  systems: VocabularyEntry[];
}

export interface Matcher {
  entity: Entity;
  lower: RegExp | null;
  exact: RegExp | null;
}

/** A lower-case, hyphenated name for files: stable for the same words, CJK kept. */
export function slugify(text: string, max = 80): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/['’]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
  const cut = slug.length > max ? slug.slice(0, max).replace(/-[^-]*$/, '') : slug;
  return cut || 'untitled';
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * Regular expressions for an entity's aliases: lower-case aliases match the lower-cased text (any
 * case), the others the text as written. Faster than case classes, and Node 20 has no (?i:).
 */
function matcherFor(entity: Entity, aliases: string[]): Matcher {
  const part = (alias: string) => {
    const start = /^[\p{L}\p{N}]/u.test(alias) ? '(?<![\\p{L}\\p{N}_-])' : '';
    const end = /[\p{L}\p{N}]$/u.test(alias) ? '(?![\\p{L}\\p{N}_-])' : '';
    return `${start}${escapeRegExp(alias)}${end}`;
  };
  const group = (list: string[]) =>
    list.length === 0
      ? null
      : new RegExp(
          [...list]
            .sort((a, b) => b.length - a.length)
            .map(part)
            .join('|'),
          'gu',
        );
  return {
    entity,
    lower: group(aliases.filter((a) => a === a.toLowerCase())),
    exact: group(aliases.filter((a) => a !== a.toLowerCase())),
  };
}

/** How often the entity is named in `text` (`lower` is the same text lower-cased, when at hand). */
export function mentionCount(m: Matcher, text: string, lower = text.toLowerCase()): number {
  return (
    (m.lower ? (lower.match(m.lower)?.length ?? 0) : 0) + (m.exact ? (text.match(m.exact)?.length ?? 0) : 0)
  );
}

let vocabularyFile: VocabularyFile | undefined;

function readVocabulary(): VocabularyFile {
  vocabularyFile ??= JSON.parse(
    readFileSync(join(assetsDir, 'knowledge', 'vocabulary.json'), 'utf8'),
  ) as VocabularyFile;
  return vocabularyFile;
}

/**
 * The matchers for the curated vocabulary plus the corpus's tags: a tag naming a known entry adds
 * itself as an alias; a tag seen on `minTagUses` or more articles becomes a concept of its own.
 */
export function buildVocabulary(tagCounts: Map<string, number> = new Map(), minTagUses = 2): Matcher[] {
  const file = readVocabulary();
  const byKind: [EntityKind, VocabularyEntry[]][] = [
    ['concept', file.concepts],
    ['pattern', file.patterns],
    ['system', file.systems],
  ];
  const entries: { entity: Entity; aliases: string[] }[] = [];
  const bySlug = new Map<string, { entity: Entity; aliases: string[] }>();
  const byAlias = new Map<string, { entity: Entity; aliases: string[] }>();
  for (const [kind, list] of byKind) {
    for (const v of list) {
      const e = {
        entity: { kind, slug: v.slug, title: v.title, summary: v.summary },
        aliases: [...v.aliases],
      };
      entries.push(e);
      bySlug.set(v.slug, e);
      for (const a of v.aliases) byAlias.set(a.toLowerCase(), e);
    }
  }
  for (const [tag, count] of tagCounts) {
    const name = tag.trim();
    if (!name) continue;
    const known = bySlug.get(slugify(name)) ?? byAlias.get(name.toLowerCase());
    if (known) {
      if (!known.aliases.some((a) => a.toLowerCase() === name.toLowerCase()))
        known.aliases.push(name.toLowerCase());
    } else if (count >= minTagUses && name.length > 1) {
      const e = {
        entity: {
          kind: 'concept' as const,
          slug: slugify(name),
          title: titleCase(name),
          summary: `Articles tagged “${name}”.`,
        },
        aliases: [name.toLowerCase()],
      };
      entries.push(e);
      bySlug.set(e.entity.slug, e);
    }
  }
  return entries.map((e) => matcherFor(e.entity, e.aliases));
}

function titleCase(text: string): string {
  return text.replace(/(^|\s)(\p{Ll})/gu, (_m, s: string, c: string) => s + c.toUpperCase());
}

/** How often each entity is named in the text. */
export function countMentions(matchers: Matcher[], text: string): Map<Matcher, number> {
  const counts = new Map<Matcher, number>();
  const lower = text.toLowerCase();
  for (const m of matchers) {
    const n = mentionCount(m, text, lower);
    if (n > 0) counts.set(m, n);
  }
  return counts;
}

// Capitalized words that name nothing in particular: sentence openers, pronouns, months, days.
const COMMON_CAPITALIZED = new Set(
  `a an the this that these those there their they we our us you your it its i he she his her
  in on at of for from by with without to into onto over under after before during while when
  where why how what which who whom if then than so but and or nor not no yes as also however
  now here today yesterday tomorrow first second third next last finally once each every all
  some many most more less few one two three four five six seven eight nine ten
  january february march april may june july august september october november december
  monday tuesday wednesday thursday friday saturday sunday figure table note update example
  part step section chapter appendix conclusion introduction background summary`.split(/\s+/),
);
/** A word written with a capital: Pingora, HashMap, FreshRSS, trie-Hard's parts excluded. */
const CAPITALIZED =
  /(?<![\p{L}\p{N}_-])(\p{Lu}[\p{L}\p{N}]*(?:[-_.]\p{L}[\p{L}\p{N}]*)*)(?![\p{L}\p{N}_-])/gu;

/**
 * Systems the article names often without linking them: words written with a capital, mostly
 * not at the start of a sentence (where every word has one), at least `minUses` times, which
 * the text never writes in lower case (so not ordinary words), and which are neither acronyms of
 * five letters or fewer (CPU, HTTP: the vocabulary's concepts) nor excluded (the company, entities
 * already known). The most used first, at most `max`.
 */
export function namedThings(
  sentences: string[],
  exclude: (name: string) => boolean,
  minUses = 3,
  max = 5,
): { entity: Entity; aliases: string[] }[] {
  const uses = new Map<string, { total: number; inside: number }>();
  const lowerWords = new Set<string>();
  for (const sentence of sentences) {
    for (const word of sentence.match(/[\p{L}\p{N}]+/gu) ?? [])
      if (word === word.toLowerCase()) lowerWords.add(word);
    for (const m of sentence.matchAll(CAPITALIZED)) {
      const name = m[1] as string;
      const u = uses.get(name) ?? { total: 0, inside: 0 };
      u.total++;
      if (/[\p{L}\p{N}]/u.test(sentence.slice(0, m.index))) u.inside++;
      uses.set(name, u);
    }
  }
  return [...uses]
    .filter(
      ([name, u]) =>
        u.total >= minUses &&
        u.inside * 2 > u.total &&
        !COMMON_CAPITALIZED.has(name.toLowerCase()) &&
        !lowerWords.has(name.toLowerCase()) &&
        !(name === name.toUpperCase() && name.length <= 5) &&
        !exclude(name),
    )
    .sort((a, b) => b[1].total - a[1].total || a[0].localeCompare(b[0]))
    .slice(0, max)
    .map(([name, u]) => ({
      entity: { kind: 'system', slug: slugify(name), title: name, summary: `named ${u.total} times` },
      aliases: [name],
    }));
}

const FEED_NOISE =
  /\b(?:the|blog|blogs|engineering|tech|technology|news|feed|rss|atom|official|developers?|team|weblog|posts?|updates?|articles?)\b|['’]s\b|[|:–—-]/gi;

/** The company behind a feed: its title without "The … Blog", else its site's domain name. */
export function companyOf(feedTitle: string, siteUrl: string | null): Entity {
  let title = feedTitle.replace(FEED_NOISE, ' ').replace(/\s+/g, ' ').trim();
  if (!title || title.length > 40) title = domainName(siteUrl) ?? (feedTitle.trim() || 'Unknown');
  return { kind: 'company', slug: slugify(title), title, summary: '' };
}

function domainName(url: string | null): string | null {
  if (!url) return null;
  try {
    const parts = new URL(url).hostname.split('.').filter((p) => !/^(www|blog|engineering|m)$/.test(p));
    const name = parts.length >= 2 ? parts[parts.length - 2] : parts[0];
    return name ? name.charAt(0).toUpperCase() + name.slice(1) : null;
  } catch {
    return null;
  }
}

export interface LinkedThings {
  systems: { entity: Entity; url: string; aliases: string[] }[];
  repositories: string[];
  packages: string[];
  discussions: string[];
  references: string[];
}

const REGISTRIES: [RegExp, string][] = [
  [/^https?:\/\/crates\.io\/crates\/([\w-]+)/i, 'crate'],
  [/^https?:\/\/(?:www\.)?npmjs\.com\/package\/((?:@[\w.-]+\/)?[\w.-]+)/i, 'npm package'],
  [/^https?:\/\/pypi\.org\/project\/([\w.-]+)/i, 'Python package'],
  [/^https?:\/\/pkg\.go\.dev\/([\w./-]+)/i, 'Go module'],
  [/^https?:\/\/rubygems\.org\/gems\/([\w.-]+)/i, 'gem'],
  [/^https?:\/\/(?:www\.)?nuget\.org\/packages\/([\w.-]+)/i, 'NuGet package'],
];
const DISCUSSIONS =
  /^https?:\/\/(?:news\.ycombinator\.com|(?:www\.|old\.)?reddit\.com|lobste\.rs|github\.com\/[\w.-]+\/[\w.-]+\/(?:issues|pull|discussions)\/)/i;
const REPOSITORY =
  /^https?:\/\/(?:github\.com|gitlab\.com|codeberg\.org)\/([\w.-]+)\/([\w.-]+)\/?(?:[#?].*)?$/i;

/** Repositories and packages an article links become systems; discussions and the rest are listed. */
export function linkedThings(links: ArticleLink[], articleUrl: string | null): LinkedThings {
  const out: LinkedThings = { systems: [], repositories: [], packages: [], discussions: [], references: [] };
  const seen = new Set<string>();
  const ownHost = hostOf(articleUrl);
  const addSystem = (name: string, url: string, what: string) => {
    const slug = slugify(name);
    if (out.systems.some((s) => s.entity.slug === slug)) return;
    const aliases = [name, name.replace(/[-_]/g, ' '), name.replace(/-/g, '_')];
    out.systems.push({
      entity: { kind: 'system', slug, title: name, summary: `${what}: ${url}` },
      url,
      aliases,
    });
  };
  for (const { url } of links) {
    const clean = url.replace(/[#].*$/, '');
    if (seen.has(clean)) continue;
    seen.add(clean);
    if (DISCUSSIONS.test(clean)) {
      out.discussions.push(clean);
      continue;
    }
    const repo = REPOSITORY.exec(clean);
    if (repo?.[2]) {
      const name = repo[2].replace(/\.git$/, '');
      out.repositories.push(clean);
      addSystem(name, clean, 'repository');
      continue;
    }
    const registry = REGISTRIES.find(([re]) => re.test(clean));
    if (registry) {
      const name = registry[0].exec(clean)?.[1] ?? '';
      out.packages.push(clean);
      if (name) addSystem(name, clean, registry[1]);
      continue;
    }
    if (hostOf(clean) !== ownHost || clean.replace(/\/$/, '') !== (articleUrl ?? '').replace(/\/$/, ''))
      out.references.push(clean);
  }
  return out;
}

function hostOf(url: string | null): string | null {
  if (!url) return null;
  try {
    return new URL(url).hostname;
  } catch {
    return null;
  }
}

/** A matcher for systems found in links, so the article's sentences can point at them. */
export function systemMatcher(entity: Entity, aliases: string[]): Matcher {
  return matcherFor(entity, [...new Set(aliases.map((a) => a.toLowerCase()))]);
}
