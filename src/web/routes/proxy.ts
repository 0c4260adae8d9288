// Images Gleaner serves itself: GET /icons/FEED, the feed icons kept at subscribe time, and
// GET /proxy/image/SIGNATURE/URL, feed images fetched for signed-in readers (when
// GLEANER_PROXY_IMAGES is on) through the same guarded fetcher as feeds.
import type { FastifyInstance } from 'fastify';
import { GleanerError } from '../../model/errors.js';
import { verifyProxied } from '../proxy.js';
import type { RouteContext } from '../server.js';
import { notFound, requireUser } from './page.js';

const MAX_IMAGE_BYTES = 10 * 1024 * 1024;

// An SVG opened on its own must not run script in this origin.
const IMAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

export function registerProxyRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get<{ Params: { feedId: string } }>('/icons/:feedId', async (req, reply) => {
    const viewer = await requireUser(ctx, req, reply);
    if (!viewer) return reply;
    const feedId = Number(req.params.feedId);
    // Only the icons of the reader's own feeds: another user's private feed, or which sites the
    // others follow, is not found by walking the ids.
    const follows = (await ctx.library(viewer.user.id)).subs.some((s) => s.feed.id === feedId);
    const icon = follows ? await ctx.deps.store.getFeedIcon(feedId) : null;
    if (!icon) return notFound(reply);
    reply.header('Cache-Control', 'private, max-age=86400');
    reply.header('Content-Security-Policy', IMAGE_CSP);
    return reply.type(icon.contentType).send(Buffer.from(icon.data));
  });

  app.get<{ Params: { signature: string; encoded: string }; Querystring: { feed?: string } }>(
    '/proxy/image/:signature/:encoded',
    async (req, reply) => {
      const viewer = await requireUser(ctx, req, reply);
      if (!viewer) return reply;
      const image = verifyProxied(req.params.signature, req.params.encoded, req.query.feed);
      if (!image) return reply.code(403).type('text/plain').send('not a link this server made');
      const { url } = image;
      // Fetched as its feed is: through the feed proxy, trusting its own certificate.
      const options =
        image.feedId === null ? null : ((await ctx.deps.store.getFeed(image.feedId))?.options ?? null);
      let result;
      try {
        result = await ctx.deps.fetcher.fetchFeed({
          url,
          viaProxy: options?.fetchViaProxy ?? false,
          trustedCertificate: options?.trustedCertificate ?? null,
        });
      } catch (err) {
        const message = err instanceof GleanerError ? err.message : 'the image could not be fetched';
        return reply.code(502).type('text/plain').send(message);
      }
      if (result.status !== 'ok') return reply.code(502).type('text/plain').send('no image');
      const type = (result.contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      if (!type.startsWith('image/')) return reply.code(415).type('text/plain').send('not an image');
      if (result.body.byteLength > MAX_IMAGE_BYTES)
        return reply.code(413).type('text/plain').send('image too large');
      reply.header('Cache-Control', 'private, max-age=86400');
      reply.header('Content-Security-Policy', IMAGE_CSP);
      reply.header('Content-Disposition', 'inline');
      return reply.type(type).send(Buffer.from(result.body));
    },
  );
}
