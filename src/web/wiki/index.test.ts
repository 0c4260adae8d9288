// The wiki folder kept up to date: a page renamed into place shows at the next check, one edited in
// place at the next full walk (done behind the request that notices it is due), unchanged pages are
// not read again, and a folder that appears later is picked up.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openWiki } from './index.js';

describe('openWiki', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'gleaner-wiki-open-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('sees renames at the next check and in-place edits at the next full walk', async () => {
    const dir = join(root, 'vault');
    mkdirSync(join(dir, 'concepts'), { recursive: true });
    const page = join(dir, 'concepts', 'a.md');
    writeFileSync(page, '---\ntitle: First\n---\nx\n');
    writeFileSync(join(dir, 'concepts', 'b.md'), '---\ntitle: Other\n---\n[a](a.md)\n');
    let now = 1_000_000;
    const wiki = openWiki(dir, () => now);

    const first = await wiki.snapshot();
    assert.equal(first.pages.get('concepts/a.md')?.title, 'First');
    assert.deepEqual(
      first.backlinks('concepts/a.md').map((p) => p.path),
      ['concepts/b.md'],
    );

    // Renamed into place, as the builder writes: the folder's mtime changes.
    writeFileSync(join(dir, 'concepts', '.tmp'), '---\ntitle: Second\n---\nx\n');
    renameSync(join(dir, 'concepts', '.tmp'), page);
    assert.equal(
      (await wiki.snapshot()).pages.get('concepts/a.md')?.title,
      'First',
      'not looked at within a second',
    );
    now += 1_500;
    const second = await wiki.snapshot();
    assert.equal(second.pages.get('concepts/a.md')?.title, 'Second');
    assert.equal(
      second.pages.get('concepts/b.md'),
      first.pages.get('concepts/b.md'),
      'an unchanged page is kept',
    );

    // Edited in place, the folder's mtime as it was: only a full walk sees it.
    const fixed = new Date('2024-01-01T00:00:00Z');
    utimesSync(join(dir, 'concepts'), fixed, fixed);
    now += 1_500;
    assert.equal((await wiki.snapshot()).pages.get('concepts/a.md')?.title, 'Second');
    writeFileSync(page, '---\ntitle: Third, longer\n---\nx\n');
    utimesSync(join(dir, 'concepts'), fixed, fixed);
    now += 1_500;
    assert.equal((await wiki.snapshot()).pages.get('concepts/a.md')?.title, 'Second');
    now += 30_000;
    // The request that finds the walk due is answered from what is known; the next one waits for it.
    assert.equal((await wiki.snapshot()).pages.get('concepts/a.md')?.title, 'Second');
    now += 1_500;
    assert.equal((await wiki.snapshot()).pages.get('concepts/a.md')?.title, 'Third, longer');
  });

  it('has no pages while the folder is missing, and picks it up once built', async () => {
    const dir = join(root, 'later');
    let now = 0;
    const wiki = openWiki(dir, () => now);
    const empty = await wiki.snapshot();
    assert.equal(empty.exists, false);
    assert.equal(empty.pages.size, 0);
    assert.equal(empty.sourceFor('https://x.example/', 1), null);

    mkdirSync(join(dir, 'sources'), { recursive: true });
    mkdirSync(join(dir, '.gleaner'));
    writeFileSync(join(dir, 'sources', 's.md'), '---\ntitle: S\nkind: source\n---\n## Summary\n\nShort.\n');
    writeFileSync(
      join(dir, '.gleaner', 'state.json'),
      JSON.stringify({
        version: 1,
        articles: {
          'https://x.example/': { entryId: 7, hash: 'h', raw: 'raw/r.md', source: 'sources/s.md' },
          'https://escape.example/': { entryId: 8, hash: 'h', raw: 'raw/r.md', source: '../outside.md' },
          'https://broken.example/': null,
        },
      }),
    );
    now += 1_500;
    const built = await wiki.snapshot();
    assert.equal(built.exists, true);
    assert.equal(built.sourceFor('https://x.example/', 0)?.title, 'S');
    assert.equal(built.sourceFor('https://moved.example/', 7)?.title, 'S', 'by entry id');
    assert.equal(
      built.sourceFor('https://escape.example/', 8),
      null,
      'a source outside the folder is ignored',
    );
    assert.equal(built.sourceFor('https://broken.example/', 9), null);
  });

  it('has no pages when the folder is a file, every time it is asked', async () => {
    const file = join(root, 'not-a-folder');
    writeFileSync(file, 'x');
    let now = 0;
    const wiki = openWiki(file, () => now);
    for (let i = 0; i < 3; i++) {
      // The first look walks; those within a second only look for a finished build.
      const snapshot = await wiki.snapshot();
      assert.equal(snapshot.exists, false);
      assert.equal(snapshot.pages.size, 0);
      now += 400;
    }
  });
});
