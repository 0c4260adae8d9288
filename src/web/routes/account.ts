// The account: reader settings, the password, API keys for reader apps, and the administrators'
// user management. Pages confirm changes through a fixed set of flash codes in the query, so no
// submitted text is ever reflected from a URL.
import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  hashPassword,
  issueApiKey,
  MAX_API_KEYS,
  MAX_KEY_NAME,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  isValidUsername,
  usernameTaken,
  passwordProblem,
  verifyPassword,
} from '../auth.js';
import type { Translate } from '../i18n.js';
import { wantsJson, type RouteContext } from '../server.js';
import { normalizeSettings } from '../settings.js';
import { settingsPage, usersPage, type SettingsView, type UsersView } from '../views/account.js';
import { layout } from '../views/layout.js';
import { field, notFound, pageData, requireAdmin, requireUser, sendHtml, type SignedIn } from './page.js';

const SETTINGS_FLASHES: Record<string, (t: Translate) => string> = {
  settings: (t) => t('Settings saved.'),
  password: (t) => t('Password changed. Every other session was signed out.'),
  'key-revoked': (t) => t('The API key was revoked.'),
};

const USERS_FLASHES: Record<string, (t: Translate) => string> = {
  created: (t) => t('The user was created.'),
  deleted: (t) => t('The user was deleted.'),
  admin: (t) => t('The user is now an administrator.'),
  'not-admin': (t) => t('The user is no longer an administrator.'),
};

const CHECKBOXES = ['unreadOnly', 'markReadOnOpen', 'markReadOnScroll'] as const;

function flashFrom(
  t: Translate,
  messages: Record<string, (t: Translate) => string>,
  code: unknown,
): string | null {
  if (typeof code !== 'string' || !Object.hasOwn(messages, code)) return null;
  return messages[code]?.(t) ?? null;
}

/** Why a new password is refused, in the viewer's language, or null. */
function passwordRule(t: Translate, password: string): string | null {
  if (!passwordProblem(password)) return null;
  return password.length < MIN_PASSWORD_LENGTH
    ? t('at least {n} characters', { n: MIN_PASSWORD_LENGTH })
    : t('at most {n} characters', { n: MAX_PASSWORD_LENGTH });
}

function idParam(value: string): number | null {
  return /^\d{1,15}$/.test(value) ? Number(value) : null;
}

