// The public side of publishing: /p/ (the index), /p/opml.xml (the blogroll), /p/SLUG/ (the
// archive, paged by keyset), /p/SLUG/ID-TITLE (a post), and /p/SLUG/feed.xml, atom.xml and
// feed.json. No session is needed; the server's security headers still apply. Pages and feeds are
// kept rendered per publication until its version changes (or a minute passes, for edited
// entries), so the hot path is one indexed lookup and a 304 check.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { escapeHtml } from '../content/escape.js';
import { buildOpml, type OpmlFeed } from '../feed/opml/index.js';
import type { Entry } from '../model/index.js';
import type { Publication, PublicationState, Store } from '../store/types.js';
import { relatedCandidates } from '../web/related.js';
import type { RouteContext } from '../web/server.js';
import { renderAtom, renderJsonFeed, renderRss, type OutputFeed } from './feeds.js';
import {
  archivePage,
  attributedTo,
  excerptOf,
  indexPage,
  notFoundPage,
  postPage,
  type FeedLinks,
  type PublicPost,
  type Source,
} from './pages.js';
import { postPath, publicationPath, publicOrigin } from './target.js';

export const ARCHIVE_PAGE_SIZE = 20;
export const FEED_ITEMS = 50;
/** A search publication covers its newest matches, up to this many. */
const SEARCH_COVERAGE = 1000;
/** Edited entries keep their id: a cached page is rendered again after this long anyway. */
const CACHE_TTL_MS = 60_000;
const CACHE_MAX = 2000;

interface Rendered {
  version: string;
  at: number;
  body: string;
  type: string;
  etag: string;
  /** Epoch ms, for Last-Modified. */
  lastModified: number;
  /** A post's own path (its title part spelled as we link it). */
  path?: string;
}

interface Cursor {
  publishedAt: number;
  id: number;
}

function parseCursor(value: unknown): Cursor | null | 'invalid' {
  if (value === undefined || value === '') return null;
  const m = typeof value === 'string' ? /^(-?\d{1,16})\.(\d{1,16})$/.exec(value) : null;
  return m ? { publishedAt: Number(m[1]), id: Number(m[2]) } : 'invalid';
}

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

function send(req: FastifyRequest, reply: FastifyReply, r: Rendered, cacheControl: string): FastifyReply {
  reply.header('ETag', r.etag);
  reply.header('Last-Modified', new Date(r.lastModified).toUTCString());
  reply.header('Cache-Control', cacheControl);
  reply.header('X-Robots-Tag', 'noindex');
  reply.header('Vary', 'Cookie');
  const inm = req.headers['if-none-match'];
  const ims = req.headers['if-modified-since'];
  const notModified = inm
    ? matchesEtag(inm, r.etag)
    : ims !== undefined && Date.parse(ims) >= Math.floor(r.lastModified / 1000) * 1000;
  if (notModified) return reply.code(304).send();
  return reply.code(200).type(r.type).send(r.body);
}

function rendered(version: string, now: number, body: string, type: string, lastModified: number): Rendered {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  return { version, at: now, body, type, etag, lastModified: Math.max(0, lastModified) };
}

/** What a publication shows, read from the store: its posts with their sources and tags. */
class PublicationReader {
  private sources = new Map<number, Source>();

  constructor(
    private readonly store: Store,
    private readonly publication: Publication,
  ) {}

  /** The ids a search publication covers (its newest matches), without excluded feeds. */
  private searchIds: number[] | null = null;

  private async searchCoverage(): Promise<number[]> {
    if (this.searchIds) return this.searchIds;
    const p = this.publication;
    const [hits, excluded] = await Promise.all([
      this.store.searchEntries({
        userId: p.userId,
        text: p.value,
        sort: 'newest',
        limit: SEARCH_COVERAGE,
        offset: 0,
      }),
      this.store.noRepublishFeeds(p.userId),
    ]);
    this.searchIds = hits.filter((h) => !excluded.has(h.view.entry.feedId)).map((h) => h.view.entry.id);
    return this.searchIds;
  }

  /** Entries newest first, older than the cursor (callers ask one more to learn whether more follow). */
  async entries(limit: number, after: Cursor | null, withContent = true): Promise<Entry[]> {
    const p = this.publication;
    if (p.kind !== 'search') {
      return this.store.publicationEntries(p, { limit, withContent, ...(after ? { after } : {}) });
    }
    const ids = await this.searchCoverage();
    if (ids.length === 0) return [];
    const views = await this.store.queryEntries({
      userId: p.userId,
      entryIds: ids.slice(0, SEARCH_COVERAGE),
      limit: SEARCH_COVERAGE,
      withContent: false,
      ...(after ? { after } : {}),
    });
    const page = views.slice(0, limit).map((v) => v.entry.id);
    if (!withContent || page.length === 0) return views.slice(0, limit).map((v) => v.entry);
    const full = await this.store.queryEntries({ userId: p.userId, entryIds: page, limit: page.length });
    return full.map((v) => v.entry);
  }

