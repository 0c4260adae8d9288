import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { capNesting } from './nesting.js';

describe('capNesting', () => {
  const unchanged = [
    '',
    'plain text',
    '<p>one</p><p>two</p>',
    '<div><div><div>three deep</div></div></div>',
    // implied closes keep the stack flat, as in a parser
    '<p>a<p>b<p>c<p>d<p>e',
    '<ul><li>a<li>b<li>c<li>d</ul>',
    '<table><tr><td>a<td>b<tr><td>c<td>d</table>',
    '<dl><dt>a<dd>b<dt>c<dd>d</dl>',
    // void elements never deepen
    '<br><br><br><img src=x><hr><wbr><br/>',
    // stray and unterminated tags
    '</div></div></span><div',
    '<script><div><div><div><div></script>',
    '<!-- <div><div><div><div> -->',
  ];
  for (const html of unchanged) {
    it(`leaves ${JSON.stringify(html)} alone at depth 3`, () => {
      assert.equal(capNesting(html, 3), html);
    });
  }

  const capped: { html: string; want: string }[] = [
    { html: '<div><div><div>x</div></div></div>', want: '<div><div>x</div></div>' },
    { html: '<b><i><u>x</u> y</i> z</b> w', want: '<b><i>x y</i> z</b> w' },
    {
      html: '<div a="1"><div b=">"><div c=\'<\'>x</div  ></div></div>',
      want: '<div a="1"><div b=">">x</div></div>',
    },
    { html: '<DIV><Div><div>x</DIV></div></div>', want: '<DIV><Div>x</div></div>' },
    { html: '<div/><div/><div/>x', want: '<div/><div/>x' },
    // an unclosed deep element is cut; its stray end tag stays, harmless
    { html: '<p><span><em>x</p></em>', want: '<p><span>x</p></em>' },
  ];
  for (const { html, want } of capped) {
    it(`caps ${JSON.stringify(html)} at depth 2`, () => {
      assert.equal(capNesting(html, 2), want);
    });
  }

  it('caps a megabyte of nested divs and keeps the text', () => {
    const depth = 200_000;
    const html = '<div>'.repeat(depth) + 'the text' + '</div>'.repeat(depth);
    assert.equal(capNesting(html, 256), '<div>'.repeat(256) + 'the text' + '</div>'.repeat(256));
  });
});
