// Feed bytes to entries ready to store, in-process or on a pool of worker threads. Pure except for
// the threads: the same function runs in both places.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ExtractedArticle } from '../content/extract.js';
import { isBlankDocument, parseFeed } from '../feed/parse/index.js';
import { scrapePage } from '../feed/scrape/index.js';
import type { ArticleRequest, ExtractArticle } from '../ingest/article.js';
import { prepareEntries, prepareFeedInfo } from '../ingest/prepare.js';
import { GleanerError, type ErrorCode } from '../model/errors.js';
import type { PackedEntry, PageScrape, ParsedFeed, PreparedEntry, StorableEntry } from '../model/index.js';
import { indexText } from '../search/index.js';

export interface DigestRequest {
  /** The document. A pool takes its memory when the body is a whole ArrayBuffer of its own: the caller reads it no more. */
  body: Uint8Array;
  /** Where the body came from: the base for relative links. */
  url: string;
  contentType: string | null;
  maxBytes: number;
  /** When it was fetched: the date of entries that have none. */
  now: number;
  /**
   * The feed's entries stored already: their content hashes by dedupe key. Those the document
   * holds unchanged are left out, as the store would write nothing of them: neither packed nor sent
   * to the thread that writes, nor fetched again as full articles.
   */
  stored?: ReadonlyMap<string, string>;
  /**
   * The same entries' source hashes (PreparedEntry.sourceHash), where kept: an item whose source
   * is the one stored is not even prepared. Items are hashed only when `stored` holds some.
   */
  sources?: ReadonlyMap<string, string>;
  /**
   * The keys of the feed's removed entries (Store.removedEntries): left out whatever their
   * content, so that none comes back; the result's `gone` lists those the document no longer holds.
   */
  removed?: readonly string[];
  /** The document may lack items the feed still has (a WebSub push): nothing is taken as gone. */
  partial?: boolean;
  /** At most this many of the document's entries, the newest (see prepareEntries). */
  maxEntries?: number;
  /** The feed's remove selector (FetchOptions.removeSelector), if it has one. */
  removeSelector?: string | null;
  /** The document is a web page read with these selectors (FetchOptions.scrape), not a feed. */
  scrape?: PageScrape | null;
  /** The feed's rewrite rules (FetchOptions.rewriteRules), if it has some. */
  rewriteRules?: string | null;
  /** The feed's own URL (without credentials): named with `url`, where it led, when that is no feed. */
  feedUrl?: string;
}

/** What a refresh needs of a parsed feed: its metadata and its entries, prepared or packed. */
export interface DigestResult<E extends StorableEntry = StorableEntry> {
  feed: Omit<ParsedFeed, 'items'>;
  entries: E[];
  /**
   * The request's `removed` keys that the entries read from the document (its newest `maxEntries`)
   * do not hold: one past that many would not be read again either.
   */
  gone?: string[];
  /**
   * Source hashes (PreparedEntry.sourceHash) of entries the document holds with their content as
   * stored, by dedupe key: for the store to keep, so that the next fetch need not prepare them.
   */
  sources?: [string, string][];
  /** How many of the document's items were read (its newest `maxEntries`), one an entry key. */
  itemCount?: number;
  /** Why the remove selector failed on some items (kept as sent), when it did. */
  selectorErrors?: string[];
}

/** What a pool's worker is asked: a feed document to digest, or an article page to extract. */
export type WorkerRequest = { id: number; request: DigestRequest } | { id: number; article: ArticleRequest };

export type WorkerReply =
  | { id: number; ok: true; result: DigestResult | ExtractedArticle | null }
  | { id: number; ok: false; code: ErrorCode | null; message: string };