  /** The entry if this publication covers it. */
  async entry(id: number): Promise<Entry | null> {
    const p = this.publication;
    if (p.kind === 'search') {
      if (!(await this.searchCoverage()).includes(id)) return null;
      const [view] = await this.store.queryEntries({ userId: p.userId, entryIds: [id], limit: 1 });
      return view?.entry ?? null;
    }
    const [entry] = await this.store.publicationEntries(p, { entryIds: [id], limit: 1 });
    return entry ?? null;
  }

  /** Entries of this publication among these ids, without bodies. */
  async among(ids: number[]): Promise<Entry[]> {
    const p = this.publication;
    if (ids.length === 0) return [];
    if (p.kind === 'search') {
      const covered = new Set(await this.searchCoverage());
      const keep = ids.filter((id) => covered.has(id));
      const views = await this.store.queryEntries({
        userId: p.userId,
        entryIds: keep,
        limit: keep.length || 1,
        withContent: false,
      });
      return keep.length ? views.map((v) => v.entry) : [];
    }
    return this.store.publicationEntries(p, { entryIds: ids, limit: ids.length, withContent: false });
  }

  async posts(entries: Entry[]): Promise<PublicPost[]> {
    const tags = await this.store.entryTags(entries.map((e) => e.id));
    await this.loadSources(entries);
    return entries.map((entry) => ({
      entry,
      tags: tags.get(entry.id) ?? [],
      source: this.sources.get(entry.feedId) ?? { title: 'unknown feed', siteUrl: null, feedUrl: '' },
      path: postPath(this.publication.slug, entry.id, entry.title),
    }));
  }

  private async loadSources(entries: Entry[]): Promise<void> {
    const missing = [...new Set(entries.map((e) => e.feedId))].filter((id) => !this.sources.has(id));
    if (missing.length === 0) return;
    // The publisher's own name for a feed, as their reader shows it; else the feed's title.
    const subs = await this.store.listSubscriptions(this.publication.userId);
    for (const s of subs) {
      this.sources.set(s.feed.id, {
        title: s.subscription.title ?? s.feed.title ?? hostOf(s.feed.url),
        siteUrl: httpUrl(s.feed.siteUrl),
        feedUrl: s.feed.url,
      });
    }
    for (const id of missing) {
      if (this.sources.has(id)) continue;
      const feed = await this.store.getFeed(id);
      if (feed) {
        this.sources.set(id, {
          title: feed.title ?? hostOf(feed.url),
          siteUrl: httpUrl(feed.siteUrl),
          feedUrl: feed.url,
        });
      }
    }
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function httpUrl(url: string | null): string | null {
  return url && /^https?:\/\//i.test(url) ? url : null;
}

const newest = (entries: Entry[]): number =>
  entries.reduce((m, e) => Math.max(m, e.updatedAt ?? e.publishedAt, e.publishedAt), 0);

export function registerPublishRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store, clock, options } = ctx.deps;
  const cache = new Map<string, Rendered>();

