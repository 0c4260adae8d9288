// The real reader as a child process (`gleaner serve`, compiled), signed in like a browser: the
// login form's CSRF cookie and field, then the session cookie from the redirect.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

export interface ServerOptions {
  db: string;
  /** Write a V8 CPU profile of the server into this directory (written when it stops). */
  profileDir?: string;
  /** `gleaner serve --workers N`. */
  workers: number;
}

export interface RunningServer {
  origin: string;
  pid: number;
  child: ChildProcess;
  /** Bytes of resident memory now, and the peak so far (VmRSS, VmHWM), of all its processes. */
  memory(): { rss: number; peak: number };
  /** Resident memory of each process: the server, then its workers (with --workers N > 1). */
  memoryEach(): { pid: number; rss: number }[];
  /** The workers' process ids (none with --workers 1). */
  workerPids(): number[];
  stop(): Promise<void>;
}

/** One line on the server's memory: after start, now, peak, and each process's with several workers. */
export function describeServerMemory(server: RunningServer, startRss: number, workers: number): string {
  const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(0)} MB`;
  const memory = server.memory();
  const each =
    workers > 1
      ? `; each process now: ${server
          .memoryEach()
          .map((p) => mb(p.rss))
          .join(', ')} (primary first)`
      : '';
  return `Server memory: ${mb(startRss)} RSS after start, ${mb(memory.rss)} at the end, peak ${mb(memory.peak)} (VmHWM)${each}`;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const execArgv = options.profileDir ? ['--cpu-prof', '--cpu-prof-dir', options.profileDir] : [];
  const args = [MAIN, 'serve', '--workers', String(options.workers)];
  const child = spawn(process.execPath, [...execArgv, ...args], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      GLEANER_DB: options.db,
      GLEANER_PORT: '0',
      GLEANER_HOST: '127.0.0.1',
      GLEANER_SERVE_REFRESH: '0',
      // The benchmark's entries span two years: none is removed from the database it builds once.
      GLEANER_KEEP_READ_DAYS: '0',
      GLEANER_KEEP_UNREAD_DAYS: '0',
      GLEANER_MAX_PER_FEED: '0',
      GLEANER_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const origin = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const onExit = (code: number | null): void =>
      reject(new Error(`the server exited (${code}) before listening`));
    child.once('exit', onExit);
    child.once('error', reject);
    lines.on('line', (line) => {
      const m = /reader listening on (http:\/\/\S+)/.exec(line);
      if (!m?.[1]) return;
      child.off('exit', onExit);
      resolve(m[1].replace(/\/$/, ''));
    });
  });
  const pid = child.pid as number;
  const status = (of: number, field: string): number => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${of}/status`, 'utf8'));
    return m?.[1] ? Number(m[1]) * 1024 : NaN;
  };
  const workerPids = (): number[] =>
    readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  const all = (): number[] => [pid, ...workerPids()];
  const sum = (field: string): number => all().reduce((total, p) => total + status(p, field), 0);
  return {
    origin,
    pid,
    child,
    memory: () => ({ rss: sum('VmRSS'), peak: sum('VmHWM') }),
    memoryEach: () => all().map((p) => ({ pid: p, rss: status(p, 'VmRSS') })),
    workerPids,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function cookiesOf(res: Response): Map<string, string> {
  const jar = new Map<string, string>();
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair?.indexOf('=') ?? -1;
    if (pair && eq > 0) jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  return jar;
}

/** Signs in through the login form; returns the Cookie header a signed-in browser sends. */
export async function login(origin: string, username: string, password: string): Promise<string> {
  const form = await fetch(`${origin}/login`, { redirect: 'manual' });
  const page = await form.text();
  if (form.status !== 200) throw new Error(`GET /login: ${form.status} ${page.slice(0, 200)}`);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
  const visitor = cookiesOf(form).get('gleaner_csrf');
  if (!csrf || !visitor) throw new Error('GET /login: no CSRF field or cookie');
  const res = await fetch(`${origin}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: `gleaner_csrf=${visitor}`,
      origin,
    },
    body: new URLSearchParams({ username, password, _csrf: csrf }).toString(),
  });
  await res.arrayBuffer();
  const session = cookiesOf(res).get('gleaner_session');
  if (res.status !== 303 || !session) throw new Error(`POST /login: ${res.status}, no session cookie`);
  return `gleaner_session=${session}`;
}

/** One GET with the session: status and body. */
export async function get(
  origin: string,
  path: string,
  cookie: string,
): Promise<{ status: number; body: string }> {
  const res = await fetch(origin + path, { headers: { cookie }, redirect: 'manual' });
  return { status: res.status, body: await res.text() };
}
