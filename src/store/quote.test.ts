// gleaner_json_quote() (native/quote.c) writes the bytes JSON.stringify() writes, whatever the text:
// every control character, quotes and backslashes at every offset of its 16- and 8-byte steps,
// text beyond ASCII, answers that grow far past the room first made for them; as text when all of
// it is ASCII, as bytes otherwise.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { loadNativeFunctions } from './sqlite.js';

const db = new Database(':memory:');
const built = loadNativeFunctions(db);
const skip = built ? false : 'native/ was not compiled (no C compiler): bodies are quoted by json_quote()';

describe('gleaner_json_quote', { skip }, () => {
  const quote = built ? db.prepare('SELECT gleaner_json_quote(?) AS q').pluck() : null;
  const quoted = (text: string | null): string => {
    const answer = quote?.get(text) as Buffer | string;
    // eslint-disable-next-line no-control-regex
    if (text === null || /^[\x00-\x7f]*$/.test(text)) {
      assert.equal(typeof answer, 'string', `ASCII comes back as text: ${JSON.stringify(text)}`);
      return answer as string;
    }
    assert.ok(Buffer.isBuffer(answer), `text beyond ASCII comes back as bytes: ${JSON.stringify(text)}`);
    return answer.toString('utf8');
  };
  const same = (text: string): void => assert.equal(quoted(text), JSON.stringify(text), JSON.stringify(text));

  it('quotes text with nothing to escape as it is, empty text too', () => {
    for (const text of [
      '',
      'a',
      'plain words',
      'x'.repeat(15),
      'x'.repeat(16),
      'y'.repeat(17),
      'z'.repeat(4099),
    ])
      same(text);
  });

  it('escapes every control character as JSON.stringify does, and leaves DEL', () => {
    for (let c = 0; c < 0x20; c++) same(`a${String.fromCharCode(c)}b`);
    same('\u007f');
    same('tab\there\nnew line\r\n\f\b');
  });

  it('escapes a quote, a backslash and a control character at every offset of a 40-byte text', () => {
    for (const special of ['"', '\\', '\n', '\u0001']) {
      for (let at = 0; at < 40; at++) same(`${'a'.repeat(at)}${special}${'b'.repeat(39 - at)}`);
    }
  });

  it('passes text beyond ASCII through as UTF-8', () => {
    same('café — “quoted” 中文内容 emoji 🎉 and \u2028 \u2029');
    same(`${'é'.repeat(20)}"${'中'.repeat(9)}\\`);
  });

  it('answers in bytes for one byte beyond ASCII anywhere: each step of the scan, each escape', () => {
    for (let at = 0; at < 40; at++) {
      same(`${'a'.repeat(at)}é${'b'.repeat(39 - at)}`);
      same(`${'a'.repeat(at)}"é${'\n'.repeat(39 - at)}`);
    }
    same('\u0001'.repeat(33) + '\u0080');
  });

  it('grows its answer past the room first made for it', () => {
    same('"'.repeat(10_000));
    same('\u0001'.repeat(10_000));
    same(`${'a'.repeat(5000)}${'\u0002'.repeat(3000)}${'b'.repeat(5000)}`);
  });

  it('agrees with JSON.stringify on random HTML-like text', () => {
    const alphabet = [
      'a',
      'b',
      ' ',
      '<p>',
      '"',
      '\\',
      '\n',
      '\t',
      '\u0000',
      '\u001f',
      'é',
      '中',
      '🎉',
      '&amp;',
    ];
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 2000; i++) {
      let text = '';
      for (let k = next(80); k > 0; k--) text += alphabet[next(alphabet.length)];
      same(text);
    }
  });

  it('gives null for NULL', () => {
    assert.equal(quoted(null), 'null');
  });
});
