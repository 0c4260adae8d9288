// How fast does Gleaner parse feeds, and how often does it agree with the corpus, next to the
// JavaScript feed parsers a reader could use instead and the raw tokenizer floor (all in one process).
//   npm run bench -- parse [--runs N] [--quick] [--failures]
import { fileURLToPath } from 'node:url';
import { corpusFeedsDir, loadCorpus, scoreAgreement } from '../src/feed/parse/conformance.js';
import type { AgreementReport } from '../src/feed/parse/conformance.js';
import { generateBlogFeed } from './inputs/blog-feed.js';
import { describeMachine, fmt, measureSideBySide, printTable, printVersus, versus } from './lib.js';
import type { Figure, MeasureOptions, Peer, Timing, VersusOptions } from './lib.js';
import type { ParserPeer } from './peers/corpus.js';
import { feedsmith } from './peers/feedsmith.js';
import { gleaner } from './peers/gleaner.js';
import { tokenizeFloor } from './peers/htmlparser2.js';
import { rowanmanning, rowanmanningUnread } from './peers/rowanmanning.js';
import { rssParser } from './peers/rss-parser.js';

const PARSERS: ParserPeer[] = [gleaner, feedsmith, rssParser, rowanmanning];
/** Timed beside the parsers, not scored: a lazy parse with no field read, and the raw tokenizer floor. */
const REFERENCES: Peer<Uint8Array, number>[] = [rowanmanningUnread, tokenizeFloor];

const THROUGHPUT: VersusOptions = {
  unit: 'MB/s',
  better: 'higher',
  words: ['faster', 'slower'],
  extraHeaders: ['items/s', 'MB/s range', 'items read', 'errors'],
};

interface Input {
  name: string;
  docs: Uint8Array[];
  bytes: number;
  /** Items the input holds (the corpus expectations; the generator's count). */
  items: number;
}

interface Throughput {
  mbPerSecond: number;
  itemsPerSecond: number;
  /** MB/s of the slowest and fastest runs. */
  range: [number, number];
  itemsRead: number;
  errors: number;
}

/** Times whole passes over the input, every peer in each round; a document that throws is an error. */
async function throughput(
  peers: Peer<Uint8Array, number>[],
  input: Input,
  options: MeasureOptions,
): Promise<Map<string, Throughput>> {
  const counts = peers.map(() => ({ itemsRead: 0, errors: 0 }));
  const passes = peers.map((peer, i) => async (): Promise<void> => {
    let itemsRead = 0;
    let errors = 0;
    for (const doc of input.docs) {
      try {
        const n = peer.run(doc);
        itemsRead += typeof n === 'number' ? n : await n; // await only the async peers
      } catch {
        errors++;
      }
    }
    counts[i] = { itemsRead, errors };
  });
  const timings = await measureSideBySide(passes, options);
  const mb = input.bytes / 1e6;
  return new Map(
    peers.map((peer, i) => {
      const { median, min, max } = timings[i] as Timing;
      const result: Throughput = {
        mbPerSecond: mb / (median / 1000),
        itemsPerSecond: input.items / (median / 1000),
        range: [mb / (max / 1000), mb / (min / 1000)],
        ...(counts[i] as { itemsRead: number; errors: number }),
      };
      return [peer.name, result];
    }),
  );
}

function parseArgs(args: string[]): { runs: number; warmup: number; failures: boolean } {
  const quick = args.includes('--quick');
  const at = args.indexOf('--runs');
  const runs = at >= 0 ? Number(args[at + 1]) : quick ? 3 : 7;
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error('--runs takes a whole number of runs, e.g. --runs 7');
  return { runs, warmup: quick ? 1 : 3, failures: args.includes('--failures') };
}

