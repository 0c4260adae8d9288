// Entries kept in memory for the client APIs' lists (EntryQuery.withContent 'json'), bodies quoted
// as the answer's bytes. A list of 100 entries carries ~500 KB of bodies: read from the database,
// each row is found in its table, its body in another, quoted, made a JavaScript string and encoded
// again into the answer, and a dozen more columns turned into values. Apps ask again and again for
// the same newest entries (every device of every user, at every sync); a list now reads the user's
// state of its entries from the list's index alone and the rest only for entries not kept. On a
// million entries at concurrency 10 (bench/api.ts, alternated with the code before, medians of
// three runs), a feed's Miniflux list gave 1.63x the answers a second (p99 11.8-14.0 ms against
// 19.9-24.1), the unread list 1.51x, Google Reader's feed stream 1.48x and reading list 1.35x.
//
// Which entry a kept copy is: the time the entry last changed for the user (user_entries.changed_at,
// held by every list's index) is the one it was kept with. A new version of an entry (from its feed,
// or its full article) moves that time on for every reader of it, always to a new value (see the
// store's entryChanged); so do a user's read and star marks, after which the entry is read again.
// The copy is only ever given for a user whose time it was kept with.
//
// What is kept: an entry is read the first time a list holds it, and kept the second (a client
// paging once through old entries does not push out what every sync reads); once the copies exceed
// the budget, those kept longest go first unless listed since (see offer).
import type { Entry } from '../model/index.js';
import type { EntryShape, EntryView } from './types.js';

/** Entries seen once, before the record starts over (a few MB of memory at most). */
const MAX_SEEN = 1 << 16;
/** What a kept entry costs beyond its body: the entry's object, its strings, the map's entry. */
const OVERHEAD_BYTES = 1024;

interface Kept {
  entry: Entry;
  body: Uint8Array;
  /** For each user it may be given to: the time the entry last changed for them when kept. */
  changedAt: Map<number, number>;
  bytes: number;
  /** Given since the last time the budget was short (see offer): kept a round longer. */
  used: boolean;
}

/** A number for each shape, in the key of an entry kept in it (entry id × SHAPES + this). */
const SHAPE_KEY: Record<EntryShape, number> = { list: 0, item: 1, entry: 2 };
const SHAPES = 3;

export class EntryCache {
  // By shape and entry id, in the order they were kept (or given a second chance), the oldest first.
  private readonly kept = new Map<number, Kept>();
  private readonly seen = new Set<number>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** How many entries are kept, and the bytes they are counted as. */
  get size(): { count: number; bytes: number } {
    return { count: this.kept.size, bytes: this.bytes };
  }

  /**
   * The entry and its body quoted as JSON, kept when read for `userId` at the same change time as
   * the list's now; undefined when there is none to give.
   */
  get(shape: EntryShape, id: number, userId: number, changedAt: number): Kept | undefined {
    const kept = this.kept.get(id * SHAPES + SHAPE_KEY[shape]);
    if (kept === undefined || kept.changedAt.get(userId) !== changedAt) return undefined;
    kept.used = true;
    return kept;
  }

  /**
   * Told of an entry `view` read from the database for `userId` (its body quoted as JSON): kept the
   * second time. A copy already kept gives way to it unless it is the same entry, which it then
   * also becomes the copy for this user's change time of. Past the budget, the copies kept longest
   * go first, but for those given since the last time, which get a second chance ("clock"
   * replacement: a list's hits cost no reordering).
   */
  offer(shape: EntryShape, userId: number, view: EntryView): void {
    if (this.maxBytes === 0 || view.contentJson === undefined) return;
    const key = view.entry.id * SHAPES + SHAPE_KEY[shape];
    const kept = this.kept.get(key);
    if (kept === undefined && !this.seenTwice(key)) return;
    const body = typeof view.contentJson === 'string' ? Buffer.from(view.contentJson) : view.contentJson;
    if (kept !== undefined && sameEntry(kept, view.entry, body)) {
      kept.changedAt.set(userId, view.changedAt);
      return;
    }
    if (kept !== undefined) this.drop(key, kept);
    const bytes = body.length + OVERHEAD_BYTES;
    if (bytes > this.maxBytes) return;
    // Shared by every list that gives it from now on: a change would show in all of them.
    Object.freeze(view.entry.categories);
    for (const enclosure of view.entry.enclosures) Object.freeze(enclosure);
    Object.freeze(view.entry.enclosures);
    this.kept.set(key, {
      entry: Object.freeze(view.entry),
      body,
      changedAt: new Map([[userId, view.changedAt]]),
      bytes,
      used: false,
    });
    this.bytes += bytes;
    for (const [oldest, copy] of this.kept) {
      if (this.bytes <= this.maxBytes) break;
      if (copy.used) {
        copy.used = false;
        this.kept.delete(oldest);
        this.kept.set(oldest, copy);
      } else this.drop(oldest, copy);
    }
  }

  private seenTwice(key: number): boolean {
    if (this.seen.delete(key)) return true;
    if (this.seen.size >= MAX_SEEN) this.seen.clear();
    this.seen.add(key);
    return false;
  }

  private drop(key: number, kept: Kept): void {
    this.kept.delete(key);
    this.bytes -= kept.bytes;
  }
}

/** Whether a kept copy holds the same entry as one just read (its body as bytes). */
function sameEntry(kept: Kept, entry: Entry, body: Uint8Array): boolean {
  if (Buffer.compare(kept.body, body) !== 0) return false;
  for (const key of Object.keys(entry) as (keyof Entry)[]) {
    const a = kept.entry[key];
    const b = entry[key];
    if (a === b) continue;
    if (typeof a !== 'object' || typeof b !== 'object' || JSON.stringify(a) !== JSON.stringify(b))
      return false;
  }
  return true;
}
