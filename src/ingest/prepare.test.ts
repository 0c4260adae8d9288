import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { emptyEntry } from '../feed/parse/extensions.js';
import { emptyFeed } from '../feed/parse/index.js';
import type { ParsedEntry, ParsedFeed } from '../model/index.js';
import { MAX_KEY_LENGTH, PREPARE_VERSION, prepareEntries, prepareFeedInfo } from './prepare.js';

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

/**
 * What preparing made of SAMPLE at each PREPARE_VERSION: when the test below fails, what is prepared
 * changed, and stored entries must be prepared again. Bump PREPARE_VERSION and record the new one.
 * An entry's date is left out: a stored entry keeps the date it was first stored with (an entry
 * prepared again updates in place, its date untouched), so no version could reach it.
 */
const FINGERPRINTS: Record<number, string> = {
  // Version 2's changes to the sanitizer (pixels, srcset, nesting) touched nothing SAMPLE holds:
  // 1 and 2 were one fingerprint (19439632…, taken with the dates).
  2: '88c7d0b8926cd179c5f0a92637ebfecfd176db09',
};

const SAMPLE: Partial<ParsedEntry>[] = [
  {
    id: 'plain',
    title: '  A  title\u001b[2J ',
    link: 'https://blog.example.com/post?utm_source=rss&id=7',
    contentHtml: '<p>Hello <b>world</b> &amp; <a href="/about" onclick="x()">about</a></p>',
    categories: ['News'],
  },
  {
    id: 'hostile',
    contentHtml:
      '<script>alert(1)</script><img src="javascript:x" onerror="y"><img src="/pixel.gif" width="1" height="1">' +
      '<iframe src="https://www.youtube.com/embed/x?autoplay=1"></iframe><div style="position:fixed">over</div>' +
      '<a href="data:text/html,x">d</a><svg><script>z</script></svg><form><input></form>',
    summaryHtml: '<p>The summary</p>',
  },
  {
    link: 'https://blog.example.com/cjk',
    title: null,
    contentHtml: '<p>中文的内容，没有标题。' + '字'.repeat(600) + '</p>',
  },
  { title: 'Only a summary', summaryHtml: 'Plain &lt;text&gt; with\tcontrols\u0007' },
];

