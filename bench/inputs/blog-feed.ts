// A large synthetic feed shaped like The Cloudflare Blog's (../shared/seeds/002_*): RSS 2.0, titles and
// summaries in CDATA, ~10 KB of HTML per item in content:encoded, several categories, a guid that is
// not a permalink, dc:creator, and the media namespace (one media:content image per item).
// Deterministic: the same seed gives the same bytes.
import { prng } from '../../src/testing/random.js';
import { AUTHORS, BASE62, CATEGORIES, WORDS } from './words.js';

/** The feed's bytes (UTF-8): `items` entries of about `bodyBytes` of HTML each. */
export function generateBlogFeed({ items = 400, bodyBytes = 10_000, seed = 2 } = {}): Uint8Array {
  const random = prng(seed);
  const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(list: readonly T[]): T => list[int(0, list.length - 1)] as T;
  const words = (n: number): string => Array.from({ length: n }, () => pick(WORDS)).join(' ');
  const token = (n: number, alphabet = BASE62): string =>
    Array.from({ length: n }, () => alphabet[int(0, alphabet.length - 1)]).join('');
  const slug = (): string =>
    words(int(3, 6))
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-');
  const sentence = (): string => {
    const s = words(int(8, 24));
    return s.charAt(0).toUpperCase() + s.slice(1) + pick(['.', '.', '.', '?', ' …', '.']);
  };
  const title = (): string => {
    const s = words(int(4, 11));
    return (
      s.charAt(0).toUpperCase() +
      s.slice(1) +
      pick(['', '', ': a deep dive', '… and the people who love them'])
    );
  };
  const inline = (): string => {
    switch (int(0, 9)) {
      case 0:
        return `<a href="https://blog.cloudflare.com/${slug()}/"><u>${words(int(1, 4))}</u></a>`;
      case 1:
        return `<i>${words(int(1, 3))}</i>`;
      case 2:
        return `<b>${int(1, 99)}.${int(0, 9)}µs</b>`;
      case 3:
        return `<code>${pick(WORDS)}_${pick(WORDS)}</code>`;
      default:
        return sentence();
    }
  };
  const paragraph = (): string => `<p>${Array.from({ length: int(3, 8) }, inline).join(' ')}</p>`;
  const section = (n: number): string => {
    const heading = words(int(2, 5));
    const anchor = heading.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    let html = `\n    <div>\n      <h2>${heading}</h2>\n      <a href="#${anchor}">\n        \n      </a>\n    </div>\n    `;
    html += paragraph() + paragraph();
    if (int(0, 2) === 0)
      html += `\n          <figure>\n          <img src="https://cf-assets.www.cloudflare.com/zkvhlag99gkb/${token(22)}/${token(32, '0123456789abcdef')}/image${n}.png" />\n          </figure>`;
    if (int(0, 3) === 0)
      html += `\n            <pre><code>pub fn ${pick(WORDS)}(req: &amp;mut Request) -&gt; Vec&lt;u8&gt; {\n    req.headers().iter().filter(|h| h.len() &gt; ${int(1, 64)}).collect()\n}</code></pre>\n            `;
    return html + paragraph();
  };

  const entries: string[] = [];
  let date = Date.UTC(2026, 3, 17, 10, 0, 0);
  for (let i = 0; i < items; i++) {
    date -= int(1, 96) * 3_600_000;
    const target = bodyBytes * (0.7 + random() * 0.6);
    let body = paragraph() + paragraph();
    for (let n = 1; body.length < target; n++) body += section(n);
    const categories = Array.from(new Set(Array.from({ length: int(2, 6) }, () => pick(CATEGORIES))));
    const link = `https://blog.cloudflare.com/${slug()}-${i}/`;
    entries.push(`        <item>
            <title><![CDATA[${title()}]]></title>
            <link>${link}</link>
            <pubDate>${new Date(date).toUTCString()}</pubDate>
            <description><![CDATA[ ${sentence()} ${sentence()} ]]></description>
            <content:encoded><![CDATA[ ${body} ]]></content:encoded>
${categories.map((c) => `            <category><![CDATA[${c}]]></category>`).join('\n')}
            <guid isPermaLink="false">${token(22)}</guid>
            <dc:creator>${pick(AUTHORS)}</dc:creator>
            <media:content url="https://cf-assets.www.cloudflare.com/zkvhlag99gkb/${token(22)}/hero.png" medium="image" />
        </item>`);
  }
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
    <channel>
        <title><![CDATA[ The Cloudflare Blog ]]></title>
        <description><![CDATA[ Get the latest news on how products at Cloudflare are built, technologies used, and join the teams helping to build a better Internet. ]]></description>
        <link>https://blog.cloudflare.com</link>
        <atom:link href="https://blog.cloudflare.com/" rel="self" type="application/rss+xml"/>
        <language>en-us</language>
        <image>
            <url>https://blog.cloudflare.com/favicon.png</url>
            <title>The Cloudflare Blog</title>
            <link>https://blog.cloudflare.com</link>
        </image>
        <lastBuildDate>Fri, 17 Apr 2026 10:27:43 GMT</lastBuildDate>
${entries.join('\n')}
    </channel>
</rss>
`;
  return new TextEncoder().encode(xml);
}
