// How fast the reader shows a large wiki: a generated vault of ~5,000 pages in the contract's shape
// (sources, raw copies, concepts, systems, patterns, companies, skills; a tenth of the text in
// Chinese). Times the first load, the per-request freshness check, a rebuild after the builder
// renames a page into place, the search index and its queries, and a page view over HTTP with its
// backlinks, next to the floor a reader without the cache pays (walk, read and link every page per
// view).
//   node --import tsx bench/wiki-reader.ts [--pages N] [--runs N]
//   npm run bench -- wiki-reader [--pages N]
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { prng } from '../src/testing/random.js';
import { startWebApp } from '../src/web/testing.js';
import { openWiki, type WikiSnapshot } from '../src/web/wiki/index.js';
import { parsePage } from '../src/web/wiki/page.js';
import { readdir, readFile } from 'node:fs/promises';
import { describeMachine, fmt, measure, percentiles, printTable, printVersus } from './lib.js';
import { WORDS } from './inputs/words.js';

const ZH = '缓存一致性协议保证多核处理器看到同一份内存数据网络延迟请求服务器边缘节点性能优化数据库索引查询';

interface Shape {
  folder: string;
  kind: string;
  share: number;
}

const SHAPES: Shape[] = [
  { folder: 'sources', kind: 'source', share: 0.25 },
  { folder: 'raw', kind: 'raw', share: 0.3 },
  { folder: 'concepts', kind: 'concept', share: 0.25 },
  { folder: 'systems', kind: 'system', share: 0.08 },
  { folder: 'patterns', kind: 'pattern', share: 0.06 },
  { folder: 'companies', kind: 'company', share: 0.04 },
  { folder: 'skills', kind: 'skill', share: 0.02 },
];

/** Writes a vault of about `total` pages into `dir`; returns the page paths by folder. */
function generateVault(dir: string, total: number): Map<string, string[]> {
  const random = prng(42);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  // The blog vocabulary, then a long tail of made-up words, drawn with a skew as real text is.
  const syllables = ['ka', 'to', 'ri', 'mon', 'sel', 'va', 'dur', 'pex', 'lin', 'qua', 'bro', 'zen'];
  const vocabulary = [...WORDS];
  for (let i = 0; vocabulary.length < 20_000; i++)
    vocabulary.push(Array.from({ length: 2 + (i % 3) }, () => pick(syllables)).join(''));
  const word = (): string => vocabulary[Math.floor(random() ** 3 * vocabulary.length)] as string;
  const chars = Array.from(ZH);
  const words = (n: number): string => {
    if (random() < 0.1) return Array.from({ length: n }, () => pick(chars)).join('');
    return Array.from({ length: n }, word).join(' ');
  };
  const paths = new Map<string, string[]>();
  for (const shape of SHAPES) {
    const n = Math.max(1, Math.round(total * shape.share));
    paths.set(
      shape.folder,
      Array.from({ length: n }, (_, i) =>
        shape.folder === 'skills'
          ? `skills/skill-${i}/SKILL.md`
          : shape.folder === 'raw'
            ? `raw/source-${i % 40}/2024-01-01-post-${i}-${(i * 2654435761).toString(16).slice(-8)}.md`
            : `${shape.folder}/${shape.kind}-${i}.md`,
      ),
    );
  }
  const rel = (from: string, to: string): string => '../'.repeat(from.split('/').length - 1) + to;
  const linkTo = (from: string, folder: string): string => {
    const to = pick(paths.get(folder) ?? []);
    return `[${to.split('/').at(-2) ?? to}](${rel(from, to)})`;
  };
  for (const shape of SHAPES) {
    for (const path of paths.get(shape.folder) ?? []) {
      const title = words(6);
      let body: string;
      if (shape.kind === 'source') {
        const takeaways = Array.from(
          { length: 8 },
          () =>
            `- **${words(8)}.** ${words(60)} (${linkTo(path, 'concepts')}, ${linkTo(path, 'patterns')}, ${linkTo(path, 'systems')})`,
        ).join('\n');
        body =
          `# ${title}\n\n## Summary\n\n${words(150)}\n\n## Key takeaways\n\n${takeaways}\n\n` +
          `## Operational numbers\n\n${Array.from({ length: 6 }, () => `- ${words(15)}`).join('\n')}\n\n` +
          `## Caveats\n\n- ${words(40)}\n\n## Links\n\n- Raw: ${linkTo(path, 'raw')}\n\n` +
          `## Cross-references\n\n- ${linkTo(path, 'companies')}\n- ${linkTo(path, 'sources')}\n`;
      } else if (shape.kind === 'raw') {
        body = Array.from({ length: 20 }, () => words(120)).join('\n\n');
      } else {
        body =
          `# ${title}\n\n${words(120)}\n\n## Seen in\n\n` +
          Array.from({ length: 6 }, () => `- ${linkTo(path, 'sources')}: ${words(12)}`).join('\n') +
          `\n\nRelated: ${linkTo(path, 'concepts')}, ${linkTo(path, 'systems')}\n`;
      }
      const file = join(dir, path);
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, `---\ntitle: "${title}"\nkind: ${shape.kind}\n---\n${body}`);
    }
  }
  writeFileSync(join(dir, 'index.md'), '---\ntitle: Index\nkind: index\n---\n# Index\n');
  mkdirSync(join(dir, '.gleaner'), { recursive: true });
  const sources = paths.get('sources') ?? [];
  const articles = Object.fromEntries(
    sources.map((source, i) => [
      `https://blog.example/post-${i}`,
      { entryId: i + 1, hash: 'x', raw: 'raw/x.md', source },
    ]),
  );
  writeFileSync(join(dir, '.gleaner', 'state.json'), JSON.stringify({ version: 1, articles }));
  return paths;
}

