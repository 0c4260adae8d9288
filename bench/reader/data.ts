// The reader benchmark's database: one user with a password, N feeds in folders, M entries of
// realistic size fanned out to the user, built once and kept under bench/.data/ for as long as its
// parameters stay the same. The schema comes from the store itself (openSqliteStore runs every
// migration); the rows go in through raw better-sqlite3 in large transactions, the user's entry
// state by INSERT … SELECT so that the store's own triggers keep the unread counters.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { htmlToText } from '../../src/feed/parse/text.js';
import { DEFAULT_COMPACTION } from '../../src/refresh/compaction.js';
import { markSanitized } from '../../src/refresh/resanitize.js';
import { openSqliteStore, PAGE_SIZE } from '../../src/store/sqlite.js';
import { hashPassword } from '../../src/web/auth.js';
import { prng } from '../../src/testing/random.js';
import {
  buildPools,
  chineseTitle,
  englishTitle,
  englishWords,
  TAGS,
  type Paragraph,
  type Pools,
} from './text.js';
import { DEFAULT_FETCH_OPTIONS } from '../../src/subscribe/index.js';

/** Bump when the generator changes what it writes: cached databases are then rebuilt. */
const GENERATOR_VERSION = 3;
const DAY = 86_400_000;
const SPAN = 730 * DAY;
/** Entries published in the last RECENT ms are mostly unread; older ones mostly read (~70% overall). */
const RECENT = 30 * DAY;

export const DATA_DIR = fileURLToPath(new URL('../.data/', import.meta.url));

export interface DatasetOptions {
  entries: number;
  feeds: number;
  folders: number;
  /** Share of feeds written in Chinese. */
  chineseShare: number;
  seed: number;
}

export interface Dataset {
  path: string;
  options: DatasetOptions;
  username: string;
  password: string;
  userId: number;
  /** When the data was generated: entries were published over the two years before. */
  generatedAt: number;
  /** Seconds the generation took (when this run generated it). */
  generatedSeconds: number | null;
  bytes: number;
}

interface Meta {
  version: number;
  options: DatasetOptions;
  generatedAt: number;
  username: string;
  password: string;
  userId: number;
}

const log = (message: string): void => console.error(`  [data] ${message}`);

function fileFor(options: DatasetOptions): string {
  const key = createHash('sha256')
    // The store's page size is chosen when the file is made: another one needs another file.
    .update(JSON.stringify({ v: GENERATOR_VERSION, pageSize: PAGE_SIZE, ...options }))
    .digest('hex')
    .slice(0, 10);
  return join(DATA_DIR, `reader-${options.entries}-${key}.db`);
}

function readMeta(path: string): Meta | null {
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare("SELECT value FROM bench_meta WHERE key = 'meta'").get() as
        { value: string } | undefined;
      return row ? (JSON.parse(row.value) as Meta) : null;
    } finally {
      db.close();
    }
  } catch {
    return null;
  }
}

/** The database for these options: the cached one when it matches, else a new one (minutes). */
export async function ensureDataset(options: DatasetOptions): Promise<Dataset> {
  mkdirSync(DATA_DIR, { recursive: true });
  // Never committed: the data is large and rebuilt from the seed.
  writeFileSync(join(DATA_DIR, '.gitignore'), '*\n');
  const path = fileFor(options);
  let meta = existsSync(path) ? readMeta(path) : null;
  let seconds: number | null = null;
  if (
    !meta ||
    meta.version !== GENERATOR_VERSION ||
    JSON.stringify(meta.options) !== JSON.stringify(options)
  ) {
    // Older generations of the same size are replaced, not kept beside the new one.
    const prefix = `reader-${options.entries}-`;
    for (const f of readdirSync(DATA_DIR))
      if (f.startsWith(prefix) && join(DATA_DIR, f) !== path && !f.startsWith(`${basename(path)}-`))
        rmSync(join(DATA_DIR, f), { force: true });
    const started = performance.now();
    meta = await generate(path, options);
    seconds = (performance.now() - started) / 1000;
    log(`generated in ${seconds.toFixed(0)} s`);
  } else
    log(`reusing ${count(options.entries)} entries generated ${new Date(meta.generatedAt).toISOString()}`);
  return {
    path,
    options,
    username: meta.username,
    password: meta.password,
    userId: meta.userId,
    generatedAt: meta.generatedAt,
    generatedSeconds: seconds,
    bytes: statSync(path).size,
  };
}

