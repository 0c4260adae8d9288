// `gleaner wiki` and `gleaner skill` end to end: the compiled CLI subscribes to seed 002 served on
// 127.0.0.1, builds the wiki into a folder, shows a source page, and distills a skill.
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { run } from './cli.js';
import { startTestServer, type TestServer } from '../src/testing/testserver.js';

const SEED_002 = readFileSync(
  fileURLToPath(new URL('../../shared/seeds/002_8d3710f0974aeed0.txt', import.meta.url)),
);
const TRIE_URL = 'https://blog.cloudflare.com/pingora-saving-compute-1-percent-at-a-time/';

describe('gleaner wiki and skill', () => {
  let server: TestServer;
  let dir: string;
  let out: string;
  let env: NodeJS.ProcessEnv;
  const gleaner = (...args: string[]) => run(env, ...args);

  before(async () => {
    server = await startTestServer({
      '/feed.xml': (_q, res) => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(SEED_002),
    });
    dir = mkdtempSync(join(tmpdir(), 'gleaner-wiki-cli-'));
    out = join(dir, 'vault');
    env = {
      ...process.env,
      GLEANER_DB: join(dir, 'cli.db'),
      GLEANER_WIKI_DIR: join(dir, 'default-wiki'),
      GLEANER_ALLOW_PRIVATE_NETWORKS: '1',
      GLEANER_LOG_LEVEL: 'error',
      GLEANER_LLM_URL: '',
    };
    const added = await gleaner('add', server.url('/feed.xml'));
    assert.equal(added.code, 0, added.stderr);
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds the wiki into --out, then finds nothing to do', async () => {
    const first = await gleaner('wiki', 'build', '--out', out);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /wiki: 2 articles \(2 read, 0 unchanged\)/);
    assert.ok(
      existsSync(
        join(out, 'raw/cloudflare/2024-09-10-a-good-day-to-trie-hard-saving-compute-1-at-a-time-f90bdca0.md'),
      ),
    );
    assert.ok(existsSync(join(out, 'companies/cloudflare.md')));
    assert.ok(!existsSync(join(dir, 'default-wiki')), '--out replaces the configured folder');
    const again = await gleaner('wiki', 'build', '--out', out);
    assert.match(again.stderr, /\(0 read, 2 unchanged\) in [\d.]+s; 0 pages added, 0 changed, 0 removed/);
  });

  it('builds only what --tag and --since select', async () => {
    const tagged = await gleaner('wiki', 'build', '--tag', 'rust', '--since', '2024-01-01');
    assert.equal(tagged.code, 0, tagged.stderr);
    assert.match(tagged.stderr, /wiki: 1 articles/);
    const bad = await gleaner('wiki', 'build', '--since', 'yesterday');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--since wants a date like 2024-09-01/);
  });

  it('shows a source page by URL or entry id, and says when there is none', async () => {
    const shown = await gleaner('wiki', 'show', TRIE_URL, '--out', out);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^---\ntitle: "Cloudflare — A good day to trie-hard/);
    assert.match(shown.stdout, /\n## Operational numbers\n/);
    const state = JSON.parse(readFileSync(join(out, '.gleaner/state.json'), 'utf8')) as {
      articles: Record<string, { entryId: number; source: string }>;
    };
    const id = state.articles[TRIE_URL]?.entryId;
    assert.ok(id);
    assert.equal((await gleaner('wiki', 'show', String(id), '--out', out)).stdout, shown.stdout);
    // A page holding an escape sequence (a database from before articles lost them, or a page edited
    // by hand) is printed without it.
    const page = join(out, state.articles[TRIE_URL]?.source ?? assert.fail('the page is named'));
    const original = readFileSync(page, 'utf8');
    writeFileSync(page, `${original}\nEvil\u001b]0;pwned\u0007\u001b[2J\u009b31m end\n`);
    const hostile = await gleaner('wiki', 'show', TRIE_URL, '--out', out);
    assert.match(hostile.stdout, /\nEvil ]0;pwned {2}\[2J 31m end\n$/);
    // eslint-disable-next-line no-control-regex -- the test: no control character but the newline and tab
    assert.doesNotMatch(hostile.stdout, /[\0-\x08\x0b-\x1f\x7f-\x9f]/);
    writeFileSync(page, original);
    const missing = await gleaner('wiki', 'show', 'https://nowhere.example/', '--out', out);
    assert.equal(missing.code, 1);
    assert.match(
      missing.stderr,
      /no source page for "https:\/\/nowhere\.example\/".*run gleaner wiki build first/,
    );
  });

  it('distills a skill from a company', async () => {
    const built = await gleaner(
      'skill',
      'build',
      'cloudflare-performance',
      '--from',
      'company:cloudflare',
      '--out',
      out,
    );
    assert.equal(built.code, 0, built.stderr);
    const skill = readFileSync(join(out, 'skills/cloudflare-performance/SKILL.md'), 'utf8');
    assert.match(skill, /^---\nname: "cloudflare-performance"\ndescription: /);
    assert.match(skill, /\n## Numbers to know\n/);
    const rebuilt = await gleaner('wiki', 'build', '--out', out);
    assert.match(rebuilt.stderr, /1 changed/, 'the index now lists the skill');
    assert.ok(
      readFileSync(join(out, 'index.md'), 'utf8').includes('](skills/cloudflare-performance/SKILL.md)'),
    );
  });

  it('refuses bad skill arguments', async () => {
    const badName = await gleaner('skill', 'build', '../evil', '--from', 'company:cloudflare');
    assert.equal(badName.code, 1);
    assert.match(badName.stderr, /lower-case letters, digits and hyphens/);
    const badFrom = await gleaner('skill', 'build', 'x', '--from', 'feed:1');
    assert.match(badFrom.stderr, /--from wants company:SLUG or tag:TAG/);
    const none = await gleaner('skill', 'build', 'x', '--from', 'company:nobody', '--out', out);
    assert.match(none.stderr, /no subscribed feed belongs to "nobody"/);
  });
});
