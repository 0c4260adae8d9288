// The corpus's normalized result shape, and the agreement score that compares a parser with the
// corpus expectations (the same rules as the corpus's own compare tool, so the test, the benchmark
// and `gleaner parse` agree on what "agrees" means).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { ParsedFeed } from '../../model/index.js';
import { htmlToText } from './text.js';

export interface CorpusItem {
  id: string | null;
  title: string | null;
  link: string | null;
  published: string | null;
  updated: string | null;
  author: string | null;
  categories: string[];
  summary_text: string;
  content_text_len: number;
  enclosures: { url: string; type: string | null; length: number | null }[];
}

export interface CorpusResult {
  format: string | null;
  title: string | null;
  link: string | null;
  items: CorpusItem[];
}

/** The base URL the corpus documents are parsed against. */
export const CORPUS_BASE_URL = 'http://example.test/feed.xml';

/** Maps a parsed feed to the corpus's normalized shape. */
export function toCorpusResult(feed: ParsedFeed): CorpusResult {
  return {
    format: feed.format,
    title: feed.title,
    link: feed.link,
    items: feed.items.map((item) => {
      const summary = item.summaryHtml ?? item.contentHtml;
      const content = item.contentHtml ?? item.summaryHtml;
      return {
        id: item.id,
        title: item.title,
        link: item.link,
        published: item.published,
        updated: item.updated ?? item.published,
        author: item.author,
        categories: item.categories,
        summary_text: summary ? htmlToText(summary).slice(0, 200) : '',
        content_text_len: content ? htmlToText(content).length : 0,
        enclosures: item.enclosures.map((e) => ({ url: e.url, type: e.type, length: e.length })),
      };
    }),
  };
}

export interface CorpusDocument {
  /** Path relative to the corpus's feeds folder, e.g. `edge-rss/channel_title.xml`. */
  name: string;
  category: string;
  bytes: Buffer;
  expected: CorpusResult;
}

/** Reads every document of a corpus feeds folder with its expectation, in a stable order. */
export function loadCorpus(feedsDir: string): CorpusDocument[] {
  const docs: CorpusDocument[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (!name.endsWith('.expected.json')) {
        const rel = relative(feedsDir, path).split(sep).join('/');
        docs.push({
          name: rel,
          category: rel.split('/')[0] ?? '',
          bytes: readFileSync(path),
          expected: JSON.parse(readFileSync(path + '.expected.json', 'utf8')) as CorpusResult,
        });
      }
    }
  };
  walk(feedsDir);
  return docs;
}

// Expectations and peers' outputs are JSON values: strings, numbers or null.
type Scalar = string | number | null | undefined;
const norm = (s: Scalar): string | null =>
  s == null || s === '' ? null : String(s).replace(/\s+/g, ' ').trim();
const url = (s: Scalar): string | null => {
  if (s == null || s === '') return null;
  try {
    return new URL(String(s).trim()).href;
  } catch {
    return norm(s);
  }
};
const sec = (s: string | null): string | null => (s ? new Date(s).toISOString().slice(0, 19) : null);
const sorted = (a: string[] | undefined): string => JSON.stringify([...(a ?? [])].map(norm).sort());
const enclosureUrls = (a: { url: string }[] | undefined): string =>
  JSON.stringify([...(a ?? [])].map((e) => e.url).sort());

/** Why `actual` disagrees with `expected`; empty when they agree. */
export function disagreements(expected: CorpusResult, actual: CorpusResult | undefined): string[] {
  if (!actual) return ['no output'];
  const why: string[] = [];
  if (expected.format && expected.format !== actual.format)
    why.push(`format ${actual.format} != ${expected.format}`);
  if (norm(expected.title) !== norm(actual.title))
    why.push(`feed title ${JSON.stringify(actual.title)} != ${JSON.stringify(expected.title)}`);
  const ei = expected.items ?? [];
  const ai = actual.items ?? [];
  if (ei.length !== ai.length) return [...why, `items ${ai.length} != ${ei.length}`];
  ei.forEach((e, i) => {
    const a = ai[i];
    if (!a) return;
    if (norm(e.title) !== norm(a.title))
      why.push(`#${i} title ${JSON.stringify(a.title)} != ${JSON.stringify(e.title)}`);
    if (url(e.link) !== url(a.link)) why.push(`#${i} link ${a.link} != ${e.link}`);
    if (norm(e.id) !== norm(a.id)) why.push(`#${i} id ${a.id} != ${e.id}`);
    let published: string | null;
    try {
      published = sec(a.published);
    } catch {
      published = 'invalid';
    }
    if (e.published && sec(e.published) !== published)
      why.push(`#${i} published ${a.published} != ${e.published}`);
    if (sorted(e.categories) !== sorted(a.categories))
      why.push(`#${i} categories ${sorted(a.categories)} != ${sorted(e.categories)}`);
    if (enclosureUrls(e.enclosures) !== enclosureUrls(a.enclosures)) why.push(`#${i} enclosures`);
  });
  return why;
}

export interface AgreementReport {
  agreed: number;
  total: number;
  byCategory: Map<string, { agreed: number; total: number }>;
  failures: { name: string; why: string[] }[];
}

/** Scores a parser (bytes and base URL in, corpus result out) over a loaded corpus. */
export async function scoreAgreement(
  docs: CorpusDocument[],
  parse: (bytes: Buffer, baseUrl: string) => CorpusResult | Promise<CorpusResult>,
): Promise<AgreementReport> {
  const report: AgreementReport = { agreed: 0, total: 0, byCategory: new Map(), failures: [] };
  for (const doc of docs) {
    let why: string[];
    try {
      why = disagreements(doc.expected, await parse(doc.bytes, CORPUS_BASE_URL));
    } catch (err) {
      why = [`error: ${(err as Error).message}`];
    }
    const cat = report.byCategory.get(doc.category) ?? { agreed: 0, total: 0 };
    cat.total++;
    report.total++;
    if (why.length === 0) {
      cat.agreed++;
      report.agreed++;
    } else report.failures.push({ name: doc.name, why });
    report.byCategory.set(doc.category, cat);
  }
  return report;
}

/** An expectation we are sure is wrong, with the evidence (see testdata/corpus-corrections.json). */
export interface CorpusCorrection {
  file: string;
  path: (string | number)[];
  corpus: unknown;
  correct: unknown;
  why: string;
}

/** The documents with the corrected expectations patched in; a correction that no longer matches throws. */
export function applyCorrections(docs: CorpusDocument[], corrections: CorpusCorrection[]): CorpusDocument[] {
  return docs.map((doc) => {
    const mine = corrections.filter((c) => c.file === doc.name);
    if (mine.length === 0) return doc;
    const expected = structuredClone(doc.expected);
    for (const c of mine) {
      let target: Record<string | number, unknown> = expected as unknown as Record<string | number, unknown>;
      for (const key of c.path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
      const last = c.path[c.path.length - 1] ?? '';
      if (target[last] !== c.corpus) throw new Error(`correction for ${c.file} no longer matches the corpus`);
      target[last] = c.correct;
    }
    return { ...doc, expected };
  });
}

/** The corpus folder: `GLEANER_CORPUS_DIR`, else `shared/corpus/feeds` beside the repository. */
export function corpusFeedsDir(repoRoot: string): string {
  return process.env.GLEANER_CORPUS_DIR ?? join(repoRoot, '..', 'shared', 'corpus', 'feeds');
}
