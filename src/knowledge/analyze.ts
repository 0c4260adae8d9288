// The offline, deterministic reading of one article: summary and takeaways by extractive ranking,
// every figure it states, caveats, links, and the entities it touches. The result is plain data,
// cached in the wiki folder and rendered to Markdown by pages.ts.
import { createHash } from 'node:crypto';
import { isoTime } from '../model/time.js';
import { readArticle, type Block } from './document.js';
import {
  buildVocabulary,
  companyOf,
  countMentions,
  linkedThings,
  mentionCount,
  namedThings,
  slugify,
  systemMatcher,
  type Entity,
  type Matcher,
} from './entities.js';
import { cellFigure, extractFigures } from './numbers.js';
import { rankSentences } from './rank.js';
import { contentWords, splitSentences } from './sentences.js';

/** Bumped whenever the analysis changes shape or method: cached analyses are then redone. */
export const ANALYSIS_VERSION = 1;

export interface ArticleInput {
  entryId: number;
  url: string;
  title: string;
  author: string | null;
  /** Epoch ms. */
  publishedAt: number;
  feedTitle: string;
  siteUrl: string | null;
  tags: string[];
  /** Sanitized HTML, as stored. */
  contentHtml: string;
}

export interface EntityRef {
  kind: Entity['kind'];
  slug: string;
  title: string;
}

export interface EntityMention extends EntityRef {
  summary: string;
  mentions: number;
  /** The article's most central sentence naming it. */
  evidence: string;
}

export interface Takeaway {
  lead: string;
  evidence: string[];
  entities: EntityRef[];
}

export interface FigureLine {
  figures: string[];
  /** The sentence stating them: what they measure. */
  context: string;
  section: string;
}

export interface FigureTable {
  header: string[];
  rows: string[][];
}

export interface ArticleAnalysis {
  version: number;
  entryId: number;
  url: string;
  title: string;
  author: string | null;
  published: string;
  feedTitle: string;
  tags: string[];
  company: EntityRef;
  /** Of the input: changes when the article changes. */
  hash: string;
  raw: string;
  source: string;
  summary: string[];
  takeaways: Takeaway[];
  figures: FigureLine[];
  tables: FigureTable[];
  caveats: string[];
  quotes: string[];
  links: { repositories: string[]; packages: string[]; discussions: string[]; references: string[] };
  entities: EntityMention[];
  /** Set when a language model wrote parts of the page; what it was and what was dropped. */
  model?: { name: string; dropped: string[] };
  /** Set when a configured model could not be used: why the page is the offline one. */
  fallback?: string;
}

interface Sentence {
  text: string;
  block: number;
  section: string;
  prior: number;
  score: number;
  figures: string[];
}

