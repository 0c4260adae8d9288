// Running the compiled `gleaner` command from end-to-end tests (what `npm install` builds).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

export const BIN = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * What `probe` gives once it gives something other than null, asked every 100 ms: for what another
 * process does in its own time (a server's refresh loop). Fails after `tries`.
 */
export async function eventually<T>(
  what: string,
  probe: () => T | null | Promise<T | null>,
  tries = 100,
): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await probe();
    if (value !== null) return value;
    await sleep(100);
  }
  throw new Error(`gave up waiting: ${what}`);
}

/** Runs the CLI without blocking this process, whose event loop may be serving its feeds. */
export function run(env: NodeJS.ProcessEnv, ...args: string[]): Promise<Run> {
  return runWithInput(env, null, ...args);
}

/** `run`, with `input` written to the command's standard input (then closed), unless null. */
export function runWithInput(env: NodeJS.ProcessEnv, input: string | null, ...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    if (input !== null) child.stdin.end(input);
  });
}
