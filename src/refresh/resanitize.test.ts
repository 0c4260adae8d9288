import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sanitizeHtml } from '../content/sanitize.js';
import type { Store } from '../store/index.js';
import { openSqliteStore } from '../store/sqlite.js';
import { DEFAULT_FETCH_OPTIONS } from '../subscribe/index.js';
import { fetchedUpdate, preparedEntry } from '../testing/fetched.js';
import { resanitizeStored } from './resanitize.js';

const NOW = Date.UTC(2026, 11, 7, 12);

describe('resanitizeStored', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gleaner-resanitize-'));
  const path = join(dir, 'resanitize.db');
  let store: Store;
  let userId: number;
  let feedId: number;
  // What an older sanitizer let through, stored as it was: an event handler, a script, a frame.
  const hostile =
    '<p>Kept <a href="https://site.example/x">text</a>.</p><img src="https://cdn.example/a.png" onerror="alert(1)">' +
    '<script>zorblax(2)</script><iframe src="https://evil.example/"></iframe>';
  const clean = sanitizeHtml('<p>Already <b>clean</b>.</p>', 'https://site.example/b');

  before(async () => {
    store = openSqliteStore(path);
    const user = await store.createUser('resanitized', { isAdmin: false }, NOW);
    userId = user.id;
    const feed = await store.ensureFeed('https://site.example/feed', DEFAULT_FETCH_OPTIONS, NOW);
    feedId = feed.id;
    await store.subscribe(userId, feedId, { folderId: null, title: null }, NOW);
    await store.recordFetchSuccess(feedId, fetchedUpdate(NOW), [
      preparedEntry('a', { publishedAt: NOW - 2 }),
      preparedEntry('b', { publishedAt: NOW - 1, contentHtml: clean }),
      preparedEntry('c', { publishedAt: NOW }),
    ]);
    const [first] = (await store.queryEntries({ userId, feedId, limit: 3, order: 'oldest' })).map(
      (v) => v.entry.id,
    );
    assert.ok(first !== undefined);
    // Its text as that sanitizer made it, the script's words in it.
    const text = 'Kept text. zorblax';
    await store.replaceEntryContent(first, { html: hostile, text, readingMinutes: 1 }, NOW);
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** `store`, with the id each read of bodies starts after pushed onto `asked`. */
  const countingReads = (target: Store, asked: number[]): Store =>
    new Proxy(target, {
      get(t, name, receiver) {
        if (name !== 'entryBodies') return Reflect.get(t, name, receiver) as unknown;
        return (afterId: number, limit: number) => {
          asked.push(afterId);
          return t.entryBodies(afterId, limit);
        };
      },
    });
  const views = async () => store.queryEntries({ userId, feedId, limit: 3, order: 'oldest' });
  const found = async (text: string) =>
    (await store.searchEntries({ userId, feedId, text, sort: 'relevance', limit: 5, offset: 0 })).length;

  it('runs every stored body through the sanitizer again, a step at a time, rewriting those it changes', async () => {
    const before = await views();
    assert.match(before[0]?.entry.contentHtml ?? '', /onerror="alert\(1\)"/, 'stored as it came');
    assert.equal(await found('zorblax'), 1);
    const asked: number[] = [];
    const counting = countingReads(store, asked);
    const done: number[] = [];
    const first = resanitizeStored(
      counting,
      () => NOW + 10,
      (n) => done.push(n),
      { step: 1, version: 7 },
    );
    assert.equal(await first(), true, 'one body of three: more to do');
    // Stopped there (a restart), a new pass goes on from where the last step left off.
    const resumed = resanitizeStored(
      counting,
      () => NOW + 10,
      (n) => done.push(n),
      { step: 1, version: 7 },
    );
    const steps: boolean[] = [];
    for (let more = true; more;) {
      more = await resumed();
      steps.push(more);
    }
    const ids = before.map((v) => v.entry.id);
    assert.deepEqual(asked, [0, ids[0], ids[1], ids[2]], 'each body read once, in id order');
    assert.deepEqual(steps, [true, true, false]);
    assert.deepEqual(done, [0], 'the second pass rewrote nothing: the first step had done the one');

    const after = await views();
    const html = after[0]?.entry.contentHtml ?? '';
    assert.doesNotMatch(html, /onerror|<script|alert|zorblax|<iframe|evil\.example/);
    assert.match(html, /<p>Kept <a href="https:\/\/site\.example\/x"[^>]*>text<\/a>\.<\/p>/);
    assert.match(html, /<img src="https:\/\/cdn\.example\/a\.png"/);
    assert.equal(after[1]?.entry.contentHtml, clean, 'a clean body as it was');
    assert.equal(await found('zorblax'), 0, 'the search index holds the text the body now shows');
    assert.equal(await found('kept'), 1);
    assert.deepEqual(
      after.map((v) => v.changedAt > (before.find((b) => b.entry.id === v.entry.id)?.changedAt ?? 0)),
      [true, false, false],
      'only the rewritten entry is a change for its readers',
    );
  });

  it('does nothing more once every body has been through this version, across restarts', async () => {
    const again = resanitizeStored(store, () => NOW + 20, undefined, { step: 1, version: 7 });
    assert.equal(await again(), false);
    const before = await views();
    const next = resanitizeStored(store, () => NOW + 30, undefined, {
      step: 100,
      version: 8,
      budgetMs: Infinity,
    });
    assert.equal(await next(), false, 'a new version: one step over three bodies');
    assert.deepEqual(
      (await views()).map((v) => [v.entry.contentHtml, v.changedAt]),
      before.map((v) => [v.entry.contentHtml, v.changedAt]),
      'the sanitizer gives its own output back: nothing rewritten',
    );
  });

  it('stops a step where its time is spent, and goes on from there at the next', async () => {
    const before = await views();
    const asked: number[] = [];
    const counting = countingReads(store, asked);
    // No time at all: each step reads a page of bodies, and gets through one.
    const spent = resanitizeStored(counting, () => NOW + 40, undefined, {
      step: 100,
      version: 9,
      budgetMs: 0,
    });
    const steps: boolean[] = [];
    for (let more = true; more;) {
      more = await spent();
      steps.push(more);
    }
    const ids = before.map((v) => v.entry.id);
    assert.deepEqual(steps, [true, true, false]);
    assert.deepEqual(asked, [0, ids[0], ids[1]], 'each step from the body after the last one it got through');
  });
});
