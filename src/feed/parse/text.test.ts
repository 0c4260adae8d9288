import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { prng } from '../../testing/random.js';
import { CollapsedText, collapseWhitespace, htmlToText, quotedText } from './text.js';

describe('collapseWhitespace', () => {
  it('makes every run of whitespace one space and trims', () => {
    assert.equal(collapseWhitespace('  a \n\t b  '), 'a b');
    assert.equal(collapseWhitespace('a\u00a0b\u2003c\u3000d\r\ne'), 'a b c d e');
    assert.equal(collapseWhitespace(' \u3000 \n'), '');
    assert.equal(collapseWhitespace('one two three'), 'one two three');
    assert.equal(collapseWhitespace('x \u00a0'), 'x');
  });

  it('agrees with the plain definition on text of every kind of whitespace and control character', () => {
    // Every character JavaScript's \s matches, and every control character, each alone between letters.
    // eslint-disable-next-line no-control-regex -- the definition: whitespace and control characters
    const blank = /[\s\0-\x1f\x7f-\x9f]/;
    const spaces = Array.from({ length: 0x10000 }, (_, c) => String.fromCharCode(c)).filter((c) =>
      blank.test(c),
    );
    assert.equal(spaces.length, 25 + 32 + 1 + 32 - 5); // \s, C0, DEL and C1; \t to \r are in both
    for (const space of spaces) assert.equal(collapseWhitespace(`a${space}b`), 'a b', JSON.stringify(space));
    const pieces = ['a', 'bc', '  ', '中文', '\r\n ', ...spaces];
    const next = prng(42);
    const random = (n: number): number => Math.floor(next() * n);
    const runs = new RegExp(`${blank.source}+`, 'g');
    for (let i = 0; i < 2000; i++) {
      const text = Array.from({ length: random(12) }, () => pieces[random(pieces.length)]).join('');
      assert.equal(collapseWhitespace(text), text.replace(runs, ' ').trim(), JSON.stringify(text));
    }
  });

  it('leaves no terminal escape in a hostile title', () => {
    const title = 'Evil\u001b[31mRED\u001b]0;pwned\u0007 feed\u009b2J\u0000';
    assert.equal(collapseWhitespace(title), 'Evil [31mRED ]0;pwned feed 2J');
    assert.equal(htmlToText(`<b>${title}</b>`), 'Evil [31mRED ]0;pwned feed 2J');
    const collected = new CollapsedText();
    for (const piece of title.split('R')) collected.push(piece);
    assert.equal(collected.toString(), 'Evil [31mED ]0;pwned feed 2J');
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
      '\u001b',
      '\u009b',
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

  it('reads text nested past the nesting limit, as the sanitizer does', () => {
    assert.equal(htmlToText('<b>'.repeat(10_000) + 'deep'), 'deep');
    const blocks = '<div>'.repeat(1000) + 'a' + '</div>'.repeat(1000) + 'b';
    assert.equal(htmlToText(blocks), 'a b');
    // Past the limit tags go and their text stays; a script above it is still skipped.
    assert.equal(htmlToText('<script>hidden</script>' + '<i>'.repeat(300) + '<u>shown</u>'), 'shown');
  });

  it('is what htmlToText gives between blocks and lines', () => {
    assert.equal(htmlToText('<p>One\n  two</p>\n\n<p>three&nbsp; four</p>'), 'One two three four');
  });
});

describe('quotedText', () => {
  it('turns control characters into spaces and keeps short text whole', () => {
    assert.equal(quotedText('a\u001b[2Jb\u009bc'), 'a [2Jb c');
    assert.equal(quotedText('utf-8'), 'utf-8');
  });

  it('cuts long text at 80 characters, never between the halves of a surrogate pair', () => {
    assert.equal(quotedText('x'.repeat(5_000)), `${'x'.repeat(80)}…`);
    const emoji = `${'x'.repeat(79)}😀😀`;
    assert.equal(quotedText(emoji), `${'x'.repeat(79)}…`);
    assert.equal(quotedText(`${'x'.repeat(78)}😀`), `${'x'.repeat(78)}😀`, '80 code units fit');
  });
});
