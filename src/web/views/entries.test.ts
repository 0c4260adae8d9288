// The list excerpt: the first 240 code points, never half a surrogate pair.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { excerpt } from './entries.js';

describe('excerpt', () => {
  it('keeps a short text whole and cuts a long one at 240 code points', () => {
    assert.equal(excerpt('short'), 'short');
    assert.equal(excerpt('a'.repeat(240)), 'a'.repeat(240));
    assert.equal(excerpt('a'.repeat(241)), `${'a'.repeat(240)}…`);
    assert.equal(excerpt('中'.repeat(300)), `${'中'.repeat(240)}…`);
    assert.equal(excerpt(`${'word '.repeat(48)}more`), `${'word '.repeat(47)}word…`, 'no space before …');
  });

  it('counts a character outside the BMP once and never splits it', () => {
    const emoji = '😀'.repeat(240);
    assert.equal(excerpt(emoji), emoji, '240 emoji are 480 code units, still whole');
    assert.equal(excerpt(`${emoji}x`), `${emoji}…`);
    const cut = excerpt(`${'a'.repeat(239)}😀😀`);
    assert.equal(cut, `${'a'.repeat(239)}😀…`);
    assert.ok(!/[\ud800-\udbff]…$/.test(excerpt(`${'a'.repeat(239)}😀`.repeat(2))));
  });

  it('takes a lone surrogate as one unit, as Array.from does', () => {
    const text = `${'a'.repeat(239)}\ud800${'b'.repeat(10)}`;
    assert.equal(excerpt(text), `${'a'.repeat(239)}\ud800…`);
    assert.equal(excerpt(`${'a'.repeat(240)}\ud800`), `${'a'.repeat(240)}…`);
  });
});