describe('prepareEntries', () => {
  it('prepares as it did at this PREPARE_VERSION (bump it when preparing changes)', () => {
    const prepared = prepareEntries(feed(SAMPLE.map(item)), FEED_URL, NOW).map(
      ({ publishedAt: _, ...made }) => made,
    );
    const fingerprint = createHash('sha1').update(JSON.stringify(prepared)).digest('hex');
    assert.equal(
      FINGERPRINTS[PREPARE_VERSION],
      fingerprint,
      `what preparing makes changed: bump PREPARE_VERSION in src/ingest/prepare.ts and record ${fingerprint} for it`,
    );
  });

  it('leaves out, unprepared, the items whose source is the one stored, and only those', () => {
    const items = [
      item({ id: 'same', title: 'Same', contentHtml: '<p>as before</p>' }),
      item({ id: 'edited', title: 'Edited', contentHtml: '<p>first version</p>' }),
      item({ link: 'https://blog.example.com/by-link', title: 'By link', contentHtml: '<p>x</p>' }),
      item({ title: 'No guid, no link', contentHtml: '<p>keyed by its content</p>' }),
      item({ id: 'moved', title: 'Moved', contentHtml: '<p>y</p>' }),
    ];
    assert.ok(
      prepareEntries(feed(items), FEED_URL, NOW).every((e) => e.sourceHash === undefined),
      'a feed with nothing stored is not hashed',
    );
    const first = prepareEntries(feed(items), FEED_URL, NOW, { stored: new Map() });
    const stored = new Map(first.map((e) => [e.dedupeKey, e.sourceHash ?? '']));
    assert.equal(new Set(stored.values()).size, 5, 'each item its own source hash');
    assert.ok([...stored.values()].every((h) => /^[0-9a-f]{16}$/.test(h)));

    const later = [...items];
    later[1] = item({ id: 'edited', title: 'Edited', contentHtml: '<p>second version</p>' });
    const unchanged: string[] = [];
    const again = prepareEntries(feed(later), FEED_URL, NOW, { stored, unchanged });
    assert.deepEqual(
      again.map((e) => e.title),
      ['Edited'],
      'the edited item alone: one keyed by its content is known by its source too',
    );
    const byContent = first.find((e) => e.title === 'No guid, no link')?.dedupeKey;
    assert.match(byContent ?? '', /^h:/);
    assert.deepEqual(unchanged, ['g:same', 'l:https://blog.example.com/by-link', byContent, 'g:moved']);

    // The same item at another feed URL resolves its links against another base: prepared again.
    assert.equal(prepareEntries(feed(items), 'https://elsewhere.example/feed', NOW, { stored }).length, 5);
    // A second item with a skipped item's key is left out, as it would have been after it.
    const twice = [
      items[2] as ParsedEntry,
      item({ link: 'https://blog.example.com/by-link', title: 'Again' }),
    ];
    assert.deepEqual(prepareEntries(feed(twice), FEED_URL, NOW, { stored }), []);
  });

  it('takes out what the feed’s remove selector matches, before sanitizing, from content and summary', () => {
    const items = [
      item({
        id: 'a',
        title: 'With extras',
        contentHtml:
          '<p>Body.</p><div class="share" onclick="x()"><a href="https://social.example/">Share</a></div>' +
          '<aside class="related"><p>Read next</p></aside>',
        summaryHtml: '<p>Short.</p><span class="share">Share</span>',
      }),
      item({ id: 'b', title: 'Plain', contentHtml: '<p>Nothing to remove.</p>' }),
    ];
    const errors: string[] = [];
    const [a, b] = prepareEntries(feed(items), FEED_URL, NOW, {
      removeSelector: '.share, aside.related',
      selectorErrors: errors,
    });
    assert.equal(a?.contentHtml, '<p>Body.</p>');
    assert.equal(a?.contentText, 'Body.');
    assert.equal(a?.summaryText, 'Short.');
    assert.equal(b?.contentHtml, '<p>Nothing to remove.</p>');
    assert.deepEqual(errors, []);

    // Another selector, or none, is another source: a stored item is prepared again with it.
    const stored = new Map(
      prepareEntries(feed(items), FEED_URL, NOW, { stored: new Map() }).map((e) => [
        e.dedupeKey,
        e.sourceHash ?? '',
      ]),
    );
    assert.equal(prepareEntries(feed(items), FEED_URL, NOW, { stored }).length, 0);
    assert.equal(prepareEntries(feed(items), FEED_URL, NOW, { stored, removeSelector: '.share' }).length, 2);
  });

  it('runs the feed’s rewrite rules after its remove selector, before sanitizing', () => {
    const items = [
      item({
        id: 'comic',
        title: 'Comic',
        link: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
        contentHtml:
          '<p><img src="https://imgs.example/c.png" title="The punchline"></p><div class="ad">Ad</div>',
      }),
    ];
    const [entry] = prepareEntries(feed(items), FEED_URL, NOW, {
      removeSelector: '.ad',
      rewriteRules: 'add_image_title, add_youtube_video, replace("punch(line)"|"$1")',
    });
    assert.match(
      entry?.contentHtml ?? '',
      /^<iframe src="https:\/\/www\.youtube-nocookie\.com\/embed\/dQw4w9WgXcQ"/,
    );
    assert.match(
      entry?.contentHtml ?? '',
      /<figure><img src="https:\/\/imgs\.example\/c\.png"[^>]*><figcaption>The line<\/figcaption><\/figure>/,
    );
    assert.doesNotMatch(entry?.contentHtml ?? '', /Ad/);

    // Other rules, or none, are another source: a stored item is prepared again with them.
    const stored = new Map(
      prepareEntries(feed(items), FEED_URL, NOW, { stored: new Map() }).map((e) => [
        e.dedupeKey,
        e.sourceHash ?? '',
      ]),
    );
    assert.equal(prepareEntries(feed(items), FEED_URL, NOW, { stored }).length, 0);
    assert.equal(prepareEntries(feed(items), FEED_URL, NOW, { stored, rewriteRules: 'nl2br' }).length, 1);
  });

  it('keeps an item as sent when the remove selector is too costly for it, and says why', () => {
    const wide = item({ id: 'wide', title: 'Wide', contentHtml: '<p>y</p>'.repeat(40_000) });
    const errors: string[] = [];
    const [entry] = prepareEntries(feed([wide]), FEED_URL, NOW, {
      removeSelector: 'p:nth-child(2n+1)',
      selectorErrors: errors,
    });
    assert.equal(entry?.contentText.length, 'y '.repeat(40_000).length - 1, 'nothing removed');
    assert.equal(errors.length, 1);
    assert.match(
      errors[0] ?? '',
      /^the remove selector took more than [\d,]+ steps on https:\/\/blog\.example\.com\/feed\.xml/,
    );
  });

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

  it('keys an entry by a hash of a guid or link past MAX_KEY_LENGTH', () => {
    const long = (c: string): string => `https://blog.example.com/${c.repeat(100_000)}`;
    const entries = prepareEntries(
      feed([
        item({ id: long('a'), title: 'A' }),
        item({ id: long('b'), title: 'B' }),
        item({ title: 'C', link: long('c') }),
        item({ id: 'x'.repeat(MAX_KEY_LENGTH), title: 'At the limit' }),
      ]),
      FEED_URL,
      NOW,
    );
    assert.deepEqual(
      entries.map((e) => e.dedupeKey),
      [
        `gh:${joinedSha1(long('a'))}`,
        `gh:${joinedSha1(long('b'))}`,
        `lh:${joinedSha1(long('c'))}`,
        `g:${'x'.repeat(MAX_KEY_LENGTH)}`,
      ],
    );
    assert.equal(entries[0]?.guid, long('a'), 'the guid itself is kept');
  });

  it('prepares only the newest items of a document longer than asked, in its order', () => {
    const day = (d: number): string => new Date(NOW - d * 86_400_000).toISOString();
    const items = [
      item({ id: 'old', title: 'Old', published: day(9) }),
      item({ id: 'new', title: 'New', published: day(1) }),
      item({ id: 'undated', title: 'Undated' }),
      item({ id: 'older', title: 'Older', published: day(20) }),
      item({ id: 'updated', title: 'Updated', updated: day(2) }),
    ];
    const titles = (max?: number): string[] =>
      prepareEntries(feed(items), FEED_URL, NOW, { maxEntries: max }).map((e) => e.title);
    assert.deepEqual(titles(), ['Old', 'New', 'Undated', 'Older', 'Updated']);
    assert.deepEqual(titles(3), ['New', 'Undated', 'Updated'], 'an undated item counts as fetched now');
    assert.deepEqual(titles(4), ['Old', 'New', 'Undated', 'Updated']);
    assert.deepEqual(titles(5), titles());
  });

  it('keys an item with neither guid nor link by its media, and a lone surrogate as SQLite stores it', () => {
    const media = (url: string) => [
      { url, type: 'audio/mpeg', length: 1, title: null, durationSeconds: null },
    ];
    const entries = prepareEntries(
      feed([
        item({ enclosures: media('https://cdn.example/ep1.mp3?utm_source=rss') }),
        item({ enclosures: media('https://cdn.example/ep2.mp3') }),
        item({ id: 'lone-\ud800-x', title: 'Lone' }),
      ]),
      FEED_URL,
      NOW,
    );
    assert.deepEqual(
      entries.map((e) => e.dedupeKey),
      ['l:https://cdn.example/ep1.mp3', 'l:https://cdn.example/ep2.mp3', 'g:lone-\ufffd-x'],
    );
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

  it('keeps only links a reader may follow, and media a browser may load', () => {
    const hostile = [
      'javascript:alert(1)',
      ' JaVaScRiPt:alert(1)',
      'java\tscript:alert(1)',
      'data:text/html,<script>x</script>',
      'vbscript:x',
    ];
    const entries = prepareEntries(
      feed([
        ...hostile.map((link, i) =>
          item({
            link,
            contentHtml: `<p>entry ${i}</p>`,
            commentsUrl: link,
            imageUrl: link,
            enclosures: [
              { url: link, type: 'audio/mpeg', length: 1 },
              { url: 'https://cdn.example.com/a.mp3', type: 'audio/mpeg', length: 2 },
              { url: 'magnet:?xt=urn:btih:c12fe1c0', type: 'application/x-bittorrent', length: 3 },
            ],
          }),
        ),
        item({ link: '/relative', commentsUrl: 'mailto:editor@example.com', title: 'Relative' }),
      ]),
      FEED_URL,
      NOW,
    );
    assert.equal(entries.length, hostile.length + 1);
    for (const [i, e] of entries.slice(0, hostile.length).entries()) {
      assert.equal(e.link, null, hostile[i]);
      assert.equal(e.commentsUrl, null);
      assert.equal(e.imageUrl, null);
      assert.deepEqual(
        e.enclosures.map((x) => x.url),
        ['https://cdn.example.com/a.mp3', 'magnet:?xt=urn:btih:c12fe1c0'],
      );
      // Still told apart, and from what stored databases hold, by the link as given.
      assert.equal(e.dedupeKey, `l:${hostile[i] ?? ''}`);
      assert.equal(e.title, `entry ${i}`);
    }
    const relative = entries[hostile.length];
    assert.equal(relative?.link, 'https://blog.example.com/relative');
    assert.equal(relative?.commentsUrl, 'mailto:editor@example.com');

    const info = prepareFeedInfo(
      { link: 'javascript:alert(1)', iconUrl: 'data:image/svg+xml,<svg/>' },
      FEED_URL,
    );
    assert.deepEqual(info, { link: null, iconUrl: null });
    assert.deepEqual(prepareFeedInfo({ link: '/', iconUrl: '/icon.png' }, FEED_URL), {
      link: 'https://blog.example.com/',
      iconUrl: 'https://blog.example.com/icon.png',
    });
  });
});
