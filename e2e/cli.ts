// Running the compiled `gleaner` command from end-to-end tests (what `npm install` builds).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
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

/**
 * `run`, with a reader of its standard output that stops reading after the first chunk and closes
 * the pipe, as `gleaner export | head -3` does: what it read, and how the command ended.
 */
export function runReadingFirstChunk(env: NodeJS.ProcessEnv, ...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').once('data', (d: string) => {
      stdout = d;
      child.stdout.destroy();
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
