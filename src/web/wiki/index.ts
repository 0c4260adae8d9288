// The wiki folder as the reader sees it: every page parsed, the link graph (backlinks), a search
// index and the builder's article → source page map, kept in memory and brought up to date when
// the folder changes.
//
// The folder follows the wiki contract (README, "Reading the wiki"): Markdown pages with front
// matter in index.md, log.md, raw/, sources/, companies/, systems/, concepts/, patterns/,
// skills/<name>/SKILL.md, relative links between them, and .gleaner/state.json from the builder.
//
// Freshness: the builder writes each file to a temporary name and renames it, which changes its
// folder's mtime, and writes its state file last; so each request stats the state file (a build
// that finished shows at once), at most once a second stats the folders (a few dozen calls), and
// walks the whole tree only when one changed, or every FULL_SCAN_MS for edits made in place (an
// editor saving over a file). A walk re-reads only the files whose size or mtime changed.
//
// Threat: the folder is untrusted and so are requested paths. Only regular files found by the walk
// are served (never symbolic links, hidden folders or anything outside the folder), read with
// O_NOFOLLOW, and cut at MAX_PAGE_BYTES.
import { constants, statSync, type Dirent } from 'node:fs';
import { lstat, open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isPagePath, parsePage, type WikiPage } from './page.js';
import { WikiSearchIndex, type WikiSearchResult } from './search.js';

export { PAGE_KINDS, bodyWithoutTitle, sections, type PageKind, type WikiPage } from './page.js';
export { renderMarkdown, wikiHref } from './render.js';
export type { WikiHit, WikiSearchResult } from './search.js';

/** A page larger than this is shown cut (no real page comes near it; a hostile one could be huge). */
export const MAX_PAGE_BYTES = 1024 * 1024;
const MAX_STATE_BYTES = 64 * 1024 * 1024;
const MAX_FILES = 50_000;
const MAX_DEPTH = 8;
const CHECK_MS = 1_000;
const FULL_SCAN_MS = 30_000;
const STATE_FILE = '.gleaner/state.json';

interface FileRecord {
  size: number;
  mtimeMs: number;
  page: WikiPage;
  truncated: boolean;
}

/** One consistent view of the folder; a new one is made whenever the folder changed. */
export class WikiSnapshot {
  /** Pages by wiki path (`concepts/trie.md`), sorted by path. */
  readonly pages: ReadonlyMap<string, WikiPage>;
  private readonly incoming = new Map<string, string[]>();
  private index: Promise<WikiSearchIndex> | null = null;

  constructor(
    /** False when the folder does not exist yet: no wiki has been built. */
    readonly exists: boolean,
    private readonly files: ReadonlyMap<string, FileRecord>,
    private readonly articles: ReadonlyMap<string, string>,
    private readonly entries: ReadonlyMap<number, string>,
  ) {
    const sorted = [...files.keys()].sort();
    this.pages = new Map(sorted.map((path) => [path, (files.get(path) as FileRecord).page]));
    for (const page of this.pages.values()) {
      for (const target of page.links) {
        if (!files.has(target)) continue;
        const list = this.incoming.get(target) ?? [];
        list.push(page.path);
        this.incoming.set(target, list);
      }
    }
  }

  /** The page a route names (`concepts/trie`, or `skills/x` for `skills/x/SKILL.md`), or null. */
  find(route: string): WikiPage | null {
    for (const path of [`${route}.md`, `${route}/SKILL.md`]) {
      if (!isPagePath(path)) continue;
      const page = this.pages.get(path);
      if (page) return page;
    }
    return null;
  }

  /** Whether the page was longer than MAX_PAGE_BYTES and is shown cut. */
  truncated(path: string): boolean {
    return this.files.get(path)?.truncated ?? false;
  }

  /** The pages linking to `path`, by title. */
  backlinks(path: string): WikiPage[] {
    const pages = (this.incoming.get(path) ?? []).map((p) => this.pages.get(p) as WikiPage);
    return pages.sort((a, b) => a.title.localeCompare(b.title));
  }

  /** The source page the builder wrote for an article, by its URL or, failing that, its entry id. */
  sourceFor(url: string | null, entryId: number): WikiPage | null {
    const path = (url !== null ? this.articles.get(url) : undefined) ?? this.entries.get(entryId);
    return path === undefined ? null : (this.pages.get(path) ?? null);
  }

