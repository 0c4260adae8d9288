// The wiki built from seed 002 (The Cloudflare Blog's feed), fetched over loopback HTTP into a
// temporary SQLite store by the same refresh code path the reader uses, then built offline.
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createFetcher, type Fetcher } from '../feed/fetch/index.js';
import { silentLogger } from '../log/index.js';
import type { User } from '../model/index.js';
import { refreshFeed, type RefreshDeps } from '../refresh/refresh.js';
import { DEFAULT_SCHEDULE_POLICY } from '../refresh/schedule.js';
import { openSqliteStore } from '../store/sqlite.js';
import type { Store } from '../store/index.js';
import { LOOPBACK_POLICY, startTestServer, type TestServer } from '../testing/testserver.js';
import { collectArticles } from './articles.js';
import { buildSkill, buildWiki } from './build.js';
import { readState } from './wiki.js';
import { DEFAULT_FETCH_OPTIONS } from '../subscribe/index.js';

const SEEDS = fileURLToPath(new URL('../../../shared/seeds/', import.meta.url));
const SEED_002 = readFileSync(join(SEEDS, '002_8d3710f0974aeed0.txt'), 'utf8');
const TRIE_URL = 'https://blog.cloudflare.com/pingora-saving-compute-1-percent-at-a-time/';
const TRIE_SOURCE = 'sources/2024-09-10-cloudflare-a-good-day-to-trie-hard-saving-compute-1-at-a-time.md';
const TRIE_RAW = 'raw/cloudflare/2024-09-10-a-good-day-to-trie-hard-saving-compute-1-at-a-time-f90bdca0.md';
const NOW = Date.UTC(2026, 10, 23, 12);

/**
 * The figures seed 003 lists in its own "Operational numbers" section, transcribed in order
 * (60 M HTTP req/sec, 35 M req/sec, 40,000 saturated CPU cores, 100+, 10-30, the criterion bench
 * lines, the production table, net savings, deployment date). Two are the seed's own arithmetic,
 * not stated in the article: 3.93× (3.65 / 0.93) and ≈ 550 cores.
 */
const SEED_003_FIGURES = [
  '60 M',
  '35 M req/s',
  '40,000 cores',
  '100+',
  '10-30',
  '3.65 µs',
  '1.53 µs',
  '2.39×',
  '50 ns',
  '2×',
  '1 µs',
  '0.93 µs',
  '3.93×',
  '19 / 1,111',
  '1.71%',
  '9 / 1,103',
  '0.82%',
  '0.72%',
  '4 / 1,171',
  '0.34%',
  '0.43%',
  '1.28%',
  '550 cores',
  'July 2024',
  '2024-09-10',
];

function squash(text: string): string {
  return text.replace(/[*\\]/g, '').replace(/\s+/g, '').toLowerCase();
}

/** True when `figure` appears in `text` as a whole figure (not the tail of a longer number). */
function hasFigure(text: string, figure: string): boolean {
  const f = squash(figure).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return new RegExp(`(?<![\\d.,])${f}`).test(squash(text));
}

function section(page: string, heading: string): string {
  const start = page.indexOf(`\n## ${heading}\n`);
  assert.ok(start >= 0, `the page has a "${heading}" section`);
  const next = page.indexOf('\n## ', start + 4);
  return page.slice(start, next < 0 ? undefined : next);
}

function allPages(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const d of readdirSync(join(dir, rel), { withFileTypes: true })) {
    if (d.name.startsWith('.')) continue;
    const path = rel ? `${rel}/${d.name}` : d.name;
    if (d.isDirectory()) out.push(...allPages(dir, path));
    else if (d.name.endsWith('.md')) out.push(path);
  }
  return out;
}

function mtimes(dir: string): Map<string, number> {
  return new Map(allPages(dir).map((p) => [p, statSync(join(dir, p)).mtimeMs]));
}

