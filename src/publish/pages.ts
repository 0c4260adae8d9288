// The public pages, in their own plain theme: a publication's archive ("Tag Archives: NAME"),
// a post page as the reader shows an article, and the index of publications. Server-rendered,
// readable without JavaScript (none is loaded), attribution and canonical links to the original.
import type { Entry } from '../model/index.js';
import { isoTime } from '../model/time.js';
import type { Publication } from '../store/types.js';
import { assetUrl } from '../web/assets.js';
import { html, trusted, type Html } from '../web/html.js';

/** Where a post was syndicated from. */
export interface Source {
  title: string;
  siteUrl: string | null;
  feedUrl: string;
}

export interface PublicPost {
  entry: Entry;
  tags: string[];
  source: Source;
  /** The post's page on this site (a path). */
  path: string;
}

export interface FeedLinks {
  rss: string;
  atom: string;
  json: string;
}

const date = (ms: number): string => isoTime(ms).slice(0, 10);

/** "Tag Archives: Performance", or the folder's, feed's or search's own title. */
export function archiveHeading(p: Publication): string {
  switch (p.kind) {
    case 'tag':
      return `Tag Archives: ${p.title}`;
    case 'search':
      return `Search Archives: ${p.title}`;
    default:
      return p.title;
  }
}

/** The author where the feed names one, else the feed's title. */
export function attributedTo(post: Pick<PublicPost, 'entry' | 'source'>): string {
  return post.entry.author?.trim() || post.source.title;
}