export function registerAccountRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store, clock, log } = ctx.deps;
  // Guessing the current password from a stolen session is as slow as guessing at the login
  // (the same counts, under keys of their own).
  const passwordLimiter = ctx.loginLimiter;

  // A copy of the login's session start in routes/auth.ts (to be shared from there).
  async function showSettings(
    reply: FastifyReply,
    viewer: SignedIn,
    view: Partial<SettingsView>,
    status = 200,
  ): Promise<FastifyReply> {
    const [page, keys] = await Promise.all([
      pageData(ctx, viewer, 'settings'),
      store.listApiKeys(viewer.user.id),
    ]);
    const full: SettingsView = {
      flash: null,
      passwordError: null,
      keyError: null,
      newKey: null,
      retention: ctx.deps.options.retention,
      ...view,
      keys,
    };
    return sendHtml(reply, layout(page, viewer.t('Settings'), settingsPage(page, full)), status);
  }

  async function showUsers(
    reply: FastifyReply,
    viewer: SignedIn,
    view: Partial<UsersView>,
    status = 200,
  ): Promise<FastifyReply> {
    const page = await pageData(ctx, viewer, 'admin');
    const users = await Promise.all(
      (await store.listUsers()).map(async (user) => ({
        user,
        hasPassword: (await store.getPasswordHash(user.id)) !== null,
      })),
    );
    const full: UsersView = {
      flash: null,
      error: null,
      form: { username: '', isAdmin: false },
      ...view,
      users,
    };
    return sendHtml(reply, layout(page, viewer.t('Users'), usersPage(page, full)), status);
  }

  app.get<{ Querystring: { done?: string } }>('/settings', async (req, reply) => {
    const viewer = await requireUser(ctx, req, reply);
    if (!viewer) return reply;
    return showSettings(reply, viewer, { flash: flashFrom(viewer.t, SETTINGS_FLASHES, req.query.done) });
  });

  app.post('/settings', async (req, reply) => {
    const viewer = await requireUser(ctx, req, reply);
    if (!viewer) return reply;
    // A form leaves unchecked boxes out: they mean off. Anything invalid keeps the current value.
    const input: Record<string, unknown> = {};
    for (const name of ['theme', 'fontSize', 'perPage', 'order', 'language']) input[name] = field(req, name);
    for (const name of CHECKBOXES) input[name] = field(req, name) || false;
    const settings = normalizeSettings(input, viewer.settings);
    await store.setUserSettings(viewer.user.id, { ...settings });
    if (wantsJson(req)) return { settings };
    return reply.redirect('/settings?done=settings', 303);
  });

  app.post('/settings/password', async (req, reply) => {
    const viewer = await requireUser(ctx, req, reply);
    if (!viewer) return reply;
    const t = viewer.t;
    const userId = viewer.user.id;
    const key = `password:user:${userId}`;
    const now = clock();
    const wait = await passwordLimiter.retryAfter(key, now);
    if (wait > 0) {
      reply.header('Retry-After', String(Math.ceil(wait / 1000)));
      const message = t('Too many wrong passwords; try again in {n} minutes.', {
        n: Math.ceil(wait / 60_000),
      });
      return showSettings(reply, viewer, { passwordError: message }, 429);
    }
    const current = field(req, 'current');
    const password = field(req, 'password');
    if (!(await verifyPassword(current, await store.getPasswordHash(userId)))) {
      await passwordLimiter.fail(key, now);
      log.warn('password change refused: wrong current password', { user: viewer.user.username, ip: req.ip });
      return showSettings(reply, viewer, { passwordError: t('The current password is wrong.') }, 400);
    }
    await passwordLimiter.succeed(key);
    const rule = passwordRule(t, password);
    const problem = rule
      ? t('The password needs {rule}.', { rule })
      : password !== field(req, 'confirm')
        ? t('The two passwords differ.')
        : null;
    if (problem) return showSettings(reply, viewer, { passwordError: problem }, 400);
    await store.setPasswordHash(userId, await hashPassword(password));
    // Whoever else holds a session (a stolen cookie, a forgotten computer) is out; this browser
    // continues in a new session.
    const ended = await store.deleteUserSessions(userId);
    await ctx.startSession(req, reply, userId);
    log.info('password changed', { user: viewer.user.username, sessionsEnded: ended });
    return reply.redirect('/settings?done=password', 303);
  });

  app.post('/settings/api-keys', async (req, reply) => {
    const viewer = await requireUser(ctx, req, reply);
    if (!viewer) return reply;
    const t = viewer.t;
    const name = field(req, 'name').trim().slice(0, MAX_KEY_NAME);
    if (!name) return showSettings(reply, viewer, { keyError: t('Give the key a name.') }, 400);
    if ((await store.listApiKeys(viewer.user.id)).length >= MAX_API_KEYS) {
      return showSettings(reply, viewer, { keyError: t('Revoke a key before creating another.') }, 400);
    }
    // Only the hash is stored: the key is in this one response and nowhere else.
    const { apiKey, key } = await issueApiKey(store, viewer.user, name, clock());
    log.info('API key created', { user: viewer.user.username, key: apiKey.id });
    if (wantsJson(req)) return { id: apiKey.id, name: apiKey.name, key };
    return showSettings(reply, viewer, { newKey: { name: apiKey.name, key } });
  });

  app.post<{ Params: { id: string } }>('/settings/api-keys/:id/delete', async (req, reply) => {
    const viewer = await requireUser(ctx, req, reply);
    if (!viewer) return reply;
    const id = idParam(req.params.id);
    if (id === null || !(await store.deleteApiKey(viewer.user.id, id))) return notFound(reply);
    log.info('API key revoked', { user: viewer.user.username, key: id });
    if (wantsJson(req)) return { deleted: true };
    return reply.redirect('/settings?done=key-revoked#api-keys', 303);
  });

  app.get<{ Querystring: { done?: string } }>('/admin/users', async (req, reply) => {
    const viewer = await requireAdmin(ctx, req, reply);
    if (!viewer) return reply;
    return showUsers(reply, viewer, { flash: flashFrom(viewer.t, USERS_FLASHES, req.query.done) });
  });

  app.post('/admin/users', async (req, reply) => {
    const viewer = await requireAdmin(ctx, req, reply);
    if (!viewer) return reply;
    const t = viewer.t;
    const username = field(req, 'username').trim();
    const password = field(req, 'password');
    const isAdmin = field(req, 'admin') !== '';
    const form = { username: username.slice(0, 64), isAdmin };
    const rule = passwordRule(t, password);
    const problem = !isValidUsername(username)
      ? t('A user name is 1 to 64 letters, digits, dots, dashes or underscores.')
      : rule
        ? t('The password needs {rule}.', { rule })
        : null;
    if (problem) return showUsers(reply, viewer, { error: problem, form }, 400);
    const taken = () => usernameTaken(store, username);
    const duplicate = t('A user named {name} exists already.', { name: username });
    if (await taken()) return showUsers(reply, viewer, { error: duplicate, form }, 409);
    const passwordHash = await hashPassword(password);
    try {
      const user = await store.createUser(username, { isAdmin, passwordHash }, clock());
      log.info('user created', { user: user.username, admin: user.isAdmin, by: viewer.user.username });
    } catch (err) {
      // Two administrators adding the same name at once: the database keeps names unique.
      if (await taken()) return showUsers(reply, viewer, { error: duplicate, form }, 409);
      throw err;
    }
    return reply.redirect('/admin/users?done=created', 303);
  });

  app.post<{ Params: { id: string } }>('/admin/users/:id/delete', async (req, reply) => {
    const viewer = await requireAdmin(ctx, req, reply);
    if (!viewer) return reply;
    const id = idParam(req.params.id);
    const user = id === null ? null : await store.getUser(id);
    if (!user) return notFound(reply);
    if (user.id === viewer.user.id) {
      return showUsers(reply, viewer, { error: viewer.t('You cannot delete your own account.') }, 400);
    }
    await store.deleteUser(user.id);
    log.info('user deleted', { user: user.username, by: viewer.user.username });
    return reply.redirect('/admin/users?done=deleted', 303);
  });

  // Sets administrator rights (field admin = 1 or 0; without it, toggles them).
  app.post<{ Params: { id: string } }>('/admin/users/:id/admin', async (req, reply) => {
    const viewer = await requireAdmin(ctx, req, reply);
    if (!viewer) return reply;
    const id = idParam(req.params.id);
    const user = id === null ? null : await store.getUser(id);
    if (!user) return notFound(reply);
    if (user.id === viewer.user.id) {
      const message = viewer.t('You cannot change your own administrator rights.');
      return showUsers(reply, viewer, { error: message }, 400);
    }
    const wanted = field(req, 'admin');
    const isAdmin = wanted === '1' ? true : wanted === '0' ? false : !user.isAdmin;
    await store.setAdmin(user.id, isAdmin);
    log.info(isAdmin ? 'administrator rights granted' : 'administrator rights removed', {
      user: user.username,
      by: viewer.user.username,
    });
    return reply.redirect(`/admin/users?done=${isAdmin ? 'admin' : 'not-admin'}`, 303);
  });
}
