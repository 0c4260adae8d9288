// Waiting in a test for what happens in its own time (a server's refresh loop, a refresh started
// after an answer), without a timing in the test: the probe is asked again until it answers.
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * What `probe` gives once it gives something other than null, asked every 100 ms. Fails after
 * `tries`.
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
