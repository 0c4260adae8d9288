// The list excerpt: the first 240 code points, never half a surrogate pair, escaped.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { excerpt as excerptHtml } from './entries.js';

// The excerpt is markup: its text escaped, and … written as a character reference.
const excerpt = (text: string): string => excerptHtml(text).value;
const ELLIPSIS = '&#8230;';

describe('excerpt', () => {
  it('keeps a short text whole and cuts a long one at 240 code points', () => {
    assert.equal(excerpt('short'), 'short');
    assert.equal(excerpt('a'.repeat(240)), 'a'.repeat(240));
    assert.equal(excerpt('a'.repeat(241)), `${'a'.repeat(240)}${ELLIPSIS}`);
    assert.equal(excerpt('中'.repeat(300)), `${'中'.repeat(240)}${ELLIPSIS}`);
    assert.equal(
      excerpt(`${'word '.repeat(48)}more`),
      `${'word '.repeat(47)}word${ELLIPSIS}`,
      'no space before …',
    );
  });

  it('escapes the text', () => {
    assert.equal(excerpt('<b>Tom & "Jerry"</b>'), '&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;');
    assert.equal(excerpt(`<${'a'.repeat(240)}`), `&lt;${'a'.repeat(239)}${ELLIPSIS}`);
  });

  it('counts a character outside the BMP once and never splits it', () => {
    const emoji = '😀'.repeat(240);
    assert.equal(excerpt(emoji), emoji, '240 emoji are 480 code units, still whole');
    assert.equal(excerpt(`${emoji}x`), `${emoji}${ELLIPSIS}`);
    const cut = excerpt(`${'a'.repeat(239)}😀😀`);
    assert.equal(cut, `${'a'.repeat(239)}😀${ELLIPSIS}`);
    assert.ok(!/[\ud800-\udbff]&#8230;$/.test(excerpt(`${'a'.repeat(239)}😀`.repeat(2))));
  });

  it('takes a lone surrogate as one unit, as Array.from does', () => {
    const text = `${'a'.repeat(239)}\ud800${'b'.repeat(10)}`;
    assert.equal(excerpt(text), `${'a'.repeat(239)}\ud800${ELLIPSIS}`);
    assert.equal(excerpt(`${'a'.repeat(240)}\ud800`), `${'a'.repeat(240)}${ELLIPSIS}`);
  });
});
