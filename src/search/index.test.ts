import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import Database from 'better-sqlite3';
import {
  FTS_TOKENIZE,
  createFtsTableSql,
  highlight,
  indexText,
  matchRanges,
  MAX_QUERY_LENGTH,
  parseQuery,
  snippet,
  toMatchQuery,
} from './index.js';
import { prng } from '../testing/random.js';
import { porterStem } from './porter.js';
import { isPlainText, segments } from './text.js';

const DOCS: Record<number, [string, string]> = {
  1: ['Rust 1.90 released', 'The compiler is faster: compiling large crates takes less time.'],
  2: ['Zero trust at the edge', 'A zero-trust network checks every request.'],
  3: ['Trust, then zero', 'We trust nothing and count from zero.'],
  4: ['Cats and categories', 'The cat sat on the mat.'],
  5: ['苹果发布 iOS 19 测试版', '苹果今天发布了 iOS 19，新版本的端侧模型在本地运行。'],
  6: ['中国人民银行发布数字人民币新规', '明确钱包分级和数据保护要求。'],
  7: ['一文读懂向量数据库', '向量数据库是检索增强生成系统的核心组件。'],
  8: ['通义千问发布开源模型', '阿里云发布 Qwen3 系列开源模型。'],
  9: ['开源社区的维护者', '很多开源项目缺少维护者，训练模型的数据也很难获得。'],
  10: ['Rust 1.90 发布：编译速度提升', '大型项目的增量编译速度提升了 30%。'],
  11: ['用 Rust 写的数据管道', '我们用 Rust 重写了数据处理管道，没有提到编译。'],
  12: ['苹果 iPhone 17 拆解', '拆解显示内存升级到 12GB。'],
  13: ['云计算厂商下调价格', 'GPU 实例降价。'],
  14: ['我们都在云', '数据都在云'],
  15: ['ｉＰｈｏｎｅ 全角', 'ＲＵＳＴ 全角字母'],
  16: ['日本地震预警系统', '通过手机推送警报。'],
};
const ALL = Object.keys(DOCS).map(Number);

function openIndex(): Database.Database {
  const db = new Database(':memory:');
  db.exec(createFtsTableSql('entry_fts', ['title', 'body']));
  const insert = db.prepare('INSERT INTO entry_fts (rowid, title, body) VALUES (?, ?, ?)');
  for (const [id, [title, body]] of Object.entries(DOCS))
    insert.run(Number(id), indexText(title), indexText(body));
  return db;
}

const db = openIndex();
const select = db.prepare('SELECT rowid AS id FROM entry_fts WHERE entry_fts MATCH ? ORDER BY rowid');

function search(query: string): number[] {
  const { match } = toMatchQuery(query);
  if (match === null) return [];
  return (select.all(match) as { id: number }[]).map((r) => r.id);
}

describe('the FTS table', () => {
  it('uses the porter unicode61 tokenizer, contentless with deletes allowed', () => {
    assert.match(FTS_TOKENIZE, /^tokenize = 'porter unicode61 remove_diacritics 2'$/);
    const sql = createFtsTableSql('entry_fts', ['title', 'body']);
    assert.match(sql, /content=''/);
    assert.match(sql, /contentless_delete=1/);
    assert.throws(() => createFtsTableSql('entry_fts; DROP TABLE x', ['title']));
    const scratch = openIndex();
    scratch.prepare('DELETE FROM entry_fts WHERE rowid = ?').run(7);
    const left = (
      scratch
        .prepare('SELECT rowid AS id FROM entry_fts WHERE entry_fts MATCH ?')
        .all(toMatchQuery('数据库').match) as { id: number }[]
    ).map((r) => r.id);
    assert.deepEqual(left, []);
    scratch.close();
  });

  it('stores CJK runs as bigrams and passes other text through', () => {
    assert.equal(indexText('Zero trust at the edge'), 'Zero trust at the edge');
    assert.equal(indexText('中国人').trim(), '中国 国人 人');
    assert.equal(indexText('用Rust编译').replace(/\s+/g, ' ').trim(), '用 Rust 编译 译');
    assert.equal(indexText('ＲＵＳＴ'), 'RUST');
  });

  it('recognizes CJK letters in every block, and nothing else, as CJK', () => {
    // Hangul jamo, hiragana, katakana and its length mark, half-width katakana, Han in the BMP and
    // beyond it (a surrogate pair), compatibility ideographs, Hangul syllables.
    for (const cjk of ['ᄀ', 'ひ', 'カ', 'ー', 'ｶ', 'ｰ', '漢', '𠀋', '豈', '한'])
      assert.notEqual(indexText(`x${cjk}y`), `x${cjk}y`, cjk);
    // Greek, Cyrillic, Latin with diacritics, emoji, CJK punctuation and full-width ASCII are not.
    for (const other of ['μs', 'привет', 'café', '🚀', '、。「」', '（）'])
      assert.equal(indexText(other), other.normalize('NFKC'), other);
  });
});