const count = (n: number): string => n.toLocaleString('en-US');

/** The read state an entry starts with, from its id and date: deterministic, so a run can restore it. */
function readSql(recentSince: number): string {
  // A multiplicative hash of the id, 0..1023: 20% of recent entries read, 72% of older ones.
  const h = '(((entry_id * 2654435761) & 4294967295) >> 22)';
  return `(CASE WHEN published_at > ${recentSince} THEN ${h} < 205 ELSE ${h} < 739 END)`;
}
const STARRED_SQL = '((((entry_id * 2246822519) & 4294967295) >> 22) < 20)';

async function generate(path: string, options: DatasetOptions): Promise<Meta> {
  const tmp = `${path}.tmp`;
  for (const suffix of ['', '-wal', '-shm']) rmSync(tmp + suffix, { force: true });
  const generatedAt = Date.now();
  const random = prng(options.seed);
  const username = 'reader';
  const password = 'bench-reader-password';
  log(
    `generating ${count(options.entries)} entries in ${count(options.feeds)} feeds (bench/.data/${basename(path)})`,
  );

  // 1. Schema, user, folders, feeds and subscriptions through the store itself.
  const store = openSqliteStore(tmp);
  const user = await store.createUser(
    username,
    { isAdmin: true, passwordHash: await hashPassword(password) },
    generatedAt - SPAN,
  );
  const folderIds: number[] = [];
  for (let i = 0; i < options.folders; i++) {
    const name =
      i % 4 === 3
        ? `${['技术', '中文博客', '数据', '产品'][i % 4] ?? '技术'} ${i}`
        : `${englishTitle(random).split(' ').slice(0, 2).join(' ')} ${i}`;
    folderIds.push((await store.ensureFolder(user.id, name)).id);
  }
  const chineseFeeds = new Set<number>();
  const feedIds: number[] = [];
  for (let i = 0; i < options.feeds; i++) {
    const feed = await store.ensureFeed(
      `https://blog-${i}.example.com/feed.xml`,
      DEFAULT_FETCH_OPTIONS,
      generatedAt - SPAN,
    );
    feedIds.push(feed.id);
    if (random() < options.chineseShare) chineseFeeds.add(feed.id);
    const folderId = folderIds[Math.floor(random() * folderIds.length)] ?? null;
    await store.subscribe(user.id, feed.id, { folderId, title: null }, generatedAt - SPAN);
  }
  await store.close();

  // 2. Bulk rows through a raw connection, no journal: a crash leaves only the .tmp file.
  const db = new Database(tmp);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('foreign_keys = OFF');
  db.pragma('cache_size = -1000000');
  db.pragma('temp_store = MEMORY');
  const updateFeed = db.prepare(
    `UPDATE feeds SET title = ?, site_url = ?, description = ?, icon_url = ?, language = ?, format = 'rss',
       last_checked_at = ?, last_success_at = ?, next_check_at = ? WHERE id = ?`,
  );
  db.transaction(() => {
    for (const id of feedIds) {
      const zh = chineseFeeds.has(id);
      const title = zh
        ? `${chineseTitle(random).slice(0, 8)}技术博客`
        : `The ${englishTitle(random).split(' ').slice(0, 3).join(' ')} Blog`;
      updateFeed.run(
        title,
        `https://blog-${id}.example.com/`,
        zh ? chineseTitle(random) : englishTitle(random),
        random() < 0.8 ? `https://blog-${id}.example.com/favicon.ico` : null,
        zh ? 'zh-CN' : 'en',
        generatedAt,
        generatedAt,
        generatedAt + DAY,
        id,
      );
    }
  })();

  const pools = buildPools(options.seed + 1);
  const insertEntry = db.prepare(
    `INSERT INTO entries (id, feed_id, dedupe_key, content_hash, guid, link, title, author, summary_text,
       reading_minutes, published_at, updated_at, created_at, categories, enclosures, image_url,
       comments_url, language)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, '[]', ?, NULL, ?)`,
  );
  const insertBody = db.prepare('INSERT INTO entry_bodies (entry_id, content_html) VALUES (?, ?)');
  const insertTag = db.prepare('INSERT OR IGNORE INTO entry_tags (tag, entry_id) VALUES (?, ?)');
  // Every feed gets the same number of entries, spread over the whole span in random order; ids
  // rise with publication time, as they do when a reader fetches as entries appear.
  const n = options.entries;
  const owner = new Int32Array(n);
  for (let i = 0; i < n; i++) owner[i] = i % feedIds.length;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = owner[i] as number;
    owner[i] = owner[j] as number;
    owner[j] = t;
  }
  const start = generatedAt - SPAN;
  const step = SPAN / n;
  const BATCH = 20_000;
  const started = performance.now();
  let textBytes = 0;
  for (let from = 0; from < n; from += BATCH) {
    db.transaction(() => {
      for (let i = from; i < Math.min(n, from + BATCH); i++) {
        const id = i + 1;
        const feedId = feedIds[owner[i] as number] as number;
        const zh = chineseFeeds.has(feedId);
        const publishedAt = Math.floor(start + (i + random()) * step);
        const e = buildEntry(random, pools, zh, feedId, id);
        textBytes += e.html.length + e.text.length;
        insertEntry.run(
          id,
          feedId,
          e.link,
          createHash('md5').update(e.link).digest('hex'),
          e.link,
          e.link,
          e.title,
          e.author,
          e.summary,
          e.minutes,
          publishedAt,
          publishedAt + Math.floor(random() * 1_800_000),
          JSON.stringify(e.categories),
          e.image,
          zh ? 'zh-CN' : 'en',
        );
        insertBody.run(id, e.html);
        for (const c of e.categories) insertTag.run(c.trim().toLowerCase(), id);
      }
    })();
    const done = Math.min(n, from + BATCH);
    if (done % 100_000 === 0 || done === n) {
      const s = (performance.now() - started) / 1000;
      log(
        `entries ${count(done)}/${count(n)} (${(done / s).toFixed(0)}/s, ${(textBytes / 1e6).toFixed(0)} MB of text, ` +
          `ETA ${(((n - done) * s) / done).toFixed(0)} s)`,
      );
    }
  }

  // 3. The user's state of every entry; the insert trigger keeps user_feed_counts.
  const recentSince = generatedAt - RECENT;
  const fanOut = db.prepare(
    `INSERT INTO user_entries (user_id, entry_id, feed_id, published_at, read, starred, read_at, starred_at,
       changed_at)
     SELECT ?, entry_id, feed_id, published_at, read, starred, read_at, starred_at,
       MAX(created_at, COALESCE(read_at, 0), COALESCE(starred_at, 0))
     FROM (SELECT entry_id, feed_id, published_at, created_at, ${readSql(recentSince)} AS read,
         ${STARRED_SQL} AS starred,
         CASE WHEN ${readSql(recentSince)} THEN published_at + 3600000 * (1 + entry_id % 48) END AS read_at,
         CASE WHEN ${STARRED_SQL} THEN published_at + 7200000 END AS starred_at
       FROM (SELECT id AS entry_id, feed_id, published_at, created_at FROM entries WHERE id > ? AND id <= ?))`,
  );
  const fanStarted = performance.now();
  for (let from = 0; from < n; from += 200_000) {
    db.transaction(() => fanOut.run(user.id, from, from + 200_000))();
    log(
      `user state ${count(Math.min(n, from + 200_000))}/${count(n)} (${((performance.now() - fanStarted) / 1000).toFixed(0)} s)`,
    );
  }

  // 4. The search index, as the store writes it with each entry it saves.
  const meta: Meta = {
    version: GENERATOR_VERSION,
    options,
    generatedAt,
    username,
    password,
    userId: user.id,
  };
  db.exec('CREATE TABLE IF NOT EXISTS bench_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
  log(`search index: ${fillSearchIndex(db)}`);
  db.prepare("INSERT OR REPLACE INTO bench_meta (key, value) VALUES ('meta', ?)").run(JSON.stringify(meta));
  db.pragma('journal_mode = WAL');
  db.close();
  renameSync(tmp, path);
  return meta;
}

