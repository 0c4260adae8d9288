// How the client APIs recognise a user: an API key (created in Settings or with `gleaner user key`),
// or a user name with a password or an API key in its place (what apps that ask for a password
// send). Failed attempts count against the same limit as the login form.
import type { User } from '../model/index.js';
import { tokenHash, verifyPassword } from '../web/auth.js';
import type { RouteContext } from '../web/server.js';

/** The user owning this API key, or null. */
export async function userFromApiKey(ctx: RouteContext, key: string): Promise<User | null> {
  if (!key || key.length > 200) return null;
  return ctx.deps.store.findUserByApiKey(tokenHash(key), ctx.deps.clock());
}

/**
 * The user with this name whose password (or one of whose API keys) is `secret`, or null. Returns
 * null without checking while the address or the name is over the failed-login limit.
 */
export async function userFromCredentials(
  ctx: RouteContext,
  ip: string,
  username: string,
  secret: string,
): Promise<User | null> {
  const name = username.trim().slice(0, 200);
  const keys = [`ip:${ip}`, `user:${name.toLowerCase()}`];
  const now = ctx.deps.clock();
  const waits = await Promise.all(keys.map((k) => ctx.loginLimiter.retryAfter(k, now)));
  if (waits.some((w) => w > 0)) return null;
  const found = await ctx.deps.store.findUserWithPasswordHash(name);
  let ok = false;
  if (found) {
    const byKey = await userFromApiKey(ctx, secret);
    ok = byKey?.id === found.user.id || (await verifyPassword(secret, found.passwordHash));
  } else {
    await verifyPassword(secret, null);
  }
  if (!found || !ok) {
    for (const k of keys) await ctx.loginLimiter.fail(k, now);
    return null;
  }
  return found.user;
}