describe('English queries', () => {
  it('finds a word in its other forms (porter)', () => {
    assert.deepEqual(search('release'), [1]);
    assert.deepEqual(search('compiles'), [1]);
    assert.deepEqual(search('cat'), [4]);
  });

  it('finds prefixes, but a one-letter prefix only as a word', () => {
    assert.deepEqual(search('compil*'), [1]);
    assert.deepEqual(search('categ*'), [4]);
    assert.equal(toMatchQuery('c*').match, '"c"');
    assert.deepEqual(search('c*'), []);
  });

  it('finds a phrase only with its words in order, whatever joins them', () => {
    assert.deepEqual(search('"zero trust"'), [2]);
    assert.deepEqual(search('zero trust'), [2, 3]);
  });

  it('excludes -words and reads OR', () => {
    assert.deepEqual(search('zero -edge'), [3]);
    assert.deepEqual(search('zero -"zero trust"'), [3]);
    assert.deepEqual(search('cat OR release'), [1, 4]);
    assert.deepEqual(search('rust OR cat 1.90'), [1, 10]);
    assert.deepEqual(search('rust or cat'), []);
  });
});

describe('Chinese queries', () => {
  it('finds two-character words inside longer ones', () => {
    assert.deepEqual(search('数据'), [6, 7, 9, 11, 14]);
    assert.deepEqual(search('发布'), [5, 6, 8, 10]);
    assert.deepEqual(search('苹果'), [5, 12]);
    assert.deepEqual(search('手机'), [16]);
  });

  it('finds a single character anywhere in a run, the last one included', () => {
    assert.deepEqual(search('云'), [8, 13, 14]);
  });

  it('finds longer words as substrings, and phrases only where the characters stand together', () => {
    assert.deepEqual(search('人民银行'), [6]);
    assert.deepEqual(search('数据库'), [7]);
    assert.deepEqual(search('"开源模型"'), [8]);
    assert.deepEqual(search('开源 模型'), [8, 9]);
    assert.deepEqual(search('开源模型'), [8]);
  });

  it('excludes Chinese terms', () => {
    assert.deepEqual(search('开源 -模型'), []);
    assert.deepEqual(search('数据 -数据库 -rust'), [6, 9, 14]);
  });

  it('mixes Chinese and English', () => {
    assert.deepEqual(search('Rust 编译'), [10, 11]);
    assert.deepEqual(search('Rust 发布'), [10]);
    assert.deepEqual(search('"苹果 iPhone"'), [12]);
    assert.deepEqual(search('苹果 iPhone'), [12]);
    assert.deepEqual(search('"苹果发布 iOS"'), [5]);
  });

  it('matches full-width letters as ASCII', () => {
    assert.deepEqual(search('iphone'), [12, 15]);
    assert.deepEqual(search('ｒｕｓｔ'), [1, 10, 11, 15]);
  });
});