interface Built {
  link: string;
  title: string;
  author: string;
  html: string;
  text: string;
  summary: string;
  minutes: number;
  categories: string[];
  image: string | null;
}

const AUTHORS_EN = [
  'Ana Ferreira',
  'Wei Zhang',
  'Marta Nowak',
  'Priya Raman',
  'Jens Müller',
  'Sam Carter',
  'Olusegun Adeyemi',
];
const AUTHORS_ZH = ['张伟', '王芳', '李娜', '刘洋', '陈静', '杨磊'];

function pick<T>(list: readonly T[], random: () => number): T {
  return list[Math.floor(random() * list.length)] as T;
}

function buildEntry(random: () => number, pools: Pools, zh: boolean, feedId: number, id: number): Built {
  const pool: Paragraph[] = zh ? pools.chinese : pools.english;
  const title = zh ? chineseTitle(random) : englishTitle(random);
  const link = `https://blog-${feedId}.example.com/posts/${id}`;
  // HTML of 1–6 KB (bytes as stored: Chinese characters take 3 each).
  const target = 1000 + Math.floor(random() * 5000);
  const htmlParts: string[] = [];
  const textParts: string[] = [];
  let size = 0;
  let image: string | null = null;
  if (random() < 0.3) {
    image = `https://blog-${feedId}.example.com/images/${id}.png`;
    const figure = `<figure><img src="${image}" alt="" width="800" height="450" /></figure>`;
    htmlParts.push(figure);
    size += figure.length;
  }
  while (size < target) {
    if (htmlParts.length === 3 && random() < 0.5) {
      const heading = zh ? chineseTitle(random).slice(0, 10) : englishWords(random, 4).join(' ');
      htmlParts.push(`<h2>${heading}</h2>`);
      textParts.push(heading);
      size += heading.length * (zh ? 3 : 1) + 9;
    }
    const p = pick(pool, random);
    htmlParts.push(p.html);
    textParts.push(p.text);
    size += zh ? Buffer.byteLength(p.html) : p.html.length;
  }
  const text = textParts.join('\n\n');
  const summary = text.length > 300 ? `${text.slice(0, 300).trimEnd()}…` : text;
  const units = zh ? text.length / 400 : text.length / 6 / 230;
  const categories: string[] = [];
  const tags = Math.floor(random() * 5);
  for (let i = 0; i < tags; i++) {
    const r = random();
    const tag = TAGS[Math.floor(r * r * TAGS.length)] as string;
    if (!categories.includes(tag)) categories.push(tag);
  }
  return {
    link,
    title,
    author: pick(zh ? AUTHORS_ZH : AUTHORS_EN, random),
    html: htmlParts.join('\n'),
    text,
    summary,
    minutes: Math.max(1, Math.round(units)),
    categories,
    image,
  };
}

