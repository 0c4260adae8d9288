// The reader's side of publishing: "Publish" from a list (a tag, folder, feed, starred, a search)
// and the Publications page (public URLs, full content or excerpts, withdraw, publish again).
// Every change is a CSRF-checked POST; the public pages themselves live in src/publish.
import type { FastifyInstance } from 'fastify';
import { GleanerError } from '../../model/errors.js';
import { publicationPath, publicOrigin, resolveTarget } from '../../publish/target.js';
import type { Publication } from '../../store/types.js';
import type { Translate } from '../i18n.js';
import { wantsJson, type RouteContext } from '../server.js';
import { layout } from '../views/layout.js';
import { publicationsPage, type PublicationsView } from '../views/publications.js';
import { field, notFound, pageData, requireUser, sendHtml, type SignedIn } from './page.js';

const FLASHES: Record<string, (t: Translate) => string> = {
  published: (t) => t('Published. Its public URL is below.'),
  withdrawn: (t) => t('The publication was withdrawn: its pages and feeds now answer “not found”.'),
  restored: (t) => t('The publication is public again, at the same URL.'),
  changed: (t) => t('The publication was changed.'),
};

function covers(t: Translate, p: Publication, names: Map<string, string>): string {
  switch (p.kind) {
    case 'tag':
      return t('tag: {name}', { name: p.value });
    case 'folder':
      return t('folder: {name}', { name: names.get(`folder:${p.value}`) ?? p.value });
    case 'feed':
      return t('feed: {name}', { name: names.get(`feed:${p.value}`) ?? p.value });
    case 'starred':
      return t('your starred entries');
    case 'search':
      return t('search: {name}', { name: p.value });
  }
}

export function registerPublicationRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store, clock, options } = ctx.deps;

  async function show(
    viewer: SignedIn,
    origin: string,
    view: Partial<PublicationsView>,
  ): Promise<{ page: Awaited<ReturnType<typeof pageData>>; full: PublicationsView }> {
    const [page, pubs] = await Promise.all([
      pageData(ctx, viewer, 'publications'),
      store.listPublications(viewer.user.id),
    ]);
    const names = new Map<string, string>();
    for (const f of page.folders) names.set(`folder:${f.id}`, f.name);
    for (const s of page.subs)
      names.set(`feed:${s.feed.id}`, s.subscription.title ?? s.feed.title ?? s.feed.url);
    const rows = pubs.map((publication) => ({
      publication,
      url: origin + publicationPath(publication.slug),
      covers: covers(viewer.t, publication, names),
    }));
    return { page, full: { flash: null, error: null, ...view, rows } };
  }

  app.get<{ Querystring: { done?: string } }>('/settings/publications', async (req, reply) => {
    const viewer = await requireUser(ctx, req, reply);
    if (!viewer) return reply;
    const code = req.query.done;
    const flash =
      typeof code === 'string' && Object.hasOwn(FLASHES, code) ? (FLASHES[code]?.(viewer.t) ?? null) : null;
    const { page, full } = await show(viewer, publicOrigin(options.baseUrl, req.protocol, req.headers.host), {
      flash,
    });
    return sendHtml(reply, layout(page, viewer.t('Publications'), publicationsPage(page, full)));
  });

  app.post('/publications', async (req, reply) => {
    const viewer = await requireUser(ctx, req, reply);
    if (!viewer) return reply;
    const origin = publicOrigin(options.baseUrl, req.protocol, req.headers.host);
    let publication: Publication;
    try {
      const wanted = await resolveTarget(store, viewer.user.id, field(req, 'target'), {
        fullContent: field(req, 'excerpt') === '',
      });
      publication = await store.createPublication(wanted, clock());
    } catch (err) {
      if (!(err instanceof GleanerError) || (err.code !== 'USAGE' && err.code !== 'NOT_FOUND')) throw err;
      if (wantsJson(req)) return reply.code(err.code === 'USAGE' ? 400 : 404).send({ error: err.message });
      const { page, full } = await show(viewer, origin, { error: err.message });
      return sendHtml(reply, layout(page, viewer.t('Publications'), publicationsPage(page, full)), 400);
    }
    ctx.deps.log.info('published', { user: viewer.user.username, slug: publication.slug });
    const url = origin + publicationPath(publication.slug);
    if (wantsJson(req)) return { id: publication.id, slug: publication.slug, url };
    return reply.redirect(`/settings/publications?done=published#publication-${publication.id}`, 303);
  });

  for (const [action, change, done] of [
    ['withdraw', { withdrawn: true }, 'withdrawn'],
    ['restore', { withdrawn: false }, 'restored'],
    ['content', null, 'changed'],
  ] as const) {
    app.post<{ Params: { id: string } }>(`/publications/:id/${action}`, async (req, reply) => {
      const viewer = await requireUser(ctx, req, reply);
      if (!viewer) return reply;
      const id = /^\d{1,15}$/.test(req.params.id) ? Number(req.params.id) : null;
      const what = change ?? { fullContent: field(req, 'full') === '1' };
      if (id === null || !(await store.updatePublication(viewer.user.id, id, what, clock())))
        return notFound(reply);
      if (wantsJson(req)) return { id, ...what };
      return reply.redirect(`/settings/publications?done=${done}`, 303);
    });
  }
}