describe('hostile input', () => {
  const HOSTILE = [
    '"',
    '"unbalanced phrase',
    'NEAR(rust cat, 2)',
    'NEAR',
    'rust AND',
    'OR',
    'AND OR NOT',
    'NOT rust',
    '^rust',
    'title:rust',
    '{title body}: rust',
    '- title : rust',
    '(',
    'rust)',
    '*',
    '**',
    '-',
    '--rust',
    '-"',
    '""',
    '"" ""',
    'rust\u0000cat',
    '\u0000',
    '\ud800',
    'a\udc00b',
    '\u0301',
    ':',
    'rowid:1',
    "'; DROP TABLE entry_fts; --",
    'x'.repeat(100_000),
    '数'.repeat(5_000),
    Array.from({ length: 500 }, (_, i) => `w${i}`).join(' '),
    Array.from({ length: 300 }, () => 'OR').join(' '),
    '“苹果',
    '「开源',
    '😀',
    '\u3000\u3000',
  ];

  it('never throws, and never matches everything', () => {
    for (const input of HOSTILE) {
      const { match } = toMatchQuery(input);
      if (match === null) continue;
      assert.ok(
        match.length < MAX_QUERY_LENGTH * 4,
        `match for ${JSON.stringify(input.slice(0, 20))} is too long`,
      );
      let found: unknown[] = [];
      assert.doesNotThrow(
        () => {
          found = select.all(match);
        },
        `query ${JSON.stringify(input.slice(0, 40))} → ${match.slice(0, 80)}`,
      );
      assert.ok(found.length < ALL.length, `${JSON.stringify(input.slice(0, 40))} matched everything`);
    }
  });

  it('reads FTS5 syntax as text', () => {
    assert.equal(toMatchQuery('NEAR(rust cat)').match, '("NEAR rust" AND "cat")');
    assert.equal(toMatchQuery('title:rust').match, '"title rust"');
    assert.equal(toMatchQuery('NOT rust').match, '("NOT" AND "rust")');
    assert.deepEqual(search('NOT rust'), []);
    assert.deepEqual(search('rust\u0000cat'), []);
    assert.deepEqual(search('"unbalanced rust'), []);
    assert.deepEqual(search('"rust'), [1, 10, 11, 15]);
  });

  it('returns null for nothing searchable and for exclusions alone', () => {
    for (const input of [
      '',
      '   ',
      '!!!',
      '"" ""',
      '*',
      '-',
      ':',
      '\u0000',
      '(,)',
      '-rust',
      '-rust -cat',
      'OR',
    ]) {
      assert.equal(toMatchQuery(input).match, null, JSON.stringify(input));
    }
  });
});

describe('highlighting', () => {
  it('escapes the content and marks what matched', () => {
    assert.equal(
      highlight('<b>Rust</b> & "compilers" <script>x</script>', 'rust'),
      '&lt;b&gt;<mark>Rust</mark>&lt;/b&gt; &amp; &quot;compilers&quot; &lt;script&gt;x&lt;/script&gt;',
    );
    assert.equal(highlight('a <i>', '<i>'), 'a &lt;<mark>i</mark>&gt;');
  });

  it('marks the forms the index matched', () => {
    assert.equal(highlight('Rust 1.90 released', 'release'), 'Rust 1.90 <mark>released</mark>');
    assert.equal(
      highlight('Compiling the compiler', 'compil*'),
      '<mark>Compiling</mark> the <mark>compiler</mark>',
    );
    assert.equal(highlight('A zero-trust network', '"zero trust"'), 'A <mark>zero-trust</mark> network');
    assert.equal(highlight('zero and trust', '"zero trust"'), 'zero and trust');
    assert.equal(highlight('zero and trust', 'zero -trust'), '<mark>zero</mark> and trust');
  });

  it('marks Chinese terms inside longer words, phrases only whole', () => {
    assert.equal(highlight('向量数据库是核心', '数据'), '向量<mark>数据</mark>库是核心');
    assert.equal(
      highlight('苹果 iPhone，苹果发布 iPhone', '"苹果 iPhone"'),
      '<mark>苹果 iPhone</mark>，苹果发布 iPhone',
    );
    assert.equal(highlight('用 Rust 编译', 'Rust 编译'), '用 <mark>Rust</mark> <mark>编译</mark>');
    assert.equal(highlight('我们都在云', '云'), '我们都在<mark>云</mark>');
    assert.equal(highlight('ＲＵＳＴ', 'rust'), '<mark>ＲＵＳＴ</mark>');
  });

  it('cuts a snippet around the best match', () => {
    const text = `${'前面的内容。'.repeat(40)}苹果发布了 <新款> iPhone。${'后面的内容。'.repeat(40)}`;
    const html = snippet(text, '苹果 iPhone', 60);
    assert.ok(html.startsWith('…') && html.endsWith('…'), html);
    assert.match(html, /<mark>苹果<\/mark>发布了 &lt;新款&gt; <mark>iPhone<\/mark>/);
    assert.ok(html.replace(/<\/?mark>|&[a-z]+;/g, '').length <= 62, html);
    const none = snippet(text, 'nothing', 30);
    assert.ok(none.startsWith('前面的内容') && none.endsWith('…') && !none.includes('<mark>'), none);
    assert.equal(snippet('short & sweet', 'sweet'), 'short &amp; <mark>sweet</mark>');
  });

  it('finds a snippet deep in a long text, and prefers an early match', () => {
    const filler = 'Nothing to see in this sentence at all. '.repeat(150);
    const deep = snippet(`${filler}The latency fell by half. ${filler}`, 'latency', 80);
    assert.match(deep, /^….*<mark>latency<\/mark> fell by half.*…$/);
    const early = snippet(`Latency first. ${filler}Latency again, and latency. ${filler}`, 'latency', 80);
    assert.ok(early.startsWith('<mark>Latency</mark> first.'), early);
  });

  it('cuts and matches plain texts as it does any other text', () => {
    // A text of ASCII, common punctuation and CJK letters is answered by a quick scan; one accented
    // letter at its end makes the same text go through the full one.
    const words = (
      'release released releasing run running happy sky relational conditional generalization ' +
      'universities latency latest later load balancer balancing zero trust 5G x y rust-lang'
    ).split(' ');
    const glue = [' ', ' ', ' ', ', ', '. ', '’s ', ' — ', '，', '数据库', '的', '向量', '。'];
    const random = prng(7);
    const below = (n: number): number => Math.floor(random() * n);
    const pick = <T>(list: readonly T[]): T => list[below(list.length)] as T;
    const queries = [
      'release',
      'run*',
      'happi',
      'generalize',
      'latency',
      'lat*',
      '"load balancer"',
      'zero -trust',
      '5g',
      '数据',
      '"向量 数据库"',
      'univers*',
      'sky y',
      'balancing',
    ];
    for (let i = 0; i < 300; i++) {
      const text = Array.from({ length: 1 + below(12) }, () => pick(words) + pick(glue)).join('');
      const terms = parseQuery(pick(queries)).groups.flat();
      assert.deepEqual(matchRanges(text, terms), matchRanges(`${text} é`, terms), text);
      assert.deepEqual(segments(text), segments(`${text} é`).slice(0, -1), text);
    }
  });
});

