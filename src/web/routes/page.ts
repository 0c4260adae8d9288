// What the page routes share: who is signed in, the sidebar's data, and HTML replies.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { User } from '../../model/index.js';
import { encodeHtml, type Html } from '../html.js';
import { proxiedImageUrl } from '../proxy.js';
import type { RouteContext, Viewer } from '../server.js';
import type { PageData } from '../views/layout.js';

export type SignedIn = Viewer & { user: User };

/** The signed-in viewer, or null after replying with a redirect to the login (or setup) page. */
export async function requireUser(
  ctx: RouteContext,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<SignedIn | null> {
  const viewer = req.viewer;
  if (viewer.user) return viewer as SignedIn;
  if (
    (req.headers.accept ?? '').includes('application/json') &&
    !(req.headers.accept ?? '').includes('text/html')
  ) {
    await reply.code(401).send({ error: 'sign in first' });
    return null;
  }
  if (req.method !== 'GET') {
    // A form sent after the session ended: sign in again, then start over from the list.
    await reply.redirect('/login', 303);
    return null;
  }
  const target = (await needsSetup(ctx)) ? '/setup' : `/login?next=${encodeURIComponent(req.url)}`;
  await reply.redirect(target, 303);
  return null;
}

export async function requireAdmin(
  ctx: RouteContext,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<SignedIn | null> {
  const viewer = await requireUser(ctx, req, reply);
  if (!viewer) return null;
  if (!viewer.user.isAdmin) {
    await reply.code(403).type('text/plain').send('administrators only');
    return null;
  }
  return viewer;
}

/** True until some user has a password: the first visit then creates the administrator. */
export async function needsSetup(ctx: RouteContext): Promise<boolean> {
  for (const user of await ctx.deps.store.listUsers()) {
    if (await ctx.deps.store.getPasswordHash(user.id)) return false;
  }
  return true;
}

export async function pageData(
  ctx: RouteContext,
  viewer: SignedIn,
  active: string,
  query?: string,
): Promise<PageData> {
  const { clock, options } = ctx.deps;
  const { subs, folders } = await ctx.library(viewer.user.id);
  return {
    viewer,
    subs,
    folders,
    active,
    now: clock(),
    proxy: options.proxyImages ? proxiedImageUrl : (url) => url,
    ...(query !== undefined ? { query } : {}),
  };
}

export function sendHtml(reply: FastifyReply, page: Html, status = 200): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('Cache-Control', 'no-store')
    .send(encodeHtml(page));
}

/** A local path to return to: never another site (`//evil`, `/\evil`, `https://…`). */
export function safeNext(next: unknown, fallback = '/unread'): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.includes('\\'))
    return fallback;
  return next.length > 2000 ? fallback : next;
}

/** Where a form came from, to return to it after the change (a same-origin path only). */
export function backTo(req: FastifyRequest, fallback: string): string {
  const body = req.body as Record<string, unknown> | undefined;
  return safeNext(body?.back, fallback);
}

export function field(req: FastifyRequest, name: string): string {
  const body = req.body as Record<string, unknown> | undefined;
  const value = body?.[name];
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return '';
}

/** Replies with the not-found page. */
export function notFound(reply: FastifyReply): FastifyReply {
  reply.callNotFound();
  return reply;
}