describe('wiki build from seed 002', () => {
  let server: TestServer;
  let store: Store;
  let fetcher: Fetcher;
  let user: User;
  let deps: RefreshDeps;
  let tmp: string;
  let wiki: string;
  let feedBody = SEED_002;
  let clock = NOW;

  const refresh = async () => {
    const [feed] = await store.dueFeeds(Number.MAX_SAFE_INTEGER, 10);
    assert.ok(feed);
    const result = await refreshFeed(feed, deps);
    assert.equal(result.status, 'updated', JSON.stringify(result));
  };
  const build = async () =>
    buildWiki(await collectArticles(store, user.id, {}), { dir: wiki, now: (clock += 60_000) });
  const read = (rel: string) => readFileSync(join(wiki, rel), 'utf8');

  before(async () => {
    server = await startTestServer({
      '/feed.xml': (_q, res) => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(feedBody),
    });
    tmp = mkdtempSync(join(tmpdir(), 'gleaner-wiki-'));
    wiki = join(tmp, 'wiki');
    store = openSqliteStore(join(tmp, 'wiki.db'));
    fetcher = createFetcher({ policy: LOOPBACK_POLICY, userAgent: 'gleaner-test' });
    user = await store.createUser('reader', { isAdmin: true }, NOW);
    deps = {
      store,
      fetcher,
      clock: () => clock,
      random: () => 0.5,
      log: silentLogger,
      policy: DEFAULT_SCHEDULE_POLICY,
      maxFeedBytes: 4 * 1024 * 1024,
    };
    const feed = await store.ensureFeed(server.url('/feed.xml'), DEFAULT_FETCH_OPTIONS, NOW);
    await store.subscribe(user.id, feed.id, { folderId: null, title: null }, NOW);
    await refresh();
    const report = await build();
    assert.equal(report.analyzed, 2);
  });
  after(async () => {
    await fetcher.close();
    await store.close();
    await server.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('archives the trie-hard post as Markdown at the raw path seed 003 names', () => {
    const raw = read(TRIE_RAW);
    assert.match(raw, /^---\ntitle: "A good day to trie-hard: saving compute 1% at a time"\nkind: "raw"\n/);
    for (const field of [
      'url:',
      'author: "Kevin Guthrie"',
      'published: "2024-09-10"',
      'feed: "The Cloudflare Blog"',
      'tags:',
    ])
      assert.ok(raw.includes(field), field);
    assert.ok(/\n## Don’t Just Trie\n/.test(raw), 'headings');
    assert.ok(/```\n\/\/ PERF: heavy function: 1\.7% CPU time\n/.test(raw), 'fenced code');
    assert.ok(/\n\| Original \| 19 \/ 1111 \| 1\.71 \| n\/a \|\n/.test(raw), 'table rows');
    assert.ok(/\[trie-hard\]\(https:\/\/github\.com\/cloudflare\/trie-hard\)/.test(raw), 'links');
    assert.ok(/!\[\]\(https:\/\/cf-assets\.www\.cloudflare\.com\/[^)]+\.png\)/.test(raw), 'image references');
    assert.ok(!/\]\(#/.test(raw), 'no empty heading anchors');
  });

  it('writes the trie-hard source page with every section of seed 003', () => {
    const page = read(TRIE_SOURCE);
    assert.match(
      page,
      /^---\ntitle: "Cloudflare — A good day to trie-hard: saving compute 1% at a time"\nkind: "source"\n/,
    );
    assert.match(page, /\n# Cloudflare — A good day to trie-hard: saving compute 1% at a time\n/);
    for (const heading of [
      'Summary',
      'Key takeaways',
      'Operational numbers',
      'Caveats',
      'Links',
      'Cross-references',
    ])
      assert.ok(
        section(page, heading)
          .split('\n')
          .filter((l) => l.trim()).length > 1,
        `${heading} has content`,
      );
    const takeaways = section(page, 'Key takeaways');
    assert.ok(
      takeaways.split('\n').filter((l) => /^- \*\*.+\*\*/.test(l)).length >= 4,
      'bold lead sentences',
    );
    for (const target of [
      '../concepts/trie.md',
      '../concepts/hash-map.md',
      '../systems/trie-hard.md',
      '../systems/pingora.md',
    ])
      assert.ok(takeaways.includes(`](${target})`), `takeaways link ${target}`);
    const links = section(page, 'Links');
    assert.ok(links.includes(`<${TRIE_URL}>`));
    assert.ok(links.includes(`](../${TRIE_RAW})`));
    assert.ok(links.includes('<https://github.com/cloudflare/trie-hard>'));
    assert.ok(links.includes('<https://github.com/cloudflare/pingora>'));
    assert.ok(links.includes('<https://crates.io/crates/criterion>'));
    assert.match(
      section(page, 'Cross-references'),
      /\]\(2025-05-20-cloudflare-performance-measurements[^)]*\.md\) \(2025-05-20\) — shares /,
    );
  });

  it('states at least 90% of the figures seed 003 lists in its Operational numbers', () => {
    const numbers = section(read(TRIE_SOURCE), 'Operational numbers');
    const missing = SEED_003_FIGURES.filter((f) => !hasFigure(numbers, f));
    const found = SEED_003_FIGURES.length - missing.length;
    assert.ok(found / SEED_003_FIGURES.length >= 0.9, `missing: ${missing.join(', ')}`);
    // The production table is read as rows, each with its column's unit.
    assert.match(numbers, /\| trie-hard \| 4 \/ 1,171 \| 0\.34% \| 0\.43% \|/);
    assert.match(numbers, /\*\*3\.65 µs → 1\.53 µs\*\*/, 'before → after');
  });

  it('writes a company page for Cloudflare that links both posts, and entity pages with backlinks', () => {
    const company = read('companies/cloudflare.md');
    assert.match(company, /kind: "company"/);
    assert.ok(company.includes(`](../${TRIE_SOURCE})`));
    assert.match(
      company,
      /\]\(\.\.\/sources\/2025-05-20-cloudflare-performance-measurements-and-the-people-who-love-them\.md\)/,
    );
    for (const page of [
      'concepts/trie.md',
      'concepts/hash-map.md',
      'systems/trie-hard.md',
      'systems/pingora.md',
    ]) {
      const text = read(page);
      assert.ok(text.includes(`](../${TRIE_SOURCE})`), `${page} links back to the source`);
      assert.match(text, /\n## What the sources say\n/);
    }
    const index = read('index.md');
    for (const kind of ['Sources (2)', 'Companies (1)', 'Systems', 'Concepts', 'Patterns', 'Skills'])
      assert.ok(index.includes(`## ${kind}`), kind);
    assert.ok(read('log.md').includes(`](${TRIE_SOURCE})`));
  });

  it('opens as a vault: every page has front matter and every link between pages resolves', () => {
    const pages = allPages(wiki);
    assert.ok(pages.length > 20);
    for (const page of pages) {
      const text = read(page);
      assert.match(text, /^---\n(?:.*\n)*?title: .+\n(?:.*\n)*?---\n/, `${page} front matter`);
      assert.match(
        text,
        /\nkind: "(raw|source|company|system|concept|pattern|skill|index|log)"\n/,
        `${page} kind`,
      );
      for (const m of text.matchAll(/\]\(([^)<>\s]+\.md)\)/g)) {
        const target = posix.normalize(posix.join(posix.dirname(page), decodeURI(m[1] ?? '')));
        assert.ok(!target.startsWith('..'), `${page}: ${m[1]} stays inside the wiki`);
        assert.ok(existsSync(join(wiki, target)), `${page}: ${m[1]} exists`);
      }
    }
  });

  it('records the state the web reader reads', () => {
    const state = readState(wiki);
    const trie = state.articles[TRIE_URL];
    assert.ok(trie);
    assert.equal(typeof trie.entryId, 'number');
    assert.equal(trie.raw, TRIE_RAW);
    assert.equal(trie.source, TRIE_SOURCE);
    assert.match(trie.hash, /^[0-9a-f]{16}$/);
  });

  it('writes nothing when nothing changed', async () => {
    const before = mtimes(wiki);
    const stateBefore = readFileSync(join(wiki, '.gleaner/state.json'), 'utf8');
    const report = await build();
    assert.deepEqual(report, { analyzed: 0, reused: 2, added: [], changed: [], removed: [] });
    assert.deepEqual(mtimes(wiki), before);
    assert.equal(readFileSync(join(wiki, '.gleaner/state.json'), 'utf8'), stateBefore);
  });

  it('rewrites only the pages an edited article touches', async () => {
    const otherRaw = readdirSync(join(wiki, 'raw/cloudflare')).find((f) => f.startsWith('2025-05-20'));
    assert.ok(otherRaw);
    const before = mtimes(wiki);
    feedBody = SEED_002.replace(
      'Optimizing operations that are already measured in microseconds',
      'A later run of the same benchmark measured 0.91µs. Optimizing operations that are already measured in microseconds',
    );
    assert.notEqual(feedBody, SEED_002);
    clock += 3 * 3_600_000;
    await refresh();
    const report = await build();
    assert.equal(report.analyzed, 1);
    assert.ok(report.changed.includes(TRIE_SOURCE));
    assert.ok(report.changed.includes(TRIE_RAW));
    assert.ok(
      !report.changed.some((p) => p.startsWith('sources/2025-05-20')),
      'the other source page is untouched',
    );
    assert.equal(
      statSync(join(wiki, 'raw/cloudflare', otherRaw)).mtimeMs,
      before.get(`raw/cloudflare/${otherRaw}`),
    );
    assert.ok(hasFigure(section(read(TRIE_SOURCE), 'Operational numbers'), '0.91 µs'));
    for (const p of report.changed) assert.notEqual(statSync(join(wiki, p)).mtimeMs, before.get(p), p);
    const unchanged = [...before.keys()].filter((p) => !report.changed.includes(p) && p !== 'log.md');
    for (const p of unchanged) assert.equal(statSync(join(wiki, p)).mtimeMs, before.get(p), `${p} untouched`);
    assert.match(read('log.md'), new RegExp(`0 added, ${report.changed.length} changed, 0 removed[.]`));
  });

  it('distills a skill in the shape of seed 004, its numbers traced to their sources', async () => {
    const articles = await collectArticles(store, user.id, { company: 'cloudflare' });
    assert.equal(articles.length, 2);
    const { path, result } = await buildSkill(
      articles,
      { name: 'cloudflare-performance', from: { kind: 'company', value: 'cloudflare' } },
      { dir: wiki },
    );
    assert.equal(path, 'skills/cloudflare-performance/SKILL.md');
    assert.equal(result, 'added');
    const skill = read(path);
    assert.match(
      skill,
      /^---\nname: "cloudflare-performance"\ndescription: "[^"]*Cloudflare[^"]*Use when [^"]+"\n/,
    );
    for (const heading of [
      'Overview',
      'Core philosophy',
      'Principles',
      'Numbers to know',
      'Patterns',
      'Warning signs',
      'Sources',
    ])
      assert.ok(
        section(skill, heading)
          .split('\n')
          .filter((l) => l.trim()).length > 1,
        `${heading} has content`,
      );
    assert.match(
      section(skill, 'Core philosophy'),
      /> “Optimizing functions and writing new data structures is cool[^”]*”/,
    );
    const rows = section(skill, 'Numbers to know')
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| Figure') && !l.startsWith('| ---'));
    assert.ok(rows.length >= 10);
    let traced = 0;
    for (const row of rows) {
      const target = /\]\(\.\.\/\.\.\/(sources\/[^)]+\.md)\) \|$/.exec(row)?.[1];
      assert.ok(target, `a source for: ${row}`);
      const figure =
        row
          .split(' | ')[0]
          ?.slice(2)
          .split(/, | · /)[0] ?? '';
      if (hasFigure(section(read(target), 'Operational numbers'), figure)) traced++;
    }
    assert.equal(traced, rows.length, 'every figure is on its source page');
    assert.ok(rows.some((r) => r.includes('35 M req/s') && r.includes(TRIE_SOURCE.slice('sources/'.length))));
    // Built again from the same articles, the skill is unchanged.
    assert.equal(
      (
        await buildSkill(
          articles,
          { name: 'cloudflare-performance', from: { kind: 'company', value: 'cloudflare' } },
          { dir: wiki },
        )
      ).result,
      'same',
    );
  });
});
