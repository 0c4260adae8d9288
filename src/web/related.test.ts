// Related posts over a real store: best first, only the reader's own feeds, one per link.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PreparedEntry } from '../model/index.js';
import { openSqliteStore } from '../store/sqlite.js';
import { DEFAULT_FETCH_OPTIONS } from '../subscribe/index.js';
import type { EntryView, Store } from '../store/index.js';
import { fetchedUpdate } from '../testing/fetched.js';
import { relatedEntries } from './related.js';

const T0 = Date.UTC(2026, 0, 1);

function entry(
  feed: string,
  n: number,
  tags: string[],
  link = `https://${feed}.example/${n}`,
  // One word of its own: titles share nothing unless a test gives them words.
  title = `${feed}${n}`,
): PreparedEntry {
  return {
    guid: `${feed}-${n}`,
    link,
    title,
    author: null,
    contentHtml: `<p>${n}</p>`,
    contentText: `${n}`,
    summaryText: `${n}`,
    readingMinutes: 1,
    publishedAt: T0 + n * 60_000,
    updatedAt: null,
    categories: tags,
    enclosures: [],
    imageUrl: null,
    commentsUrl: null,
    language: null,
    dedupeKey: `g:${feed}-${n}`,
    contentHash: `h-${feed}-${n}`,
  };
}

/** A feed the user subscribes to, fetched once with these entries. */
async function addFeed(store: Store, name: string, userId: number, entries: PreparedEntry[]): Promise<void> {
  const f = await store.ensureFeed(`https://${name}.example/feed`, DEFAULT_FETCH_OPTIONS, T0);
  await store.subscribe(userId, f.id, { folderId: null, title: null }, T0);
  await store.recordFetchSuccess(f.id, fetchedUpdate(T0, name), entries);
}

describe('related posts', () => {
  let dir: string;
  let store: Store;
  let article: EntryView;
  let reader: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gleaner-related-'));
    store = openSqliteStore(join(dir, 'test.db'));
    const ada = await store.createUser('ada', { isAdmin: false }, T0);
    const bob = await store.createUser('bob', { isAdmin: false }, T0);
    reader = ada.id;
    const feed = (name: string, userId: number, entries: PreparedEntry[]) =>
      addFeed(store, name, userId, entries);
    // Ada's feed: the article, two posts sharing both its tags, two sharing one, one sharing none,
    // and a copy of a post under another guid (the same link).
    await feed('mine', ada.id, [
      entry('mine', 1, ['rust', 'perf']),
      entry('mine', 2, ['rust', 'perf']),
      entry('mine', 3, ['rust']),
      entry('mine', 4, ['perf']),
      entry('mine', 5, ['cooking']),
      entry('mine', 6, ['rust', 'perf'], 'https://mine.example/2'),
      entry('mine', 7, ['rust', 'perf']),
    ]);
    // Bob's feed, newer and sharing both tags: the first candidates, none of them Ada's.
    await feed(
      'theirs',
      bob.id,
      Array.from({ length: 12 }, (_, i) => entry('theirs', 100 + i, ['rust', 'perf'])),
    );
    const all = await store.queryEntries({ userId: ada.id, limit: 20 });
    const found = all.find((v) => v.entry.title === 'mine7');
    assert.ok(found);
    article = found;
  });

  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the reader’s own entries sharing the most tags first, then the newest, each link once', async () => {
    const related = await relatedEntries(store, reader, article.entry, ['rust', 'perf'], 5);
    assert.deepEqual(
      related.map((v) => v.entry.title),
      ['mine6', 'mine1', 'mine4', 'mine3'],
    );
  });

  it('keeps to the limit, and to nothing for an entry sharing neither tags nor words', async () => {
    const two = await relatedEntries(store, reader, article.entry, ['rust', 'perf'], 2);
    assert.deepEqual(
      two.map((v) => v.entry.title),
      ['mine6', 'mine1'],
    );
    assert.deepEqual(await relatedEntries(store, reader, article.entry, [], 5), []);
  });
});

describe('related posts by the words of their titles', () => {
  let dir: string;
  let store: Store;
  let reader: number;
  const titled = (n: number, title: string, tags: string[] = []): PreparedEntry =>
    entry('words', n, tags, undefined, title);
  const related = async (title: string, tags: string[] = []): Promise<string[]> => {
    const all = await store.queryEntries({ userId: reader, limit: 50 });
    const article = all.find((v) => v.entry.title === title);
    assert.ok(article, title);
    return (await relatedEntries(store, reader, article.entry, tags, 5)).map((v) => v.entry.title);
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gleaner-related-words-'));
    store = openSqliteStore(join(dir, 'test.db'));
    reader = (await store.createUser('ada', { isAdmin: false }, T0)).id;
    await addFeed(store, 'words', reader, [
      titled(0, 'A tour of the Rust compiler and its checker', ['rust', 'compilers']),
      titled(1, 'Taming the borrow checker in Rust', ['rust', 'compilers']),
      titled(2, 'The borrow checker, explained'),
      titled(3, 'Borrowed time: the Rust roadmap for 2027'),
      titled(4, 'Baking sourdough at home'),
      titled(6, '苹果发布新的人工智能模型'),
      titled(7, '人工智能的未来'),
      titled(8, '今天的天气'),
    ]);
  });

  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('relates entries without tags by the words their titles share, most first', async () => {
    // Two words shared ("borrow" and "checker") before one; "Borrowed" counts (stemmed), stopwords never.
    assert.deepEqual(await related('The borrow checker, explained'), [
      'Taming the borrow checker in Rust',
      'Borrowed time: the Rust roadmap for 2027',
      'A tour of the Rust compiler and its checker',
    ]);
    assert.deepEqual(await related('Baking sourdough at home'), []);
  });

  it('counts a shared tag and a shared word alike, and adds them up, when the tags find too few', async () => {
    // Its words: the three longest ("checker", "taming", "borrow"). The compiler tour, oldest,
    // shares both tags and "checker"; the explainer two words; the roadmap "borrow" (stemmed).
    assert.deepEqual(await related('Taming the borrow checker in Rust', ['rust', 'compilers']), [
      'A tour of the Rust compiler and its checker',
      'The borrow checker, explained',
      'Borrowed time: the Rust roadmap for 2027',
    ]);
  });

  it('relates Chinese titles by the character pairs they share', async () => {
    assert.deepEqual(await related('人工智能的未来'), ['苹果发布新的人工智能模型']);
  });

  it('takes any title without a query error: its words are quoted for the index', async () => {
    const hostile = [
      'NEAR(a b) AND OR NOT * ^title',
      'title: body: feed: f1 "quoted" \'single\'',
      '"unbalanced ( quote',
      "a_b c-d e's ___ --- 123 4567",
      '😀 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 Ünïcödé ǅemal',
      '"; DROP TABLE entries; --',
      '',
    ];
    for (const title of hostile) {
      const related = await relatedEntries(
        store,
        reader,
        { ...entry('words', 999, [], undefined, title), id: -1, feedId: 0, createdAt: T0 },
        [],
        5,
      );
      assert.ok(Array.isArray(related), title);
    }
  });
});
