import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { X509Certificate } from 'node:crypto';
import { makeCertificate, opensslSkipReason } from '../testing/certificates.js';
import { relativeTime } from '../model/time.js';
import { fetchedWith } from './feeds.js';
import { DEFAULT_FETCH_OPTIONS } from '../subscribe/index.js';

describe('gleaner feeds: relative times', () => {
  const now = Date.UTC(2026, 11, 6, 12);
  const hours = (h: number): number => h * 3_600_000;

  it('writes whole units, rounded down, past and future', () => {
    assert.equal(relativeTime(null, now), 'never');
    assert.equal(relativeTime(now, now), 'now');
    assert.equal(relativeTime(now - 2_500, now), '2 s ago');
    assert.equal(relativeTime(now + 90_000, now), 'in 1 min');
    assert.equal(relativeTime(now - hours(2.9), now), '2 h ago');
    assert.equal(relativeTime(now + hours(23.6), now), 'in 23 h');
    assert.equal(relativeTime(now + hours(24.3), now), 'in 1 d');
    assert.equal(relativeTime(now - hours(24 * 9.9), now), '9 d ago');
    assert.equal(relativeTime(Infinity, now), 'never');
  });
});

describe('gleaner feeds: fetch options', () => {
  it('names what a feed is fetched with, never the secrets themselves', () => {
    const none = DEFAULT_FETCH_OPTIONS;
    assert.deepEqual(fetchedWith(none), []);
    const all = {
      userAgent: 'UA/1',
      cookie: 's=secret',
      username: 'u',
      password: 'pw',
      fetchFullArticle: true,
      articleSelector: 'article .body',
      ignoreHttpCache: true,
      removeSelector: '.share',
      fetchViaProxy: true,
      trustedCertificate: null,
      scrape: {
        items: 'article',
        title: null,
        link: 'h2 a',
        content: null,
        date: null,
        author: null,
        categories: null,
      },
      rewriteRules: 'add_image_title, replace("a"|"b")',
    };
    assert.deepEqual(fetchedWith(all), [
      'its own user agent',
      'a cookie',
      'credentials',
      'full articles',
      'article selector "article .body"',
      'remove selector ".share"',
      'no HTTP caching',
      'the feed proxy',
      'rewrite rules add_image_title, replace("a"|"b")',
      'entries read off the page: items "article", link "h2 a"',
    ]);
    assert.doesNotMatch(fetchedWith(all).join(), /secret|pw|UA\/1/);
    assert.deepEqual(fetchedWith({ ...none, password: 'pw' }), ['credentials']);
  });

  it('names a trusted certificate by its fingerprint', { skip: opensslSkipReason() }, () => {
    const { cert } = makeCertificate('nas.test', ['DNS:nas.test']);
    const fingerprint = new X509Certificate(cert).fingerprint256;
    assert.match(fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.deepEqual(fetchedWith({ ...DEFAULT_FETCH_OPTIONS, trustedCertificate: cert }), [
      `its own trusted certificate (SHA-256 ${fingerprint})`,
    ]);
  });
});