describe('porterStem', () => {
  it('stems as FTS5 porter does', () => {
    const words = (
      'release releases released releasing run runs running ran caresses ponies ties caress cats feed agreed ' +
      'plastered bled motoring sing conflated troubled sized hopping tanned falling hissing fizzed failing ' +
      'filing happy sky relational conditional rational valenci hesitanci digitizer conformabli radicalli ' +
      'differentli vileli analogousli vietnamization predication operator feudalism decisiveness hopefulness ' +
      'callousness formaliti sensitiviti sensibiliti triplicate formative formalize electriciti electrical ' +
      'hopeful goodness revival allowance inference airliner gyroscopic adjustable defensible irritant ' +
      'replacement adjustment dependent adoption homologou communism activate angulariti homologous effective ' +
      'bowdlerize probate rate cease controll roll generalization universities university universe logistics ' +
      'security securities measurement measures crypto cryptography podcasting musical us use useful aed ies ' +
      'ABC café naïve straße x xy yyy eed'
    ).split(' ');
    const scratch = new Database(':memory:');
    scratch.exec(`CREATE VIRTUAL TABLE t USING fts5(x, ${FTS_TOKENIZE});
      CREATE VIRTUAL TABLE v USING fts5vocab(t, 'row');`);
    const insert = scratch.prepare('INSERT INTO t (rowid, x) VALUES (?, ?)');
    const vocab = scratch.prepare('SELECT term FROM v');
    const clear = scratch.prepare('DELETE FROM t');
    for (const word of words) {
      clear.run();
      insert.run(1, word);
      const stored = (vocab.all() as { term: string }[]).map((r) => r.term);
      assert.deepEqual(
        [porterStem(word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase())],
        stored,
        `stem of ${word}`,
      );
    }
    scratch.close();
  });
});

describe('isPlainText', () => {
  // The definition: every character in the plain class (ASCII but controls, common punctuation,
  // CJK letters that fold to themselves).
  const PLAIN =
    /^[\t\n\r\x20-\x7f\u00a0\u00ab\u00b7\u00bb\u2000-\u206f\u3000-\u3003\u3008-\u3011\u3014-\u301f\u3041-\u3096\u30a1-\u30fa\u30fc\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]*$/;

  it('agrees with its definition on text of ASCII, CJK, punctuation and what is neither', () => {
    const pieces = [
      'latency ',
      'A1',
      '\n',
      '\t',
      '\u0000',
      '\u0007',
      '数据库',
      '…',
      '«',
      'é',
      'µs',
      'ﬁ',
      '\u3000',
      '한국',
      '😀',
      '\ud800',
    ];
    const next = prng(11);
    const random = (n: number): number => Math.floor(next() * n);
    for (let i = 0; i < 3000; i++) {
      const text = Array.from({ length: random(10) }, () => pieces[random(pieces.length)]).join('');
      assert.equal(isPlainText(text), PLAIN.test(text), JSON.stringify(text));
    }
    assert.equal(isPlainText(''), true);
    assert.equal(isPlainText('plain words, then é'), false);
    assert.equal(isPlainText('plain words, then 数据'), true);
  });
});
