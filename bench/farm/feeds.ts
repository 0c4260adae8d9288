// The farm's feeds, as pure functions of (feed number, version): what feed i says after v bumps.
// Items are shaped like The Cloudflare Blog's (../shared/seeds/002_*): title, link, a guid that is not
// a permalink, date, author, several categories, a short summary, and HTML content with paragraphs,
// h2 sections, links carrying utm_ parameters, code and an image. Feed i is RSS 2.0, Atom 1.0 or
// JSON Feed 1.1 by i % 3; about 30% of feeds are summary-only. Deterministic: a seed gives the bytes.
import { prng } from '../../src/testing/random.js';
import { AUTHORS, BASE62, CATEGORIES, WORDS } from '../inputs/words.js';

export type FarmFormat = 'rss' | 'atom' | 'json';

export const CONTENT_TYPES: Record<FarmFormat, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};

export function formatOf(i: number): FarmFormat {
  return i % 3 === 0 ? 'rss' : i % 3 === 1 ? 'atom' : 'json';
}

/** The feed's path on the farm: `/feeds/<i>.xml` for RSS and Atom, `/feeds/<i>.json` for JSON Feed. */
export function feedPath(i: number): string {
  return `/feeds/${i}.${formatOf(i) === 'json' ? 'json' : 'xml'}`;
}

/** Items in every version of feed i: 20 to 50. */
export function itemCount(i: number): number {
  return 20 + ((i * 7) % 31);
}

/** About 30% of feeds carry a ~400-character summary and no full content. */
export function isSummaryOnly(i: number): boolean {
  return mix(i, 0x5eed) % 10 < 3;
}

/** Distinct items feed i has published by version v (each bump publishes one). */
export function itemsPublished(i: number, version: number): number {
  return itemCount(i) + version;
}

const HOUR = 3_600_000;
const BASE_TIME = Date.UTC(2025, 0, 6, 9, 0, 0);

/** Item k of feed i is published at a fixed time; a newer k is later. */
function itemTime(i: number, k: number): number {
  return BASE_TIME + k * 6 * HOUR + (i % 3600) * 1000;
}

/** The validators of feed i at version v. Last-Modified is the newest item's time. */
export function validators(i: number, version: number): { etag: string; lastModified: string } {
  const newest = version + itemCount(i) - 1;
  return {
    etag: `"${i.toString(36)}-${version}-${mix(i, version).toString(16)}"`,
    lastModified: new Date(itemTime(i, newest)).toUTCString(),
  };
}

/** A 32-bit hash of two integers (murmur3's finalizer over a simple combination). */
function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x7f4a7c15, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function base62(n: number, digits: number): string {
  let out = '';
  for (let d = 0; d < digits; d++, n = Math.floor(n / 62)) out += BASE62.charAt(n % 62);
  return out;
}

/** Stands for the item's identity inside the pooled bodies; unchanged by XML and JSON escaping. */
const SLOT = '@@ID@@';

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function escapeJson(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}

/** A text with SLOT holes, split once and kept in the three escapings the formats need. */
interface Template {
  raw: string[];
  xml: string[];
  json: string[];
}

function template(text: string): Template {
  return { raw: text.split(SLOT), xml: escapeXml(text).split(SLOT), json: escapeJson(text).split(SLOT) };
}

type Writer = (s: string) => string;

function words(random: () => number, n: number): string {
  const out: string[] = [];
  for (let j = 0; j < n; j++) out.push(WORDS[Math.floor(random() * WORDS.length)] as string);
  return out.join(' ');
}

function int(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)] as T;
}

/**
 * The pools every item draws from, built once: bodies of 2–8 KB of HTML and ~400-character summaries.
 * Rendering a feed then only joins pooled strings around the item's identity.
 */
export class FeedFactory {
  private readonly bodies: Template[] = [];
  private readonly summaries: Template[] = [];
  private readonly teasers: Template[] = [];

  constructor(
    private readonly origin: string,
    seed = 1,
    poolSize = 48,
  ) {
    const random = prng(seed);
    for (let b = 0; b < poolSize; b++) {
      this.bodies.push(template(this.body(random, 2400 + Math.round((5500 * b) / (poolSize - 1)))));
      this.summaries.push(template(this.summary(random)));
      this.teasers.push(template(` ${this.sentence(random)} ${this.sentence(random)} `));
    }
  }

  private sentence(random: () => number): string {
    const s = words(random, int(random, 8, 24));
    return s.charAt(0).toUpperCase() + s.slice(1) + pick(random, ['.', '.', '.', '?', ' …', '.']);
  }

