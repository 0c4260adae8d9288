import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FetchError } from './errors.js';
import {
  MAX_RETRY_AFTER_SECONDS,
  parseFeedUrl,
  parseHttpDate,
  parseMaxAge,
  parseRetryAfter,
  redirectTarget,
  secretsGoTo,
} from './http.js';

const NOW = Date.parse('2025-01-01T00:00:00Z');

describe('parseRetryAfter', () => {
  const cases: Array<[string | null, number | null]> = [
    ['120', 120],
    [' 0 ', 0],
    ['Wed, 01 Jan 2025 00:02:00 GMT', 120],
    ['Wed, 01 Jan 2025 00:00:00 GMT', 0],
    ['Tue, 31 Dec 2024 23:00:00 GMT', 0],
    // Longer than a week, for ever, or too large to read: a week.
    ['604801', MAX_RETRY_AFTER_SECONDS],
    ['99999999999', MAX_RETRY_AFTER_SECONDS],
    ['9'.repeat(400), MAX_RETRY_AFTER_SECONDS],
    ['Fri, 01 Jan 9999 00:00:00 GMT', MAX_RETRY_AFTER_SECONDS],
    ['-5', null],
    ['soon', null],
    ['', null],
    [null, null],
  ];
  for (const [value, expected] of cases) {
    it(`reads ${JSON.stringify(value)} as ${expected}`, () =>
      assert.equal(parseRetryAfter(value, NOW), expected));
  }
});

describe('parseMaxAge', () => {
  const cases: Array<[string | null, number | null]> = [
    ['max-age=300', 300],
    ['public, max-age=60, must-revalidate', 60],
    ['MAX-AGE="90"', 90],
    ['s-maxage=100', null],
    ['no-cache', null],
    ['max-age=abc', null],
    [null, null],
  ];
  for (const [value, expected] of cases) {
    it(`reads ${JSON.stringify(value)} as ${expected}`, () => assert.equal(parseMaxAge(value), expected));
  }
});

describe('parseHttpDate', () => {
  const cases: Array<[string | null, string | null]> = [
    ['Wed, 01 Jan 2025 01:00:00 GMT', '2025-01-01T01:00:00Z'],
    ['0', null],
    ['', null],
    [null, null],
  ];
  for (const [value, expected] of cases) {
    it(`reads ${JSON.stringify(value)} as ${expected}`, () => assert.equal(parseHttpDate(value), expected));
  }
});

describe('parseFeedUrl', () => {
  it('moves userinfo out of the URL and drops the fragment', () => {
    const { url, username, password } = parseFeedUrl('https://me%40x:p%3Ass@example.com/feed?a=1#top');
    assert.equal(url.href, 'https://example.com/feed?a=1');
    assert.equal(username, 'me@x');
    assert.equal(password, 'p:ss');
  });

  it('keeps a malformed escape in the credentials as written instead of throwing', () => {
    const { url, username, password } = parseFeedUrl('https://a%zz:b%@example.com/feed');
    assert.equal(url.href, 'https://example.com/feed');
    assert.equal(username, 'a%zz');
    assert.equal(password, 'b%');
  });

  for (const text of [
    'example.com/feed',
    'file:///etc/passwd',
    'data:text/xml,<rss/>',
    'ws://example.com/',
  ]) {
    it(`refuses ${text}`, () => {
      assert.throws(
        () => parseFeedUrl(text),
        (error: unknown) => (error as FetchError).code === 'FETCH_INVALID_URL',
      );
    });
  }

  it('keeps credentials out of the message for an invalid URL', () => {
    assert.throws(
      () => parseFeedUrl('http://user:secret@exa mple.com/'),
      (error: unknown) => error instanceof FetchError && !error.message.includes('secret'),
    );
  });
});

describe('secretsGoTo', () => {
  const cases: Array<[string, string, boolean]> = [
    ['https://a.example/feed', 'https://a.example/other?x', true],
    ['http://a.example/feed', 'https://a.example/feed', true],
    ['http://a.example:80/feed', 'https://a.example:443/feed', true],
    ['http://a.example:8080/feed', 'https://a.example:8080/feed', true],
    ['https://a.example/feed', 'http://a.example/feed', false],
    ['http://a.example/feed', 'https://a.example:8443/feed', false],
    ['http://a.example:8080/feed', 'https://a.example/feed', false],
    ['http://a.example/feed', 'http://a.example:8080/feed', false],
    ['https://a.example/feed', 'https://b.example/feed', false],
    ['https://a.example/feed', 'https://www.a.example/feed', false],
    ['not a URL', 'https://a.example/feed', false],
  ];
  for (const [from, to, goes] of cases) {
    it(`${goes ? 'sends' : 'keeps'} the secrets given for ${from} ${goes ? 'to' : 'from'} ${to}`, () =>
      assert.equal(secretsGoTo(from, to), goes));
  }
});

describe('redirectTarget', () => {
  const from = new URL('https://example.com/blog/feed');
  const cases: Array<[string, string]> = [
    ['/atom.xml', 'https://example.com/atom.xml'],
    ['rss', 'https://example.com/blog/rss'],
    ['//cdn.example.net/feed', 'https://cdn.example.net/feed'],
    ['http://example.org/feed#x', 'http://example.org/feed'],
    ['http://attacker:hunter2@example.org/feed', 'http://example.org/feed'],
  ];
  for (const [location, expected] of cases) {
    it(`resolves ${location}`, () => assert.equal(redirectTarget(from, 301, location).href, expected));
  }

  it('refuses a missing Location and a non-http target', () => {
    assert.throws(() => redirectTarget(from, 302, null), { code: 'FETCH_HTTP_STATUS' });
    assert.throws(() => redirectTarget(from, 302, 'file:///etc/passwd'), { code: 'FETCH_INVALID_URL' });
  });

  it('names the URL that redirects and where to, shortened, when the target cannot be fetched', () => {
    assert.throws(() => redirectTarget(from, 301, 'ftp://example.com/feed'), {
      code: 'FETCH_INVALID_URL',
      message:
        'https://example.com/blog/feed redirects to ftp://example.com/feed, which uses ftp, but feeds can only be fetched over http or https; check the URL',
    });
    const long = `http://exa mple.com/${'x'.repeat(10_000)}`;
    assert.throws(
      () => redirectTarget(from, 301, long),
      (error: FetchError) =>
        error.message.startsWith('https://example.com/blog/feed redirects to http://exa mple.com/xxx') &&
        error.message.endsWith('…, which is not a valid URL; check the URL') &&
        error.message.length < 200,
    );
  });
});