export interface Prepared {
  /** Entries whose read state the last run changed (opening an article marks it read), restored. */
  restored: number;
  checks: string[];
  ok: boolean;
  /** Full-text tables found and how they were filled. */
  search: string;
}

/**
 * Before each run: migrations the store gained since generation, the read state as generated
 * (the previous run's article opens marked some read), no stale sessions, and the counters checked
 * against COUNT(*).
 */
export async function prepareDataset(data: Dataset): Promise<Prepared> {
  // Migrated, and its generated bodies taken as this sanitizer's: the server's idle work would
  // otherwise run a million of them through it again while it is measured.
  const store = openSqliteStore(data.path);
  await markSanitized(store);
  await store.close();
  let db = new Database(data.path);
  db.pragma('cache_size = -500000');
  try {
    const recentSince = data.generatedAt - RECENT;
    const restore = db.prepare(
      `UPDATE user_entries SET read = ${readSql(recentSince)},
         read_at = CASE WHEN ${readSql(recentSince)} THEN published_at + 3600000 * (1 + entry_id % 48) END
       WHERE user_id = ? AND read <> ${readSql(recentSince)}`,
    );
    const restored = db.transaction(() => restore.run(data.userId).changes)();
    db.prepare('DELETE FROM sessions WHERE user_id = ?').run(data.userId);
    const filled = fillSearchIndex(db);
    db.close();
    const merged = await compactAsServed(data.path);
    db = new Database(data.path);
    db.pragma('cache_size = -500000');
    const search = merged ? `${filled}; ${merged}` : filled;
    const checks: string[] = [];
    let ok = true;
    const one = (sql: string, ...params: unknown[]): number =>
      Number(Object.values(db.prepare(sql).get(...params) as Record<string, unknown>)[0]);
    const entries = one('SELECT COUNT(*) FROM entries');
    const states = one('SELECT COUNT(*) FROM user_entries WHERE user_id = ?', data.userId);
    const unread = one('SELECT COUNT(*) FROM user_entries WHERE user_id = ? AND read = 0', data.userId);
    const starred = one('SELECT COUNT(*) FROM user_entries WHERE user_id = ? AND starred = 1', data.userId);
    const counted = one(
      'SELECT COALESCE(SUM(unread_count), 0) FROM user_feed_counts WHERE user_id = ?',
      data.userId,
    );
    const countedAll = one(
      'SELECT COALESCE(SUM(entry_count), 0) FROM user_feed_counts WHERE user_id = ?',
      data.userId,
    );
    const wrongFeeds = one(
      `SELECT COUNT(*) FROM (SELECT feed_id, SUM(read = 0) AS u, COUNT(*) AS n FROM user_entries WHERE user_id = ?
         GROUP BY feed_id) x LEFT JOIN user_feed_counts c ON c.user_id = ? AND c.feed_id = x.feed_id
       WHERE c.unread_count IS NOT x.u OR c.entry_count IS NOT x.n`,
      data.userId,
      data.userId,
    );
    const expect = (what: string, good: boolean): void => {
      checks.push(`${good ? 'ok' : 'WRONG'}: ${what}`);
      ok &&= good;
    };
    expect(
      `${count(entries)} entries (asked for ${count(data.options.entries)})`,
      entries === data.options.entries,
    );
    expect(`every entry fanned out to the user (${count(states)})`, states === entries);
    expect(
      `unread counters sum to COUNT(*) of unread (${count(counted)} = ${count(unread)}, ${((100 * unread) / states).toFixed(1)}% unread, ${((100 * starred) / states).toFixed(1)}% starred)`,
      counted === unread,
    );
    expect(`entry counters sum to COUNT(*) (${count(countedAll)})`, countedAll === states);
    expect(`per-feed counters match GROUP BY feed (${wrongFeeds} feeds differ)`, wrongFeeds === 0);
    return { restored, checks, ok, search };
  } finally {
    db.close();
  }
}