  // A publisher's own change (withdrawing, starring, moving a feed) shows at once on their pages.
  app.addHook('onResponse', (req, _reply, done) => {
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.viewer?.user) cache.clear();
    done();
  });

  const originOf = (req: FastifyRequest): string =>
    publicOrigin(options.baseUrl, req.protocol, req.headers.host);

  function feedLinks(slug: string): FeedLinks {
    const base = publicationPath(slug);
    return { rss: `${base}feed.xml`, atom: `${base}atom.xml`, json: `${base}feed.json` };
  }

  function missing(
    reply: FastifyReply,
    message = 'No publication here: it was withdrawn, or never existed.',
  ): FastifyReply {
    return reply
      .code(404)
      .type('text/html; charset=utf-8')
      .header('Cache-Control', 'no-store')
      .header('X-Robots-Tag', 'noindex')
      .send(notFoundPage(message).value);
  }

  /** The cached rendering under `key`, or a new one. */
  async function cached(
    key: string,
    version: string,
    /** Last-Modified when the rendering names no time of its own. */
    modified: number,
    render: () => Promise<{ body: string; type: string; lastModified: number; path?: string } | null>,
  ): Promise<Rendered | null> {
    const now = clock();
    const hit = cache.get(key);
    if (hit && hit.version === version && now - hit.at < CACHE_TTL_MS && now >= hit.at) return hit;
    const out = await render();
    if (!out) return null;
    const r = rendered(version, now, out.body, out.type, out.lastModified || modified);
    if (out.path) r.path = out.path;
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(key, r);
    return r;
  }

  async function lookup(slug: string): Promise<PublicationState | null> {
    if (slug.length > 200) return null;
    return store.findPublication(slug);
  }

  app.get('/p', async (_req, reply) => reply.redirect('/p/', 301));

  app.get('/p/', async (req, reply) => {
    const pubs = await store.livePublications();
    const body = indexPage(
      pubs.map((publication) => ({
        publication,
        path: publicationPath(publication.slug),
        feeds: feedLinks(publication.slug),
      })),
    ).value;
    const lastModified = pubs.reduce((m, p) => Math.max(m, p.updatedAt), 0);
    return send(
      req,
      reply,
      rendered('', clock(), body, 'text/html; charset=utf-8', lastModified),
      'public, max-age=60',
    );
  });

  // The blogroll: every source of every live publication (of its newest entries), one folder each.
  app.get('/p/opml.xml', async (req, reply) => {
    const pubs = await store.livePublications();
    // Sources change with the publications (and, within the minute the cache lasts, with new entries).
    const version = pubs.map((p) => `${p.id}.${p.updatedAt}`).join(',');
    const modified = pubs.reduce((m, p) => Math.max(m, p.updatedAt), 0);
    const r = await cached('opml', version, modified, async () => {
      const outlines: OpmlFeed[] = [];
      for (const p of pubs) {
        const reader = new PublicationReader(store, p);
        const posts = await reader.posts(await reader.entries(500, null, false));
        const seen = new Set<string>();
        for (const post of posts) {
          if (!post.source.feedUrl || seen.has(post.source.feedUrl)) continue;
          seen.add(post.source.feedUrl);
          outlines.push({
            url: post.source.feedUrl,
            title: post.source.title,
            siteUrl: post.source.siteUrl,
            folder: p.title,
          });
        }
      }
      const body = buildOpml('Sources of the publications', outlines, new Date(modified || clock()));
      return { body, type: 'text/x-opml; charset=utf-8', lastModified: modified };
    });
    if (!r) return missing(reply);
    return send(req, reply, r, 'public, max-age=300');
  });

  app.get<{ Params: { slug: string } }>('/p/:slug', async (req, reply) =>
    reply.redirect(publicationPath(req.params.slug), 301),
  );

  app.get<{ Params: { slug: string }; Querystring: { after?: string } }>('/p/:slug/', async (req, reply) => {
    const state = await lookup(req.params.slug);
    if (!state) return missing(reply);
    const after = parseCursor(req.query.after);
    if (after === 'invalid') return missing(reply, 'No such page of this publication.');
    const p = state.publication;
    const path = publicationPath(p.slug);
    const key = `${originOf(req)}|${p.slug}|archive|${req.query.after ?? ''}`;
    const r = await cached(key, state.version, p.updatedAt, async () => {
      const reader = new PublicationReader(store, p);
      const rows = await reader.entries(ARCHIVE_PAGE_SIZE + 1, after);
      if (after && rows.length === 0) return null;
      const entries = rows.slice(0, ARCHIVE_PAGE_SIZE);
      const last = entries[entries.length - 1];
      const body = archivePage({
        publication: p,
        posts: await reader.posts(entries),
        feeds: feedLinks(p.slug),
        olderHref:
          rows.length > ARCHIVE_PAGE_SIZE && last ? `${path}?after=${last.publishedAt}.${last.id}` : null,
        newestHref: after ? path : null,
      }).value;
      return { body, type: 'text/html; charset=utf-8', lastModified: newest(entries) };
    });
    if (!r) return missing(reply, 'No such page of this publication.');
    return send(req, reply, r, 'public, max-age=60');
  });

  for (const [file, kind] of [
    ['feed.xml', 'rss'],
    ['atom.xml', 'atom'],
    ['feed.json', 'json'],
  ] as const) {
    app.get<{ Params: { slug: string } }>(`/p/:slug/${file}`, async (req, reply) => {
      const state = await lookup(req.params.slug);
      if (!state) return missing(reply);
      const p = state.publication;
      const origin = originOf(req);
      const r = await cached(`${origin}|${p.slug}|${kind}`, state.version, p.updatedAt, async () => {
        const reader = new PublicationReader(store, p);
        const entries = await reader.entries(FEED_ITEMS, null);
        const posts = await reader.posts(entries);
        const links = feedLinks(p.slug);
        const feed: OutputFeed = {
          title: p.title,
          description: `Posts republished by Gleaner: ${p.title}`,
          homeUrl: origin + publicationPath(p.slug),
          rssUrl: origin + links.rss,
          atomUrl: origin + links.atom,
          jsonUrl: origin + links.json,
          updated: newest(entries) || p.updatedAt,
          items: posts.map((post) => {
            const publicUrl = origin + post.path;
            const attribution = `<p>Post Syndicated from ${escapeHtml(attributedTo(post))}${post.entry.link ? ` original <a href="${escapeHtml(post.entry.link)}">${escapeHtml(post.entry.link)}</a>` : ''}</p>`;
            return {
              id: publicUrl,
              title: post.entry.title,
              url: post.entry.link ?? publicUrl,
              publicUrl,
              author: attributedTo(post),
              contentHtml:
                attribution +
                (p.fullContent ? post.entry.contentHtml : `<p>${escapeHtml(excerptOf(post.entry))}</p>`),
              summary: excerptOf(post.entry),
              published: post.entry.publishedAt,
              updated: post.entry.updatedAt,
              categories: post.entry.categories,
              enclosures: post.entry.enclosures,
              source: post.source,
            };
          }),
        };
        const body =
          kind === 'rss' ? renderRss(feed) : kind === 'atom' ? renderAtom(feed) : renderJsonFeed(feed);
        const type =
          kind === 'rss'
            ? 'application/rss+xml; charset=utf-8'
            : kind === 'atom'
              ? 'application/atom+xml; charset=utf-8'
              : 'application/feed+json; charset=utf-8';
        return { body, type, lastModified: feed.updated };
      });
      if (!r) return missing(reply);
      return send(req, reply, r, 'public, max-age=300');
    });
  }

  app.get<{ Params: { slug: string; post: string } }>('/p/:slug/:post', async (req, reply) => {
    const m = /^(\d{1,15})(?:-(.*))?$/.exec(req.params.post);
    if (!m) return missing(reply, 'No such post in this publication.');
    const state = await lookup(req.params.slug);
    if (!state) return missing(reply);
    const p = state.publication;
    const id = Number(m[1]);
    const reader = new PublicationReader(store, p);
    const viewer = req.viewer.user;
    const render = async () => {
      const entry = await reader.entry(id);
      if (!entry) return null;
      const [post] = await reader.posts([entry]);
      if (!post) return null;
      const candidates = await relatedCandidates(store, entry, post.tags, 10);
      const scores = new Map(candidates.map((c) => [c.id, c.shared]));
      const related = (await reader.among(candidates.map((c) => c.id)))
        .sort((a, b) => (scores.get(b.id) ?? 0) - (scores.get(a.id) ?? 0) || b.publishedAt - a.publishedAt)
        .slice(0, 5);
      // "Open in Gleaner" for a signed-in reader who has the entry in their own reader.
      const readerHref =
        viewer &&
        (await store.queryEntries({ userId: viewer.id, entryIds: [id], limit: 1, withContent: false })).length
          ? `/entry/${id}`
          : null;
      const body = postPage({
        publication: p,
        archivePath: publicationPath(p.slug),
        post,
        related: await reader.posts(related),
        feeds: feedLinks(p.slug),
        readerHref,
      }).value;
      return {
        body,
        type: 'text/html; charset=utf-8',
        lastModified: entry.updatedAt ?? entry.publishedAt,
        path: post.path,
      };
    };
    // A signed-in reader's page is their own (it may offer to open the entry): not kept, not shared.
    if (viewer) {
      const out = await render();
      if (!out) return missing(reply, 'No such post in this publication.');
      if (out.path !== req.url.split('?')[0]) return reply.redirect(out.path, 301);
      return send(
        req,
        reply,
        rendered(state.version, clock(), out.body, out.type, out.lastModified),
        'private, no-store',
      );
    }
    const r = await cached(`${originOf(req)}|${p.slug}|post|${id}`, state.version, p.updatedAt, render);
    if (!r) return missing(reply, 'No such post in this publication.');
    // The title part of the URL is decoration: any other spelling redirects to the one we link.
    if (r.path && r.path !== req.url.split('?')[0]) return reply.redirect(r.path, 301);
    return send(req, reply, r, 'public, max-age=60');
  });
}
