// `gleaner publish` end to end: the compiled CLI against a feed served on 127.0.0.1, with a
// temporary database; then `gleaner serve` on the same database shows what was published.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run } from './cli.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import { respond, startTestServer, type TestServer } from '../src/testing/testserver.js';

const SEED_002 = new URL('../../shared/seeds/002_8d3710f0974aeed0.txt', import.meta.url);

describe('gleaner publish', () => {
  let server: TestServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const gleaner = (...args: string[]) => run(env, ...args);

  before(async () => {
    server = await startTestServer({
      '/cf.xml': respond(200, { 'content-type': 'application/rss+xml' }, readFileSync(SEED_002)),
    });
    dir = mkdtempSync(join(tmpdir(), 'gleaner-publish-cli-'));
    env = {
      ...process.env,
      GLEANER_DB: join(dir, 'cli.db'),
      GLEANER_ALLOW_PRIVATE_NETWORKS: '1',
      GLEANER_LOG_LEVEL: 'error',
      GLEANER_BASE_URL: 'https://news.example.org',
    };
    const added = await gleaner('add', server.url('/cf.xml'), '--folder', 'Infra');
    assert.equal(added.code, 0, added.stderr);
  });

  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes a tag and prints its public URL from GLEANER_BASE_URL', async () => {
    const res = await gleaner('publish', 'tag:Optimization');
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout.trim(), 'https://news.example.org/p/optimization/');
    const store = openSqliteStore(join(dir, 'cli.db'));
    try {
      const state = await store.findPublication('optimization');
      assert.ok(state);
      assert.equal(state.publication.kind, 'tag');
      assert.equal(state.publication.title, 'Optimization');
      assert.equal(await store.countPublicationEntries(state.publication), 1);
    } finally {
      await store.close();
    }
  });

  it('publishes a folder, a feed, starred and a search, with excerpts when asked', async () => {
    assert.equal(
      (await gleaner('publish', 'folder:Infra')).stdout.trim(),
      'https://news.example.org/p/infra/',
    );
    const feed = await gleaner(
      'publish',
      `feed:${server.url('/cf.xml')}`,
      '--excerpt',
      '--title',
      'Cloudflare picks',
    );
    assert.equal(feed.stdout.trim(), 'https://news.example.org/p/cloudflare-picks/');
    assert.equal((await gleaner('publish', 'starred')).code, 0);
    assert.equal(
      (await gleaner('publish', 'search:pingora')).stdout.trim(),
      'https://news.example.org/p/pingora/',
    );
    const list = await gleaner('publish', '--list');
    assert.equal(list.code, 0, list.stderr);
    assert.match(
      list.stdout,
      /^cloudflare-picks\tfeed:\d+\texcerpt\thttps:\/\/news\.example\.org\/p\/cloudflare-picks\/$/m,
    );
    assert.match(
      list.stdout,
      /^optimization\ttag:optimization\tfull\thttps:\/\/news\.example\.org\/p\/optimization\/$/m,
    );
  });

  it('withdraws by slug, and publishing again brings the same URL back', async () => {
    const res = await gleaner('publish', '--withdraw', 'optimization');
    assert.equal(res.code, 0, res.stderr);
    assert.match(
      (await gleaner('publish', '--list')).stdout,
      /^optimization\ttag:optimization\tfull\twithdrawn$/m,
    );
    assert.equal(
      (await gleaner('publish', 'tag:optimization')).stdout.trim(),
      'https://news.example.org/p/optimization/',
    );
  });

  it('refuses bad targets with a message that says what to do', async () => {
    for (const [args, message] of [
      [['publish', 'everything'], /cannot publish "everything"; give tag:NAME/],
      [['publish', 'folder:Nope'], /you have no folder "Nope"/],
      [['publish', 'feed:https://unknown.example/feed'], /you are not subscribed to/],
      [['publish', 'tag:'], /cannot publish "tag:"/],
      [['publish', '--withdraw', 'nope'], /you have no publication "nope"/],
      [['publish'], /say what to publish/],
      [['publish', 'tag:a', '--list'], /say what to publish/],
    ] as const) {
      const res = await gleaner(...args);
      assert.notEqual(res.code, 0, args.join(' '));
      assert.match(res.stderr, message, args.join(' '));
    }
  });
});
