// Entries kept in memory for the client APIs' lists (entrycache.ts): which are kept, for whom,
// and which go first.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Entry } from '../model/index.js';
import { EntryCache } from './entrycache.js';
import type { EntryView } from './types.js';

function view(id: number, changedAt: number, over: Partial<Entry> = {}, body = `"body ${id}"`): EntryView {
  return {
    entry: {
      id,
      feedId: 1,
      guid: null,
      link: `https://example.com/${id}`,
      title: `Entry ${id}`,
      author: null,
      contentHtml: '',
      summaryText: '',
      readingMinutes: 1,
      publishedAt: 0,
      updatedAt: null,
      createdAt: 0,
      categories: ['x'],
      enclosures: [],
      imageUrl: null,
      commentsUrl: null,
      language: null,
      dedupeKey: '',
      contentHash: 'h',
      ...over,
    },
    read: false,
    starred: false,
    readLater: false,
    changedAt,
    contentJson: body,
  };
}

const USER = 7;

describe('entries kept in memory', () => {
  it('keeps an entry the second time it is read, and gives it for the change time it was read at', () => {
    const cache = new EntryCache(1 << 20);
    cache.offer('entry', USER, view(1, 100));
    assert.equal(cache.get('entry', 1, USER, 100), undefined, 'read once: not kept');
    cache.offer('entry', USER, view(1, 100));
    const kept = cache.get('entry', 1, USER, 100);
    assert.equal(kept?.entry.title, 'Entry 1');
    assert.equal(Buffer.from(kept?.body ?? []).toString(), '"body 1"');
    assert.equal(cache.get('entry', 1, USER, 101), undefined, 'changed since');
    assert.equal(cache.get('entry', 1, USER + 1, 100), undefined, 'another reader');
    assert.equal(cache.get('item', 1, USER, 100), undefined, 'another shape');
  });

  it('gives way to a new version, and serves another reader the same copy once read for them', () => {
    const cache = new EntryCache(1 << 20);
    for (let i = 0; i < 2; i++) cache.offer('entry', USER, view(1, 100));
    cache.offer('entry', USER + 1, view(1, 50));
    assert.ok(
      cache.get('entry', 1, USER, 100) && cache.get('entry', 1, USER + 1, 50),
      'one copy, both readers',
    );
    assert.equal(cache.size.count, 1);
    cache.offer('entry', USER + 1, view(1, 60, { title: 'Edited' }));
    assert.equal(cache.get('entry', 1, USER + 1, 60)?.entry.title, 'Edited');
    assert.equal(cache.get('entry', 1, USER, 100), undefined, 'the old copy is gone for everyone');
    cache.offer('entry', USER, view(1, 110, {}, '"new body"'));
    assert.equal(cache.get('entry', 1, USER + 1, 60), undefined, 'a new body is a new version');
  });

  it('lets the entries kept longest go first once past its budget, but for those listed since', () => {
    const body = (id: number): string => `"${String(id).repeat(1000)}"`;
    // Room for three entries of ~1 KB and what they cost besides.
    const cache = new EntryCache(3 * 2100);
    const keep = (id: number): void => {
      for (let i = 0; i < 2; i++) cache.offer('entry', USER, view(id, 1, {}, body(id)));
    };
    [1, 2, 3].forEach(keep);
    assert.equal(cache.size.count, 3);
    assert.ok(cache.get('entry', 1, USER, 1), '1 is now the most recently listed');
    keep(4);
    assert.equal(cache.size.count, 3);
    assert.ok(cache.size.bytes <= 3 * 2100, `${cache.size.bytes} bytes`);
    assert.equal(cache.get('entry', 2, USER, 1), undefined, 'the oldest went');
    for (const id of [1, 3, 4]) assert.ok(cache.get('entry', id, USER, 1), `${id} stayed`);
  });

  it('keeps nothing with no budget, nor an entry larger than it', () => {
    const none = new EntryCache(0);
    for (let i = 0; i < 3; i++) none.offer('entry', USER, view(1, 1));
    assert.equal(none.size.count, 0);
    const small = new EntryCache(1500);
    for (let i = 0; i < 3; i++) small.offer('entry', USER, view(1, 1, {}, `"${'x'.repeat(600)}"`));
    assert.equal(small.size.count, 0);
  });
});
