// Passwords, session and API tokens, and the login rate limit. Passwords are hashed with scrypt
// (memory-hard, in node:crypto); tokens are random and stored only as SHA-256 hashes.
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { User } from '../model/index.js';
import type { ApiKey, Store } from '../store/index.js';

const SCRYPT = { N: 1 << 15, r: 8, p: 1, keyLength: 32 };
// N·r·128 bytes = 32 MiB per hash; the limit must cover it.
const MAX_MEM = 64 * 1024 * 1024;

export const MIN_PASSWORD_LENGTH = 8;
// scrypt over a megabyte of "password" is a denial of service, not a login.
export const MAX_PASSWORD_LENGTH = 1024;

function derive(
  password: string,
  salt: Buffer,
  N: number,
  r: number,
  p: number,
  length: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, length, { N, r, p, maxmem: MAX_MEM }, (err, key) => {
      if (err) reject(err);
      else resolve(key);
    });
  });
}

/** `scrypt$N$r$p$salt$hash`, salt and hash in base64url. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const { N, r, p, keyLength } = SCRYPT;
  const key = await derive(password, salt, N, r, p, keyLength);
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  if (password.length > MAX_PASSWORD_LENGTH) return false;
  const parts = stored?.split('$');
  if (!parts || parts.length !== 6 || parts[0] !== 'scrypt') {
    // Spend the same time as a real check, so response times do not tell which users exist.
    await derive(password, randomBytes(16), SCRYPT.N, SCRYPT.r, SCRYPT.p, SCRYPT.keyLength);
    return false;
  }
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64url');
  const N = Number(n);
  if (!Number.isInteger(N) || N < 2 || N > 1 << 20 || expected.length < 16) return false;
  const key = await derive(
    password,
    Buffer.from(salt, 'base64url'),
    N,
    Number(r),
    Number(p),
    expected.length,
  );
  return timingSafeEqual(key, expected);
}

/** A user name: 1 to 64 letters, digits, dots, dashes or underscores. */
export function isValidUsername(name: string): boolean {
  return /^[\p{L}\p{N}_.-]{1,64}$/u.test(name);
}

/**
 * True when another user than `except` has this name, whatever its case: names differing only in
 * case would be told apart by nobody signing in.
 */
export async function usernameTaken(
  store: Store,
  username: string,
  except: number | null = null,
): Promise<boolean> {
  const lower = username.toLowerCase();
  return (await store.listUsers()).some((u) => u.username.toLowerCase() === lower && u.id !== except);
}

/** Why a new password is refused, or null. */
export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `at most ${MAX_PASSWORD_LENGTH} characters`;
  return null;
}

/** A random token for a cookie, a CSRF field or an API key. */
export function newToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** What Fever clients send as api_key when the user types this key as their password. */
export function feverKey(username: string, key: string): string {
  return createHash('md5').update(`${username}:${key}`).digest('hex');
}

/** API keys a user may hold at once: enough for every device, not a table to fill. */
export const MAX_API_KEYS = 100;
/** The longest name an API key is given. */
export const MAX_KEY_NAME = 100;

/**
 * A new API key for `user`, for the Google Reader and Miniflux APIs and (as the MD5 of "name:key")
 * for Fever apps. Only its hashes are stored: the key itself is in what this returns and nowhere else.
 */
export async function issueApiKey(
  store: Store,
  user: User,
  name: string,
  now: number,
): Promise<{ apiKey: ApiKey; key: string }> {
  const key = newToken(24);
  const apiKey = await store.createApiKey(user.id, name, tokenHash(key), now, feverKey(user.username, key));
  return { apiKey, key };
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Compares two tokens in constant time. */
export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * A LoginLimiter's questions, answered in this process or, when the reader runs on several, by the
 * process that holds the counts for all of them.
 */
export interface FailureLimiter {
  /** Milliseconds to wait before trying again, or 0. */
  retryAfter(key: string, now: number): Promise<number>;
  fail(key: string, now: number): Promise<void>;
  succeed(key: string): Promise<void>;
}

/**
 * Failed logins per key (an address, a user name) within a sliding window. After `limit` failures
 * the key must wait until the oldest failure leaves the window.
 */
export class LoginLimiter implements FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit = 10,
    private readonly windowMs = 15 * 60_000,
  ) {}

  retryAfter(key: string, now: number): Promise<number> {
    const recent = this.recent(key, now);
    if (recent.length < this.limit) return Promise.resolve(0);
    return Promise.resolve((recent[0] ?? now) + this.windowMs - now);
  }

  fail(key: string, now: number): Promise<void> {
    const recent = this.recent(key, now);
    recent.push(now);
    this.failures.set(key, recent);
    // Bound memory under a spray of distinct keys: forget the oldest keys first.
    if (this.failures.size > 100_000) {
      const oldest = this.failures.keys().next();
      if (!oldest.done) this.failures.delete(oldest.value);
    }
    return Promise.resolve();
  }

  succeed(key: string): Promise<void> {
    this.failures.delete(key);
    return Promise.resolve();
  }

  private recent(key: string, now: number): number[] {
    const list = this.failures.get(key) ?? [];
    return list.filter((t) => t > now - this.windowMs);
  }
}
