// Signing in to the client APIs as their clients do: Google Reader's ClientLogin (the Auth line)
// and write token (T), and a Miniflux API key made with `gleaner user key` before the server starts
// (an X-Auth-Token costs a hash lookup; Basic auth with the password would cost an scrypt a request).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { REPO_ROOT } from '../reader/server.js';

const run = promisify(execFile);
export const GREADER = '/api/greader.php';
/** The name of the keys this benchmark makes: the one of the last run is removed before a new one. */
const KEY_LABEL = 'bench api';

/** A new API key for the user, made through the CLI; the previous run's bench keys are removed. */
export async function createApiKey(db: string, username: string): Promise<string> {
  const sqlite = new Database(db);
  try {
    sqlite.prepare('DELETE FROM api_keys WHERE name = ?').run(KEY_LABEL);
  } finally {
    sqlite.close();
  }
  const { stdout } = await run(
    process.execPath,
    ['dist/src/cli/main.js', 'user', 'key', username, '--label', KEY_LABEL, '--db', db],
    { cwd: REPO_ROOT, env: { ...process.env, GLEANER_LOG_LEVEL: 'warn' } },
  );
  const key = stdout.trim().split('\n').at(-1)?.trim();
  if (!key) throw new Error('gleaner user key printed no key');
  return key;
}

export interface GreaderSession {
  /** The Authorization header. */
  authorization: string;
  /** The write token. */
  token: string;
}

/** ClientLogin with the password, then the write token. */
export async function greaderLogin(
  origin: string,
  username: string,
  password: string,
): Promise<GreaderSession> {
  const res = await fetch(`${origin}${GREADER}/accounts/ClientLogin`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ Email: username, Passwd: password }).toString(),
  });
  const text = await res.text();
  const auth = /^Auth=(.+)$/m.exec(text)?.[1];
  if (res.status !== 200 || !auth) throw new Error(`ClientLogin: ${res.status} ${text.slice(0, 200)}`);
  const authorization = `GoogleLogin auth=${auth}`;
  const t = await fetch(`${origin}${GREADER}/reader/api/0/token`, { headers: { authorization } });
  const token = (await t.text()).trim();
  if (t.status !== 200 || !token) throw new Error(`GET token: ${t.status} ${token.slice(0, 200)}`);
  return { authorization, token };
}