/**
 * The search index as `gleaner serve` leaves it once idle (src/refresh/compaction.ts): merged into
 * one segment when it is in many. Generating or filling it leaves it in dozens.
 */
async function compactAsServed(path: string): Promise<string | null> {
  const store = openSqliteStore(path);
  try {
    const segments = await store.searchIndexSegments();
    if (segments < DEFAULT_COMPACTION.minSegments) return null;
    const started = performance.now();
    while (await store.compactSearchIndex(2000));
    return `merged from ${segments} segments into one in ${((performance.now() - started) / 1000).toFixed(0)} s, as the server does when idle`;
  } finally {
    await store.close();
  }
}

/** Entry columns an FTS column may index, by the FTS column's name. */
const FTS_SOURCES: Record<string, string> = {
  title: 'title',
  content: 'content_text',
  content_text: 'content_text',
  body: 'content_text',
  text: 'content_text',
  summary: 'summary_text',
  summary_text: 'summary_text',
  author: 'author',
  // The entry's feed as a token (migration 11), for searches within a feed.
  feed: 'feed_id',
};

/**
 * Fills the store's full-text tables when the schema has some and they are empty (the bulk insert
 * bypasses the store, which indexes each entry as it saves it; a migration that adds an index to a
 * cached database fills it itself): for a table with its own or no content, each entry's text
 * through the search module's indexText(), matched to the table's columns by name; for an
 * external-content table, FTS5's rebuild.
 */
