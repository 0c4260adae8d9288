// How many articles per second does the offline wiki builder read (sentences, ranking, figures,
// entities, the source page and the raw Markdown), next to the pieces a simpler builder would be
// made of, measured in the same run: turndown alone (the raw archive only) and a plain TextRank
// over the same text (a summary only). Inputs: the corpus's real articles and the seed feed.
//   npm run bench -- wiki [--runs N]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFeed } from '../src/feed/parse/index.js';
import { corpusFeedsDir, loadCorpus } from '../src/feed/parse/conformance.js';
import { prepareEntries } from '../src/ingest/prepare.js';
import { analyzeArticle, type ArticleInput } from '../src/knowledge/analyze.js';
import { buildWiki } from '../src/knowledge/build.js';
import { buildVocabulary } from '../src/knowledge/entities.js';
import { htmlToMarkdown } from '../src/knowledge/markdown.js';
import { renderSource } from '../src/knowledge/pages.js';
import { describeMachine, fmt, measureSideBySide, printVersus, type Figure } from './lib.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SEED = join(ROOT, '..', 'shared', 'seeds', '002_8d3710f0974aeed0.txt');
// Below this much text an item is a link post, not an article to distill.
const MIN_TEXT = 500;

function articlesOf(bytes: Uint8Array, name: string): ArticleInput[] {
  try {
    const feed = parseFeed(bytes);
    return prepareEntries(feed, 'https://corpus.example/feed.xml', Date.UTC(2026, 10, 23))
      .filter((e) => e.link && e.contentText.length >= MIN_TEXT)
      .map((e, i) => ({
        entryId: i + 1,
        url: e.link ?? '',
        title: e.title,
        author: e.author,
        publishedAt: e.publishedAt,
        feedTitle: feed.title ?? name,
        siteUrl: feed.link,
        tags: e.categories,
        contentHtml: e.contentHtml,
      }));
  } catch {
    return [];
  }
}

/** A plain TextRank summary (regex sentences, word-overlap graph, 30 iterations): the peer. */
function plainTextRank(text: string): string[] {
  const sentences = text.split(/(?<=[.!?。！？])\s+/).filter((s) => s.length > 20);
  const bags = sentences.map((s) => new Set(s.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []));
  const n = bags.length;
  const w = bags.map((a) =>
    bags.map((b) => {
      if (a === b || a.size < 2 || b.size < 2) return 0;
      let shared = 0;
      for (const x of a) if (b.has(x)) shared++;
      return shared / (Math.log(a.size) + Math.log(b.size));
    }),
  );
  const totals = w.map((row) => row.reduce((s, x) => s + x, 0));
  let scores = new Array<number>(n).fill(1);
  for (let it = 0; it < 30; it++)
    scores = scores.map(
      (_, i) =>
        0.15 + 0.85 * w[i]!.reduce((s, x, j) => s + (totals[j] ? (x / totals[j]) * scores[j]! : 0), 0),
    );
  return scores
    .map((s, i) => [s, i] as const)
    .sort((a, b) => b[0] - a[0])
    .slice(0, 5)
    .map(([, i]) => sentences[i] ?? '');
}

async function run(label: string, articles: ArticleInput[], runs: number): Promise<void> {
  const vocabulary = buildVocabulary();
  const texts = articles.map((a) => a.contentHtml.replace(/<[^>]+>/g, ' '));
  const ours = () => {
    for (const a of articles) {
      const analysis = analyzeArticle(a, vocabulary);
      renderSource(analysis, []);
      htmlToMarkdown(a.contentHtml);
    }
  };
  const turndownAlone = () => {
    for (const a of articles) htmlToMarkdown(a.contentHtml);
  };
  const textRankAlone = () => {
    for (const t of texts) plainTextRank(t);
  };
  const [t0, t1, t2] = await measureSideBySide([ours, turndownAlone, textRankAlone], { warmup: 1, runs });
  const rate = (ms: number | undefined) => (articles.length * 1000) / (ms ?? NaN);
  // The whole build with its files, once from empty (cold) and once with nothing changed.
  const dir = mkdtempSync(join(tmpdir(), 'gleaner-bench-wiki-'));
  let start = performance.now();
  await buildWiki(articles, { dir, now: Date.now() });
  const cold = performance.now() - start;
  start = performance.now();
  await buildWiki(articles, { dir, now: Date.now() });
  const warm = performance.now() - start;
  rmSync(dir, { recursive: true, force: true });

  const us: Figure = { name: 'gleaner offline page + raw', value: rate(t0?.median) };
  const peers: Figure[] = [
    { name: 'turndown alone (raw only)', value: rate(t1?.median) },
    { name: 'plain TextRank alone (summary only)', value: rate(t2?.median) },
    {
      name: 'gleaner wiki build, files, cold',
      value: rate(cold),
      note: 'reference: whole build with disk writes',
    },
    { name: 'gleaner wiki build, nothing changed', value: rate(warm), note: 'reference: incremental pass' },
  ];
  const kb = texts.reduce((s, t) => s + t.length, 0) / 1024;
  printVersus(`${label}: ${articles.length} articles, ${fmt(kb)} KB of text`, us, peers, {
    unit: 'articles/s',
    better: 'higher',
    words: ['faster', 'slower'],
  });
}

export async function main(args: string[]): Promise<void> {
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(args[runsAt + 1]) || 5 : 5;
  console.log(`wiki build throughput (median of ${runs} runs) — ${describeMachine()}`);
  const corpus = loadCorpus(corpusFeedsDir(ROOT)).filter((d) => d.category.startsWith('real-'));
  const real = corpus.flatMap((d) => articlesOf(d.bytes, d.name));
  await run('corpus real-* articles', real, runs);
  await run('seed 002 (The Cloudflare Blog)', articlesOf(readFileSync(SEED), 'seed 002'), runs * 4);
}
