// An incremental wiki build: only new or changed articles are read again (their analyses are cached
// in .gleaner/), every page is rendered from all analyses, and a page is written only when its
// text changes — so a build where nothing changed writes nothing.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isoTime } from '../model/time.js';
import {
  analyzeArticle,
  articleHash,
  type ArticleAnalysis,
  type ArticleInput,
  type EntityRef,
} from './analyze.js';
import { buildVocabulary, type Matcher } from './entities.js';
import { htmlToMarkdown } from './markdown.js';
import {
  entityPath,
  renderEntity,
  renderIndex,
  renderLog,
  renderRaw,
  renderSource,
  type CrossReference,
  type EntityPageInput,
} from './pages.js';
import { renderSkill, skillPath, type SkillSpec } from './skill.js';
import {
  readAnalysis,
  readState,
  removePage,
  writeAnalysis,
  writeIfChanged,
  writeState,
  type WikiState,
} from './wiki.js';

/** Rewrites an offline analysis with a language model's help; failures come back as `fallback`. */
export type Enricher = (input: ArticleInput, offline: ArticleAnalysis) => Promise<ArticleAnalysis>;

export interface BuildOptions {
  dir: string;
  now: number;
  enrich?: Enricher;
  onProgress?: (done: number, total: number, detail: string) => void;
}

export interface BuildReport {
  /** Articles read this build (new or changed); the rest came from the cache. */
  analyzed: number;
  reused: number;
  added: string[];
  changed: string[];
  removed: string[];
}

const MAX_LOG = 200;
const ENRICH_WORKERS = 4;
const MAX_CROSS_REFS = 5;
const MAX_RELATED = 8;

/**
 * Analyses for these articles: from the cache when the article is unchanged, else read now (and
 * enriched when a model is configured). Returns them with the ones that were read.
 */
export async function analyzeArticles(
  dir: string,
  articles: ArticleInput[],
  state: WikiState,
  options: { vocabulary: Matcher[]; enrich?: Enricher; onProgress?: BuildOptions['onProgress'] },
): Promise<{ analyses: ArticleAnalysis[]; fresh: ArticleAnalysis[] }> {
  const analyses = new Array<ArticleAnalysis | undefined>(articles.length);
  const isFresh: boolean[] = new Array<boolean>(articles.length).fill(false);
  let done = 0;
  let next = 0;
  // The offline reading is synchronous; model requests overlap, ENRICH_WORKERS at a time (the
  // client bounds them further).
  const worker = async () => {
    for (let i = next++; i < articles.length; i = next++) {
      const input = articles[i] as ArticleInput;
      const known = state.articles[input.url];
      let analysis = known?.hash === articleHash(input) ? readAnalysis(dir, input.url) : null;
      if (!analysis) {
        analysis = analyzeArticle(input, options.vocabulary);
        if (options.enrich) analysis = await options.enrich(input, analysis);
        writeAnalysis(dir, analysis);
        isFresh[i] = true;
      }
      analyses[i] = analysis;
      options.onProgress?.(++done, articles.length, input.title);
    }
  };
  await Promise.all(Array.from({ length: options.enrich ? ENRICH_WORKERS : 1 }, worker));
  const all = analyses.filter((a): a is ArticleAnalysis => a !== undefined);
  return {
    analyses: all,
    fresh: analyses.filter((a, i): a is ArticleAnalysis => a !== undefined && isFresh[i] === true),
  };
}

