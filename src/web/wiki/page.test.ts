// Reading wiki pages: which links stay inside the wiki, which paths may be served, front matter from
// an untrusted file, the sections the article panel shows, and Markdown rendered inert whatever the
// page holds.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { prng } from '../../testing/random.js';
import {
  bodyWithoutTitle,
  isPagePath,
  parsePage,
  resolveWikiLink,
  sections,
  splitFrontMatter,
} from './page.js';
import { renderMarkdown, wikiHref } from './render.js';

describe('resolveWikiLink', () => {
  const cases: [from: string, href: string, expected: string | null][] = [
    ['sources/a.md', '../concepts/trie.md', 'concepts/trie.md'],
    ['sources/a.md', '../concepts/trie.md#why', 'concepts/trie.md'],
    ['sources/a.md', 'b.md', 'sources/b.md'],
    ['sources/a.md', './b.md?x=1', 'sources/b.md'],
    ['skills/x/SKILL.md', '../../patterns/p.md', 'patterns/p.md'],
    ['index.md', 'concepts/%E7%BC%93%E5%AD%98.md', 'concepts/缓存.md'],
    ['index.md', 'concepts/a%20b.md', 'concepts/a b.md'],
    // Out of the folder, absolute, external, hidden or not a page.
    ['sources/a.md', '../../etc/passwd.md', null],
    ['sources/a.md', '../../../x.md', null],
    ['index.md', '../x.md', null],
    ['index.md', '/etc/passwd.md', null],
    ['index.md', '%2e%2e/%2e%2e/x.md', null],
    ['index.md', '..%2f..%2fx.md', null],
    ['index.md', 'https://example.com/a.md', null],
    ['index.md', '//example.com/a.md', null],
    ['index.md', 'javascript:alert(1)//.md', null],
    ['index.md', 'C:\\x.md', null],
    ['index.md', 'a\\..\\..\\x.md', null],
    ['index.md', 'a%00.md', null],
    ['index.md', '.gleaner/state.md', null],
    ['index.md', 'concepts/trie', null],
    ['index.md', 'image.png', null],
    ['index.md', '%E0%A4%A.md', null],
    ['index.md', '', null],
  ];
  for (const [from, href, expected] of cases) {
    it(`${href} from ${from} → ${String(expected)}`, () =>
      assert.equal(resolveWikiLink(from, href), expected));
  }
});

describe('isPagePath', () => {
  it('accepts relative Markdown paths and refuses the rest', () => {
    for (const ok of ['index.md', 'concepts/trie.md', 'skills/x/SKILL.md', 'raw/a/2024-01-01-x-0a1b2c3d.md'])
      assert.ok(isPagePath(ok), ok);
    for (const bad of [
      '',
      '/etc/passwd.md',
      '../x.md',
      'a/../x.md',
      'a/./x.md',
      'a//x.md',
      '.gleaner/x.md',
      'a/.obsidian/x.md',
      'a\\x.md',
      'a\0.md',
      'a\nb.md',
      'x.txt',
      `${'a/'.repeat(600)}x.md`,
    ])
      assert.ok(!isPagePath(bad), JSON.stringify(bad));
  });
});

describe('splitFrontMatter', () => {
  it('reads scalars, dates and lists, and leaves the body', () => {
    const { frontMatter, body } = splitFrontMatter(
      '---\ntitle: "Tries"\nkind: concept\npublished: 2024-09-10\ntags: [a, b]\nnested: {x: 1}\n---\n# Tries\n',
    );
    assert.deepEqual(frontMatter, { title: 'Tries', kind: 'concept', published: '2024-09-10', tags: 'a, b' });
    assert.equal(body, '# Tries\n');
  });

  it('takes a page without front matter, or with broken YAML, as all body', () => {
    assert.deepEqual(splitFrontMatter('# Just text\n'), { frontMatter: {}, body: '# Just text\n' });
    const broken = splitFrontMatter('---\ntitle: [unclosed\n---\nbody\n');
    assert.deepEqual(broken.frontMatter, {});
    assert.equal(broken.body, 'body\n');
    // Never closed: the whole file is the body.
    assert.equal(splitFrontMatter('---\ntitle: x\nbody\n').body, '---\ntitle: x\nbody\n');
  });

  it('refuses YAML aliases (the billion-laughs bomb)', () => {
    const bomb = '---\na: &a [x, x, x]\nb: [*a, *a, *a]\ntitle: Bomb\n---\nbody\n';
    assert.deepEqual(splitFrontMatter(bomb).frontMatter, {});
  });
});