/** Parses and prepares a feed document. A document that is not a feed is an error the user can act on. */
export function digestFeed(req: DigestRequest): DigestResult<PreparedEntry> {
  const parsed = req.scrape
    ? scrapePage(req.body, req.scrape, {
        url: req.url,
        contentType: req.contentType,
        maxBytes: req.maxBytes,
      })
    : parseFeed(req.body, { url: req.url, contentType: req.contentType, maxBytes: req.maxBytes });
  if (parsed.format === null) {
    if (isBlankDocument(req.body))
      throw new GleanerError(
        'PARSE_NOT_A_FEED',
        `${req.url} answered with an empty document; the site may be failing, Gleaner tries again at the next check`,
      );
    const why = parsed.warnings[0] ?? 'unknown format';
    // Both named: a feed that ended often redirects to its site's home page, whose URL alone would
    // not tell its subscribers which feed failed, or why.
    throw new GleanerError(
      'PARSE_NOT_A_FEED',
      req.feedUrl === undefined || req.feedUrl === req.url
        ? `${req.url} is not a feed (${why}); subscribe to the feed's own URL`
        : `${req.feedUrl} leads to ${req.url}, which is not a feed (${why}); if the feed moved, give its new URL (its edit form, or gleaner edit --url)`,
    );
  }
  const { items, ...feed } = parsed;
  const stored = req.stored;
  const unchanged: string[] = [];
  const selectorErrors: string[] = [];
  const entries = prepareEntries({ ...feed, items }, req.url, req.now, {
    maxEntries: req.maxEntries,
    // A feed with stored entries has its items' sources hashed; its first fetch does not.
    stored: stored?.size ? (req.sources ?? new Map()) : undefined,
    unchanged,
    removeSelector: req.removeSelector,
    selectorErrors,
    rewriteRules: req.rewriteRules,
  });
  // The key each entry is stored under as it is now, if it is (under its alternate key, maybe).
  const storedAs = (e: PreparedEntry): string | null =>
    stored?.get(e.dedupeKey) === e.contentHash
      ? e.dedupeKey
      : e.altKey !== undefined && stored?.get(e.altKey) === e.contentHash
        ? e.altKey
        : null;
  const fresh = stored?.size ? entries.filter((e) => storedAs(e) === null) : entries;
  // Entries prepared again to find their content as stored: their sources are kept for next time.
  const sources: [string, string][] = [];
  if (fresh.length < entries.length) {
    for (const e of entries) {
      const hash = e.sourceHash;
      const key = storedAs(e);
      if (hash !== undefined && key !== null && req.sources?.get(key) !== hash) sources.push([key, hash]);
    }
  }
  const feedInfo = prepareFeedInfo(feed, req.url);
  const result: DigestResult<PreparedEntry> = {
    feed: feedInfo,
    entries: fresh,
    itemCount: entries.length + unchanged.length,
  };
  if (sources.length) result.sources = sources;
  if (selectorErrors.length) result.selectorErrors = selectorErrors;
  if (!req.removed?.length) return result;
  const removed = new Set(req.removed);
  const held = new Set([...entries.map((e) => e.dedupeKey), ...unchanged]);
  result.entries = fresh.filter((e) => !removed.has(e.dedupeKey));
  result.gone = req.partial ? [] : req.removed.filter((key) => !held.has(key));
  return result;
}

// Where packEntries encodes, reused (a worker digests one feed at a time): a feed of the refresh
// benchmark's needs ~0.8 MB of it; a larger one gets a buffer of its own, left to the collector.
const SCRATCH_BYTES = 4 * 1024 * 1024;
let scratch: Uint8Array | null = null;
const encoder = new TextEncoder();

/**
 * Entries packed for the thread that writes (see PackedEntry), and the one buffer their bytes lie
 * on, for the message to move.
 */
export function packEntries(prepared: readonly PreparedEntry[]): {
  entries: PackedEntry[];
  buffer: ArrayBuffer;
} {
  const texts = prepared.map((e) => indexText(e.contentText));
  // At most three bytes of UTF-8 a UTF-16 code unit.
  let most = 0;
  prepared.forEach((e, i) => (most += 3 * (e.contentHtml.length + (texts[i] as string).length)));
  const bytes = most > SCRATCH_BYTES ? new Uint8Array(most) : (scratch ??= new Uint8Array(SCRATCH_BYTES));
  const ends: number[] = [];
  let at = 0;
  prepared.forEach((e, i) => {
    at += encoder.encodeInto(e.contentHtml, bytes.subarray(at)).written;
    ends.push(at);
    at += encoder.encodeInto(texts[i] as string, bytes.subarray(at)).written;
    ends.push(at);
  });
  // A buffer of the bytes' own size: the rest is not sent.
  const buffer = bytes.slice(0, at).buffer;
  const span = (k: number): Uint8Array => {
    const start = k === 0 ? 0 : (ends[k - 1] as number);
    return new Uint8Array(buffer, start, (ends[k] as number) - start);
  };
  // Each field named: copied with a rest pattern and a spread, an entry took ~5 µs, 20 times as long
  // (160 ms of a first pass of 1,000 feeds).
  const entries = prepared.map((e, i): PackedEntry => {
    const packed: PackedEntry = {
      guid: e.guid,
      link: e.link,
      title: e.title,
      author: e.author,
      contentHtml: span(2 * i),
      searchText: span(2 * i + 1),
      textLength: e.contentText.length,
      summaryText: e.summaryText,
      readingMinutes: e.readingMinutes,
      publishedAt: e.publishedAt,
      updatedAt: e.updatedAt,
      categories: e.categories,
      enclosures: e.enclosures,
      imageUrl: e.imageUrl,
      commentsUrl: e.commentsUrl,
      language: e.language,
      dedupeKey: e.dedupeKey,
      contentHash: e.contentHash,
      sourceHash: e.sourceHash,
    };
    // Absent from a feed's first fetch, most of what is packed: set apart, as prepareEntries sets it.
    if (e.altKey !== undefined) packed.altKey = e.altKey;
    return packed;
  });
  return { entries, buffer };
}

export type Digest = (req: DigestRequest) => Promise<DigestResult>;

export interface DigestPool {
  digest: Digest;
  /**
   * extractArticle (content/extract.js) on a worker: Readability takes up to seconds on a large
   * page, which must not hold the thread that serves the reader and writes to the database.
   */
  extractArticle: ExtractArticle;
  close(): Promise<void>;
}

