import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { emptyEntry } from '../feed/parse/extensions.js';
import { emptyFeed } from '../feed/parse/index.js';
import type { ParsedEntry, ParsedFeed } from '../model/index.js';
import { prepareEntries } from './prepare.js';

const FEED_URL = 'https://blog.example.com/feed.xml';
const NOW = Date.UTC(2026, 11, 7);

function item(fields: Partial<ParsedEntry>): ParsedEntry {
  return { ...emptyEntry(), ...fields };
}

function feed(items: ParsedEntry[]): ParsedFeed {
  return { ...emptyFeed(), format: 'rss', title: 'Blog', link: 'https://blog.example.com/', items };
}

/** The SHA-1 of the parts joined by NUL characters, as stored databases hold it. */
function joinedSha1(...parts: string[]): string {
  return createHash('sha1').update(parts.join('\u0000')).digest('hex');
}

describe('prepareEntries', () => {
  it('hashes title, link and sanitized HTML joined by NULs, as stored hashes were made', () => {
    const [entry] = prepareEntries(
      feed([
        item({
          id: 'a',
          title: 'Café — “quoted”',
          link: 'https://blog.example.com/a?utm_source=rss',
          contentHtml: '<p onclick="x()">Hello <b>wörld</b> 中文</p>',
        }),
      ]),
      FEED_URL,
      NOW,
    );
    assert.ok(entry);
    assert.equal(entry.link, 'https://blog.example.com/a');
    assert.equal(entry.contentHtml, '<p>Hello <b>wörld</b> 中文</p>');
    assert.equal(
      entry.contentHash,
      joinedSha1('Café — “quoted”', 'https://blog.example.com/a', entry.contentHtml),
    );
  });

  it('keys entries by guid, then link, then a hash of title and text', () => {
    const entries = prepareEntries(
      feed([
        item({ id: 'g1', title: 'One', link: 'https://blog.example.com/1', contentHtml: '<p>one</p>' }),
        item({ title: 'Two', link: 'https://blog.example.com/2', contentHtml: '<p>two</p>' }),
        item({ title: 'Three', contentHtml: '<p>three  <i>words</i>\n here</p>' }),
      ]),
      FEED_URL,
      NOW,
    );
    assert.deepEqual(
      entries.map((e) => e.dedupeKey),
      ['g:g1', 'l:https://blog.example.com/2', `h:${joinedSha1('Three', 'three words here')}`],
    );
    assert.equal(entries[2]?.contentHash, joinedSha1('Three', '', entries[2]?.contentHtml ?? ''));
  });

  it('falls back to links when one guid is repeated, and drops exact repeats', () => {
    const entries = prepareEntries(
      feed([
        item({ id: 'same', title: 'A', link: 'https://blog.example.com/a' }),
        item({ id: 'same', title: 'B', link: 'https://blog.example.com/b' }),
        item({ id: 'same', title: 'B again', link: 'https://blog.example.com/b' }),
      ]),
      FEED_URL,
      NOW,
    );
    assert.deepEqual(
      entries.map((e) => [e.dedupeKey, e.title]),
      [
        ['l:https://blog.example.com/a', 'A'],
        ['l:https://blog.example.com/b', 'B'],
      ],
    );
  });
});
