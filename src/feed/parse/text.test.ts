import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { prng } from '../../testing/random.js';
import { CollapsedText, collapseWhitespace, htmlToText } from './text.js';

describe('collapseWhitespace', () => {
  it('makes every run of whitespace one space and trims', () => {
    assert.equal(collapseWhitespace('  a \n\t b  '), 'a b');
    assert.equal(collapseWhitespace('a\u00a0b\u2003c\u3000d\r\ne'), 'a b c d e');
    assert.equal(collapseWhitespace(' \u3000 \n'), '');
    assert.equal(collapseWhitespace('one two three'), 'one two three');
    assert.equal(collapseWhitespace('x \u00a0'), 'x');
  });

  it('agrees with the plain definition on text of every kind of whitespace', () => {
    // Every character JavaScript's \s matches, each alone between letters.
    const spaces = Array.from({ length: 0x10000 }, (_, c) => String.fromCharCode(c)).filter((c) =>
      /\s/.test(c),
    );
    for (const space of spaces) assert.equal(collapseWhitespace(`a${space}b`), 'a b', JSON.stringify(space));
    const pieces = ['a', 'bc', '  ', '中文', '\r\n ', ...spaces];
    const next = prng(42);
    const random = (n: number): number => Math.floor(next() * n);
    for (let i = 0; i < 2000; i++) {
      const text = Array.from({ length: random(12) }, () => pieces[random(pieces.length)]).join('');
      assert.equal(collapseWhitespace(text), text.replace(/\s+/g, ' ').trim(), JSON.stringify(text));
    }
  });

  it('is what CollapsedText gives for the same text pushed in pieces', () => {
    const pieces = [
      '',
      'a',
      'bc',
      ' ',
      '  ',
      '\n',
      '\n    ',
      '\t',
      ' x ',
      '\u00a0',
      '\u2028',
      '\ufeff',
      '中文',
      '\r\n ',
    ];
    const next = prng(7);
    const random = (n: number): number => Math.floor(next() * n);
    for (let i = 0; i < 2000; i++) {
      const parts = Array.from({ length: random(10) }, () =>
        Array.from({ length: 1 + random(3) }, () => pieces[random(pieces.length)]).join(''),
      );
      const collected = new CollapsedText();
      for (const part of parts) collected.push(part);
      assert.equal(collected.toString(), collapseWhitespace(parts.join('')), JSON.stringify(parts));
    }
  });

  it('is what htmlToText gives between blocks and lines', () => {
    assert.equal(htmlToText('<p>One\n  two</p>\n\n<p>three&nbsp; four</p>'), 'One two three four');
  });
});