/** What a reader without a cache does per view: walk, read and parse every page, then link them. */
async function uncachedBacklinks(dir: string, target: string): Promise<number> {
  const files = (await readdir(dir, { recursive: true, encoding: 'utf8' })).filter(
    (f) => f.endsWith('.md') && !f.startsWith('.'),
  );
  let count = 0;
  for (const path of files) {
    const page = parsePage(path, await readFile(join(dir, path), 'utf8'));
    if (page.links.includes(target)) count++;
  }
  return count;
}

function parseArgs(args: string[]): { pages: number; runs: number } {
  const value = (name: string, fallback: number): number => {
    const i = args.indexOf(name);
    const n = i === -1 ? NaN : Number(args[i + 1]);
    return Number.isFinite(n) && n > 0 ? n : fallback;
  };
  return { pages: value('--pages', 5_000), runs: value('--runs', 200) };
}

export async function main(args: string[]): Promise<void> {
  const options = parseArgs(args);
  const dir = mkdtempSync(join(tmpdir(), 'gleaner-bench-wiki-'));
  try {
    console.log(describeMachine());
    let started = performance.now();
    const paths = generateVault(dir, options.pages);
    console.log(
      `Generated ${options.pages} pages in ${fmt(performance.now() - started)} ms into a temporary folder.`,
    );

    // A clock that moves on a second and a half per call: every snapshot() looks at the folder.
    let fakeNow = 0;
    const stepClock = (): number => (fakeNow += 1_500);
    const reader = openWiki(dir, stepClock);
    started = performance.now();
    let snap: WikiSnapshot = await reader.snapshot();
    const firstLoad = performance.now() - started;
    const pages = snap.pages.size;
    const links = [...snap.pages.values()].reduce((n, p) => n + p.links.length, 0);

    const check = await measure(() => reader.snapshot(), { warmup: 3, runs: 21 });
    const concept = paths.get('concepts')?.[0] ?? '';
    let generation = 0;
    const rebuild = await measure(
      async () => {
        // As the builder writes: a temporary file in the same folder, renamed over the page.
        const temp = join(dir, 'concepts', `.tmp-${generation}`);
        writeFileSync(temp, `---\ntitle: Edited ${generation++}\nkind: concept\n---\nNew text.\n`);
        renameSync(temp, join(dir, concept));
        snap = await reader.snapshot();
      },
      { warmup: 1, runs: 7 },
    );

    started = performance.now();
    await snap.search('warmup', 1);
    const indexBuild = performance.now() - started;
    const queries = [
      'cache',
      'latency edge',
      '"origin server"',
      'perf*',
      'proxy -rust',
      '缓存',
      '内存数据',
      '网络 cache',
    ];
    const searchSamples: number[] = [];
    let hitsTotal = 0;
    for (let round = 0; round < 5; round++) {
      for (const q of queries) {
        const t = performance.now();
        hitsTotal += (await snap.search(q, 50)).hits.length;
        searchSamples.push(performance.now() - t);
      }
    }
    const search = percentiles(searchSamples);

    // After the builder changes one page: a new snapshot, its index from the unchanged pages' keys.
    writeFileSync(join(dir, 'concepts', '.tmp-last'), '---\ntitle: Last edit\nkind: concept\n---\nEdited.\n');
    renameSync(join(dir, 'concepts', '.tmp-last'), join(dir, concept));
    snap = await reader.snapshot();
    started = performance.now();
    await snap.search('warmup', 1);
    const indexRebuild = performance.now() - started;

    console.log(`\nThe folder: ${pages} pages, ${links} links between them.`);
    printTable([
      ['', 'ms'],
      ['first load (walk, read, parse, link)', fmt(firstLoad)],
      ['freshness check, nothing changed (median)', fmt(check.median)],
      ['a page renamed into place: rebuild (median)', fmt(rebuild.median)],
      ['search index, built on the first search', fmt(indexBuild)],
      ['search index again, after one page changed', fmt(indexRebuild)],
      [`search, ${queries.length} queries (en, zh) × 5: p50`, fmt(search.p50)],
      [`search: p99 (${fmt(hitsTotal / searchSamples.length)} hits a query)`, fmt(search.p99)],
    ]);

    // A page view over HTTP: the server as `gleaner serve` runs it, a signed-in client.
    const web = await startWebApp({ wikiDir: dir });
    try {
      const client = await web.login('bench', 'a long bench password');
      const target = paths.get('concepts')?.[1] ?? '';
      const route = `/wiki/${target.slice(0, -3)}`;
      const first = await client.get(route);
      if (first.status !== 200) throw new Error(`${route} answered ${first.status}`);
      const viewSamples: number[] = [];
      for (let i = 0; i < options.runs; i++) {
        const t = performance.now();
        const res = await client.get(route);
        viewSamples.push(performance.now() - t);
        if (res.status !== 200) throw new Error(`${route} answered ${res.status}`);
      }
      const view = percentiles(viewSamples);
      const floor = await measure(() => uncachedBacklinks(dir, target), { warmup: 1, runs: 5 });
      printVersus(
        `A page view with its backlinks (${options.runs} sequential GETs, ms)`,
        { name: 'Gleaner /wiki page, p50', value: view.p50, extra: [fmt(view.p99)] },
        [{ name: 'no cache: walk + read + link per view', value: floor.median, extra: ['-'] }],
        { unit: 'p50 ms', better: 'lower', words: ['faster', 'slower'], extraHeaders: ['p99 ms'] },
      );
    } finally {
      await web.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main(process.argv.slice(2));
}