  /** About `target` characters of HTML: sections are added while it is more than ~700 short. */
  private body(random: () => number, target: number): string {
    const slug = (): string =>
      words(random, int(random, 2, 5))
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-');
    const inline = (): string => {
      switch (int(random, 0, 9)) {
        case 0:
          return `<a href="https://blog.example.com/${slug()}/?utm_source=rss&amp;utm_medium=feed&amp;utm_campaign=${SLOT}"><u>${words(random, int(random, 1, 4))}</u></a>`;
        case 1:
          return `<i>${words(random, int(random, 1, 3))}</i>`;
        case 2:
          return `<b>${int(random, 1, 99)}.${int(random, 0, 9)}µs</b>`;
        case 3:
          return `<code>${pick(random, WORDS)}_${pick(random, WORDS)}</code>`;
        default:
          return this.sentence(random);
      }
    };
    const paragraph = (): string => `<p>${Array.from({ length: int(random, 3, 8) }, inline).join(' ')}</p>`;
    let html = paragraph();
    for (let n = 1; html.length < target - 700; n++) {
      const heading = words(random, int(random, 2, 5));
      const anchor = heading.toLowerCase().replace(/[^a-z0-9]+/g, '-');
      html += `\n    <div>\n      <h2>${heading}</h2>\n      <a href="#${anchor}">\n      </a>\n    </div>\n    `;
      html += paragraph();
      if (n === 1 || int(random, 0, 2) === 0)
        html += `\n          <figure>\n          <img src="https://assets.example.com/${SLOT}/image${n}.png" alt="${words(random, 3)}" />\n          </figure>`;
      if (int(random, 0, 3) === 0)
        html += `\n<pre><code>pub fn ${pick(random, WORDS)}_${n}(req: &amp;mut Request) -&gt; Vec&lt;u8&gt; {\n    req.headers().iter().filter(|h| h.len() &gt; ${int(random, 1, 64)}).collect()\n}</code></pre>\n`;
      html += paragraph();
    }
    return html;
  }

  private summary(random: () => number): string {
    let text = '';
    while (text.length < 380) text += (text ? ' ' : '') + this.sentence(random);
    return `<p>${text} <a href="https://blog.example.com/p/${SLOT}?utm_source=rss&amp;utm_medium=feed">Read more…</a></p>`;
  }

  /** Feed i at version v: its text, newest item first. A full item's summary is a short teaser. */
  render(i: number, version: number): string {
    const format = formatOf(i);
    const count = itemCount(i);
    const summaryOnly = isSummaryOnly(i);
    const items: string[] = [];
    for (let k = version + count - 1; k >= version; k--) {
      const item = this.item(i, k);
      const body = this.bodies[mix(i, k) % this.bodies.length] as Template;
      const pool = summaryOnly ? this.summaries : this.teasers;
      const summary = pool[mix(k, i) % pool.length] as Template;
      const id = `${i}-${k}`;
      if (format === 'rss')
        items.push(rssItem(item, summary.raw.join(id), summaryOnly ? null : body.raw.join(id)));
      else if (format === 'atom')
        items.push(atomItem(item, summary.xml.join(id), summaryOnly ? null : body.xml.join(id)));
      else items.push(jsonItem(item, summary.json.join(id), summaryOnly ? null : body.json.join(id)));
    }
    const head = this.head(i, version);
    if (format === 'rss') return rssFeed(head, items);
    if (format === 'atom') return atomFeed(head, items);
    return jsonFeed(head, items);
  }

  private item(i: number, k: number): Item {
    const random = prng(mix(i, k));
    const raw = words(random, int(random, 4, 11));
    const title =
      raw.charAt(0).toUpperCase() +
      raw.slice(1) +
      pick(random, ['', '', '', ': a deep dive', '… and the people who love them', ' & more']);
    const slug = raw.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    // Unique by construction (feed and item numbers first), random-looking like Ghost's ids after.
    let guid = base62(i, 3) + base62(k, 3);
    while (guid.length < 22) guid += BASE62.charAt(Math.floor(random() * 62));
    const categories = [
      ...new Set(Array.from({ length: int(random, 2, 6) }, () => pick(random, CATEGORIES))),
    ];
    return {
      title,
      link: `https://blog${i}.example.com/${slug}-${k}/`,
      guid,
      tagUri: `tag:blog${i}.example.com,2025:${guid}`,
      time: itemTime(i, k),
      author: pick(random, AUTHORS),
      categories,
      image: `https://assets.example.com/${i}-${k}/hero.png`,
    };
  }

