// Random and mutated documents: the parser either returns a feed or throws its own typed error,
// and always finishes.
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { FeedParseError } from '../../model/errors.js';
import { corpusFeedsDir, loadCorpus } from './conformance.js';
import { parseFeed } from './index.js';
import { prng } from '../../testing/random.js';

const TOKENS = [
  '<rss>',
  '</rss>',
  '<channel>',
  '<item>',
  '</item>',
  '<title>',
  '</title>',
  '<feed xmlns="http://www.w3.org/2005/Atom">',
  '<entry>',
  '<link href="',
  '"/>',
  '<![CDATA[',
  ']]>',
  '&amp;',
  '&',
  '&#x1F600;',
  '&#99999999;',
  '&nbsp;',
  '<!--',
  '-->',
  '<?xml version="1.0" encoding="',
  'shift_jis',
  '"?>',
  '<!DOCTYPE x [<!ENTITY a "b">]>',
  '&a;',
  'xml:base="',
  '../',
  '<content type="xhtml"><div>',
  '</div></content>',
  '<pubDate>',
  'Tue, 10 Sep 2024 14:00:00 GMT',
  '</pubDate>',
  '{"version":"https://jsonfeed.org/version/1.1","items":[',
  '{"id":',
  '}',
  ']',
  '"',
  '\u0000',
  '\uFFFD',
  '\uD800',
  'xmlns:a="',
  '<a:b>',
  '</a:b>',
  ' ',
  '\n',
  '<',
  '>',
  '/',
  '=',
  "'",
];

function check(bytes: Uint8Array): void {
  try {
    const feed = parseFeed(bytes, { url: 'http://example.test/feed.xml' });
    assert.ok(Array.isArray(feed.items));
    for (const item of feed.items) {
      if (item.published !== null) assert.match(item.published, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      if (item.link !== null) assert.equal(typeof item.link, 'string');
    }
  } catch (err) {
    if (!(err instanceof FeedParseError)) throw err;
  }
}

describe('parser fuzz', () => {
  it('survives random token soup', () => {
    const rand = prng(1);
    for (let n = 0; n < 3000; n++) {
      let doc = '';
      const len = 1 + Math.floor(rand() * 60);
      for (let i = 0; i < len; i++) doc += TOKENS[Math.floor(rand() * TOKENS.length)] ?? '';
      check(Buffer.from(doc));
    }
  });

  it('survives random bytes', () => {
    const rand = prng(2);
    for (let n = 0; n < 1000; n++) {
      const bytes = new Uint8Array(1 + Math.floor(rand() * 512));
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rand() * 256);
      check(bytes);
    }
  });

  it('survives mutated corpus documents', () => {
    const dir = corpusFeedsDir(fileURLToPath(new URL('../../..', import.meta.url)));
    assert.ok(existsSync(dir), `the feed corpus is missing at ${dir}`);
    const docs = loadCorpus(dir).filter((d) => d.bytes.length < 200_000);
    const rand = prng(3);
    for (let n = 0; n < 1500; n++) {
      const doc = docs[Math.floor(rand() * docs.length)];
      if (!doc) continue;
      const bytes = Buffer.from(doc.bytes);
      const mutations = 1 + Math.floor(rand() * 8);
      for (let m = 0; m < mutations; m++) {
        const at = Math.floor(rand() * bytes.length);
        const kind = rand();
        if (kind < 0.5) bytes[at] = Math.floor(rand() * 256);
        else if (kind < 0.8) bytes[at] = '<>&"/'.charCodeAt(Math.floor(rand() * 5));
      }
      // Truncation at a random point, half the time.
      check(rand() < 0.5 ? bytes.subarray(0, Math.floor(rand() * bytes.length)) : bytes);
    }
  });

  it('finishes on pathological shapes', () => {
    const shapes = [
      '<rss><channel><item><title>' + '&'.repeat(200_000) + '</title></item></channel></rss>',
      '<rss><channel>' + '<item>'.repeat(400) + '</channel></rss>',
      '<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="' +
        'a'.repeat(500_000) +
        '"/></entry></feed>',
      '<rss><channel><item><pubDate>' + '1'.repeat(100_000) + '</pubDate></item></channel></rss>',
      '<rss><channel><item><description>' +
        '<b>'.repeat(500) +
        'x' +
        '</b>'.repeat(500) +
        '</description></item></channel></rss>',
      '<' + 'a '.repeat(100_000) + '>',
      '{"items":[' + '{"id":1},'.repeat(10_000) + '{}]}',
      '['.repeat(100_000),
    ];
    for (const shape of shapes) check(Buffer.from(shape));
  });
});
