// Stored bodies through the sanitizer again when it changes.
//
// Feed HTML is sanitized once, as it is stored, and served as stored. A fix of the sanitizer (an
// attribute it let through, say) reaches the entries a feed sends again (their source hashes cover
// PREPARE_VERSION), but not those it no longer lists, which may be most of a database. So when
// PREPARE_VERSION is not the one every stored body has been through, the refresh loop's idle work
// runs them all through the sanitizer again, RESANITIZE_STEP at a time, and rewrites those it changes
// (the sanitizer gives its own output back unchanged: a body it changes held what it no longer
// allows), search text included. A rewritten entry is a change for its readers, so that client apps
// fetch it again. The pass resumes where it stopped when the process starts again.
import { sanitizeHtml } from '../content/sanitize.js';
import { PREPARE_VERSION } from '../ingest/prepare.js';
import type { Store } from '../store/index.js';

/**
 * Bodies read, sanitized and (when changed) rewritten in one step, which a server's pages wait for:
 * for bodies of 4.6 KB here, 11.5 ms at the median and 21 at p99 (57 while the code warms up), about
 * what a retention step takes; a pass over 40,000 took 5 CPU s (200 a step: 36 ms, 92 at most).
 */
export const RESANITIZE_STEP = 100;

/** Under these names in the store's state: the version every body has been through, and how far a pass is. */
const VERSION = 'sanitized_version';
const CURSOR = 'resanitize_after_id';

/**
 * Records that every stored body has been through this version of the sanitizer: for a database
 * whose bodies were made another way (a benchmark's generated ones), which the idle work would
 * otherwise run through it again.
 */
export async function markSanitized(store: Store, version = PREPARE_VERSION): Promise<void> {
  await store.setStoreState(VERSION, String(version));
  await store.setStoreState(CURSOR, '0');
}

/**
 * The refresh loop's idle work of sanitizing stored bodies again (see above): one step a call, true
 * while there is more. `onDone` is told how many bodies a finished pass rewrote.
 */
export function resanitizeStored(
  store: Store,
  clock: () => number,
  onDone?: (rewritten: number) => void,
  { step = RESANITIZE_STEP, version = PREPARE_VERSION } = {},
): () => Promise<boolean> {
  let finished = false;
  let rewritten = 0;
  return async () => {
    if (finished) return false;
    if ((await store.storeState(VERSION)) === String(version)) {
      finished = true;
      return false;
    }
    const after = Number((await store.storeState(CURSOR)) ?? 0);
    const bodies = await store.entryBodies(after, step);
    const changed: { id: number; html: string }[] = [];
    for (const body of bodies) {
      const html = sanitizeHtml(body.html, body.link);
      if (html !== body.html) changed.push({ id: body.id, html });
    }
    if (changed.length > 0) await store.rewriteEntryBodies(changed, clock());
    rewritten += changed.length;
    const last = bodies.at(-1);
    if (last !== undefined && bodies.length === step) {
      await store.setStoreState(CURSOR, String(last.id));
      return true;
    }
    await markSanitized(store, version);
    finished = true;
    onDone?.(rewritten);
    return false;
  };
}