function fillSearchIndex(db: Database.Database): string {
  const tables = db
    .prepare(
      "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%fts5%'",
    )
    .all() as { name: string; sql: string }[];
  if (tables.length === 0) return 'no full-text table in the schema';
  const notes: string[] = [];
  for (const { name, sql } of tables) {
    const filled = db.prepare(`SELECT rowid FROM ${name} LIMIT 1`).get() !== undefined;
    const indexed = (): number => {
      try {
        return (db.prepare(`SELECT COUNT(*) AS n FROM ${name}_docsize`).get() as { n: number }).n;
      } catch {
        return NaN;
      }
    };
    if (filled) {
      notes.push(`${name} holds ${count(indexed())} documents`);
      continue;
    }
    const columns = (
      db.prepare(`SELECT name FROM pragma_table_info('${name}')`).all() as { name: string }[]
    ).map((c) => c.name);
    const external = /content\s*=\s*'(\w+)'/i.exec(sql)?.[1];
    const started = performance.now();
    if (external) {
      db.prepare(`INSERT INTO ${name}(${name}) VALUES ('rebuild')`).run();
    } else {
      const sources = columns.map((c) => FTS_SOURCES[c]);
      if (sources.some((s) => s === undefined)) {
        notes.push(`${name}: columns ${columns.join(', ')} not understood; left empty`);
        continue;
      }
      fillWithIndexText(db, name, columns, sources as string[]);
    }
    notes.push(
      `${name} filled with ${count(indexed())} documents in ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );
  }
  return notes.join('; ');
}

function fillWithIndexText(db: Database.Database, table: string, columns: string[], sources: string[]): void {
  // Loaded only when needed: the search module may not exist on every branch this runs on.
  const indexText = searchIndexText();
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  // The store keeps no text apart from the HTML (migration 19): the text is the HTML's, as the
  // store's sanitizer gave it when the entry arrived.
  const value = (source: string, v: unknown): string =>
    source === 'feed_id'
      ? searchFeedToken()(Number(v))
      : indexText(source === 'content_text' ? htmlToText(text(v)) : text(v));
  const read = db.prepare(
    `SELECT id, ${sources.map((s) => (s === 'content_text' ? 'b.content_html AS content_text' : s)).join(', ')}
     FROM entries JOIN entry_bodies b ON b.entry_id = id WHERE id > ? ORDER BY id LIMIT 20000`,
  );
  const insert = db.prepare(
    `INSERT INTO ${table} (rowid, ${columns.join(', ')}) VALUES (?, ${columns.map(() => '?').join(', ')})`,
  );
  let last = 0;
  let total = 0;
  const started = performance.now();
  for (;;) {
    const rows = read.all(last) as Record<string, unknown>[];
    if (rows.length === 0) break;
    db.transaction(() => {
      for (const row of rows) {
        insert.run(row.id, ...sources.map((s) => value(s, row[s])));
      }
    })();
    last = Number(rows.at(-1)?.id);
    total += rows.length;
    if (total % 100_000 === 0)
      log(`full-text index ${count(total)} entries (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
}

let indexTextFn: ((text: string) => string) | null = null;
let feedTokenFn: ((feedId: number) => string) | null = null;
function searchIndexText(): (text: string) => string {
  if (!indexTextFn) throw new Error('loadSearchModule() first');
  return indexTextFn;
}
function searchFeedToken(): (feedId: number) => string {
  if (!feedTokenFn) throw new Error('loadSearchModule() first, on a tree whose index has feeds');
  return feedTokenFn;
}

/** Loads the search module's indexText() and feedToken() when the tree has them. */
export async function loadSearchModule(): Promise<void> {
  try {
    const mod = (await import('../../src/search/index.js')) as {
      indexText?: (text: string) => string;
      feedToken?: (feedId: number) => string;
    };
    indexTextFn = mod.indexText ?? ((text: string) => text);
    feedTokenFn = mod.feedToken ?? null;
  } catch {
    indexTextFn = (text: string) => text;
  }
}
