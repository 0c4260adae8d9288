// How V8 collects garbage in Gleaner's long-running processes (the server, `gleaner refresh`).
//
// How far V8 lets a refreshing process's heap grow between collections. The thread that fetches
// and writes turns over a feed's entries every few milliseconds (strings of several KB each, alive
// until their transaction commits, so many outlive a young collection); by default V8 answered
// that rate by growing the old generation far past what stays alive (~20 MB after a pass), and the
// peak grew with the number of feeds: 346 MB at 10,000. Growing the heap by at most 50% after
// each full collection kept the peak at 250 MB with the same first-pass time (139 s for 10,000
// feeds against 137-139 s); 20% saved a few MB more and cost more collections.
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 50;

/** Limits heap growth for the whole process (every thread); call before the refresh starts. */
export function limitHeapGrowth(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

/**
 * Young collections (scavenges) done by the thread whose young generation is full, without helper
 * threads, for the server. V8 shares a scavenge with helpers and waits for every one of them; on a
 * small machine the other cores are busy (the refresh's parse worker, the checkpoint thread,
 * another process), and a helper that is not scheduled holds the pause. On two cores, the server's
 * feed page under load at concurrency 10 saw 13-14 scavenges a run above 5 ms (up to 12 ms, each
 * delaying the ten answers in flight) and none alone (at most 2-5 ms; typically 1.5 ms instead of
 * 1.3). `gleaner refresh`, which wants throughput rather than short pauses, does not set it: a
 * first pass of 1,000 feeds went 4-12% faster with it, one of 10,000 feeds 3-5% slower
 * (alternated runs). V8 reads the flag at each scavenge; call it once, early.
 */
export function scavengeAlone(): void {
  setFlagsFromString('--no-parallel-scavenge');
}
