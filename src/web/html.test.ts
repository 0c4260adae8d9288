// The page template: what is escaped, what is kept, and the bytes a page is sent as.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { encodeHtml, html, trusted } from './html.js';

describe('html', () => {
  it('escapes values and keeps markup built by html or trusted', () => {
    const name = '<script>alert("x")</script> & co';
    const page = html`<p title="${name}">${name} ${html`<b>${'bold'}</b>`} ${trusted('<i>ok</i>')}</p>`;
    assert.equal(
      page.value,
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co">' +
        '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co <b>bold</b> <i>ok</i></p>',
    );
  });

  it('renders numbers, skips null, undefined and booleans, and escapes objects', () => {
    assert.equal(html`${1}|${null}|${undefined}|${true}|${false}|${10n}`.value, '1|||||10');
    assert.equal(html`${{ a: '<' }}`.value, '{&quot;a&quot;:&quot;&lt;&quot;}');
  });

  it('writes the template’s own characters beyond Latin-1 as references, never the values’', () => {
    const page = html`<a title="☆ ${'中文 ☆'}">↗ · 😀</a>`;
    assert.equal(page.value, '<a title="&#9734; 中文 ☆">&#8599; · &#128512;</a>');
  });

  it('folds the template’s line breaks and indentation, not the values’', () => {
    // prettier-ignore
    const page = html`<p>
        ${'a\n   b'}
      </p>`;
    assert.equal(page.value, '<p>\na\n   b\n</p>');
  });

  it('starts a part at each item of a list, and the value is the same markup', () => {
    const items = ['一', 'two', '<three>'].map((s) => html`<li>${s}</li>`);
    // prettier-ignore
    const page = html`<ul>${items}</ul><p>${html`<i>${[html`x`, html`y`]}</i>`}</p>`;
    assert.equal(page.value, '<ul><li>一</li><li>two</li><li>&lt;three&gt;</li></ul><p><i>xy</i></p>');
    assert.deepEqual(page.parts, [
      '<ul>',
      '<li>一</li>',
      '<li>two</li>',
      '<li>&lt;three&gt;</li></ul><p><i>',
      'x',
      'y</i></p>',
    ]);
    assert.equal(page.toString(), page.value);
  });

  it('encodes a page of many parts to the UTF-8 of its markup', () => {
    const rows = Array.from(
      { length: 500 },
      (_, i) =>
        html`<tr>
          <td>${i % 7 === 0 ? `第${i}行 – “quoted”` : `row ${i}`}</td>
          <td>${'x'.repeat(i % 50)}</td>
        </tr>`,
    );
    const page = html`<table>
        ${rows}
      </table>
      😀`;
    assert.ok(page.parts.length > 100);
    assert.deepEqual(encodeHtml(page), Buffer.from(page.value, 'utf8'));
    assert.equal(encodeHtml(page).toString('utf8'), page.value);
    assert.deepEqual(encodeHtml(html`<p>${'é'}</p>`), Buffer.from('<p>é</p>'));
    assert.deepEqual(encodeHtml(html``), Buffer.alloc(0));
  });
});
