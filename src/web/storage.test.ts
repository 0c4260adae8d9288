// A full database over real HTTP: SQLite at its size limit refuses writes as on a full disk. The
// reader says so (503, Retry-After, a message the operator can act on), keeps every change it had
// confirmed, and goes on serving pages.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { startWebApp, type WebApp, type WebClient } from './testing.js';

describe('a full database', () => {
  let web: WebApp;
  let ann: WebClient;

  before(async () => {
    web = await startWebApp({ sqlite: { maxMiB: 1 } });
    ann = await web.login('ann', 'correct horse battery');
    // Filled to the brim: folders with long names until SQLite refuses one.
    for (let i = 0; ; i++) {
      try {
        await web.store.ensureFolder(ann.user.id, `${i} ${'x'.repeat(2000)}`);
      } catch (err) {
        assert.equal((err as { code?: string }).code, 'SQLITE_FULL');
        break;
      }
      assert.ok(i < 10_000, 'the size limit was never reached');
    }
  });
  after(() => web.close());

  it('answers a write it cannot store with 503 and why, and keeps what it confirmed', async () => {
    const confirmed: string[] = [];
    let refused = null;
    for (let i = 0; i < 500 && !refused; i++) {
      const target = `search:${i} ${'y'.repeat(400)}`;
      const res = await ann.postJson('/publications', { target });
      if (res.status === 200) confirmed.push(res.json<{ slug: string }>().slug);
      else refused = res;
    }
    assert.ok(refused, 'no write was refused');
    assert.equal(refused.status, 503, refused.body);
    assert.equal(refused.headers.get('retry-after'), '60');
    assert.match(
      refused.json<{ error: string }>().error,
      /database is full.*nothing already stored was lost/,
    );
    const kept = (await web.store.listPublications(ann.user.id)).map((p) => p.slug);
    assert.deepEqual(kept.sort(), confirmed.sort());

    // A browser's form gets the page, with the same words.
    const page = await ann.post('/publications', { target: `search:form ${'z'.repeat(400)}` });
    assert.equal(page.status, 503);
    assert.match(page.body, /database is full/);
    assert.equal((await web.store.listPublications(ann.user.id)).length, confirmed.length);
  });

  it('goes on serving what it has', async () => {
    assert.equal((await ann.get('/unread')).status, 200);
    assert.equal((await ann.get('/settings/publications')).status, 200);
  });
});
