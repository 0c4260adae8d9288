// Answers as bytes: the same bytes as encoding the whole text at once, whatever the parts hold.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { encodeParts, jsonBytes, JsonText, jsonWithMembers, type Part } from './encode.js';

const same = (value: unknown): void =>
  assert.equal(jsonBytes(value).toString('utf8'), JSON.stringify(value) ?? 'null', JSON.stringify(value));

describe('encodeParts', () => {
  it('gives the UTF-8 of the parts joined, across runs of any characters', () => {
    const parts = Array.from({ length: 3000 }, (_, i) =>
      i % 11 === 0 ? `第${i}行 “quoted” 😀` : i % 7 === 0 ? `é${'x'.repeat(i % 300)}` : `row ${i}`,
    );
    assert.deepEqual(encodeParts(parts), Buffer.from(parts.join(''), 'utf8'));
    assert.deepEqual(encodeParts(['only']), Buffer.from('only'));
    assert.deepEqual(encodeParts([]), Buffer.alloc(0));
    assert.deepEqual(encodeParts(['', '', 'a']), Buffer.from('a'));
  });

  it('encodes an answer too large for the kept buffer whole, and the next small one as usual', () => {
    const parts = Array.from({ length: 600 }, (_, i) => `${i % 2 ? '中' : 'a'}${'x'.repeat(10_000)}`);
    assert.deepEqual(encodeParts(parts), Buffer.from(parts.join(''), 'utf8'));
    assert.deepEqual(encodeParts(['<p>', 'é', '</p>']), Buffer.from('<p>é</p>'));
  });

  it('copies parts given as bytes between the text, in small answers and large ones', () => {
    const utf8 = (t: string): Uint8Array => new Uint8Array(Buffer.from(t, 'utf8'));
    for (const size of [1, 2_000]) {
      const texts = Array.from({ length: size }, (_, i) => (i % 5 === 0 ? `“${i}” 中文 😀` : `part ${i}`));
      const parts: Part[] = texts.map((t, i) => (i % 2 ? utf8(t) : t));
      assert.deepEqual(encodeParts(parts), Buffer.from(texts.join(''), 'utf8'), `${size} parts`);
    }
    assert.deepEqual(encodeParts([utf8('only')]), Buffer.from('only'));
    assert.deepEqual(
      encodeParts(['x'.repeat(6_000_000), utf8('中')]),
      Buffer.from(`${'x'.repeat(6_000_000)}中`),
    );
    // A high surrogate left alone before bytes is a lone surrogate: encoded as U+FFFD, not lost.
    const high = '😀'.charAt(0);
    assert.deepEqual(encodeParts([`a${high}`, utf8('b')]), Buffer.from('a\ufffdb', 'utf8'));
  });

  it('keeps a surrogate pair split across parts whole, even where a run would end', () => {
    const [high, low] = ['😀'.charAt(0), '😀'.charAt(1)];
    for (const length of [10, 4095, 4096, 5000, 6_000_000]) {
      const parts = ['a'.repeat(length) + high, low + 'b'];
      assert.deepEqual(encodeParts(parts), Buffer.from(`${'a'.repeat(length)}😀b`), `after ${length}`);
    }
  });
});

describe('jsonBytes', () => {
  it('writes what JSON.stringify writes', () => {
    same({ total: 3, entries: [{ id: 1, title: '中文 “q”' }, { id: 2, content: '<p>é</p>' }, null] });
    same({ a: undefined, b: () => 1, c: [undefined, () => 1, Symbol('s')], d: 'x' });
    same({ items: [], continuation: 'c', nested: { list: [1, [2, 3]] } });
    same([{ a: 1 }, 'two', 3, null, undefined]);
    same({ date: new Date(0), withToJson: { toJSON: () => 'custom' } });
    same({ toJSON: () => ({ replaced: true }) });
    same('a string');
    same(42);
    same(null);
    same({});
    same(Object.create(null) as object);
    same({ '"quoted key"': ['\u2028', '\ud800'] });
  });

  it('puts JSON already written in as it is, at the top, in the object and in its lists', () => {
    const feed = new JsonText(JSON.stringify({ id: 7, title: '中文 “feed”' }));
    const value = { total: 2, feed, entries: [new JsonText('{"id":1}'), { id: 2 }, feed] };
    assert.equal(
      jsonBytes(value).toString('utf8'),
      '{"total":2,"feed":{"id":7,"title":"中文 “feed”"},"entries":[{"id":1},{"id":2},{"id":7,"title":"中文 “feed”"}]}',
    );
    assert.equal(jsonBytes(feed).toString('utf8'), JSON.stringify({ id: 7, title: '中文 “feed”' }));
  });

  it('puts members written already after an object’s own, as text or bytes', () => {
    const body = new Uint8Array(Buffer.from(JSON.stringify('<p class="a">中文 “q” \\ 😀</p>'), 'utf8'));
    const feed = new JsonText('{"id":7}');
    const entry = jsonWithMembers({ id: 1, title: 'T' }, [
      ['content', body],
      ['summary', new JsonText('{"content":', body, '}')],
      ['feed', feed],
    ]);
    const expected = {
      id: 1,
      title: 'T',
      content: '<p class="a">中文 “q” \\ 😀</p>',
      summary: { content: '<p class="a">中文 “q” \\ 😀</p>' },
      feed: { id: 7 },
    };
    assert.deepEqual(JSON.parse(jsonBytes({ entries: [entry, entry] }).toString('utf8')), {
      entries: [expected, expected],
    });
    assert.equal(jsonBytes(jsonWithMembers({}, [['a', '1']])).toString('utf8'), '{"a":1}');
    assert.equal(jsonBytes(jsonWithMembers({ b: 2 }, [])).toString('utf8'), '{"b":2}');
  });

  it('answers a large list with Chinese, English and emoji entries as its UTF-8 JSON', () => {
    const entries = Array.from({ length: 200 }, (_, i) => ({
      id: i,
      title: i % 3 === 0 ? `标题 ${i}` : `Title ${i} — ${'😀'.repeat(i % 4)}`,
      content: `<p>${'body '.repeat(i)}</p>`,
    }));
    const value = { total: 200, entries };
    assert.deepEqual(jsonBytes(value), Buffer.from(JSON.stringify(value), 'utf8'));
  });
});