  /** Pages matching `query`; the index is built on the first search of this snapshot. */
  async search(query: string, limit: number): Promise<WikiSearchResult> {
    this.index ??= WikiSearchIndex.build([...this.pages.values()]);
    return (await this.index).search(query, limit);
  }
}

export interface WikiReader {
  /** The folder as it is now (checked at most once a second). */
  snapshot(): Promise<WikiSnapshot>;
}

export function openWiki(dir: string, clock: () => number = Date.now): WikiReader {
  let current: WikiSnapshot = new WikiSnapshot(false, new Map(), new Map(), new Map());
  let files = new Map<string, FileRecord>();
  /** Folder (and state file) mtimes at the last walk: a rename inside a folder changes its mtime. */
  let stamps = new Map<string, number>();
  let checkedAt = -Infinity;
  let walkedAt = -Infinity;
  let pending: Promise<WikiSnapshot> | null = null;
  let building: Promise<WikiSnapshot> | null = null;

  async function changed(): Promise<boolean> {
    if (stamps.size === 0) return true;
    const checks = [...stamps].map(([path, mtime]) =>
      stat(join(dir, path)).then(
        (s) => s.mtimeMs !== mtime,
        () => true,
      ),
    );
    return (await Promise.all(checks)).some(Boolean);
  }

  /** Walks the folder, re-reads what changed, and makes a new snapshot when anything did. */
  async function rebuild(): Promise<WikiSnapshot> {
    const walk = await walkFolder(dir);
    let dirty = walk.files.size !== files.size || walk.stateMtime !== stamps.get(STATE_FILE);
    const next = new Map<string, FileRecord>();
    const toRead: string[] = [];
    for (const [path, s] of walk.files) {
      const old = files.get(path);
      if (old && old.size === s.size && old.mtimeMs === s.mtimeMs) next.set(path, old);
      else toRead.push(path);
    }
    for (let i = 0; i < toRead.length; i += 32) {
      const batch = toRead.slice(i, i + 32);
      const read = await Promise.all(batch.map((path) => readPage(dir, path)));
      read.forEach((record, j) => {
        if (record) next.set(batch[j] as string, record);
      });
      dirty = true;
    }
    stamps = walk.stamps;
    if (!dirty && walk.exists === current.exists) return current;
    files = next;
    const state = await readState(dir);
    current = new WikiSnapshot(walk.exists, files, state.articles, state.entries);
    return current;
  }

  /** One rebuild at a time; callers during one share it. */
  function rebuildOnce(): Promise<WikiSnapshot> {
    building ??= rebuild().finally(() => {
      building = null;
    });
    return building;
  }

  /**
   * Whether the builder's state file changed: it is written last, so a build has finished. Asked on
   * every view of an article, and answered in place: one stat of a file is a few microseconds, and
   * sent to the thread pool it cost each view a round trip between threads (the article page
   * served 12% fewer pages a second when requests no longer shared one).
   */
  function built(): boolean {
    let mtime: number | undefined;
    try {
      mtime = statSync(join(dir, STATE_FILE)).mtimeMs;
    } catch {
      // Missing or unreadable (the folder a file, no permission): as if there were none.
    }
    return mtime !== stamps.get(STATE_FILE);
  }

  async function refresh(): Promise<WikiSnapshot> {
    const now = clock();
    // Within a second of the last check only a finished build is looked for (one stat).
    if (now - checkedAt < CHECK_MS && now >= checkedAt && !built()) return current;
    checkedAt = now;
    if (building) return building;
    if (await changed()) {
      walkedAt = now;
      return rebuildOnce();
    }
    // Edits made in place show at the next full walk, done behind this request, not in it.
    if (now - walkedAt >= FULL_SCAN_MS || now < walkedAt) {
      walkedAt = now;
      rebuildOnce().catch(() => undefined);
    }
    return current;
  }

  return {
    snapshot() {
      pending ??= refresh().finally(() => {
        pending = null;
      });
      return pending;
    },
  };
}

interface Walk {
  exists: boolean;
  files: Map<string, { size: number; mtimeMs: number }>;
  stamps: Map<string, number>;
  stateMtime: number | undefined;
}

