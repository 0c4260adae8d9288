// First-run setup, login and logout.
import type { FastifyInstance } from 'fastify';
import {
  hashPassword,
  isValidUsername,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  verifyPassword,
} from '../auth.js';
import type { RouteContext } from '../server.js';
import { loginPage, setupPage } from '../views/auth.js';
import { field, needsSetup, safeNext, sendHtml } from './page.js';

export function registerAuthRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store, clock, log } = ctx.deps;
  const limiter = ctx.loginLimiter;

  app.get('/setup', async (req, reply) => {
    if (!(await needsSetup(ctx))) return reply.redirect('/login', 303);
    const users = await store.listUsers();
    return sendHtml(
      reply,
      setupPage(req.viewer, ctx.visitorCsrf(req, reply), users[0]?.username ?? 'admin', null),
    );
  });

  app.post('/setup', async (req, reply) => {
    if (!(await needsSetup(ctx)))
      return reply.code(409).type('text/plain').send('the administrator already exists');
    const t = req.viewer.t;
    const username = field(req, 'username').trim();
    const password = field(req, 'password');
    const problem = !isValidUsername(username)
      ? t('A user name is 1 to 64 letters, digits, dots, dashes or underscores.')
      : password.length < MIN_PASSWORD_LENGTH
        ? t('The password needs {rule}.', { rule: t('at least {n} characters', { n: MIN_PASSWORD_LENGTH }) })
        : password.length > MAX_PASSWORD_LENGTH
          ? t('The password needs {rule}.', { rule: t('at most {n} characters', { n: MAX_PASSWORD_LENGTH }) })
          : password !== field(req, 'confirm')
            ? t('The two passwords differ.')
            : null;
    if (problem) return sendHtml(reply, setupPage(req.viewer, req.viewer.csrf, username, problem), 400);
    const hash = await hashPassword(password);
    // The CLI may have created the local user already (with subscriptions): it becomes the
    // administrator, under the name chosen here.
    let user = await store.findUserByName(username);
    const existing = await store.listUsers();
    if (!user && existing.length === 1 && existing[0]) {
      user = existing[0];
      await store.renameUser(user.id, username);
      user = { ...user, username };
    }
    if (user) {
      await store.setPasswordHash(user.id, hash);
      await store.setAdmin(user.id, true);
    } else {
      user = await store.createUser(username, { isAdmin: true, passwordHash: hash }, clock());
    }
    log.info('administrator created', { user: user.username });
    await ctx.startSession(req, reply, user.id);
    return reply.redirect('/unread', 303);
  });

  app.get<{ Querystring: { next?: string } }>('/login', async (req, reply) => {
    if (await needsSetup(ctx)) return reply.redirect('/setup', 303);
    if (req.viewer.user) return reply.redirect(safeNext(req.query.next), 303);
    return sendHtml(
      reply,
      loginPage(req.viewer, ctx.visitorCsrf(req, reply), '', safeNext(req.query.next), null),
    );
  });

  app.post('/login', async (req, reply) => {
    const t = req.viewer.t;
    const username = field(req, 'username').trim().slice(0, 200);
    const password = field(req, 'password');
    const next = safeNext(field(req, 'next'));
    const now = clock();
    const keys = [`ip:${req.ip}`, `user:${username.toLowerCase()}`];
    const wait = Math.max(...(await Promise.all(keys.map((k) => limiter.retryAfter(k, now)))));
    if (wait > 0) {
      reply.header('Retry-After', String(Math.ceil(wait / 1000)));
      const message = t('Too many failed logins; try again in {n} minutes.', { n: Math.ceil(wait / 60_000) });
      return sendHtml(reply, loginPage(req.viewer, req.viewer.csrf, username, next, message), 429);
    }
    const found = await store.findUserWithPasswordHash(username);
    const user = found?.user ?? null;
    const ok = await verifyPassword(password, found?.passwordHash ?? null);
    if (!user || !ok) {
      for (const k of keys) await limiter.fail(k, now);
      log.warn('login failed', { user: username, ip: req.ip });
      return sendHtml(
        reply,
        loginPage(req.viewer, req.viewer.csrf, username, next, t('Wrong user name or password.')),
        401,
      );
    }
    for (const k of keys) await limiter.succeed(k);
    await ctx.startSession(req, reply, user.id);
    return reply.redirect(next, 303);
  });

  app.post('/logout', async (req, reply) => {
    if (req.sessionHash) await store.deleteSession(req.sessionHash);
    ctx.clearSessionCookie(reply);
    return reply.redirect('/login', 303);
  });
}
