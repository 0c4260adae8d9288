// The language model path against a stand-in OpenAI-compatible server on 127.0.0.1: the request is
// checked, schema-valid replies are merged, ungrounded figures and quotes are dropped, and garbage,
// errors and timeouts fall back to the offline page, which says so.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../testing/testserver.js';
import type { ArticleInput } from './analyze.js';
import { buildSkill, buildWiki } from './build.js';
import { createLlmClient, validateSourceReply } from './llm.js';

const ARTICLE: ArticleInput = {
  entryId: 7,
  url: 'https://blog.example/faster-lookups',
  title: 'Faster lookups',
  author: 'Ada',
  publishedAt: Date.UTC(2024, 8, 10),
  feedTitle: 'The Example Blog',
  siteUrl: 'https://blog.example/',
  tags: ['Performance'],
  contentHtml:
    '<h2>Lookups</h2><p>We replaced the hash map with a trie. Lookups went from 3.65µs to 0.93µs across 40,000 cores.</p>' +
    '<p>Knowing where your code is slow matters more than how you optimize it.</p>',
};

function body(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    request
      .setEncoding('utf8')
      .on('data', (d: string) => (text += d))
      .on('end', () => resolve(text));
  });
}

const GOOD_REPLY = {
  summary: 'A trie replaced a hash map and lookups fell from 3.65 µs to 0.93 µs.',
  takeaways: [
    { lead: 'Tries beat hash maps on misses.', evidence: 'Lookups went from 3.65µs to 0.93µs.' },
    { lead: 'It saved 99 cores.', evidence: 'An invented number.' },
  ],
  figures: [
    { figure: '40,000 cores', measures: 'the fleet' },
    { figure: '12 ms', measures: 'an invented latency' },
  ],
  caveats: ['Only measured on one workload.'],
  quotes: ['Knowing where your code is slow matters more than how you optimize it.', 'Nobody said this.'],
};

