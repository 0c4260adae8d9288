// Extractive ranking: TextRank over sentences (similarity = shared content words, normalized by
// length, as in Mihalcea & Tarau 2004), with the article's structure as a prior. Pure.
import { contentWords } from './sentences.js';

export interface RankInput {
  text: string;
  /** Structure signals: first/last paragraph, emphasis, under a heading whose words it shares… */
  prior: number;
}

const DAMPING = 0.85;
const ITERATIONS = 30;
// Sentence graphs are quadratic; beyond this many, each sentence is compared with the centroid.
const MAX_GRAPH = 400;

/** A score per sentence, higher is more central; same order as the input. */
export function rankSentences(inputs: RankInput[]): number[] {
  const n = inputs.length;
  if (n === 0) return [];
  const bags = inputs.map((s) => new Set(contentWords(s.text)));
  const centrality = n <= MAX_GRAPH ? textRank(bags) : centroidScores(bags);
  return centrality.map((c, i) => c * (1 + (inputs[i]?.prior ?? 0)));
}

function similarity(a: Set<string>, b: Set<string>): number {
  if (a.size < 2 || b.size < 2) return 0;
  let shared = 0;
  const [small, large] = a.size < b.size ? [a, b] : [b, a];
  for (const w of small) if (large.has(w)) shared++;
  return shared === 0 ? 0 : shared / (Math.log(a.size) + Math.log(b.size));
}

function textRank(bags: Set<string>[]): number[] {
  const n = bags.length;
  // Sparse: most sentence pairs share no word, so each sentence keeps only its neighbours.
  const edges: { j: number; w: number }[][] = bags.map(() => []);
  const totals = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const w = similarity(bags[i] as Set<string>, bags[j] as Set<string>);
      if (w === 0) continue;
      edges[i]?.push({ j, w });
      edges[j]?.push({ j: i, w });
      totals[i] = (totals[i] ?? 0) + w;
      totals[j] = (totals[j] ?? 0) + w;
    }
  }
  let scores = new Float64Array(n).fill(1);
  for (let it = 0; it < ITERATIONS; it++) {
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (const { j, w } of edges[i] ?? []) sum += (w / (totals[j] ?? 1)) * (scores[j] ?? 0);
      next[i] = 1 - DAMPING + DAMPING * sum;
    }
    scores = next;
  }
  return Array.from(scores);
}

function centroidScores(bags: Set<string>[]): number[] {
  const df = new Map<string, number>();
  for (const bag of bags) for (const w of bag) df.set(w, (df.get(w) ?? 0) + 1);
  return bags.map((bag) => {
    let s = 0;
    for (const w of bag) s += Math.log(1 + (df.get(w) ?? 0));
    return bag.size === 0 ? 0 : s / Math.sqrt(bag.size);
  });
}
