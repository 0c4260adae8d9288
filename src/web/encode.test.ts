// Answers as bytes: the same bytes as encoding the whole text at once, whatever the parts hold.
import { strict as assert } from 'node:assert';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { FastifyReply } from 'fastify';
import { encodeParts, jsonBytes, JsonText, jsonWithMembers, sendJson, type Part } from './encode.js';

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

describe('sendJson', () => {
  /** A reply that keeps what it was sent; its response is done when `done()` is called. */
  const reply = (): { reply: FastifyReply; sent: () => Buffer; done: () => void } => {
    const raw = new EventEmitter();
    let payload: Buffer | null = null;
    const r = {
      raw,
      type: () => r,
      send: (p: Buffer) => {
        payload = p;
        return r;
      },
    };
    return {
      reply: r as unknown as FastifyReply,
      sent: () => payload ?? assert.fail('nothing sent'),
      done: () => raw.emit('close'),
    };
  };
  const list = (word: string): unknown => ({
    entries: Array.from({ length: 200 }, (_, i) => ({
      id: i,
      title: `${word} ${i} “中文”`,
      body: word.repeat(50),
    })),
  });

  it('sends the JSON, and never writes into an answer whose response is not done', () => {
    const first = reply();
    // The largest answer: were its memory free, each later one would fit in it.
    sendJson(first.reply, list('the first answer'));
    const firstBytes = Buffer.from(first.sent());
    for (let i = 0; i < 20; i++) {
      const other = reply();
      sendJson(other.reply, list(`o${i}`));
      assert.equal(other.sent().toString('utf8'), JSON.stringify(list(`o${i}`)));
      other.done();
    }
    assert.ok(first.sent().equals(firstBytes), 'the first answer is as it was sent');
    assert.equal(first.sent().toString('utf8'), JSON.stringify(list('the first answer')));
    first.done();
  });

  it('writes the next answer into the memory of one whose response is done', () => {
    const first = reply();
    sendJson(first.reply, list('a'));
    first.done();
    const next = reply();
    sendJson(next.reply, list('b'));
    assert.equal(next.sent().buffer, first.sent().buffer, 'the same memory');
    assert.equal(next.sent().toString('utf8'), JSON.stringify(list('b')));
    next.done();
  });
});
