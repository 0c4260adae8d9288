// The offline reader on hostile articles: empty, huge unbroken text, broken tables, script-laden
// HTML, odd Unicode, Chinese.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { analyzeArticle, pathsFor, type ArticleInput } from './analyze.js';
import { readArticle } from './document.js';
import { companyOf, linkedThings, namedThings, slugify } from './entities.js';
import { htmlToMarkdown } from './markdown.js';
import { renderSource } from './pages.js';
import { splitSentences } from './sentences.js';

function article(contentHtml: string, over: Partial<ArticleInput> = {}): ArticleInput {
  return {
    entryId: 1,
    url: 'https://blog.example/post',
    title: 'A post',
    author: null,
    publishedAt: Date.UTC(2024, 8, 10),
    feedTitle: 'The Example Blog',
    siteUrl: 'https://blog.example/',
    tags: [],
    contentHtml,
    ...over,
  };
}

const SECTIONS = ['Summary', 'Key takeaways', 'Operational numbers', 'Caveats', 'Links', 'Cross-references'];

function page(input: ArticleInput): string {
  const text = renderSource(analyzeArticle(input), []);
  for (const s of SECTIONS) assert.ok(text.includes(`\n## ${s}\n`), s);
  return text;
}

describe('analyzeArticle on hostile input', () => {
  it('writes a page with every section for an empty article', () => {
    const text = page(article(''));
    assert.ok(text.includes('_The article has no text to summarize._'));
    assert.ok(text.includes('_The article states no figures._'));
  });

  it('reads huge unbroken text in bounded pieces', () => {
    const a = analyzeArticle(article(`<p>${'x'.repeat(200_000)} 12 ms</p>`));
    assert.ok(a.summary.every((s) => s.length <= 600));
    const zh = analyzeArticle(article(`<p>${'缓存'.repeat(50_000)}</p>`));
    assert.ok(zh.summary.every((s) => s.length <= 600));
  });

  it('reads broken tables row by row', () => {
    const a = analyzeArticle(
      article(
        '<table><tr><th>Name</th><th>Latency (ms)</th></tr><tr><td>old<td>12</tr><tr><td>new</td><td>3</td><td>extra</td></tr>' +
          '<tr></tr><td>orphan 7 ms</td></table><table><tr><td></td></tr></table>',
      ),
    );
    assert.equal(a.tables.length, 1);
    assert.deepEqual(
      a.tables[0]?.rows.map((r) => r[1]),
      ['12', '3'],
    );
    const text = renderSource(a, []);
    assert.ok(text.includes('| new | 3 | extra |'));
  });

  it('ignores scripts, styles and event handlers, and escapes Markdown', () => {
    const input = article(
      '<script>alert("35 ms")</script><style>p{}</style><p onclick="x()">We cut latency from 30 ms to 12 ms for <b>all</b> users [click](javascript:alert(1)) <img src=x onerror=alert(1)>.</p>',
    );
    const a = analyzeArticle(input);
    assert.deepEqual(
      a.figures.map((f) => f.figures),
      [['30 ms → 12 ms']],
    );
    const text = renderSource(a, []);
    assert.ok(!text.includes('alert("35'));
    assert.ok(text.includes('\\[click\\]'), 'brackets escaped');
    assert.ok(!/<img/.test(text), 'no raw HTML');
    assert.ok(!htmlToMarkdown(input.contentHtml).includes('alert("35 ms")'));
  });

  it('keeps odd Unicode readable and file names safe', () => {
    const a = analyzeArticle(
      article('<p>Zero\u200Bwidth and RTL \u202Eevil\u202C text with e\u0301 and emoji 🚀 took 5 ms.</p>', {
        title: '../../etc/passwd: Ünïcödé 🚀 title',
      }),
    );
    assert.ok(!a.raw.includes('..') && !a.source.includes('..'));
    assert.match(a.source, /^sources\/2024-09-10-example-etc-passwd-unicode-title\.md$/);
    assert.ok(a.summary.join(' ').includes('Zerowidth'));
  });

  it('reads Chinese sentences and figures', () => {
    const a = analyzeArticle(
      article(
        '<h2>缓存</h2><p>我们把延迟从 120 毫秒降到 80 毫秒。缓存命中率提高了。每秒处理 3500 万请求！</p><p>这很重要吗？是的。</p>',
      ),
    );
    assert.ok(a.summary.some((s) => s.startsWith('我们把延迟')));
    assert.ok(a.figures.some((f) => f.figures.includes('120 ms → 80 ms')));
  });
});

