// Answers as bytes: the same bytes as encoding the whole text at once, whatever the parts hold.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { encodeParts, jsonBytes, JsonText } from './encode.js';

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

  it('keeps a surrogate pair split across parts whole, even where a run would end', () => {
    const [high, low] = ['😀'.charAt(0), '😀'.charAt(1)];
    for (const length of [10, 4095, 4096, 5000]) {
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
    assert.equal(jsonBytes(feed).toString('utf8'), feed.text);
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