function shell(options: {
  title: string;
  body: Html;
  feeds?: FeedLinks & { title: string };
  canonical?: string | null;
}): Html {
  const f = options.feeds;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <meta name="robots" content="noindex, follow" />
        <title>${options.title}</title>
        <link rel="stylesheet" href="${assetUrl('publish.css')}" />
        ${options.canonical ? html`<link rel="canonical" href="${options.canonical}" />` : ''}
        ${
          f
            ? html`<link
                  rel="alternate"
                  type="application/rss+xml"
                  title="${f.title} (RSS)"
                  href="${f.rss}"
                />
                <link
                  rel="alternate"
                  type="application/atom+xml"
                  title="${f.title} (Atom)"
                  href="${f.atom}"
                />
                <link
                  rel="alternate"
                  type="application/feed+json"
                  title="${f.title} (JSON Feed)"
                  href="${f.json}"
                />`
            : ''
        }
      </head>
      <body>
        <header class="site">
          <a class="site-name" href="/p/">Published with Gleaner</a>
        </header>
        <main>${options.body}</main>
        <footer class="site">
          Posts are republished from their sources with attribution; each links to its original.
        </footer>
      </body>
    </html>`;
}

function syndicated(post: PublicPost): Html {
  const link = post.entry.link;
  const from = attributedTo(post);
  const fromHtml = post.source.siteUrl
    ? html`<a href="${post.source.siteUrl}" rel="noopener">${from}</a>`
    : from;
  return html`<p class="syndicated">
    Post Syndicated from
    ${fromHtml}${link ? html` original <a href="${link}" rel="noopener">${link}</a>` : ''}
  </p>`;
}

function tagList(tags: string[]): Html | string {
  return tags.length
    ? html`<ul class="tags">
        ${tags.map((t) => html`<li>${t}</li>`)}
      </ul>`
    : '';
}

function feedLinks(f: FeedLinks): Html {
  return html`<p class="follow">
    Follow: <a href="${f.rss}" data-feed="rss">RSS</a> · <a href="${f.atom}">Atom</a> ·
    <a href="${f.json}">JSON Feed</a>
  </p>`;
}

export function excerptOf(entry: Entry): string {
  const text = entry.summaryText;
  const chars = Array.from(text.slice(0, 600));
  return chars.length > 500 ? `${chars.slice(0, 500).join('').trimEnd()}…` : text;
}

export interface ArchiveView {
  publication: Publication;
  posts: PublicPost[];
  feeds: FeedLinks;
  olderHref: string | null;
  /** Not the first page: a link back to the newest posts. */
  newestHref: string | null;
}

export function archivePage(v: ArchiveView): Html {
  const heading = archiveHeading(v.publication);
  const posts = v.posts.map(
    (post) =>
      html`<article class="post">
        <h2 class="post-title"><a href="${post.path}">${post.entry.title || '(untitled)'}</a></h2>
        ${syndicated(post)}
        <p class="meta">
          <time datetime="${isoTime(post.entry.publishedAt)}">${date(post.entry.publishedAt)}</time>
        </p>
        ${tagList(post.tags)}
        ${
          v.publication.fullContent
            ? html`<div class="content" lang="${post.entry.language ?? ''}">
                ${trusted(post.entry.contentHtml)}
              </div>`
            : html`<p class="excerpt">${excerptOf(post.entry)}</p>
                <p><a href="${post.path}">Continue reading</a></p>`
        }
      </article>`,
  );
  return shell({
    title: heading,
    feeds: { ...v.feeds, title: v.publication.title },
    body: html`<h1 class="archive-title">${heading}</h1>
      ${feedLinks(v.feeds)} ${posts.length ? posts : html`<p class="empty">Nothing published here yet.</p>`}
      <nav class="pager">
        ${v.newestHref ? html`<a href="${v.newestHref}">← Newest posts</a>` : ''}
        ${v.olderHref ? html`<a href="${v.olderHref}" rel="next">Older posts →</a>` : ''}
      </nav>`,
  });
}

export interface PostView {
  publication: Publication;
  archivePath: string;
  post: PublicPost;
  related: PublicPost[];
  feeds: FeedLinks;
  /** The reader's page of this entry, for a signed-in reader who has it. */
  readerHref: string | null;
}

export function postPage(v: PostView): Html {
  const { entry, source } = v.post;
  const title = entry.title || '(untitled)';
  const enclosures = entry.enclosures.filter((e) => /^https?:/i.test(e.url));
  return shell({
    title: `${title} · ${v.publication.title}`,
    canonical: entry.link,
    feeds: { ...v.feeds, title: v.publication.title },
    body: html`<article class="post single">
      <p class="crumbs"><a href="${v.archivePath}">${archiveHeading(v.publication)}</a></p>
      <h1 class="post-title">
        ${entry.link ? html`<a href="${entry.link}" rel="noopener">${title}</a>` : title}
      </h1>
      <p class="byline">
        ${entry.author ? html`<span class="author">${entry.author}</span> · ` : ''}<time
          datetime="${isoTime(entry.publishedAt)}"
          >${date(entry.publishedAt)}</time
        >
        · via
        ${source.siteUrl ? html`<a href="${source.siteUrl}" rel="noopener">${source.title}</a>` : source.title}
      </p>
      ${syndicated(v.post)} ${tagList(v.post.tags)}
      <div class="content" lang="${entry.language ?? ''}">${trusted(entry.contentHtml)}</div>
      ${
        enclosures.length
          ? html`<ul class="enclosures">
              ${enclosures.map((e) => html`<li><a href="${e.url}" rel="noopener">${e.url}</a> (${e.type ?? 'file'})</li>`)}
            </ul>`
          : ''
      }
      <p class="actions">
        ${entry.link ? html`<a class="button" href="${entry.link}" rel="noopener" data-original>Read original ↗</a>` : ''}
        ${v.readerHref ? html`<a class="button" href="${v.readerHref}" data-open-reader>Open in Gleaner</a>` : ''}
      </p>
      ${
        v.related.length
          ? html`<section class="related">
              <h2>Related posts</h2>
              <ul>
                ${v.related.map((r) => html`<li><a href="${r.path}">${r.entry.title || '(untitled)'}</a> <span class="muted">${attributedTo(r)} · ${date(r.entry.publishedAt)}</span></li>`)}
              </ul>
            </section>`
          : ''
      }
      ${feedLinks(v.feeds)}
    </article>`,
  });
}

export interface IndexItem {
  publication: Publication;
  path: string;
  feeds: FeedLinks;
}

export function indexPage(items: IndexItem[]): Html {
  return shell({
    title: 'Publications',
    body: html`<h1 class="archive-title">Publications</h1>
      <p class="follow">Their sources: <a href="/p/opml.xml">blogroll (OPML)</a></p>
      ${
        items.length
          ? html`<ul class="publications">
              ${items.map(
                (i) =>
                  html`<li>
                    <a href="${i.path}">${archiveHeading(i.publication)}</a>
                    <span class="muted"
                      ><a href="${i.feeds.rss}">RSS</a> · <a href="${i.feeds.atom}">Atom</a> ·
                      <a href="${i.feeds.json}">JSON Feed</a></span
                    >
                  </li>`,
              )}
            </ul>`
          : html`<p class="empty">Nothing is published.</p>`
      }`,
  });
}

export function notFoundPage(message: string): Html {
  return shell({
    title: 'Not found',
    body: html`<h1 class="archive-title">Not found (404)</h1>
      <p>${message}</p>
      <p><a href="/p/">All publications</a></p>`,
  });
}