describe('language model enrichment', () => {
  let server: TestServer;
  let dir: string;
  const seen: Record<string, unknown>[] = [];

  before(async () => {
    server = await startTestServer();
    server.route('/good/v1/chat/completions', (req, res) => {
      void body(req).then((text) => {
        const json = JSON.parse(text) as Record<string, unknown>;
        seen.push({ ...json, authorization: req.headers.authorization });
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            choices: [{ message: { role: 'assistant', content: JSON.stringify(GOOD_REPLY) } }],
          }),
        );
      });
    });
    server.route('/garbage/v1/chat/completions', (_req, res) => {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ choices: [{ message: { content: '{"summary": 42}' } }] }));
    });
    server.route('/zh/v1/chat/completions', (req, res) => {
      void body(req).then((text) => {
        const json = JSON.parse(text) as { response_format: { json_schema: { name: string } } };
        const reply =
          json.response_format.json_schema.name === 'summary_zh'
            ? { summary_zh: '用于在大规模系统中按测量结果优化热点路径的技能。' }
            : GOOD_REPLY;
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ choices: [{ message: { content: JSON.stringify(reply) } }] }));
      });
    });
    server.route('/broken/v1/chat/completions', (_req, res) => res.writeHead(500).end('oops'));
    server.route('/slow/v1/chat/completions', () => {
      /* never answers */
    });
    dir = mkdtempSync(join(tmpdir(), 'gleaner-llm-'));
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends a schema-bound request and merges only what the article states', async () => {
    const wiki = join(dir, 'good');
    const client = createLlmClient({
      url: server.url('/good/v1/'),
      model: 'tiny-model',
      apiKey: 'sk-test',
      dir: wiki,
    });
    const report = await buildWiki([ARTICLE], { dir: wiki, now: 1, enrich: client.enrich });
    assert.equal(report.analyzed, 1);
    assert.equal(seen.length, 1);
    const request = seen[0] as {
      model: string;
      authorization: string;
      messages: { role: string; content: string }[];
      response_format: {
        type: string;
        json_schema: { name: string; strict: boolean; schema: { required: string[] } };
      };
    };
    assert.equal(request.model, 'tiny-model');
    assert.equal(request.authorization, 'Bearer sk-test');
    assert.deepEqual(
      request.messages.map((m) => m.role),
      ['system', 'user'],
    );
    assert.ok(request.messages[1]?.content.includes('Lookups went from 3.65µs to 0.93µs'));
    assert.equal(request.response_format.type, 'json_schema');
    assert.equal(request.response_format.json_schema.strict, true);
    assert.deepEqual(request.response_format.json_schema.schema.required, [
      'summary',
      'takeaways',
      'figures',
      'caveats',
      'quotes',
    ]);

    const page = readFileSync(join(wiki, 'sources/2024-09-10-example-faster-lookups.md'), 'utf8');
    assert.ok(page.includes('generated: "model tiny-model"'));
    assert.ok(page.includes('A trie replaced a hash map and lookups fell from 3.65 µs to 0.93 µs.'));
    assert.ok(page.includes('**Tries beat hash maps on misses.**'));
    assert.ok(!page.includes('**It saved 99 cores.**'), 'a takeaway with an invented figure is dropped');
    assert.ok(!page.includes('**12 ms**'), 'an invented figure is dropped');
    assert.ok(page.includes('**3.65 µs → 0.93 µs**'), 'the offline figures stay');
    assert.match(page, /Dropped because the article does not state them: .*12 ms.*Nobody said this/);
    assert.ok(page.includes('- Only measured on one workload.'));

    // Cached by (prompt version, model, article hash): a fresh build of the same article asks nothing.
    rmSync(join(wiki, '.gleaner/state.json'));
    await buildWiki([ARTICLE], { dir: wiki, now: 2, enrich: client.enrich });
    assert.equal(seen.length, 1);
  });

  for (const [path, reason] of [
    ['/garbage/v1', /does not match the schema/],
    ['/broken/v1', /HTTP 500/],
    ['/slow/v1', /no answer within 0\.3s/],
  ] as const) {
    it(`falls back to the offline page when the endpoint at ${path} fails`, async () => {
      const wiki = join(dir, path.split('/')[1] ?? 'x');
      const client = createLlmClient({
        url: server.url(path),
        model: 'm',
        apiKey: null,
        dir: wiki,
        timeoutMs: 300,
      });
      await buildWiki([ARTICLE], { dir: wiki, now: 1, enrich: client.enrich });
      const page = readFileSync(join(wiki, 'sources/2024-09-10-example-faster-lookups.md'), 'utf8');
      assert.ok(page.includes('generated: "offline"'));
      assert.match(page, /> Written offline: the language model could not be used \(/);
      assert.match(page, reason);
      assert.ok(page.includes('**3.65 µs → 0.93 µs**'));
      assert.match(readFileSync(join(wiki, 'log.md'), 'utf8'), /written offline/);
    });
  }

  it('stops asking once the token budget is spent', async () => {
    const wiki = join(dir, 'budget');
    const before = seen.length;
    const client = createLlmClient({
      url: server.url('/good/v1'),
      model: 'other',
      apiKey: null,
      dir: wiki,
      tokenBudget: 10,
    });
    await buildWiki([ARTICLE], { dir: wiki, now: 1, enrich: client.enrich });
    assert.equal(seen.length, before);
    assert.match(
      readFileSync(join(wiki, 'sources/2024-09-10-example-faster-lookups.md'), 'utf8'),
      /token budget/,
    );
  });

  it('puts a Chinese summary above a skill, and none when the model gives no Chinese', async () => {
    const wiki = join(dir, 'skill');
    const client = createLlmClient({ url: server.url('/zh/v1'), model: 'm', apiKey: null, dir: wiki });
    const spec = { name: 'example', from: { kind: 'company' as const, value: 'example' } };
    const made = await buildSkill([ARTICLE], spec, {
      dir: wiki,
      enrich: client.enrich,
      summarize: (t) => client.summarizeChinese(t),
    });
    const skill = readFileSync(join(wiki, made.path), 'utf8');
    assert.match(
      skill,
      /^---\nname: "example"\n[^]*?---\n\n> 用于在大规模系统中按测量结果优化热点路径的技能。\n/,
    );
    const english = createLlmClient({ url: server.url('/good/v1'), model: 'm2', apiKey: null, dir: wiki });
    assert.equal(await english.summarizeChinese('anything'), null);
  });

  it('rejects replies of the wrong shape', () => {
    assert.throws(() => validateSourceReply(null), /schema/);
    assert.throws(() => validateSourceReply({ ...GOOD_REPLY, takeaways: 'x' }), /takeaways/);
    assert.throws(() => validateSourceReply({ ...GOOD_REPLY, quotes: Array(50).fill('q') }), /quotes/);
    assert.equal(validateSourceReply(GOOD_REPLY).figures.length, 2);
  });
});