export async function buildWiki(articles: ArticleInput[], options: BuildOptions): Promise<BuildReport> {
  const { dir } = options;
  const state = readState(dir);
  const tagCounts = new Map<string, number>();
  for (const a of articles) for (const t of new Set(a.tags)) tagCounts.set(t, (tagCounts.get(t) ?? 0) + 1);
  const vocabulary = buildVocabulary(tagCounts);

  const { analyses, fresh } = await analyzeArticles(dir, articles, state, { vocabulary, ...options });
  // Articles outside this build's selection stay in the wiki, from their cached analyses.
  const byUrl = new Map<string, ArticleAnalysis>();
  for (const url of Object.keys(state.articles)) {
    const cached = readAnalysis(dir, url);
    if (cached) byUrl.set(url, cached);
  }
  for (const a of analyses) byUrl.set(a.url, a);
  const all = [...byUrl.values()].sort(
    (a, b) => a.source.localeCompare(b.source) || a.url.localeCompare(b.url),
  );
  dedupeSourcePaths(all);

  const pages = new Map<string, string>();
  const inputs = new Map(articles.map((a) => [a.url, a]));
  for (const a of fresh) pages.set(a.raw, renderRaw(a, htmlToMarkdown(inputs.get(a.url)?.contentHtml ?? '')));
  const crossRefs = crossReferences(all);
  for (const a of all) pages.set(a.source, renderSource(a, crossRefs.get(a.url) ?? []));
  const entities = entityPages(all);
  for (const e of entities) pages.set(entityPath(e.entity), renderEntity(e));
  pages.set(
    'index.md',
    renderIndex({ sources: all, entities: entities.map((e) => e.entity), skills: listSkills(dir) }),
  );

  const report: BuildReport = {
    analyzed: fresh.length,
    reused: analyses.length - fresh.length,
    added: [],
    changed: [],
    removed: [],
  };
  for (const [path, text] of pages) {
    const result = writeIfChanged(dir, path, text);
    if (result === 'added') report.added.push(path);
    else if (result === 'changed') report.changed.push(path);
  }
  // Raw copies of unchanged articles were not rendered again, but are still the wiki's.
  const produced = new Set([...pages.keys(), ...all.map((a) => a.raw)]);
  for (const old of state.pages) {
    if (!produced.has(old)) {
      removePage(dir, old);
      report.removed.push(old);
    }
  }

  const next: WikiState = {
    version: 1,
    articles: Object.fromEntries(
      all.map((a) => [a.url, { entryId: a.entryId, hash: a.hash, raw: a.raw, source: a.source }]),
    ),
    pages: [...produced].sort(),
    log: state.log,
  };
  const changedAnything = report.added.length + report.changed.length + report.removed.length > 0;
  if (changedAnything) {
    const notes = fresh.filter((a) => a.fallback).map((a) => `${a.source}: written offline (${a.fallback})`);
    next.log = [
      {
        at: isoTime(options.now),
        added: report.added,
        changed: report.changed,
        removed: report.removed,
        notes,
      },
      ...state.log,
    ].slice(0, MAX_LOG);
    writeIfChanged(dir, 'log.md', renderLog(next.log));
  }
  if (changedAnything || JSON.stringify(next.articles) !== JSON.stringify(state.articles))
    writeState(dir, next);
  return report;
}

/** Two articles with the same date, company and title get distinct source pages. */
function dedupeSourcePaths(all: ArticleAnalysis[]): void {
  const seen = new Set<string>();
  for (const a of all) {
    if (seen.has(a.source)) a.source = a.source.replace(/\.md$/, `-${a.raw.slice(-11, -3)}.md`);
    seen.add(a.source);
  }
}

/** For each source, the others sharing its rarer concepts and systems, most shared first. */
export function crossReferences(all: ArticleAnalysis[]): Map<string, CrossReference[]> {
  const df = new Map<string, number>();
  const keysOf = (a: ArticleAnalysis) =>
    new Set(a.entities.filter((e) => e.kind !== 'company').map((e) => `${e.kind}/${e.slug}`));
  const keys = new Map(all.map((a) => [a.url, keysOf(a)]));
  for (const set of keys.values()) for (const k of set) df.set(k, (df.get(k) ?? 0) + 1);
  const out = new Map<string, CrossReference[]>();
  for (const a of all) {
    const mine = keys.get(a.url) ?? new Set<string>();
    const scored: { ref: CrossReference; score: number }[] = [];
    for (const b of all) {
      if (b === a) continue;
      const theirs = keys.get(b.url) ?? new Set<string>();
      const shared = a.entities.filter(
        (e) => e.kind !== 'company' && theirs.has(`${e.kind}/${e.slug}`) && mine.size > 0,
      );
      if (shared.length === 0) continue;
      const score = shared.reduce(
        (s, e) => s + Math.log(1 + all.length / (df.get(`${e.kind}/${e.slug}`) ?? 1)),
        0,
      );
      const top = [...shared]
        .sort(
          (x, y) =>
            (df.get(`${x.kind}/${x.slug}`) ?? 0) - (df.get(`${y.kind}/${y.slug}`) ?? 0) ||
            y.mentions - x.mentions,
        )
        .slice(0, 4)
        .map((e) => ({ kind: e.kind, slug: e.slug, title: e.title }));
      scored.push({ ref: { source: b, shared: top }, score });
    }
    scored.sort((x, y) => y.score - x.score || x.ref.source.source.localeCompare(y.ref.source.source));
    out.set(
      a.url,
      scored.slice(0, MAX_CROSS_REFS).map((s) => s.ref),
    );
  }
  return out;
}

