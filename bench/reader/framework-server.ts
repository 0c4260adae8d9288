// One minimal server for the framework comparison, in its own process: Fastify or Hono (on
// @hono/node-server), each with the same hook (the reader's security headers, the cookie header
// parsed with the same library) and the same three answers: the unread list page rendered with the
// real views, the /api/counts JSON for 1,000 feeds, and a static JSON floor.
//   node --import tsx bench/reader/framework-server.ts fastify|hono   (prints {"port":N})
import { serve } from '@hono/node-server';
import { parse as parseCookies } from 'cookie';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { hotResponses } from './fixtures.js';

const SECURITY_HEADERS: [string, string][] = [
  [
    'Content-Security-Policy',
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https: http:; " +
      "media-src 'self' https: http:; frame-src https://www.youtube-nocookie.com https://www.youtube.com " +
      "https://player.vimeo.com; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; " +
      "frame-ancestors 'none'; manifest-src 'self'; worker-src 'self'",
  ],
  ['Referrer-Policy', 'no-referrer'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Permissions-Policy', 'camera=(), microphone=(), geolocation=(), interest-cohort=()'],
];
const SESSION_COOKIE = 'gleaner_session';

const hot = hotResponses();

/** What the hook learns from the cookie (the real server looks the session up in the store). */
function sessionOf(cookieHeader: string | undefined): string | null {
  const token = parseCookies(cookieHeader ?? '')[SESSION_COOKIE];
  return token && token.length <= 100 ? token : null;
}

async function startFastify(): Promise<number> {
  const app = Fastify({ logger: false, routerOptions: { maxParamLength: 500 } });
  app.decorateRequest('session', null);
  app.addHook('onRequest', async (req, reply) => {
    for (const [name, value] of SECURITY_HEADERS) reply.header(name, value);
    (req as unknown as { session: string | null }).session = sessionOf(req.headers.cookie);
  });
  app.get('/unread', async (_req, reply) =>
    reply
      .code(200)
      .type('text/html; charset=utf-8')
      .header('Cache-Control', 'no-store')
      .send(hot.unreadPage()),
  );
  app.get('/api/counts', () => Promise.resolve(hot.counts()));
  app.get('/healthz', () => Promise.resolve({ ok: true }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : NaN;
}

function startHono(): Promise<number> {
  const app = new Hono<{ Variables: { session: string | null } }>();
  app.use('*', async (c, next) => {
    for (const [name, value] of SECURITY_HEADERS) c.header(name, value);
    c.set('session', sessionOf(c.req.header('cookie')));
    await next();
  });
  app.get('/unread', (c) => {
    c.header('Cache-Control', 'no-store');
    return c.html(hot.unreadPage());
  });
  app.get('/api/counts', (c) => c.json(hot.counts()));
  app.get('/healthz', (c) => c.json({ ok: true }));
  return new Promise((resolve) => {
    serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => resolve(info.port));
  });
}

const which = process.argv[2];
const port = which === 'fastify' ? await startFastify() : which === 'hono' ? await startHono() : null;
if (port === null) {
  console.error('usage: framework-server.ts fastify|hono');
  process.exit(2);
}
console.log(JSON.stringify({ port }));