async function walkFolder(root: string): Promise<Walk> {
  const walk: Walk = { exists: false, files: new Map(), stamps: new Map(), stateMtime: undefined };
  const rootStat = await stat(root).catch(() => null);
  if (!rootStat?.isDirectory()) return walk;
  walk.exists = true;
  const queue: { rel: string; depth: number }[] = [{ rel: '', depth: 0 }];
  while (queue.length > 0 && walk.files.size < MAX_FILES) {
    const { rel, depth } = queue.shift() as { rel: string; depth: number };
    const abs = rel ? join(root, rel) : root;
    let entries: Dirent[];
    try {
      walk.stamps.set(rel || '.', (await stat(abs)).mtimeMs);
      entries = await readdir(abs, { withFileTypes: true });
    } catch {
      continue;
    }
    const mdFiles: string[] = [];
    for (const entry of entries) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      // Symbolic links are never followed: a link could point anywhere on the machine.
      if (entry.isDirectory() && !entry.name.startsWith('.') && depth < MAX_DEPTH) {
        queue.push({ rel: path, depth: depth + 1 });
      } else if (entry.isFile() && isPagePath(path)) {
        mdFiles.push(path);
      }
    }
    const stats = await Promise.all(mdFiles.map((path) => lstat(join(root, path)).catch(() => null)));
    stats.forEach((s, i) => {
      if (s?.isFile() && walk.files.size < MAX_FILES)
        walk.files.set(mdFiles[i] as string, { size: s.size, mtimeMs: s.mtimeMs });
    });
  }
  const state = await lstat(join(root, STATE_FILE)).catch(() => null);
  if (state?.isFile()) {
    walk.stateMtime = state.mtimeMs;
    walk.stamps.set(STATE_FILE, state.mtimeMs);
  }
  return walk;
}

/** Up to `limit` bytes of a regular file inside the wiki, never through a symbolic link. */
async function readCapped(
  root: string,
  path: string,
  limit: number,
): Promise<{ bytes: Buffer; size: number } | null> {
  let handle;
  try {
    handle = await open(join(root, path), constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    const s = await handle.stat();
    if (!s.isFile()) return null;
    const length = Math.min(s.size, limit);
    const bytes = Buffer.alloc(length);
    let read = 0;
    while (read < length) {
      const { bytesRead } = await handle.read(bytes, read, length - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return { bytes: bytes.subarray(0, read), size: s.size };
  } finally {
    await handle.close();
  }
}

async function readPage(root: string, path: string): Promise<FileRecord | null> {
  const s = await lstat(join(root, path)).catch(() => null);
  const file = await readCapped(root, path, MAX_PAGE_BYTES);
  if (!s || !file) return null;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(file.bytes);
  return {
    size: s.size,
    mtimeMs: s.mtimeMs,
    page: parsePage(path, text),
    truncated: file.size > MAX_PAGE_BYTES,
  };
}

interface State {
  articles: Map<string, string>;
  entries: Map<number, string>;
}

/** The builder's article map; a missing or broken state file maps nothing. */
async function readState(root: string): Promise<State> {
  const state: State = { articles: new Map(), entries: new Map() };
  const file = await readCapped(root, STATE_FILE, MAX_STATE_BYTES);
  if (!file || file.size > MAX_STATE_BYTES) return state;
  let data: unknown;
  try {
    data = JSON.parse(file.bytes.toString('utf8'));
  } catch {
    return state;
  }
  const articles = (data as { articles?: unknown } | null)?.articles;
  if (!articles || typeof articles !== 'object') return state;
  for (const [url, value] of Object.entries(articles as Record<string, unknown>)) {
    const { source, entryId } = (value ?? {}) as { source?: unknown; entryId?: unknown };
    if (typeof source !== 'string' || !isPagePath(source)) continue;
    state.articles.set(url, source);
    if (typeof entryId === 'number' && Number.isSafeInteger(entryId)) state.entries.set(entryId, source);
  }
  return state;
}

const readers = new Map<string, WikiReader>();

/** The one reader of a folder in this process: the wiki routes and the article view share it. */
export function wikiFor(dir: string): WikiReader {
  let reader = readers.get(dir);
  if (!reader) {
    reader = openWiki(dir);
    readers.set(dir, reader);
  }
  return reader;
}