export async function main(args: string[]): Promise<void> {
  const options = parseArgs(args);
  const repoRoot = fileURLToPath(new URL('..', import.meta.url));
  const corpus = loadCorpus(corpusFeedsDir(repoRoot));
  const real = corpus.filter((d) => d.category.startsWith('real-'));
  const blog = generateBlogFeed({ items: 400 });
  const inputs: Input[] = [
    {
      name: `corpus real-* (${real.length} documents)`,
      docs: real.map((d) => d.bytes),
      bytes: real.reduce((n, d) => n + d.bytes.length, 0),
      items: real.reduce((n, d) => n + d.expected.items.length, 0),
    },
    { name: 'synthetic Cloudflare-like blog feed (400 items)', docs: [blog], bytes: blog.length, items: 400 },
  ];

  console.log(describeMachine());
  console.log(
    `Parse throughput: median of ${options.runs} runs after ${options.warmup} warm-up, every parser in each ` +
      `round, one process; MB = 10^6 bytes; items/s = the input's items ÷ that time. Peers decode bytes to ` +
      `text inside their time (with Gleaner's charset stage), as Gleaner does.`,
  );
  for (const input of inputs) {
    const results = await throughput([...PARSERS, ...REFERENCES], input, options);
    const figure = (name: string): Figure => {
      const r = results.get(name) as Throughput;
      return {
        name,
        value: r.mbPerSecond,
        extra: [
          fmt(r.itemsPerSecond),
          `${fmt(r.range[0])}–${fmt(r.range[1])}`,
          `${r.itemsRead}/${input.items}`,
          String(r.errors),
        ],
      };
    };
    const ours = figure(gleaner.name);
    printVersus(
      `${input.name}: ${fmt(input.bytes / 1e6)} MB, ${input.items} items`,
      ours,
      [...PARSERS.slice(1), ...REFERENCES].map((p) =>
        p === rowanmanningUnread
          ? { ...figure(p.name), note: 'for reference: lazy, no field read' }
          : figure(p.name),
      ),
      THROUGHPUT,
    );
    const floor = figure(tokenizeFloor.name).value;
    const peers = PARSERS.slice(1).map(
      (p) => `${versus(ours.value, figure(p.name).value, THROUGHPUT)} than ${p.name}`,
    );
    const toFloor =
      ours.value <= floor
        ? `within ${fmt(floor / ours.value)}× of the raw tokenize floor`
        : `${fmt(ours.value / floor)}× faster than the raw tokenize floor`;
    console.log(
      `  ${gleaner.name} is ${peers.join(', ')}; ${toFloor} (target: faster than every peer, within 2×).`,
    );
  }

  const reports = new Map<string, AgreementReport>();
  for (const peer of PARSERS) reports.set(peer.name, await scoreAgreement(corpus, peer.toCorpus));
  printAgreement(reports, corpus.length);
  if (options.failures)
    for (const [name, report] of reports) {
      console.log(`\n${name} disagrees on:`);
      for (const f of report.failures) console.log(`  ${f.name}: ${f.why.slice(0, 3).join('; ')}`);
    }
}

function printAgreement(reports: Map<string, AgreementReport>, documents: number): void {
  const cell = (c: { agreed: number; total: number } | undefined): string =>
    c ? `${c.agreed}/${c.total} ${fmt((100 * c.agreed) / c.total)}%` : '';
  const categories = [...(reports.values().next().value?.byCategory.keys() ?? [])].sort();
  console.log(
    `\nAgreement with the corpus expectations (${documents} documents; target: at least every peer's)`,
  );
  printTable([
    ['', ...reports.keys()],
    ...categories.map((c) => [c, ...[...reports.values()].map((r) => cell(r.byCategory.get(c)))]),
    ['overall', ...[...reports.values()].map((r) => cell(r))],
  ]);
  const percent = (r: AgreementReport): string => `${fmt((100 * r.agreed) / r.total)}%`;
  const [ours, ...peers] = [...reports];
  const best = peers.sort(([, a], [, b]) => b.agreed - a.agreed)[0];
  if (ours && best)
    console.log(
      `  ${ours[0]} agrees on ${percent(ours[1])} of documents; the best peer, ${best[0]}, on ${percent(best[1])}.`,
    );
}