  private head(i: number, version: number): Head {
    const newest = itemTime(i, version + itemCount(i) - 1);
    return {
      title: `Engineering blog ${i} & friends`,
      site: `https://blog${i}.example.com/`,
      self: `${this.origin}${feedPath(i)}`,
      description: `Get the latest news on how products at blog ${i} are built, and the people behind them.`,
      updated: newest,
      icon: `https://blog${i}.example.com/favicon.png`,
    };
  }
}

interface Item {
  title: string;
  link: string;
  /** A non-permalink id: the RSS guid and the JSON Feed id. */
  guid: string;
  /** The same id as a tag: URI, for Atom. */
  tagUri: string;
  time: number;
  author: string;
  categories: string[];
  image: string;
}

interface Head {
  title: string;
  site: string;
  self: string;
  description: string;
  updated: number;
  icon: string;
}

const cdata: Writer = (s) => `<![CDATA[${s}]]>`;

function rssItem(item: Item, summary: string, body: string | null): string {
  return `        <item>
            <title>${cdata(item.title)}</title>
            <link>${item.link}</link>
            <pubDate>${new Date(item.time).toUTCString()}</pubDate>
            <description>${cdata(summary)}</description>${body === null ? '' : `\n            <content:encoded>${cdata(` ${body} `)}</content:encoded>`}
${item.categories.map((c) => `            <category>${cdata(c)}</category>`).join('\n')}
            <guid isPermaLink="false">${item.guid}</guid>
            <dc:creator>${escapeXml(item.author)}</dc:creator>
            <media:content url="${item.image}" medium="image" />
        </item>`;
}

function rssFeed(head: Head, items: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
    <channel>
        <title>${cdata(` ${head.title} `)}</title>
        <description>${cdata(` ${head.description} `)}</description>
        <link>${head.site}</link>
        <atom:link href="${head.self}" rel="self" type="application/rss+xml"/>
        <language>en-us</language>
        <image>
            <url>${head.icon}</url>
            <title>${escapeXml(head.title)}</title>
            <link>${head.site}</link>
        </image>
        <lastBuildDate>${new Date(head.updated).toUTCString()}</lastBuildDate>
${items.join('\n')}
    </channel>
</rss>
`;
}

function atomItem(item: Item, summary: string, body: string | null): string {
  const date = new Date(item.time).toISOString();
  return `  <entry>
    <title type="html">${escapeXml(item.title)}</title>
    <link rel="alternate" type="text/html" href="${item.link}"/>
    <id>${item.tagUri}</id>
    <published>${date}</published>
    <updated>${date}</updated>
    <author><name>${escapeXml(item.author)}</name></author>
${item.categories.map((c) => `    <category term="${escapeXml(c)}"/>`).join('\n')}
    <summary type="html">${summary}</summary>${body === null ? '' : `\n    <content type="html">${body}</content>`}
  </entry>`;
}

function atomFeed(head: Head, items: string[]): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title>${escapeXml(head.title)}</title>
  <subtitle>${escapeXml(head.description)}</subtitle>
  <link rel="alternate" type="text/html" href="${head.site}"/>
  <link rel="self" type="application/atom+xml" href="${head.self}"/>
  <id>${head.site}</id>
  <updated>${new Date(head.updated).toISOString()}</updated>
  <icon>${head.icon}</icon>
${items.join('\n')}
</feed>
`;
}

function jsonItem(item: Item, summary: string, body: string | null): string {
  const date = new Date(item.time).toISOString();
  const tags = item.categories.map((c) => JSON.stringify(c)).join(', ');
  // A summary-only item's content is its summary, as JSON Feed requires content_html or content_text.
  return `    {
      "id": "${item.guid}",
      "url": "${item.link}",
      "title": ${JSON.stringify(item.title)},
      "summary": "${summary}",
      "content_html": "${body ?? summary}",
      "image": "${item.image}",
      "date_published": "${date}",
      "date_modified": "${date}",
      "authors": [{ "name": ${JSON.stringify(item.author)} }],
      "tags": [${tags}]
    }`;
}

function jsonFeed(head: Head, items: string[]): string {
  return `{
  "version": "https://jsonfeed.org/version/1.1",
  "title": ${JSON.stringify(head.title)},
  "home_page_url": "${head.site}",
  "feed_url": "${head.self}",
  "description": ${JSON.stringify(head.description)},
  "icon": "${head.icon}",
  "language": "en-US",
  "items": [
${items.join(',\n')}
  ]
}
`;
}
