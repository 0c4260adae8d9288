// Miniflux's rewrite rules Gleaner runs, each on real shapes and on hostile input: rules it does
// not run, patterns that would backtrack, content nested deep.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { GleanerError } from '../model/errors.js';
import { parseRewriteRules, rewriteContent, rewriteRulesText } from './rewrite.js';

const run = (rules: string, html: string, link: string | null = null): string =>
  rewriteContent(html, link, parseRewriteRules(rules));

describe('rewrite rules', () => {
  it('shows an image’s title under it (add_image_title), escaped', () => {
    assert.equal(
      run('add_image_title', '<p><img src="c.png" title="Tom &amp; &lt;Jerry&gt;"><img src="d.png"></p>'),
      '<p><figure><img src="c.png" title="Tom &amp; &lt;Jerry&gt;"><figcaption>Tom &amp; &lt;Jerry&gt;</figcaption></figure><img src="d.png"></p>',
    );
  });

  it('gives a lazy-loading image its real source (add_dynamic_image), and leaves real ones alone', () => {
    assert.equal(
      run(
        'add_dynamic_image',
        '<img src="data:image/gif;base64,R0lGOD" data-src="/real.png" data-srcset="/real-2x.png 2x">' +
          '<img data-original="/other.jpg"><img src="/kept.png" data-src="/ignored.png">',
      ),
      '<img src="/real.png" data-src="/real.png" data-srcset="/real-2x.png 2x" srcset="/real-2x.png 2x">' +
        '<img data-original="/other.jpg" src="/other.jpg"><img src="/kept.png" data-src="/ignored.png">',
    );
  });

  it('embeds a YouTube entry’s video above its text, and nothing for other links', () => {
    for (const link of ['https://www.youtube.com/watch?v=dQw4w9WgXcQ', 'https://youtu.be/dQw4w9WgXcQ?t=3']) {
      assert.equal(
        run('add_youtube_video', '<p>Text</p>', link),
        '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" allowfullscreen></iframe><p>Text</p>',
        link,
      );
    }
    assert.equal(run('add_youtube_video', '<p>Text</p>', 'https://vimeo.com/1'), '<p>Text</p>');
    assert.equal(
      run('add_youtube_video', '<p>Text</p>', 'https://evil.example/?youtube.com/watch?v=dQw4w9WgXcQ'),
      '<p>Text</p>',
    );
  });

  it('unwraps tables into lines (remove_tables), and makes line breaks of newlines outside <pre> (nl2br)', () => {
    assert.equal(
      run(
        'remove_tables',
        '<table><tr><th>Name</th><td><b>Ada</b></td></tr><tr><td>Year</td><td>1843</td></tr></table>',
      ),
      '<div>Name <b>Ada</b><br>Year 1843</div>',
    );
    // Cells holding paragraphs, lists and tables of their own keep all of it.
    assert.equal(
      run(
        'remove_tables',
        '<table><tr><td><p>Price</p></td><td>10 EUR</td></tr><tr><td>A<table><tr><td><ul><li>inner</li></ul></td></tr></table></td></tr></table>',
      ),
      '<div><p>Price</p> 10 EUR<br>A<div><ul><li>inner</li></ul></div></div>',
    );
    assert.equal(
      run('nl2br', '<p>one\ntwo &amp; three</p><pre>keep\nthis</pre>'),
      '<p><span>one<br>two &amp; three</span></p><pre>keep\nthis</pre>',
    );
  });

  it('makes links of web addresses written in the text (convert_text_link), not in links or code', () => {
    assert.equal(
      run(
        'convert_text_link',
        '<p>See https://a.example/x?b=1&amp;c=2. Or (http://b.example/y), <a href="/z">https://in.link/</a> <code>https://c.example</code></p>',
      ),
      '<p><span>See <a href="https://a.example/x?b=1&amp;c=2">https://a.example/x?b=1&amp;c=2</a>. Or (<a href="http://b.example/y">http://b.example/y</a>), </span>' +
        '<a href="/z">https://in.link/</a> <code>https://c.example</code></p>',
    );
    // Addresses cut short, and long runs of what ends a sentence, cost time in proportion to them.
    const dense = run(
      'convert_text_link',
      `<p>${'http://'.repeat(50_000)} http://x.${'.'.repeat(100_000)}a</p>`,
    );
    assert.equal((dense.match(/<a href=/g) ?? []).length, 2);
  });

  it('replaces what a pattern matches, groups and all, in order with the other rules', () => {
    assert.equal(
      run('replace("Sponsored: (\\w+)"|"[ad: $1]"), nl2br', '<p>Sponsored: Acme\nnext</p>'),
      '<p><span>[ad: Acme]<br>next</span></p>',
    );
    assert.equal(run('replace("(?i)read more"|"")', '<p>Text READ MORE</p>'), '<p>Text </p>');
    // The pattern as written, spaces and all.
    assert.equal(
      run('replace(" - "|": ")', '<p>Paris - France, well-known</p>'),
      '<p>Paris: France, well-known</p>',
    );
    assert.equal(run('replace("  "|" ")', '<p>a  b</p>'), '<p>a b</p>');
  });

  it('runs a pattern that would backtrack in time linear in the content', () => {
    const rules = parseRewriteRules('replace("(x+x+)+y"|"z")');
    const hostile = `<p>${'x'.repeat(50_000)}</p>`;
    assert.equal(rewriteContent(hostile, null, rules), hostile);
  });

  it('survives content nested 100,000 deep', () => {
    const deep = `${'<div>'.repeat(100_000)}<img src="a.png" title="t">${'</div>'.repeat(100_000)}`;
    assert.match(run('add_image_title, nl2br', deep), /<div>/);
  });

  it('refuses rules it does not run, or cannot read, naming them', () => {
    for (const [text, why] of [
      ['add_mailto_subject', /does not run the rewrite rule "add_mailto_subject": it runs add_image_title/],
      ['add_image_title, parse_markdown', /"parse_markdown"/],
      ['replace("x")', /write replace\("pattern"\|"replacement"\)/],
      ['replace("(a)\\1"|"b")', /replace\(\) pattern is not a pattern Gleaner can run/],
      ['replace(""|"b")', /needs a pattern/],
      ['nl2br'.repeat(500), /longer than 2000 characters/],
    ] as const) {
      assert.throws(
        () => parseRewriteRules(text),
        (error: GleanerError) => error.code === 'USAGE' && why.test(error.message),
        text,
      );
    }
  });

  it('are kept written one way, replace()’s parts as given', () => {
    assert.equal(
      rewriteRulesText('  add_image_title ,nl2br,replace("a, b"|"c") '),
      'add_image_title, nl2br, replace("a, b"|"c")',
    );
    assert.equal(rewriteRulesText('  '), null);
    assert.equal(rewriteRulesText(null), null);
  });
});