describe('sentences', () => {
  it('splits English and Chinese, keeping abbreviations', () => {
    assert.deepEqual(splitSentences('It is fast, e.g. 3 ms. It is small.'), [
      'It is fast, e.g. 3 ms.',
      'It is small.',
    ]);
    assert.deepEqual(splitSentences('第一句。第二句！第三句？'), ['第一句。', '第二句！', '第三句？']);
    assert.deepEqual(splitSentences(''), []);
  });
});

describe('readArticle', () => {
  it('keeps sections, emphasis and links', () => {
    const doc = readArticle(
      '<h2>Intro</h2><div><p>Read <a href="https://x.example/">this</a> <strong>now please</strong>.</p>loose text</div>',
    );
    assert.deepEqual(
      doc.blocks.map((b) => [b.kind, b.section, b.text]),
      [
        ['heading', 'Intro', 'Intro'],
        ['paragraph', 'Intro', 'Read this now please.'],
        ['paragraph', 'Intro', 'loose text'],
      ],
    );
    assert.deepEqual(doc.blocks[1]?.emphasis, ['now please']);
    assert.deepEqual(doc.links, [{ url: 'https://x.example/', text: 'this' }]);
  });
});

describe('entities', () => {
  it('names the company behind a feed', () => {
    assert.equal(companyOf('The Cloudflare Blog', 'https://blog.cloudflare.com').slug, 'cloudflare');
    assert.equal(companyOf('Netflix TechBlog – Medium', null).title, 'Netflix TechBlog Medium');
    assert.equal(companyOf('Blog', 'https://engineering.fb.com/').title, 'Fb');
  });
  it('finds repositories, packages and discussions in links', () => {
    const t = linkedThings(
      [
        { url: 'https://github.com/cloudflare/trie-hard', text: '' },
        { url: 'https://github.com/hyperium/http/issues/541', text: '' },
        { url: 'https://crates.io/crates/radix_trie', text: '' },
        { url: 'https://news.ycombinator.com/item?id=1', text: '' },
        { url: 'https://en.wikipedia.org/wiki/Trie', text: '' },
      ],
      'https://blog.example/post',
    );
    assert.deepEqual(
      t.systems.map((s) => s.entity.slug),
      ['trie-hard', 'radix-trie'],
    );
    assert.equal(t.discussions.length, 2);
    assert.deepEqual(t.references, ['https://en.wikipedia.org/wiki/Trie']);
  });
  it('finds systems in repeated proper names, not in capitalized ordinary words', () => {
    const sentences = [
      'We moved the queue to Zanzibar last year.',
      'Since then Zanzibar answers every check, and Zanzibar keeps its own cache.',
      'Caching matters: the cache in front of the CPU is small.',
      'The CPU, the CPU and the CPU again; Example built it.',
      'Example runs it, and Example pays for it.',
      'Monday came, and on Monday and Monday again nothing ran.',
      'Once upon a time. Once more. Once again.',
    ];
    const found = namedThings(sentences, (name) => name === 'Example');
    assert.deepEqual(
      found.map((f) => [f.entity.kind, f.entity.slug, f.entity.title]),
      [['system', 'zanzibar', 'Zanzibar']],
    );
    // Through the whole reader: a system page for it, linked from the takeaways that name it.
    const analysis = analyzeArticle(article(sentences.map((t) => `<p>${t}</p>`).join('')));
    assert.ok(analysis.entities.some((e) => e.kind === 'system' && e.slug === 'zanzibar'));
  });

  it('slugs are stable and safe', () => {
    assert.equal(
      slugify('A good day to trie-hard: saving compute 1% at a time'),
      'a-good-day-to-trie-hard-saving-compute-1-at-a-time',
    );
    assert.equal(slugify('缓存 设计'), '缓存-设计');
    assert.equal(slugify('///'), 'untitled');
    assert.match(
      pathsFor(
        {
          url: 'https://blog.cloudflare.com/pingora-saving-compute-1-percent-at-a-time/',
          title: 'x',
          publishedAt: 0,
        },
        'c',
      ).raw,
      /-f90bdca0\.md$/,
    );
  });
});
