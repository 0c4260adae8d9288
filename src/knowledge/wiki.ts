// The wiki folder: reading its build state, writing pages atomically and only when they change.
// The folder contract is shared with the web reader: index.md, log.md, raw/, sources/, companies/,
// systems/, concepts/, patterns/, skills/<name>/SKILL.md, and .gleaner/state.json.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sha1, type ArticleAnalysis } from './analyze.js';
import type { LogEntry } from './pages.js';

export interface ArticleState {
  entryId: number;
  hash: string;
  raw: string;
  source: string;
}

export interface WikiState {
  version: 1;
  articles: Record<string, ArticleState>;
  /** Every page the builder wrote last time, so pages nothing produces any more are removed. */
  pages: string[];
  log: LogEntry[];
}

export const STATE_FILE = '.gleaner/state.json';
const ANALYSIS_DIR = '.gleaner/analysis';

export function readState(dir: string): WikiState {
  const text = readText(join(dir, STATE_FILE));
  if (text === null) return { version: 1, articles: {}, pages: [], log: [] };
  const parsed = JSON.parse(text) as Partial<WikiState>;
  return { version: 1, articles: parsed.articles ?? {}, pages: parsed.pages ?? [], log: parsed.log ?? [] };
}

export function writeState(dir: string, state: WikiState): void {
  writeAtomic(join(dir, STATE_FILE), JSON.stringify(state, null, 1) + '\n');
}

export function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Writes through a temporary file in the same folder and a rename, so no reader sees half a page. */
export function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** Writes `text` at `rel` unless the file already holds exactly that; says what happened. */
export function writeIfChanged(dir: string, rel: string, text: string): 'added' | 'changed' | 'same' {
  const path = join(dir, rel);
  const old = readText(path);
  if (old === text) return 'same';
  writeAtomic(path, text);
  return old === null ? 'added' : 'changed';
}

export function removePage(dir: string, rel: string): void {
  rmSync(join(dir, rel), { force: true });
}

function analysisPath(dir: string, url: string): string {
  return join(dir, ANALYSIS_DIR, `${sha1(url)}.json`);
}

export function readAnalysis(dir: string, url: string): ArticleAnalysis | null {
  const text = readText(analysisPath(dir, url));
  return text === null ? null : (JSON.parse(text) as ArticleAnalysis);
}

export function writeAnalysis(dir: string, analysis: ArticleAnalysis): void {
  writeAtomic(analysisPath(dir, analysis.url), JSON.stringify(analysis) + '\n');
}
