import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { element, emptyElement, textElement, xmlAttr, xmlText } from './xml.js';

describe('the XML writer', () => {
  it('escapes markup in text and attributes', () => {
    assert.equal(xmlText('a < b && c > d ]]> e'), 'a &lt; b &amp;&amp; c &gt; d ]]&gt; e');
    assert.equal(xmlAttr('say "hi" <&>\tnow\n'), 'say &quot;hi&quot; &lt;&amp;&gt;&#9;now&#10;');
  });

  it('drops characters XML 1.0 forbids and keeps every other', () => {
    const cases: [string, string][] = [
      ['\u0000\u0001\u0008\u000b\u000c\u001f', ''],
      ['a\ud800b', 'ab'],
      ['a\udc00b', 'ab'],
      ['\ufffe\uffff', ''],
      ['tab\there\nline\r', 'tab\there\nline\r'],
      ['emoji 😀 中文 \ufffd', 'emoji 😀 中文 \ufffd'],
    ];
    for (const [input, expected] of cases) assert.equal(xmlText(input), expected, JSON.stringify(input));
  });

  it('writes elements, leaving out null text and attributes', () => {
    assert.equal(textElement('title', null), '');
    assert.equal(textElement('a', 'x', { href: 'u?a=1&b=2', type: null }), '<a href="u?a=1&amp;b=2">x</a>');
    assert.equal(emptyElement('link', { rel: 'self', length: 0 }), '<link rel="self" length="0"/>');
    assert.equal(element('item', {}, ['<x/>']), '<item><x/></item>');
  });
});