const SUMMARY_SENTENCES = 5;
const MAX_TAKEAWAYS = 8;
const MAX_CAVEATS = 5;
const CAVEAT_CUES =
  /\b(?:only|however|but|unfortunately|although|though|except|unless|limit(?:ed|s|ation|ations)?|caveat|trade-?offs?|depends?|not always|not necessarily|may not|might not|cannot|can't|won't|doesn't|isn't|aren't|too bad|partially|specific|assum\w+|risks?|downsides?|slower|worse|beware|careful|keep in mind|note that|rather than)\b/gi;
const DANGLING =
  /^(?:unfortunately|however|but|so|now|then|that|this|these|those|it|its|they|and|also|still|thus|hence|here)\b/i;
const LESSON_CUES =
  /\b(?:more important|the (?:real|big|key) (?:lesson|takeaway|conclusion)|lesson|always|never|should|must|matters?|the key|remember|the goal)\b/i;

export function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

export function isoDate(epochMs: number): string {
  const d = new Date(Number.isFinite(epochMs) ? epochMs : 0);
  return Number.isNaN(d.getTime()) ? '1970-01-01' : isoTime(d.getTime()).slice(0, 10);
}

/** What the analysis depends on: the article's fields and the method's version. */
export function articleHash(a: ArticleInput): string {
  return sha1(
    JSON.stringify([
      ANALYSIS_VERSION,
      a.url,
      a.title,
      a.author,
      a.publishedAt,
      a.feedTitle,
      a.tags,
      a.contentHtml,
    ]),
  ).slice(0, 16);
}

export function pathsFor(a: Pick<ArticleInput, 'url' | 'title' | 'publishedAt'>, company: string) {
  const date = isoDate(a.publishedAt);
  const title = slugify(a.title, 80);
  return {
    raw: `raw/${company}/${date}-${title}-${sha1(a.url).slice(0, 8)}.md`,
    source: `sources/${date}-${company}-${title}.md`,
  };
}

function ref(e: Entity | EntityMention): EntityRef {
  return { kind: e.kind, slug: e.slug, title: e.title };
}

/** Reads one article. `vocabulary` comes from buildVocabulary (built once per build). */
export function analyzeArticle(
  input: ArticleInput,
  vocabulary: Matcher[] = buildVocabulary(),
): ArticleAnalysis {
  const company = companyOf(input.feedTitle, input.siteUrl ?? input.url);
  const { raw, source } = pathsFor(input, company.slug);
  const doc = readArticle(input.contentHtml);
  const linked = linkedThings(doc.links, input.url);
  const sentences = sentencesOf(doc.blocks);
  const scores = rankSentences(sentences.map((s) => ({ text: s.text, prior: s.prior })));
  sentences.forEach((s, i) => (s.score = scores[i] ?? 0));

  // Entities: the vocabulary, plus systems the article links (a repository, a package).
  // A linked system the vocabulary knows keeps the vocabulary's name ("Pingora", not "pingora").
  const systemMatchers = linked.systems.map((s) => {
    const known = vocabulary.find((m) => m.entity.kind === 'system' && m.entity.slug === s.entity.slug);
    return systemMatcher(
      known ? { ...known.entity, summary: `${known.entity.summary} ${s.url}` } : s.entity,
      s.aliases,
    );
  });
  const known = [
    ...systemMatchers,
    ...vocabulary.filter((m) => !linked.systems.some((s) => s.entity.slug === m.entity.slug)),
  ];
  // And systems it names again and again without a link (repeated proper names).
  const named = namedThings(
    sentences.map((s) => s.text),
    (name) =>
      slugify(name) === company.slug ||
      known.some((m) => m.entity.slug === slugify(name) || mentionCount(m, name) > 0),
  ).map((n) => systemMatcher(n.entity, n.aliases));
  const matchers = [...known, ...named];
  const prose = sentences.map((s) => s.text).join('\n');
  const signals = [
    input.title,
    ...doc.blocks.filter((b) => b.kind === 'heading').map((b) => b.text),
    ...doc.blocks.flatMap((b) => b.emphasis),
    ...input.tags,
  ].join('\n');
  const counts = countMentions(matchers, `${input.title}\n${prose}`);
  const strong = countMentions(matchers, signals);
  const touched = new Map<string, { matcher: Matcher; count: number }>();
  for (const [m, count] of counts) {
    const isLinked = systemMatchers.includes(m);
    if (count >= 2 || isLinked || strong.has(m))
      touched.set(`${m.entity.kind}/${m.entity.slug}`, { matcher: m, count });
  }
  for (const m of systemMatchers)
    if (!touched.has(`system/${m.entity.slug}`))
      touched.set(`system/${m.entity.slug}`, { matcher: m, count: 1 });

  const mentionsIn = (text: string): Matcher[] =>
    [...touched.values()].map((t) => t.matcher).filter((m) => mentionCount(m, text) > 0);

  const entities: EntityMention[] = [...touched.values()]
    .map(({ matcher, count }) => {
      const best = sentences
        .filter((s) => mentionCount(matcher, s.text) > 0)
        .sort((a, b) => b.score - a.score)[0];
      return { ...matcher.entity, mentions: count, evidence: best?.text ?? '' };
    })
    .sort((a, b) => b.mentions - a.mentions || a.slug.localeCompare(b.slug));

  const byScore = [...sentences].sort((a, b) => b.score - a.score);
  const summary = byScore
    .filter((s) => words(s.text) >= 6)
    .slice(0, SUMMARY_SENTENCES)
    .sort((a, b) => a.block - b.block)
    .map((s) => s.text);

  const takeaways = takeawaysOf(sentences, (text) => mentionsIn(text).map((m) => m.entity));
  const figures = sentences
    .filter((s) => s.figures.length > 0)
    .map((s) => ({ figures: s.figures, context: s.text, section: s.section }));
  const tables = tablesOf(doc.blocks);
  const caveats = caveatsOf(sentences, new Set(summary));
  const quotes = byScore
    .filter((s) => LESSON_CUES.test(s.text) && words(s.text) >= 8 && words(s.text) <= 45)
    .slice(0, 3)
    .map((s) => s.text);

  return {
    version: ANALYSIS_VERSION,
    entryId: input.entryId,
    url: input.url,
    title: input.title.trim() || input.url,
    author: input.author,
    published: isoDate(input.publishedAt),
    feedTitle: input.feedTitle,
    tags: input.tags,
    company: ref(company),
    hash: articleHash(input),
    raw,
    source,
    summary,
    takeaways,
    figures,
    tables,
    caveats,
    quotes,
    links: {
      repositories: linked.repositories,
      packages: linked.packages,
      discussions: linked.discussions,
      references: linked.references.slice(0, 30),
    },
    entities,
  };
}

/** Words in a sentence; in Chinese, every two characters count as one. */
function words(text: string): number {
  const cjk = text.match(/[\u3400-\u9fff]/g)?.length ?? 0;
  const latin = text
    .replace(/[\u3400-\u9fff]/g, ' ')
    .split(/\s+/)
    .filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
  return latin + Math.ceil(cjk / 2);
}

function sentencesOf(blocks: Block[]): Sentence[] {
  const out: Sentence[] = [];
  const prose = blocks
    .map((b, i) => ({ b, i }))
    .filter(({ b }) => b.kind === 'paragraph' || b.kind === 'item' || b.kind === 'quote');
  const first = prose[0]?.i;
  const last = prose.at(-1)?.i;
  for (const { b, i } of prose) {
    const heading = new Set(contentWords(b.section));
    for (const text of splitSentences(b.text)) {
      const n = words(text);
      if (n < 4 || !/\p{L}/u.test(text)) continue;
      const figures = extractFigures(text).map((f) => f.text);
      let prior = 0;
      if (i === first) prior += 0.5;
      if (i === last) prior += 0.3;
      if (b.emphasis.some((e) => text.includes(e))) prior += 0.4;
      if (figures.length > 0) prior += 0.3;
      if (contentWords(text).some((w) => heading.has(w))) prior += 0.2;
      if (n > 60) prior -= 0.5;
      if (n < 7) prior -= 0.4;
      if (text.endsWith('?')) prior -= 0.3;
      out.push({ text, block: i, section: b.section, prior, score: 0, figures });
    }
  }
  return out;
}

/** One takeaway per section: its most central sentence in bold, then its best evidence. */
function takeawaysOf(sentences: Sentence[], entitiesOf: (text: string) => Entity[]): Takeaway[] {
  const sections = new Map<string, Sentence[]>();
  for (const s of sentences) sections.set(s.section, [...(sections.get(s.section) ?? []), s]);
  let groups = [...sections.values()];
  if (groups.length < 3) {
    // No headings to follow: the top sentences, each with the one after it.
    const top = [...sentences].sort((a, b) => b.score - a.score).slice(0, MAX_TAKEAWAYS);
    groups = top
      .sort((a, b) => a.block - b.block)
      .map((s) => {
        const i = sentences.indexOf(s);
        return sentences.slice(i, i + 2);
      });
  }
  const takeaways: Takeaway[] = [];
  for (const group of groups) {
    const ranked = [...group].sort((a, b) => b.score - a.score);
    // A lead stands alone: not one leaning on the sentence before ("Unfortunately, …", "This …").
    const standsAlone = (t: string) => !DANGLING.test(t) && words(t) >= 6 && words(t) <= 45;
    const lead = ranked.find((s) => standsAlone(s.text)) ?? ranked[0];
    if (!lead) continue;
    const evidence = ranked
      .filter((s) => s !== lead)
      .sort((a, b) => b.figures.length - a.figures.length || b.score - a.score)
      .slice(0, 2)
      .sort((a, b) => a.block - b.block)
      .map((s) => s.text);
    const seen = new Set<string>();
    const counted = new Map<string, { e: Entity; n: number }>();
    for (const s of group)
      for (const e of entitiesOf(s.text)) {
        const key = `${e.kind}/${e.slug}`;
        counted.set(key, { e, n: (counted.get(key)?.n ?? 0) + 1 });
      }
    const entities = [...counted.values()]
      .filter(({ e }) => e.kind !== 'company')
      .sort((a, b) => b.n - a.n || a.e.slug.localeCompare(b.e.slug))
      .map(({ e }) => ref(e))
      .filter((e) => !seen.has(e.slug) && seen.add(e.slug))
      .slice(0, 5);
    takeaways.push({ lead: lead.text, evidence, entities });
  }
  return takeaways
    .map((t, i) => ({ t, i, score: group(t) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, MAX_TAKEAWAYS)
    .sort((a, b) => a.i - b.i)
    .map(({ t }) => t);

  function group(t: Takeaway): number {
    return sentences.find((s) => s.text === t.lead)?.score ?? 0;
  }
}

function tablesOf(blocks: Block[]): FigureTable[] {
  const tables: FigureTable[] = [];
  let current: FigureTable | null = null;
  let lastHeader: string[] | undefined;
  for (const b of blocks) {
    if (b.kind !== 'row' || !b.cells) {
      current = null;
      continue;
    }
    if (!current || b.header !== lastHeader) {
      current = { header: b.header ?? [], rows: [] };
      tables.push(current);
      lastHeader = b.header;
    }
    const cells = b.cells.map((c, i) => cellFigure(c, b.header?.[i]) ?? c);
    // Only rows that state a figure belong in Operational numbers.
    if (b.cells.some((c, i) => cellFigure(c, b.header?.[i]) !== null)) current.rows.push(cells);
  }
  return tables.filter((t) => t.rows.length > 0);
}

function caveatsOf(sentences: Sentence[], summary: Set<string>): string[] {
  return sentences
    .map((s) => ({ s, cues: s.text.match(CAVEAT_CUES)?.length ?? 0 }))
    .filter(({ s, cues }) => cues > 0 && words(s.text) >= 7 && !summary.has(s.text))
    .sort((a, b) => b.cues * b.s.score - a.cues * a.s.score)
    .slice(0, MAX_CAVEATS)
    .sort((a, b) => a.s.block - b.s.block)
    .map(({ s }) => s.text);
}