/**
 * A pool of worker threads running digestFeed, whose entries come back packed (packEntries), and
 * extracting full articles: by default one per core but the one the calling thread keeps busy
 * writing to the database (on 2 cores, one worker refreshed ~30% more feeds per second than two,
 * with 60 MB less memory: bench/refresh.ts). A worker starts when first needed. Requests queue for
 * the least busy worker; a worker that dies is replaced and its requests fail with the reason.
 */
export function createDigestPool(size = Math.max(1, availableParallelism() - 1)): DigestPool {
  // Running from TypeScript sources (tests, benchmarks), the worker is the .ts file, loaded with tsx.
  const fromSource = import.meta.url.endsWith('.ts');
  const workerUrl = new URL(fromSource ? './parse-worker.ts' : './parse-worker.js', import.meta.url);
  // Loader hooks do not reach worker threads on Node 20: the worker registers tsx itself first.
  const bootstrap = `import(${JSON.stringify(fromSource ? import.meta.resolve('tsx/esm/api') : '')})
    .then((tsx) => { tsx.register(); return import(${JSON.stringify(workerUrl.href)}); })`;
  // A small young generation: each digest allocates a few MB that die young, and a worker's RSS
  // otherwise grows to V8's default semi-spaces times the number of workers.
  const resourceLimits = { maxYoungGenerationSizeMb: 16 };
  interface Slot {
    worker: Worker;
    // Each resolves with what its request asked for (see WorkerReply).
    pending: Map<number, { resolve: (r: never) => void; reject: (e: Error) => void }>;
  }
  const slots: Slot[] = [];
  let nextId = 1;
  let closed = false;

  const spawn = (index: number): Slot => {
    const worker = fromSource
      ? new Worker(bootstrap, { eval: true, resourceLimits })
      : new Worker(workerUrl, { resourceLimits });
    const slot: Slot = { worker, pending: new Map() };
    worker.unref();
    worker.on('message', (reply: WorkerReply) => {
      const waiter = slot.pending.get(reply.id);
      if (!waiter) return;
      slot.pending.delete(reply.id);
      if (slot.pending.size === 0) worker.unref();
      if (reply.ok) waiter.resolve(reply.result as never);
      else waiter.reject(reply.code ? new GleanerError(reply.code, reply.message) : new Error(reply.message));
    });
    const fail = (err: Error): void => {
      for (const waiter of slot.pending.values()) waiter.reject(err);
      slot.pending.clear();
      if (!closed) slots[index] = spawn(index);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!closed && code !== 0) fail(new Error(`a parse worker exited with code ${code}`));
    });
    return slot;
  };
  /** The least busy worker; a new one while every worker has work and the pool has room. */
  const choose = (): Slot | undefined => {
    let slot = slots[0];
    for (const s of slots) if (slot === undefined || s.pending.size < slot.pending.size) slot = s;
    if ((slot === undefined || slot.pending.size > 0) && slots.length < size) {
      slot = spawn(slots.length);
      slots.push(slot);
    }
    return slot;
  };
  /** Sends `message` to `slot`'s worker, handing it `transfer`: what the worker replies to it. */
  const ask = <T>(slot: Slot, message: WorkerRequest, transfer: ArrayBuffer[]): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      slot.pending.set(message.id, { resolve, reject });
      slot.worker.ref();
      try {
        slot.worker.postMessage(message, transfer);
      } catch (err) {
        slot.pending.delete(message.id);
        if (slot.pending.size === 0) slot.worker.unref();
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });

  return {
    digest(req) {
      if (closed) return Promise.reject(new Error('the digest pool is closed'));
      const slot = choose();
      if (!slot) return Promise.resolve(digestFeed(req));
      // A body that is all of its memory (a fetched feed above 4 KB) is handed to the worker, not
      // copied twice (into the message, out of it); a view on shared memory (Buffer's pool of
      // small buffers) is copied.
      // A body handed over already has no memory left (its length is 0), and Node drops a message
      // that would hand it over again: its digest would never end. Copied, it fails to clone.
      const { buffer, byteOffset, byteLength } = req.body;
      const whole =
        buffer instanceof ArrayBuffer &&
        byteLength > 0 &&
        byteOffset === 0 &&
        byteLength === buffer.byteLength;
      return ask<DigestResult>(slot, { id: nextId++, request: req }, whole ? [buffer] : []);
    },
    extractArticle(html, url, selectors) {
      if (closed) return Promise.reject(new Error('the digest pool is closed'));
      const slot = choose();
      if (!slot) return extractInProcess(html, url, selectors);
      return ask<ExtractedArticle | null>(slot, { id: nextId++, article: { html, url, selectors } }, []);
    },
    async close() {
      closed = true;
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}

/** digestFeed on the calling thread (tests, one-off commands). */
export const digestInProcess: Digest = (req) => Promise.resolve().then(() => digestFeed(req));

/** extractArticle on the calling thread, Readability and a DOM loaded when first needed. */
export const extractInProcess: ExtractArticle = async (html, url, selectors) =>
  (await import('../content/extract.js')).extractArticle(html, url, selectors);
