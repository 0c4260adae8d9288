// Translations: messages looked up by their English text, parameters filled in.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { translator } from './i18n.js';

describe('translator', () => {
  it('fills parameters, the same on every call, and keeps a placeholder it has no value for', () => {
    const t = translator('en');
    for (const n of [1, 2, 3]) assert.equal(t('{n} min read', { n }), `${n} min read`);
    assert.equal(t('Show all {n}', {}), 'Show all {n}');
    assert.equal(t('{a} and {b}{a}', { a: 'x', b: '$&' }), 'x and $&x', 'values are not patterns');
    assert.equal(t('no parameters', { n: 1 }), 'no parameters');
    assert.equal(t('Unread'), 'Unread');
  });

  it('translates to Chinese and falls back to English', () => {
    const t = translator('zh');
    assert.equal(t('{n} min read', { n: 5 }), '阅读约 5 分钟');
    assert.equal(t('a message nobody translated {n}', { n: 2 }), 'a message nobody translated 2');
  });
});
