import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import { GleanerError } from '../model/errors.js';
import { createDigestPool, digestFeed, type DigestRequest } from './digest.js';

const NOW = Date.UTC(2026, 10, 23);
const request = (body: string, url = 'https://blog.example/feed.xml'): DigestRequest => ({
  body: Buffer.from(body),
  url,
  contentType: 'application/rss+xml',
  maxBytes: 1 << 20,
  now: NOW,
});
const FEED =
  '<rss version="2.0"><channel><title>Pool</title><item><title>A &amp; B</title><link>/a?utm_source=x</link>' +
  '<guid>a</guid><description>&lt;p onclick="x()"&gt;Hi&lt;/p&gt;&lt;script&gt;bad()&lt;/script&gt;</description></item></channel></rss>';

describe('digest pool', () => {
  const pool = createDigestPool(2);
  after(() => pool.close());

  it('gives on worker threads exactly what digestFeed gives in-process', async () => {
    const inProcess = digestFeed(request(FEED));
    const pooled = await pool.digest(request(FEED));
    assert.deepEqual(pooled, inProcess);
    assert.equal(pooled.entries[0]?.contentHtml, '<p>Hi</p>');
    assert.equal(pooled.entries[0]?.link, 'https://blog.example/a');
  });

  it('answers many requests at once, each with its own result', async () => {
    const docs = Array.from({ length: 20 }, (_, i) =>
      FEED.replace('<title>Pool</title>', `<title>Feed ${i}</title>`),
    );
    const results = await Promise.all(docs.map((d) => pool.digest(request(d))));
    assert.deepEqual(
      results.map((r) => r.feed.title),
      docs.map((_, i) => `Feed ${i}`),
    );
  });

  it('takes a body that is all of its memory, and copies a view on shared memory', async () => {
    // A feed above Buffer's pool size: Buffer.concat gives it an ArrayBuffer of its own.
    const items = Array.from(
      { length: 200 },
      (_, i) => `<item><guid>${i}</guid><title>Item ${i}</title></item>`,
    );
    const big = FEED.replace('</channel>', `${items.join('')}</channel>`);
    const own = Buffer.concat([Buffer.from(big)]);
    assert.equal(own.byteLength, own.buffer.byteLength);
    const taken = await pool.digest({ ...request(big), body: own });
    assert.equal(taken.entries.length, 201);
    assert.equal(own.byteLength, 0, 'the body was handed over, not copied');

    // A small buffer is a view on Buffer's pool, which other buffers share.
    const small = Buffer.from(FEED);
    const neighbour = Buffer.from('a neighbour in the same pool');
    assert.ok(small.byteLength < small.buffer.byteLength);
    const copied = await pool.digest({ ...request(FEED), body: small });
    assert.equal(copied.entries.length, 1);
    assert.equal(small.toString(), FEED);
    assert.equal(neighbour.toString(), 'a neighbour in the same pool');
  });

  it('carries errors back as the same GleanerError', async () => {
    await assert.rejects(pool.digest(request('<html><body>a page</body></html>')), (err: unknown) => {
      return err instanceof GleanerError && err.code === 'PARSE_NOT_A_FEED' && /not a feed/.test(err.message);
    });
    await assert.rejects(pool.digest({ ...request(FEED), maxBytes: 10 }), (err: unknown) => {
      return err instanceof GleanerError && err.code === 'PARSE_TOO_LARGE';
    });
  });
});