/** Every entity some source touches, with what each source says and the entities named beside it. */
export function entityPages(all: ArticleAnalysis[]): EntityPageInput[] {
  const pages = new Map<string, EntityPageInput>();
  const cooccur = new Map<string, Map<string, { ref: EntityRef; n: number }>>();
  for (const a of all) {
    const touched: (EntityRef & { summary: string })[] = [
      { ...a.company, summary: `Engineering writing from ${a.feedTitle}.` },
      ...a.entities,
    ];
    for (const e of touched) {
      const key = `${e.kind}/${e.slug}`;
      let page = pages.get(key);
      if (!page) {
        page = {
          entity: { kind: e.kind, slug: e.slug, title: e.title, summary: e.summary },
          mentions: [],
          related: [],
        };
        pages.set(key, page);
      }
      if (!page.mentions.some((m) => m.source.url === a.url))
        page.mentions.push({
          source: a,
          mention: a.entities.find((m) => m.kind === e.kind && m.slug === e.slug) ?? null,
        });
      const row = cooccur.get(key) ?? new Map<string, { ref: EntityRef; n: number }>();
      cooccur.set(key, row);
      for (const other of touched) {
        const ok = `${other.kind}/${other.slug}`;
        if (ok === key) continue;
        row.set(ok, {
          ref: { kind: other.kind, slug: other.slug, title: other.title },
          n: (row.get(ok)?.n ?? 0) + 1,
        });
      }
    }
  }
  for (const [key, page] of pages) {
    page.related = [...(cooccur.get(key)?.values() ?? [])]
      .sort((a, b) => b.n - a.n || a.ref.slug.localeCompare(b.ref.slug))
      .slice(0, MAX_RELATED)
      .map((r) => r.ref);
  }
  return [...pages.values()].sort((a, b) => entityPath(a.entity).localeCompare(entityPath(b.entity)));
}

export function listSkills(dir: string): { name: string; path: string }[] {
  try {
    return readdirSync(join(dir, 'skills'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => ({ name: d.name, path: `skills/${d.name}/SKILL.md` }))
      .sort((a, b) => a.name.localeCompare(b.name));
  } catch {
    return [];
  }
}

export interface SkillBuildOptions {
  dir: string;
  enrich?: Enricher;
  /** Writes the Chinese summary above the skill; only with a language model. */
  summarize?: (skill: string) => Promise<string | null>;
  onProgress?: BuildOptions['onProgress'];
}

/** Writes skills/<name>/SKILL.md from these articles; returns its path and whether it changed. */
export async function buildSkill(
  articles: ArticleInput[],
  spec: SkillSpec,
  options: SkillBuildOptions,
): Promise<{ path: string; result: 'added' | 'changed' | 'same' }> {
  const state = readState(options.dir);
  const tagCounts = new Map<string, number>();
  for (const a of articles) for (const t of new Set(a.tags)) tagCounts.set(t, (tagCounts.get(t) ?? 0) + 1);
  const { analyses } = await analyzeArticles(options.dir, articles, state, {
    vocabulary: buildVocabulary(tagCounts),
    ...options,
  });
  const offline = renderSkill({ ...spec, analyses });
  const chinese = options.summarize ? await options.summarize(offline) : null;
  const text = chinese ? renderSkill({ ...spec, analyses, chineseSummary: chinese }) : offline;
  const path = skillPath(spec.name);
  const result = writeIfChanged(options.dir, path, text);
  return { path, result };
}