describe('parsePage', () => {
  it('takes the title from front matter, a skill name, the first heading or the file name', () => {
    assert.equal(parsePage('concepts/a.md', '---\ntitle: Given\n---\n# Heading\n').title, 'Given');
    assert.equal(parsePage('skills/x/SKILL.md', '---\nname: x-skill\n---\nbody').title, 'x-skill');
    assert.equal(parsePage('concepts/a.md', 'intro\n\n# Heading\n').title, 'Heading');
    assert.equal(parsePage('concepts/a-b.md', 'no heading').title, 'a-b');
    assert.equal(parsePage('skills/y/SKILL.md', 'no heading').title, 'y');
  });

  it('takes the kind from front matter, else from the folder', () => {
    assert.equal(parsePage('concepts/a.md', '---\nkind: pattern\n---\n').kind, 'pattern');
    assert.equal(parsePage('concepts/a.md', '---\nkind: nonsense\n---\n').kind, 'concept');
    assert.equal(parsePage('companies/a.md', '').kind, 'company');
    assert.equal(parsePage('index.md', '').kind, 'index');
    assert.equal(parsePage('elsewhere/a.md', '').kind, 'other');
  });

  it('lists each linked page once, never itself', () => {
    const page = parsePage(
      'sources/s.md',
      '[a](../concepts/a.md) [again](../concepts/a.md#x) [self](s.md) [<b>](<../systems/b c.md> "t") [out](https://x.example/)',
    );
    assert.deepEqual(page.links, ['concepts/a.md', 'systems/b c.md']);
  });

  it('drops the first heading only when it repeats the title', () => {
    assert.equal(bodyWithoutTitle(parsePage('a.md', '---\ntitle: Tries\n---\n# Tries\n\nText')), '\nText');
    assert.equal(bodyWithoutTitle(parsePage('a.md', '---\ntitle: Tries\n---\n# Other\n')), '# Other\n');
  });
});

describe('sections', () => {
  it('splits on level-2 headings, by lower-cased name', () => {
    const parts = sections('# T\n\n## Summary¶\n\nS.\n\n### Deeper\n\nD.\n\n## Key Takeaways\n\n- K\n');
    assert.deepEqual([...parts.keys()], ['summary', 'key takeaways']);
    assert.match(parts.get('summary') ?? '', /S\.\n\n### Deeper\n\nD\./);
    assert.equal(parts.get('key takeaways')?.trim(), '- K');
  });
});

describe('renderMarkdown', () => {
  it('makes links between pages /wiki routes and encodes their names', () => {
    const out = renderMarkdown('[c](../concepts/%E7%BC%93%E5%AD%98.md#x) [s](<../a b.md>)', 'sources/s.md');
    assert.match(out, /<a href="\/wiki\/concepts\/%E7%BC%93%E5%AD%98#x" class="wiki-link">c<\/a>/);
    assert.match(out, /<a href="\/wiki\/a%20b" class="wiki-link">s<\/a>/);
    assert.equal(wikiHref('skills/x/SKILL.md'), '/wiki/skills/x/SKILL');
  });

  it('renders generated hostile input inert and never throws', () => {
    const random = prng(7);
    const pieces = [
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '[x](javascript:alert(1))',
      '[x](../../../etc/passwd.md)',
      '<a href="javascript:alert(1)">a</a>',
      '<iframe src="https://evil.example/">',
      '<style>body{}</style>',
      '<div style="x" onclick="y">',
      '```\n<script>\n```',
      '<svg onload=alert(1)>',
      '[x](data:text/html;base64,PHNjcmlwdD4=)',
      '> quote',
      '| a | b |\n|---|---|\n| <b onmouseover=1>c</b> | d |',
      '![i](javascript:x)',
      '<',
      '`',
      '\0',
      '\n\n',
      '# h',
      '[[wiki]]',
      '<!-- comment -->',
      '<form action="/logout"><button>',
    ];
    for (let i = 0; i < 300; i++) {
      const text = Array.from({ length: 1 + Math.floor(random() * 12) }, () => {
        const p = pieces[Math.floor(random() * pieces.length)] as string;
        return random() < 0.3 ? p.slice(0, Math.floor(random() * p.length)) : p;
      }).join(random() < 0.5 ? '\n' : ' ');
      const out = renderMarkdown(text, 'concepts/x.md');
      // Text may say anything (it is escaped); tags may carry nothing active.
      for (const tag of out.match(/<[a-z][^>]*>/gi) ?? [])
        assert.doesNotMatch(
          tag,
          /^<(script|iframe|style|svg|form|button)\b|\son\w+=|="\s*(javascript|data):|style=/i,
          text,
        );
      parsePage('concepts/x.md', text);
    }
  });
});
