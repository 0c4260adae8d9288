// The embedded store: one SQLite file in WAL mode, through better-sqlite3. All statements are
// prepared once; each write that must be atomic runs in one transaction.
import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import {
  isPacked,
  type Entry,
  type Feed,
  type FetchOptions,
  type Folder,
  type StorableEntry,
  type Subscription,
  type User,
} from '../model/index.js';
import { takeCredentials } from '../feed/fetch/http.js';
import { collapseWhitespace } from '../feed/parse/text.js';
import { sanitizedHtmlText } from '../content/index.js';
import { EntryCache } from './entrycache.js';
import { entryRules, isFilteredOut, type EntryRules } from '../ingest/rules.js';
import { foreignDatabaseError, newerSchemaError, openError } from './errors.js';
import { GleanerError } from '../model/errors.js';
import { startCheckpointer, WAL_RESTART_BYTES, type Checkpointer } from './checkpointer.js';
import {
  MIGRATIONS,
  SEARCH_INDEX_MIGRATION,
  SEQUENCED_ID_TABLES,
  SEQUENCED_IDS_MIGRATION,
  SQLITE,
  TABLE_REBUILDS,
  URL_CREDENTIALS_MIGRATION,
  CATEGORY_CONTROL_CHARACTERS_MIGRATION,
  CONTROL_CHARACTERS_MIGRATION,
} from './migrations.js';
import { feedToken, highlight, htmlSnippet, indexText, toMatchQuery } from '../search/index.js';
import {
  entryBody,
  entryIdsSql,
  entryQuerySql,
  entryStateSql,
  limitClause,
  markReadScopeSql,
  ARRIVAL_WINDOW,
  CHANGED,
  NEWEST_MATCHES,
  RECENT_MATCHES,
  searchRank,
  searchMissedSql,
  searchSql,
  searchWindow,
  sharedTagsSql,
  STATE_AT,
  type JsonQuote,
} from './queries.js';
import {
  countPublicationSql,
  PUBLICATION_SQL,
  SHOWN_BY_PUBLICATION,
  publicationEntriesSql,
  publicationVersion,
  toPublication,
} from './publish.js';
import {
  ENTRY_COLUMNS,
  entryTags,
  fetchOptionsKey,
  parseJsonArray,
  toEntry,
  toEntryView,
  toShapedEntryView,
  toFeed,
  toFetchOptions,
  toWebSubState,
  toFolder,
  toRuleSubject,
  toSubscription,
  toUser,
  type Row,
} from './rows.js';
import type {
  FeedMove,
  ApiKey,
  DayCount,
  DuePage,
  ImportedSubscription,
  EntryQuery,
  EntryStateChange,
  EntryShape,
  EntryView,
  FeedFetchUpdate,
  WebSubRequest,
  WebSubState,
  FeedIcon,
  MarkReadScope,
  NewPublication,
  NewSession,
  Publication,
  PublicationEntryQuery,
  PublicationState,
  SaveResult,
  SearchHit,
  SearchQuery,
  SharedTags,
  SharedTagsQuery,
  SessionView,
  Store,
  RetentionCursor,
  RetentionPolicy,
  StoredEntryVersion,
  NewSubscription,
  SubscriptionChange,
  SubscriptionView,
} from './types.js';

/** An entry's row of the search index, to write (`update`: in place of the one it has). */
interface IndexWrite {
  id: number;
  title: string;
  /** A string, or its UTF-8 bytes (a packed entry's). */
  body: string | Uint8Array;
  feed: string;
  update: boolean;
}

/** Stored settings JSON as an object; anything else (missing, broken, not an object) as none. */
function parseSettings(json: unknown): Record<string, unknown> {
  if (typeof json !== 'string') return {};
  try {
    const value: unknown = JSON.parse(json);
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

function toApiKey(r: Row): ApiKey {
  return {
    id: Number(r.id),
    userId: Number(r.user_id),
    name: String(r.name),
    createdAt: Number(r.created_at),
    lastUsedAt: r.last_used_at == null ? null : Number(r.last_used_at),
  };
}

/** An API key's row with its user's (one query a client's call: the key, then the user, was two). */
interface ApiKeyUse extends Row {
  key_id: number;
  last_used_at: number | null;
}

/** How precisely a key's last use is kept (Settings shows it as a time ago). */
const KEY_USE_PRECISION_MS = 60_000;

/** A folder's feeds, for a search within it. */
const FOLDER_FEEDS_SQL = 'SELECT feed_id FROM subscriptions WHERE user_id = ? AND folder_id = ?';
/** The most feeds a search's MATCH names (see searchEntries). */
const MAX_MATCHED_FEEDS = 200;

/**
 * Entries walked in order that cost about what one entry of a change window costs found in the
 * change index and sorted (on a million entries: 393 ms for 303,501 sorted; ~0.07 µs an entry
 * walked, 36 ms for the page 150,000 entries into that window). See SqliteStore.walkBeatsSort.
 */
const WALKED_PER_SORTED = 18;

/**
 * The same for a search's matches, each looked up in the user's entries and sorted (~1 µs; a walk
 * first gathers the index's matches, ~0.2 µs each, then tests ~0.09 µs an entry walked).
 */
const WALKED_PER_MATCH_SORTED = 8;

/**
 * How far into a search by date with thousands of matches (more than its windows hold) a page may
 * lie to be found by walking the user's entries in date order: a walk past a page this deep of
 * 2,000 matches in a million entries would cross ~half of them.
 */
const MAX_WALKED_SEARCH_PAGE = 1000;

/** Where a search row (searchSql) holds the entry's publication time. */
const PUBLISHED_AT = ENTRY_COLUMNS.indexOf('published_at');

/** A name an entry carries (a tag, a label), as the statements that list them read it. */
interface EntryName {
  entry_id: number;
  name: string;
}

/** A subscriber's compiled rules for one feed. */
interface SubscriberRules {
  userId: number;
  rules: EntryRules;
}

/** The parameters of the updateSubscription statement: what `change` names is set, the rest kept. */
function subscriptionChangeParams(
  userId: number,
  feedId: number,
  change: SubscriptionChange,
): Record<string, number | string | null> {
  return {
    userId,
    feedId,
    setTitle: change.title !== undefined ? 1 : 0,
    title: change.title ?? null,
    setFolder: change.folderId !== undefined ? 1 : 0,
    folderId: change.folderId ?? null,
    setPaused: change.paused !== undefined ? 1 : 0,
    paused: change.paused ? 1 : 0,
    setBlockRules: change.blockRules !== undefined ? 1 : 0,
    blockRules: change.blockRules || null,
    setKeepRules: change.keepRules !== undefined ? 1 : 0,
    keepRules: change.keepRules || null,
    setMinCheck: change.minCheckMinutes !== undefined ? 1 : 0,
    minCheckMinutes: change.minCheckMinutes ?? null,
  };
}

/** The subscribers whose rules leave `entry` out. */
function filteredOut(subscribers: readonly SubscriberRules[], entry: StorableEntry): number[] {
  const out: number[] = [];
  for (const { userId, rules } of subscribers) if (isFilteredOut(rules, entry)) out.push(userId);
  return out;
}

/** Each entry's names, in the rows' order. */
function byEntry(rows: readonly EntryName[]): Map<number, string[]> {
  const names = new Map<number, string[]>();
  for (const row of rows) {
    const list = names.get(row.entry_id);
    if (list) list.push(row.name);
    else names.set(row.entry_id, [row.name]);
  }
  return names;
}

/** A feed's fetch options as the feeds table's statements take them. */
function optionParams(options: FetchOptions): Record<string, string | number | null> & { key: string } {
  return {
    key: fetchOptionsKey(options),
    userAgent: options.userAgent,
    cookie: options.cookie,
    username: options.username,
    password: options.password,
    fetchFullArticle: options.fetchFullArticle ? 1 : 0,
    articleSelector: options.articleSelector,
    ignoreHttpCache: options.ignoreHttpCache ? 1 : 0,
    removeSelector: options.removeSelector,
    fetchViaProxy: options.fetchViaProxy ? 1 : 0,
    trustedCertificate: options.trustedCertificate,
    scrape: options.scrape && JSON.stringify(options.scrape),
    rewriteRules: options.rewriteRules,
  };
}

/** See URL_CREDENTIALS_MIGRATION. */
function moveFeedUrlCredentials(db: Database.Database): void {
  const rows = db
    .prepare(
      `SELECT id, url, user_agent, cookie, username, password, fetch_full_article FROM feeds
       WHERE url LIKE '%@%'`,
    )
    .all() as Row[];
  const taken = db.prepare('SELECT 1 FROM feeds WHERE url = ? AND options_key = ?');
  const update = db.prepare(
    'UPDATE feeds SET url = ?, options_key = ?, username = ?, password = ? WHERE id = ?',
  );
  for (const row of rows) {
    let url: URL;
    try {
      url = new URL(String(row.url));
    } catch {
      continue;
    }
    if (!url.username && !url.password) continue;
    const written = takeCredentials(url);
    const own = toFetchOptions(row);
    // The fetcher sent the feed's own username and password where it had them, else the URL's.
    const options: FetchOptions = {
      ...own,
      username: own.username ?? written.username,
      password: own.password ?? written.password,
    };
    const key = fetchOptionsKey(options);
    if (taken.get(url.href, key)) continue;
    update.run(url.href, key, options.username, options.password, row.id);
  }
}

/** See CONTROL_CHARACTERS_MIGRATION. */
function collapseControlCharacters(db: Database.Database): void {
  db.function('gleaner_collapse', { deterministic: true }, (text: unknown) =>
    typeof text === 'string' ? collapseWhitespace(text) : text,
  );
  // C0 but NUL (tab, newline and return were collapsed already), DEL and C1.
  const held = (column: string): string =>
    `${column} GLOB '*[' || char(1) || '-' || char(31) || char(127) || '-' || char(159) || ']*'`;
  db.exec(`UPDATE entries SET title = COALESCE(NULLIF(gleaner_collapse(title), ''), 'Untitled') WHERE ${held('title')};
    UPDATE entries SET author = NULLIF(gleaner_collapse(author), '') WHERE ${held('author')};
    UPDATE feeds SET title = NULLIF(gleaner_collapse(title), '') WHERE ${held('title')};
    UPDATE feeds SET description = NULLIF(gleaner_collapse(description), '') WHERE ${held('description')};`);
}

/** See CATEGORY_CONTROL_CHARACTERS_MIGRATION. */
function collapseCategoryControlCharacters(db: Database.Database): void {
  // Categories are JSON, which writes C0 as \uXXXX (backspace as \b) and DEL and C1 as they are.
  const candidates = db
    .prepare(
      `SELECT id, categories FROM entries WHERE categories <> '[]' AND (categories GLOB '*\\[ub]*'
         OR categories GLOB '*[' || char(127) || '-' || char(159) || ']*')`,
    )
    .raw()
    .iterate() as IterableIterator<[number, string]>;
  const changed: [number, string[]][] = [];
  for (const [id, json] of candidates) {
    const categories = parseJsonArray<unknown>(json).filter((c): c is string => typeof c === 'string');
    const collapsed = [...new Set(categories.map(collapseWhitespace).filter((c) => c !== ''))];
    if (collapsed.join('\0') !== categories.join('\0')) changed.push([id, collapsed]);
  }
  const update = db.prepare('UPDATE entries SET categories = ? WHERE id = ?');
  const dropTags = db.prepare('DELETE FROM entry_tags WHERE entry_id = ?');
  const insertTag = db.prepare('INSERT OR IGNORE INTO entry_tags (tag, entry_id) VALUES (?, ?)');
  for (const [id, categories] of changed) {
    update.run(JSON.stringify(categories), id);
    dropTags.run(id);
    for (const tag of entryTags(categories)) insertTag.run(tag, id);
  }
}

/**
 * See SEQUENCED_IDS_MIGRATION. A table's own CREATE statement, as SQLite keeps it (with every
 * column added since), is made again with AUTOINCREMENT under another name, filled with the rows,
 * put in the table's place, and given its indexes and triggers again (SQLite's documented way to
 * change a table, foreign keys off: see TABLE_REBUILDS). Copying the ids sets the sequence past
 * the largest.
 */
function sequenceIds(db: Database.Database, table: string): void {
  const schema = db.prepare(`SELECT type, sql FROM sqlite_schema WHERE tbl_name = ? AND sql IS NOT NULL`);
  const rows = schema.all(table) as { type: string; sql: string }[];
  const create = rows.find((r) => r.type === 'table')?.sql ?? '';
  const copy = `${table}_sequenced`;
  const sequenced = create.replace(
    new RegExp(`^CREATE TABLE "?${table}"? \\(\\s*id INTEGER PRIMARY KEY,`),
    `CREATE TABLE ${copy} (id INTEGER PRIMARY KEY AUTOINCREMENT,`,
  );
  if (sequenced === create) throw new Error(`migration: the ${table} table is not as expected: ${create}`);
  const columns = (db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(table) as string[])
    .map((name) => `"${name}"`)
    .join(', ');
  db.exec(sequenced);
  db.exec(`INSERT INTO ${copy} (${columns}) SELECT ${columns} FROM ${table} ORDER BY id`);
  db.exec(`DROP TABLE ${table}`);
  // Other tables' triggers name the table (a subscription's pace is written to its feed), and a
  // rename checks every trigger, failing on those while the table is gone: SQLite's legacy rename
  // leaves them alone, and they refer to the copy once it has the name.
  const legacy = db.pragma('legacy_alter_table', { simple: true }) as number;
  db.pragma('legacy_alter_table = ON');
  try {
    db.exec(`ALTER TABLE ${copy} RENAME TO ${table}`);
  } finally {
    db.pragma(`legacy_alter_table = ${legacy ? 'ON' : 'OFF'}`);
  }
  for (const r of rows) if (r.type === 'index' || r.type === 'trigger') db.exec(r.sql);
}

/** Indexes every stored entry for search (once, in the transaction that makes the index), 2,000 read at a time. */
function fillSearchIndex(db: Database.Database): void {
  const batch = db.prepare(
    `SELECT e.id, e.feed_id, e.title, COALESCE(b.content_text, '') AS content_text
     FROM entries e LEFT JOIN entry_bodies b ON b.entry_id = e.id WHERE e.id > ? ORDER BY e.id LIMIT 2000`,
  );
  const insert = db.prepare('INSERT INTO entry_fts (rowid, title, body, feed) VALUES (?, ?, ?, ?)');
  let last = 0;
  for (;;) {
    const rows = batch.all(last) as { id: number; feed_id: number; title: string; content_text: string }[];
    if (rows.length === 0) break;
    for (const r of rows)
      insert.run(r.id, indexText(r.title), indexText(r.content_text), feedToken(r.feed_id));
    last = rows[rows.length - 1]?.id ?? last;
  }
}

/**
 * How long a process that opens the database waits for another one's migration (a step may rewrite
 * every entry: minutes on millions) before it gives up with SQLITE_BUSY.
 */
const MIGRATION_WAIT_MS = 10 * 60 * 1000;

/**
 * Runs the migrations that have not run yet, each in its own transaction, telling `onStep` before
 * each one on a database that already holds data (some rewrite every entry: minutes on millions).
 *
 * Two processes may open an old database at once (a server and a command from cron). Each step
 * takes the write lock as it begins and reads the version again under it: a process that waited
 * for another's step finds it done and goes on from there, rather than running it a second time.
 */
export function migrateSqlite(db: Database.Database, onStep?: (version: number, of: number) => void): number {
  const readVersion = (): number => db.pragma('user_version', { simple: true }) as number;
  const current = readVersion();
  if (current >= MIGRATIONS.length) return MIGRATIONS.length;
  const busyTimeout = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma(`busy_timeout = ${MIGRATION_WAIT_MS}`);
  try {
    for (let version = current; version < MIGRATIONS.length;) {
      if (current > 0) onStep?.(version + 1, MIGRATIONS.length);
      version = migrateStep(db, version, readVersion);
    }
  } finally {
    db.pragma(`busy_timeout = ${busyTimeout}`);
  }
  return MIGRATIONS.length;
}

/** Runs the migration after `version` unless another process did; returns the version now. */
function migrateStep(db: Database.Database, version: number, readVersion: () => number): number {
  const step = MIGRATIONS[version];
  if (!step) return MIGRATIONS.length;
  const rebuild = TABLE_REBUILDS.has(version + 1);
  // Foreign keys can only be turned off outside a transaction.
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
  if (rebuild) db.pragma('foreign_keys = OFF');
  try {
    return db
      .transaction((): number => {
        const now = readVersion();
        if (now !== version) return now;
        const broken = rebuild ? (db.pragma('foreign_key_check') as unknown[]).length : 0;
        for (const sql of step(SQLITE)) db.exec(sql);
        if (version + 1 === URL_CREDENTIALS_MIGRATION) moveFeedUrlCredentials(db);
        if (version + 1 === CONTROL_CHARACTERS_MIGRATION) collapseControlCharacters(db);
        if (version + 1 === CATEGORY_CONTROL_CHARACTERS_MIGRATION) collapseCategoryControlCharacters(db);
        if (version + 1 === SEARCH_INDEX_MIGRATION) fillSearchIndex(db);
        if (version + 1 === SEQUENCED_IDS_MIGRATION)
          for (const table of SEQUENCED_ID_TABLES) sequenceIds(db, table);
        if (rebuild && (db.pragma('foreign_key_check') as unknown[]).length > broken) {
          throw new Error(`migration ${version + 1} would leave references to rows that are gone`);
        }
        db.pragma(`user_version = ${version + 1}`);
        return version + 1;
      })
      .immediate();
  } finally {
    if (rebuild) db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
  }
}

export interface SqliteOptions {
  /** MiB of pages kept in memory; the build's default (16 MiB) when absent. */
  cacheMiB?: number | undefined;
  /** MiB of entries kept for the client APIs' lists (see entrycache.ts); 16 when absent. */
  entryCacheMiB?: number | undefined;
  /**
   * MiB the file may grow to: past it, a write fails as on a full disk (see storageError), and
   * nothing is lost. Unlimited when absent or 0.
   */
  maxMiB?: number | undefined;
  /**
   * The file must be there already: a command that reads what is stored (a refresh from cron, an
   * export) refuses to make an empty database where it looks by mistake.
   */
  existing?: boolean | undefined;
  /**
   * Who copies the WAL back into the database: SQLite inside whichever commit makes the WAL pass
   * 1,000 pages ('auto', for commands), a thread this store starts ('background', for the server;
   * see checkpointer.ts), or another process's store ('elsewhere': the server's workers).
   */
  checkpoints?: 'auto' | 'background' | 'elsewhere' | undefined;
  /**
   * Entries that make a group of refreshed feeds' writes full (see recordFetchSuccess): written at
   * once rather than at the end of the event loop's turn. A server keeps it small, since a reader's
   * page waits for the transaction; 256 when absent.
   */
  groupCommitEntries?: number | undefined;
  /**
   * With background checkpoints: how often the thread checkpoints (CHECKPOINT_INTERVAL_MS by
   * default), and the WAL size past which the writer waits for it to copy the whole WAL back and
   * starts the WAL over (WAL_RESTART_BYTES; also the size the file is cut back to).
   */
  checkpointIntervalMs?: number | undefined;
  walRestartBytes?: number | undefined;
  /** Told when a background checkpoint fails (the next one tries again). */
  onCheckpointError?: ((message: string) => void) | undefined;
  /** Told before each migration of a database that already had a schema. */
  onMigration?: ((version: number, of: number) => void) | undefined;
}

/**
 * Bytes a page of a new database. An entry's body (HTML and text, ~7 KB on average) does not fit a
 * 4-KiB page, SQLite's default: the rest went to an overflow page, which SQLite reads from the file
 * with a system call each time, past its cache. In 8-KiB pages a body is one page, read through the
 * cache, and the trees hold twice the keys a page. On a million entries, the same file copied at
 * each size (VACUUM INTO) and loaded in alternating rounds at concurrency 10, 8 KiB against 4: the
 * CPU a request of Miniflux's unread and feed lists 0.84x and 0.85x, Google Reader's reading-list
 * and feed streams 0.84x and 0.93x. 16 KiB did better still (0.73-0.79x), but a first refresh of
 * 10,000 feeds then peaked at 321 MB (8 KiB 288, 4 KiB 272-279; the target is 300) and files grew
 * by 13-23% (8 KiB: 5-7%). A refresh's speed was within a few percent at each size.
 */
export const PAGE_SIZE = 8192;

/**
 * Copies the SQLite database at `source` as it is now to the file `path`, while it stays in use
 * (SQLite's online backup), without opening it as a store: no migration, nothing written to it, so
 * that a copy made before an upgrade is of the database as it was. Written beside `path` under a
 * name of this run's own, checked (whole, and a Gleaner database of the source's schema), then
 * given its name, never replacing a file: `path` is a whole, checked copy or is not there.
 * Refuses a `source` that is not there (an empty copy of a database made by mistake is no backup)
 * and a `path` that exists or is the database itself. Once `signal` aborts, stops at the next
 * step, its partial copy removed.
 */
export async function backupSqlite(
  source: string,
  path: string,
  signal?: AbortSignal,
): Promise<{ bytes: number }> {
  const target = resolve(path);
  if (resolve(source) === target)
    throw new GleanerError('USAGE', `${path} is the database itself: back it up to another file`);
  if (!existsSync(source))
    throw new GleanerError(
      'CONFIG_INVALID',
      `there is no database at ${source} to back up: set GLEANER_DB (or --db) to the file Gleaner keeps its data in`,
    );
  if (existsSync(target)) throw new GleanerError('USAGE', `${path} exists: give a file that does not`);
  if (!existsSync(dirname(target)))
    throw new GleanerError('USAGE', `cannot back up to ${path}: there is no folder ${dirname(target)}`);
  let db: Database.Database;
  let version: number;
  try {
    db = new Database(source, { fileMustExist: true });
    version = db.pragma('user_version', { simple: true }) as number;
  } catch (err) {
    throw openError(source, err);
  }
  // Another run (cron and a hand, the same second) has a partial copy of its own.
  const partial = `${target}.${process.pid}-${randomBytes(4).toString('hex')}.partial`;
  const removePartial = (): void => {
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(partial + suffix, { force: true });
  };
  const stopped = (): void => {
    if (signal?.aborted) throw new GleanerError('USAGE', `stopped: no backup was made at ${path}`);
  };
  try {
    if (version === 0) throw foreignDatabaseError(source);
    // The first step only counts the pages; the second copies them all, in one read transaction:
    // a copy of the database as it was at one instant, whatever other processes (a server) write
    // meanwhile. Copied a few pages a step, a write by another process starts the copy over.
    await db.backup(partial, {
      progress: () => {
        stopped();
        return 0x7fffffff;
      },
    });
    stopped();
    // One self-contained file (no WAL beside it), checked as a restore would read it: a backup
    // that cannot be read back is worse than none.
    const copy = new Database(partial);
    let problem: string | null = null;
    try {
      copy.pragma('journal_mode = DELETE');
      const check = copy.pragma('quick_check', { simple: true }) as string;
      const copied = copy.pragma('user_version', { simple: true }) as number;
      if (check !== 'ok') problem = check;
      else if (copied !== version) problem = `its schema is ${copied}, the database's ${version}`;
    } finally {
      copy.close();
    }
    if (problem !== null) {
      // Damage copied over is the database's own.
      const own = db.pragma('quick_check', { simple: true }) as string;
      if (own !== 'ok')
        throw new GleanerError(
          'CONFIG_INVALID',
          `the database ${source} is damaged (${own}): stop Gleaner, restore it from a backup, or try sqlite3's .recover on a copy; no backup was made`,
        );
      throw new GleanerError('INTERNAL', `the copy does not read back whole (${problem})`);
    }
    stopped();
    // Named without replacing a file made meanwhile (another backup to the same name).
    try {
      linkSync(partial, target);
    } catch (err) {
      if ((err as { code?: unknown }).code === 'EEXIST')
        throw new GleanerError('USAGE', `${path} exists: give a file that does not`);
      throw err;
    }
    rmSync(partial);
    // The new name itself on disk, as the copy's pages already are.
    const folder = openSync(dirname(target), 'r');
    try {
      fsyncSync(folder);
    } finally {
      closeSync(folder);
    }
    return { bytes: statSync(target).size };
  } catch (err) {
    removePartial();
    if (err instanceof GleanerError) throw err;
    if ((err as { code?: unknown } | null)?.code === 'SQLITE_FULL')
      throw new GleanerError('STORAGE_FULL', `no space left for a backup at ${path}: none was made`, {
        cause: err,
      });
    throw new GleanerError('INTERNAL', `cannot back up to ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  } finally {
    db.close();
  }
}

export function openSqliteStore(path: string, options: SqliteOptions = {}): Store {
  let db: Database.Database;
  if (options.existing && path !== ':memory:' && !existsSync(path))
    throw new GleanerError(
      'CONFIG_INVALID',
      `there is no database at ${path}: set GLEANER_DB (or --db) to the file Gleaner keeps its data in, or subscribe to a feed first (gleaner add, gleaner import)`,
    );
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
  } catch (err) {
    throw openError(path, err);
  }
  try {
    return prepareStore(db, path, options);
  } catch (err) {
    db.close();
    throw openError(path, err);
  }
}

function prepareStore(db: Database.Database, path: string, options: SqliteOptions): Store {
  // The first read: a file that is not a database fails here, before anything is written to it.
  const pages = db.pragma('page_count', { simple: true }) as number;
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) throw newerSchemaError(path, version, MIGRATIONS.length);
  // Another application's database (tables, and no schema version of ours): not made Gleaner's.
  if (
    version === 0 &&
    pages > 0 &&
    (db.prepare('SELECT COUNT(*) FROM sqlite_schema').pluck().get() as number) > 0
  )
    throw foreignDatabaseError(path);
  // A page size is chosen once, before the first table: a database made before keeps its own.
  if (pages === 0) db.pragma(`page_size = ${PAGE_SIZE}`);
  if (options.cacheMiB !== undefined) db.pragma(`cache_size = ${-Math.round(options.cacheMiB * 1024)}`);
  if (options.maxMiB) {
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.pragma(`max_page_count = ${Math.ceil((options.maxMiB * 1024 * 1024) / pageSize)}`);
  }
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a power cut may lose the last transactions, never corrupts the file.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // A file or folder Gleaner may only read opens all the same, and fails at the first write, in
  // the middle of a refresh or after the server said it was up: a write that changes nothing
  // fails here instead (SQLITE_READONLY, told by openError).
  db.pragma(`user_version = ${version}`);
  migrateSqlite(db, options.onMigration);
  // A savepoint (see writeFetches), and a statement that may fail part way inside a transaction,
  // first copy each page they change to a journal, which by default spills to a temporary file past
  // 64 KiB: 14% of the writing thread's time in a first refresh went to writing such files. Set
  // after the migrations, whose index builds may sort more than memory should hold.
  db.pragma('temp_store = MEMORY');
  const checkpoints = path === ':memory:' ? 'auto' : (options.checkpoints ?? 'auto');
  let checkpointer: Checkpointer | null = null;
  if (checkpoints !== 'auto') {
    db.pragma('wal_autocheckpoint = 0');
    // After a burst (a first refresh) the WAL file shrinks back to this once checkpointed.
    db.pragma(`journal_size_limit = ${options.walRestartBytes ?? WAL_RESTART_BYTES}`);
  }
  if (checkpoints === 'background') {
    checkpointer = startCheckpointer(
      path,
      options.onCheckpointError ?? ((message) => process.emitWarning(`WAL checkpoint failed: ${message}`)),
      options.checkpointIntervalMs,
      options.walRestartBytes,
    );
  }
  return new SqliteStore(db, checkpointer, {
    native: loadNativeFunctions(db),
    groupCommitEntries: options.groupCommitEntries,
    entryCacheMiB: options.entryCacheMiB,
  });
}

// Our SQLite extension (native/: gleaner_bm25() and gleaner_json_quote()), compiled beside the code
// by `npm run build`: from the sources (tests), in dist/native; compiled, in the native folder
// beside src.
const NATIVE_LIBRARY = fileURLToPath(
  new URL(
    import.meta.url.endsWith('.ts') ? '../../dist/native/gleaner_sqlite' : '../../native/gleaner_sqlite',
    import.meta.url,
  ),
);

/**
 * Adds gleaner_bm25() and gleaner_json_quote() to a connection. False when they were not built
 * (no C compiler): search then ranks with SQLite's bm25(), in the same order, slower on words many
 * entries hold, and the APIs quote bodies with json_quote(), the same bytes, slower.
 */
export function loadNativeFunctions(db: Database.Database): boolean {
  const file = `${NATIVE_LIBRARY}.${process.platform === 'darwin' ? 'dylib' : 'so'}`;
  if (!existsSync(file)) return false;
  try {
    db.loadExtension(file);
    return true;
  } catch (err) {
    process.emitWarning(`search ranks with bm25(): ${file} did not load (${(err as Error).message})`);
    return false;
  }
}

/** What became of one feed of a group: stored, or undone by the error. */
type FetchOutcome = SaveResult | { failed: unknown };

/**
 * A refreshed feed's write, waiting for the group commit: its entries and new state after a fetch
 * that brought a document, or only its new state (not modified, or failed).
 */
interface PendingFetch {
  /** The entries it stores: what fills a group. */
  size: number;
  /** Its statements, run in the group's transaction; its rows of the search index go to `index`. */
  write: (index: IndexWrite[]) => SaveResult;
  resolve: (result: SaveResult) => void;
  reject: (err: unknown) => void;
}

/** An entry of a feed as a fetch finds it stored (a removed one's hash, guid and link are null). */
interface StoredKey {
  dedupe_key: string;
  content_hash: string | null;
  guid: string | null;
  link: string | null;
}

/**
 * The entry stored under `e`'s alternate key when it is the same item: the guid it lost (repeated
 * in its document now) with the same link, or the link it had with the same guid, or with none
 * (a feed that gave its items guids since). A removed entry's key is not taken: nothing tells
 * whether it was this item.
 */
function storedUnderAltKey(stored: Map<string, StoredKey>, e: StorableEntry): StoredKey | undefined {
  const row = e.altKey === undefined ? undefined : stored.get(e.altKey);
  if (!row || row.content_hash === null) return undefined;
  const same = e.altKey?.startsWith('g') ? row.link === e.link : row.guid === e.guid || row.guid === null;
  return same ? row : undefined;
}

// The Store interface is async for PostgreSQL's sake; SQLite answers synchronously, and `async`
// turns its exceptions into rejections as callers expect.
/* eslint-disable @typescript-eslint/require-await */
class SqliteStore implements Store {
  readonly dialect = 'sqlite' as const;
  private readonly s;
  // Statements built from structured queries, prepared once per distinct shape.
  private readonly statements = new Map<string, Database.Statement>();
  // Refreshed feeds waiting for the next group commit (see recordFetchSuccess).
  private pendingFetches: PendingFetch[] = [];
  private pendingEntries = 0;
  private writeScheduled = false;
  // While set, groups wait for the checkpointer to copy the whole WAL back (see writeFetches).
  private walCheckpoint: Promise<void> | null = null;

  /** Whether gleaner_bm25() and gleaner_json_quote() are there (see loadNativeFunctions). */
  private readonly native: boolean;
  private readonly groupCommitEntries: number;
  private readonly kept: EntryCache;
  // Subscribers' rules compiled, by their text: a refresh meets the same few over and over.
  private readonly ruleCache = new Map<string, EntryRules>();

  constructor(
    private readonly db: Database.Database,
    private readonly checkpointer: Checkpointer | null,
    options: { native: boolean; groupCommitEntries?: number | undefined; entryCacheMiB?: number | undefined },
  ) {
    this.native = options.native;
    this.groupCommitEntries = options.groupCommitEntries ?? 256;
    this.kept = new EntryCache(Math.round((options.entryCacheMiB ?? 16) * 1024 * 1024));
    this.s = {
      insertUser: db.prepare(
        'INSERT INTO users (username, password_hash, is_admin, created_at) VALUES (?, ?, ?, ?) RETURNING *',
      ),
      userByName: db.prepare('SELECT * FROM users WHERE username = ?'),
      users: db.prepare('SELECT * FROM users ORDER BY id'),
      userById: db.prepare('SELECT * FROM users WHERE id = ?'),
      passwordHash: db.prepare('SELECT password_hash FROM users WHERE id = ?'),
      setPasswordHash: db.prepare('UPDATE users SET password_hash = ? WHERE id = ?'),
      setAdmin: db.prepare('UPDATE users SET is_admin = ? WHERE id = ?'),
      renameUser: db.prepare(
        'UPDATE users SET username = ? WHERE id = ? AND NOT EXISTS (SELECT 1 FROM users WHERE username = ? AND id <> ?)',
      ),
      deleteUser: db.prepare('DELETE FROM users WHERE id = ?'),
      // Feeds left without subscribers or kept entries once a user is gone.
      deleteOrphanFeeds: db.prepare(
        `DELETE FROM feeds WHERE NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.feed_id = feeds.id)
           AND NOT EXISTS (SELECT 1 FROM user_entries ue WHERE ue.feed_id = feeds.id)`,
      ),
      deleteUserCounts: db.prepare('DELETE FROM user_feed_counts WHERE user_id = ?'),
      settings: db.prepare('SELECT settings FROM users WHERE id = ?'),
      setSettings: db.prepare('UPDATE users SET settings = ? WHERE id = ?'),
      insertSession: db.prepare(
        `INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, user_agent, ip)
         VALUES (@tokenHash, @userId, @csrfToken, @createdAt, @expiresAt, @userAgent, @ip)`,
      ),
      session: db.prepare(
        `SELECT s.csrf_token, s.expires_at, u.* FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = ? AND s.expires_at > ?`,
      ),
      deleteSession: db.prepare('DELETE FROM sessions WHERE token_hash = ?'),
      deleteUserSessions: db.prepare('DELETE FROM sessions WHERE user_id = ?'),
      deleteExpiredSessions: db.prepare('DELETE FROM sessions WHERE expires_at <= ?'),
      insertApiKey: db.prepare(
        'INSERT INTO api_keys (user_id, name, key_hash, created_at, fever_hash) VALUES (?, ?, ?, ?, ?) RETURNING *',
      ),
      apiKeys: db.prepare('SELECT * FROM api_keys WHERE user_id = ? ORDER BY id'),
      feverKeyUser: db.prepare(
        `SELECT k.id AS key_id, k.last_used_at, u.* FROM api_keys k JOIN users u ON u.id = k.user_id
         WHERE k.fever_hash = ?`,
      ),
      deleteApiKey: db.prepare('DELETE FROM api_keys WHERE user_id = ? AND id = ?'),
      apiKeyUser: db.prepare(
        `SELECT k.id AS key_id, k.last_used_at, u.* FROM api_keys k JOIN users u ON u.id = k.user_id
         WHERE k.key_hash = ?`,
      ),
      touchApiKey: db.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?'),
      insertFolder: db.prepare(
        'INSERT INTO folders (user_id, name) VALUES (?, ?) ON CONFLICT (user_id, name) DO NOTHING',
      ),
      folderByName: db.prepare('SELECT * FROM folders WHERE user_id = ? AND name = ?'),
      folders: db.prepare('SELECT * FROM folders WHERE user_id = ? ORDER BY name'),
      renameFolder: db.prepare(
        `UPDATE folders SET name = ? WHERE user_id = ? AND id = ?
           AND NOT EXISTS (SELECT 1 FROM folders f WHERE f.user_id = ? AND f.name = ? AND f.id <> ?)`,
      ),
      deleteFolder: db.prepare('DELETE FROM folders WHERE user_id = ? AND id = ?'),
      insertFeed: db.prepare(
        `INSERT INTO feeds (url, options_key, user_agent, cookie, username, password, fetch_full_article,
           article_selector, ignore_http_cache, remove_selector, fetch_via_proxy, trusted_certificate,
           scrape, rewrite_rules, next_check_at, created_at)
         VALUES (@url, @key, @userAgent, @cookie, @username, @password, @fetchFullArticle,
           @articleSelector, @ignoreHttpCache, @removeSelector, @fetchViaProxy, @trustedCertificate,
           @scrape, @rewriteRules, @now, @now)
         ON CONFLICT (url, options_key) DO NOTHING`,
      ),
      feedByUrl: db.prepare('SELECT * FROM feeds WHERE url = ? AND options_key = ?'),
      feedById: db.prepare('SELECT * FROM feeds WHERE id = ?'),
      setFeedOptions: db.prepare(
        `UPDATE OR IGNORE feeds SET options_key = @key, user_agent = @userAgent, cookie = @cookie,
           username = @username, password = @password, fetch_full_article = @fetchFullArticle,
           article_selector = @articleSelector, ignore_http_cache = @ignoreHttpCache,
           remove_selector = @removeSelector, fetch_via_proxy = @fetchViaProxy,
           trusted_certificate = @trustedCertificate, scrape = @scrape,
           rewrite_rules = @rewriteRules, etag = NULL,
           last_modified = NULL, next_check_at = @now
         WHERE id = @feedId`,
      ),
      countSubscribers: db.prepare('SELECT COUNT(*) FROM subscriptions WHERE feed_id = ?').pluck(),
      webSubOf: db.prepare(
        `SELECT websub_hub, websub_topic, websub_secret, websub_requested_at, websub_lease_until,
           EXISTS (SELECT 1 FROM subscriptions s WHERE s.feed_id = f.id AND s.paused = 0) AS followed
         FROM feeds f WHERE id = ?`,
      ),
      webSubRequested: db.prepare(
        `UPDATE feeds SET websub_hub = ?, websub_topic = ?, websub_secret = ?, websub_requested_at = ?,
           websub_lease_until = NULL
         WHERE id = ?`,
      ),
      webSubLeased: db.prepare('UPDATE feeds SET websub_lease_until = ? WHERE id = ?'),
      // A time ahead of now (a clock set back) does not hold pushes back for longer than the spacing.
      webSubPushed: db.prepare(
        `UPDATE feeds SET websub_pushed_at = @now
         WHERE id = @feedId AND (websub_pushed_at IS NULL OR websub_pushed_at <= @now - @spacingMs
           OR websub_pushed_at > @now)`,
      ),
      webSubPushedAt: db.prepare('SELECT websub_pushed_at FROM feeds WHERE id = ?').pluck(),
      dueFeeds: db.prepare(
        `SELECT * FROM feeds f WHERE f.next_check_at <= @now
           AND (f.next_check_at > @afterAt OR (f.next_check_at = @afterAt AND f.id > @afterId))
           AND (f.last_checked_at IS NULL OR f.last_checked_at < @checkedSince)
           AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.feed_id = f.id AND s.paused = 0)
         ORDER BY f.next_check_at, f.id LIMIT @limit`,
      ),
      // A check is never made after its time (by more than a minute, for another process's clock
      // and commit); a pass takes the feeds checked before it began.
      rescheduleAheadOfClock: db.prepare(
        `UPDATE feeds SET next_check_at = @now, last_checked_at = MIN(last_checked_at, @now - 1)
         WHERE next_check_at > @furthest OR last_checked_at > @now + 60000`,
      ),
      countDueFeeds: db
        .prepare(
          `SELECT COUNT(*) FROM feeds f WHERE f.next_check_at <= ?
             AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.feed_id = f.id AND s.paused = 0)`,
        )
        .pluck(),
      feedSuccess: db.prepare(
        `UPDATE feeds SET last_checked_at = @checkedAt, last_success_at = @checkedAt, next_check_at = @nextCheckAt,
           etag = @etag, last_modified = @lastModified, error_count = 0, last_error = NULL,
           title = COALESCE(@title, title), site_url = COALESCE(@siteUrl, site_url),
           description = COALESCE(@description, description), icon_url = COALESCE(icon_url, @iconUrl),
           language = COALESCE(@language, language), hub_url = COALESCE(@hubUrl, hub_url),
           format = COALESCE(@format, format), item_count = COALESCE(@itemCount, item_count),
           ttl_minutes = @ttlMinutes
         WHERE id = @feedId`,
      ),
      feedNotModified: db.prepare(
        `UPDATE feeds SET last_checked_at = ?, last_success_at = ?, next_check_at = ?, error_count = 0, last_error = NULL
         WHERE id = ?`,
      ),
      feedFailure: db.prepare(
        `UPDATE feeds SET last_checked_at = ?, next_check_at = ?, error_count = error_count + 1, last_error = ?
         WHERE id = ?`,
      ),
      feedUrlTaken: db.prepare(
        'SELECT id FROM feeds WHERE url = ? AND options_key = (SELECT options_key FROM feeds WHERE id = ?)',
      ),
      setFeedUrl: db.prepare('UPDATE feeds SET url = ? WHERE id = ?'),
      setFeedIcon: db.prepare('UPDATE feeds SET icon_url = ? WHERE id = ?'),
      saveFeedIcon: db.prepare(
        `INSERT INTO feed_icons (feed_id, content_type, data, fetched_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (feed_id) DO UPDATE SET content_type = excluded.content_type, data = excluded.data,
           fetched_at = excluded.fetched_at`,
      ),
      feedIcon: db.prepare('SELECT content_type, data FROM feed_icons WHERE feed_id = ?'),
      subscribedWithin: db.prepare(
        'SELECT 1 FROM subscriptions WHERE user_id = ? AND created_at >= ? AND created_at < ? LIMIT 1',
      ),
      arrivals: db
        .prepare(
          `SELECT id FROM entries WHERE created_at >= ? AND created_at < ? LIMIT ${ARRIVAL_WINDOW + 1}`,
        )
        .pluck(),
      // Removed entries too, with no hash: one the document still holds is not stored again.
      storedHashes: db.prepare(
        `SELECT dedupe_key, content_hash, guid, link FROM entries
           WHERE feed_id = @feedId AND dedupe_key IN (SELECT value FROM json_each(@keys))
         UNION ALL
         SELECT dedupe_key, NULL, NULL, NULL FROM removed_entries
           WHERE feed_id = @feedId AND dedupe_key IN (SELECT value FROM json_each(@keys))`,
      ),
      removedEntries: db.prepare('SELECT dedupe_key FROM removed_entries WHERE feed_id = ?').pluck(),
      forgetRemoved: db.prepare(
        'DELETE FROM removed_entries WHERE feed_id = ? AND dedupe_key IN (SELECT value FROM json_each(?))',
      ),
      feedsOverLimit: db.prepare('SELECT feed_id FROM entries GROUP BY feed_id HAVING COUNT(*) > ?').pluck(),
      // A feed's entries past its @max newest that no one starred, saved for later or labelled.
      pastFeedLimit: db
        .prepare(
          `SELECT e.id FROM entries e WHERE e.feed_id = @feedId
             AND NOT EXISTS (SELECT 1 FROM user_entries ue WHERE ue.entry_id = e.id AND (ue.starred = 1 OR ue.read_later = 1))
             AND NOT EXISTS (SELECT 1 FROM entry_labels l WHERE l.entry_id = e.id)
           ORDER BY e.published_at DESC, e.id DESC LIMIT @limit OFFSET @max`,
        )
        .pluck(),
      // Deleting an entry deletes its body, its readers' rows (and their counts), its tags, its
      // labels and its row of the search index with it; its readers' reads are kept as counts.
      countReadsOfRemoved: db.prepare(
        `INSERT INTO reading_days (user_id, day, count)
           SELECT user_id, read_at / 86400000, COUNT(*) FROM user_entries
           WHERE entry_id IN (SELECT value FROM json_each(?)) AND read = 1 AND read_at IS NOT NULL
           GROUP BY user_id, read_at / 86400000
           ON CONFLICT (user_id, day) DO UPDATE SET count = reading_days.count + excluded.count`,
      ),
      rememberRemoved: db.prepare(
        `INSERT INTO removed_entries (feed_id, dedupe_key, removed_at)
           SELECT feed_id, dedupe_key, ? FROM entries WHERE id IN (SELECT value FROM json_each(?))
           ON CONFLICT DO NOTHING`,
      ),
      deleteEntries: db.prepare('DELETE FROM entries WHERE id IN (SELECT value FROM json_each(?))'),
      insertEntry: db.prepare(
        `INSERT INTO entries (feed_id, dedupe_key, content_hash, source_hash, guid, link, title, author,
           summary_text, reading_minutes, published_at, updated_at, created_at, categories, enclosures,
           image_url, comments_url, language)
         VALUES (@feedId, @dedupeKey, @contentHash, @sourceHash, @guid, @link, @title, @author, @summaryText,
           @readingMinutes, @publishedAt, @updatedAt, @now, @categories, @enclosures, @imageUrl,
           @commentsUrl, @language)
         ON CONFLICT (feed_id, dedupe_key) DO NOTHING
         RETURNING id`,
      ),
      // Bodies and index texts are bound as strings, or as UTF-8 bytes (see PackedEntry): SQLite
      // would store bytes as a BLOB, and CAST makes them the TEXT they are, the same bytes taken in
      // the database's encoding (UTF-8), with no conversion.
      saveBody: db.prepare(
        `INSERT INTO entry_bodies (entry_id, content_html) VALUES (?, CAST(? AS TEXT))
         ON CONFLICT (entry_id) DO UPDATE SET content_html = excluded.content_html`,
      ),
      // Read state lives in user_entries and is untouched: an edited entry stays read.
      updateEntry: db.prepare(
        `UPDATE entries SET content_hash = @contentHash, source_hash = @sourceHash, guid = @guid, link = @link, title = @title,
           author = @author, summary_text = @summaryText, reading_minutes = @readingMinutes,
           updated_at = COALESCE(@updatedAt, @now), categories = @categories, enclosures = @enclosures,
           image_url = @imageUrl, comments_url = @commentsUrl, language = @language
         WHERE feed_id = @feedId AND dedupe_key = @dedupeKey AND content_hash <> @contentHash
         RETURNING id`,
      ),
      indexEntry: db.prepare(
        'INSERT INTO entry_fts (rowid, title, body, feed) VALUES (?, ?, CAST(? AS TEXT), ?)',
      ),
      reindexEntry: db.prepare(
        'UPDATE entry_fts SET title = ?, body = CAST(? AS TEXT), feed = ? WHERE rowid = ?',
      ),
      entryBodies: db.prepare(
        `SELECT b.entry_id AS id, b.content_html AS html, e.link FROM entry_bodies b
         JOIN entries e ON e.id = b.entry_id WHERE b.entry_id > ? ORDER BY b.entry_id LIMIT ?`,
      ),
      entryTitleFeed: db.prepare('SELECT title, feed_id FROM entries WHERE id = ?'),
      storeState: db.prepare('SELECT value FROM store_state WHERE name = ?').pluck(),
      setStoreState: db.prepare(
        'INSERT INTO store_state (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
      ),
      bodyReplaced: db.prepare(
        'UPDATE entries SET reading_minutes = ? WHERE id = ? RETURNING title, feed_id',
      ),
      insertTag: db.prepare('INSERT INTO entry_tags (tag, entry_id) VALUES (?, ?) ON CONFLICT DO NOTHING'),
      deleteTags: db.prepare('DELETE FROM entry_tags WHERE entry_id = ?'),
      tagsOf: db.prepare(
        'SELECT entry_id, tag AS name FROM entry_tags WHERE entry_id IN (SELECT value FROM json_each(?)) ORDER BY tag',
      ),
      // Only entries the user has take their labels.
      addLabel: db.prepare(
        `INSERT INTO entry_labels (user_id, label, entry_id, created_at)
           SELECT user_id, ?, entry_id, ? FROM user_entries WHERE user_id = ? AND entry_id = ?
           ON CONFLICT DO NOTHING`,
      ),
      removeLabel: db.prepare('DELETE FROM entry_labels WHERE user_id = ? AND label = ? AND entry_id = ?'),
      labelsOf: db.prepare(
        `SELECT entry_id, label AS name FROM entry_labels
           WHERE user_id = ? AND entry_id IN (SELECT value FROM json_each(?)) ORDER BY label`,
      ),
      labels: db.prepare('SELECT DISTINCT label FROM entry_labels WHERE user_id = ? ORDER BY label'),
      renameLabel: db.prepare('UPDATE OR IGNORE entry_labels SET label = ? WHERE user_id = ? AND label = ?'),
      deleteLabel: db.prepare('DELETE FROM entry_labels WHERE user_id = ? AND label = ?'),
      feedActivity: db.prepare(
        `SELECT feed_id, published_at / 86400000 AS day, COUNT(*) AS n FROM entries
         WHERE feed_id IN (SELECT feed_id FROM subscriptions WHERE user_id = ?) AND published_at >= ?
         GROUP BY feed_id, day`,
      ),
      // The entries read and still stored, and those read and since removed (reading_days).
      readingActivity: db.prepare(
        `SELECT day, SUM(n) AS n FROM (
           SELECT read_at / 86400000 AS day, COUNT(*) AS n FROM user_entries
           WHERE user_id = @userId AND read = 1 AND read_at >= @since GROUP BY day
           UNION ALL
           SELECT day, count AS n FROM reading_days WHERE user_id = @userId AND day >= @since / 86400000)
         GROUP BY day ORDER BY day`,
      ),
      undoMarkRead: db.prepare(
        `UPDATE user_entries SET read = 0, read_at = NULL, changed_at = ${CHANGED}
         WHERE user_id = ? AND read = 1 AND read_at = ?`,
      ),
      fanOutEntry: db.prepare(
        `INSERT INTO user_entries (user_id, entry_id, feed_id, published_at, changed_at)
         SELECT user_id, ?, ?, ?, ? FROM subscriptions WHERE feed_id = ?
         ON CONFLICT (user_id, entry_id) DO NOTHING`,
      ),
      // The same, but for the subscribers whose rules leave the entry out (a JSON array of user ids).
      fanOutEntryExcept: db.prepare(
        `INSERT INTO user_entries (user_id, entry_id, feed_id, published_at, changed_at)
         SELECT user_id, ?, ?, ?, ? FROM subscriptions
         WHERE feed_id = ? AND user_id NOT IN (SELECT value FROM json_each(?))
         ON CONFLICT (user_id, entry_id) DO NOTHING`,
      ),
      feedRules: db
        .prepare(
          `SELECT user_id, block_rules, keep_rules FROM subscriptions
           WHERE feed_id = ? AND (block_rules IS NOT NULL OR keep_rules IS NOT NULL)`,
        )
        .raw(),
      keepSourceHash: db.prepare('UPDATE entries SET source_hash = ? WHERE feed_id = ? AND dedupe_key = ?'),
      // A new version of an entry's content is a change for everyone who has it.
      entryChanged: db.prepare(`UPDATE user_entries SET changed_at = ${CHANGED} WHERE entry_id = ?`),
      subscriptionOf: db.prepare('SELECT * FROM subscriptions WHERE user_id = ? AND feed_id = ?'),
      insertSubscription: db.prepare(
        `INSERT INTO subscriptions (user_id, feed_id, folder_id, title, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (user_id, feed_id) DO UPDATE SET folder_id = excluded.folder_id,
           title = COALESCE(excluded.title, subscriptions.title)
         RETURNING *`,
      ),
      // A feed's entries arrive for a new subscriber when they subscribe.
      backfill: db.prepare(
        `INSERT INTO user_entries (user_id, entry_id, feed_id, published_at, changed_at)
         SELECT ?, id, feed_id, published_at, ? FROM entries WHERE feed_id = ?
         ON CONFLICT (user_id, entry_id) DO NOTHING`,
      ),
      // The same for a subscriber with rules: what they are matched against, of the entries they lack.
      backfillSubjects: db.prepare(
        `SELECT e.id, e.published_at, e.title, e.link, e.author, e.categories FROM entries e
         WHERE e.feed_id = ?
           AND NOT EXISTS (SELECT 1 FROM user_entries u WHERE u.user_id = ? AND u.entry_id = e.id)`,
      ),
      backfillEntry: db.prepare(
        `INSERT INTO user_entries (user_id, entry_id, feed_id, published_at, changed_at)
         VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, entry_id) DO NOTHING`,
      ),
      // A feed merged into another (changeFeedUrl): see mergeFeed.
      mergeNewcomers: db
        .prepare(
          `SELECT user_id FROM subscriptions WHERE feed_id = ?
             AND user_id NOT IN (SELECT user_id FROM subscriptions WHERE feed_id = ?)`,
        )
        .pluck(),
      mergeSubscriptions: db.prepare(
        `INSERT INTO subscriptions (user_id, feed_id, folder_id, title, created_at, no_republish, paused,
           block_rules, keep_rules, min_check_minutes)
         SELECT user_id, @into, folder_id, title, created_at, no_republish, paused, block_rules, keep_rules,
           min_check_minutes
         FROM subscriptions
         WHERE feed_id = @from
         ON CONFLICT (user_id, feed_id) DO NOTHING`,
      ),
      mergeEntryStates: db.prepare(
        `INSERT INTO user_entries (user_id, entry_id, feed_id, published_at, read, starred, read_later,
           read_at, starred_at, changed_at)
         SELECT ua.user_id, eb.id, eb.feed_id, eb.published_at, ua.read, ua.starred, ua.read_later,
           ua.read_at, ua.starred_at, @now
         FROM entries ea
         JOIN entries eb ON eb.feed_id = @into AND eb.dedupe_key = ea.dedupe_key
         JOIN user_entries ua ON ua.entry_id = ea.id
         WHERE ea.feed_id = @from
         ON CONFLICT (user_id, entry_id) DO UPDATE SET
           read = MAX(user_entries.read, excluded.read),
           read_at = COALESCE(user_entries.read_at, excluded.read_at),
           starred = MAX(user_entries.starred, excluded.starred),
           starred_at = COALESCE(user_entries.starred_at, excluded.starred_at),
           read_later = MAX(user_entries.read_later, excluded.read_later),
           changed_at = MAX(excluded.changed_at, user_entries.changed_at + 1)`,
      ),
      mergeLabels: db.prepare(
        `INSERT INTO entry_labels (user_id, label, entry_id, created_at)
         SELECT l.user_id, l.label, eb.id, l.created_at
         FROM entries ea
         JOIN entries eb ON eb.feed_id = @into AND eb.dedupe_key = ea.dedupe_key
         JOIN entry_labels l ON l.entry_id = ea.id
         WHERE ea.feed_id = @from
         ON CONFLICT DO NOTHING`,
      ),
      mergeOwnEntries: db.prepare(
        `UPDATE entries SET feed_id = @into
         WHERE feed_id = @from
           AND NOT EXISTS (SELECT 1 FROM entries eb WHERE eb.feed_id = @into AND eb.dedupe_key = entries.dedupe_key)
         RETURNING id, title`,
      ),
      mergeRemoved: db.prepare(
        `INSERT INTO removed_entries (feed_id, dedupe_key, removed_at)
           SELECT @into, r.dedupe_key, r.removed_at FROM removed_entries r
           WHERE r.feed_id = @from
             AND NOT EXISTS (SELECT 1 FROM entries e WHERE e.feed_id = @into AND e.dedupe_key = r.dedupe_key)
           ON CONFLICT DO NOTHING`,
      ),
      bodyHtml: db.prepare('SELECT content_html FROM entry_bodies WHERE entry_id = ?').pluck(),
      userEntriesOf: db.prepare('SELECT * FROM user_entries WHERE entry_id = ?'),
      deleteUserEntriesOf: db.prepare('DELETE FROM user_entries WHERE entry_id = ?'),
      insertUserEntry: db.prepare(
        `INSERT INTO user_entries (user_id, entry_id, feed_id, published_at, read, starred, read_later,
           read_at, starred_at, changed_at)
         VALUES (@user_id, @entry_id, @feed_id, @published_at, @read, @starred, @read_later,
           @read_at, @starred_at, @changed_at)`,
      ),
      mergePublications: db.prepare(
        `UPDATE publications SET value = @into, updated_at = @now
         WHERE kind = 'feed' AND value = @from AND NOT EXISTS (
           SELECT 1 FROM publications p WHERE p.user_id = publications.user_id AND p.kind = 'feed' AND p.value = @into)`,
      ),
      deleteFeed: db.prepare('DELETE FROM feeds WHERE id = ?'),
      deleteFeedCounts: db.prepare('DELETE FROM user_feed_counts WHERE feed_id = ?'),
      deleteSubscription: db.prepare('DELETE FROM subscriptions WHERE user_id = ? AND feed_id = ?'),
      deleteUnstarred: db.prepare(
        'DELETE FROM user_entries WHERE user_id = ? AND feed_id = ? AND starred = 0',
      ),
      // A feed nobody subscribes to and nobody keeps a starred entry of is dropped with its entries.
      feedSiteUrl: db.prepare('UPDATE feeds SET site_url = ? WHERE id = ? AND site_url IS NULL'),
      deleteOrphanFeed: db.prepare(
        `DELETE FROM feeds WHERE id = ? AND NOT EXISTS (SELECT 1 FROM subscriptions WHERE feed_id = ?)
           AND NOT EXISTS (SELECT 1 FROM user_entries WHERE feed_id = ?)`,
      ),
      subscriptions: db.prepare(
        `SELECT s.id AS s_id, s.user_id AS s_user_id, s.feed_id AS s_feed_id, s.folder_id AS s_folder_id,
           s.title AS s_title, s.paused AS s_paused, s.block_rules AS s_block_rules, s.keep_rules AS s_keep_rules,
           s.min_check_minutes AS s_min_check_minutes, s.created_at AS s_created_at, fo.name AS folder_name,
           COALESCE(c.unread_count, 0) AS unread_count, COALESCE(c.entry_count, 0) AS entry_count,
           EXISTS (SELECT 1 FROM feed_icons i WHERE i.feed_id = f.id) AS has_icon, f.*
         FROM subscriptions s JOIN feeds f ON f.id = s.feed_id LEFT JOIN folders fo ON fo.id = s.folder_id
           LEFT JOIN user_feed_counts c ON c.user_id = s.user_id AND c.feed_id = s.feed_id
         WHERE s.user_id = ? ORDER BY fo.name IS NULL, fo.name, lower(COALESCE(s.title, f.title, f.url))`,
      ),
      subscriptionsVersion: db.prepare('SELECT subscriptions_version AS v FROM users WHERE id = ?'),
      // Feeds the user no longer follows may keep a count (of starred entries): callers look up
      // their subscriptions' feeds only.
      unreadCounts: db
        .prepare('SELECT feed_id, unread_count FROM user_feed_counts WHERE user_id = ? AND unread_count > 0')
        .raw(),
      updateSubscription: db.prepare(
        `UPDATE subscriptions SET title = CASE WHEN @setTitle THEN @title ELSE title END,
           folder_id = CASE WHEN @setFolder THEN @folderId ELSE folder_id END,
           paused = CASE WHEN @setPaused THEN @paused ELSE paused END,
           block_rules = CASE WHEN @setBlockRules THEN @blockRules ELSE block_rules END,
           keep_rules = CASE WHEN @setKeepRules THEN @keepRules ELSE keep_rules END,
           min_check_minutes = CASE WHEN @setMinCheck THEN @minCheckMinutes ELSE min_check_minutes END
         WHERE user_id = @userId AND feed_id = @feedId
           AND (@folderId IS NULL OR @folderId IN (SELECT id FROM folders WHERE user_id = @userId))`,
      ),
      countAll: db.prepare('SELECT COUNT(*) AS n FROM entries'),
      unreadIds: db
        .prepare(
          'SELECT entry_id FROM user_entries WHERE user_id = ? AND read = 0 ORDER BY published_at DESC, entry_id DESC',
        )
        .pluck(),
      starredIds: db
        .prepare(
          'SELECT entry_id FROM user_entries WHERE user_id = ? AND starred = 1 ORDER BY published_at DESC, entry_id DESC',
        )
        .pluck(),
      userEntryCount: db.prepare(
        'SELECT COALESCE(SUM(entry_count), 0) FROM user_feed_counts WHERE user_id = ?',
      ),
      countFeed: db.prepare('SELECT COUNT(*) AS n FROM entries WHERE feed_id = ?'),
    };
  }

  async close(): Promise<void> {
    await this.walCheckpoint;
    this.writeFetches();
    await this.checkpointer?.close();
    this.db.close();
  }

  async createUser(
    username: string,
    options: { isAdmin: boolean; passwordHash?: string | null },
    now: number,
  ): Promise<User> {
    const row = this.s.insertUser.get(
      username,
      options.passwordHash ?? null,
      options.isAdmin ? 1 : 0,
      now,
    ) as Row;
    return toUser(row);
  }

  async findUserByName(username: string): Promise<User | null> {
    const row = this.s.userByName.get(username) as Row | undefined;
    return row ? toUser(row) : null;
  }

  async listUsers(): Promise<User[]> {
    return (this.s.users.all() as Row[]).map(toUser);
  }

  async getUser(id: number): Promise<User | null> {
    const row = this.s.userById.get(id) as Row | undefined;
    return row ? toUser(row) : null;
  }

  async getPasswordHash(userId: number): Promise<string | null> {
    const row = this.s.passwordHash.get(userId) as { password_hash: string | null } | undefined;
    return row?.password_hash ?? null;
  }

  async findUserWithPasswordHash(
    username: string,
  ): Promise<{ user: User; passwordHash: string | null } | null> {
    const row = this.s.userByName.get(username) as Row | undefined;
    return row ? { user: toUser(row), passwordHash: (row.password_hash as string | null) ?? null } : null;
  }

  async setPasswordHash(userId: number, passwordHash: string): Promise<void> {
    this.s.setPasswordHash.run(passwordHash, userId);
  }

  async setAdmin(userId: number, isAdmin: boolean): Promise<void> {
    this.s.setAdmin.run(isAdmin ? 1 : 0, userId);
  }

  async renameUser(userId: number, username: string): Promise<boolean> {
    return this.s.renameUser.run(username, userId, username, userId).changes > 0;
  }

  async deleteUser(userId: number): Promise<boolean> {
    return this.write(() => {
      if (this.s.deleteUser.run(userId).changes === 0) return false;
      this.s.deleteUserCounts.run(userId);
      this.s.deleteOrphanFeeds.run();
      return true;
    });
  }

  async getUserSettings(userId: number): Promise<Record<string, unknown>> {
    const row = this.s.settings.get(userId) as { settings: string } | undefined;
    return parseSettings(row?.settings);
  }

  async setUserSettings(userId: number, settings: Record<string, unknown>): Promise<void> {
    this.s.setSettings.run(JSON.stringify(settings), userId);
  }

  async createSession(session: NewSession): Promise<void> {
    this.s.deleteExpiredSessions.run(session.createdAt);
    this.s.insertSession.run(session);
  }

  async findSession(tokenHash: string, now: number): Promise<SessionView | null> {
    const row = this.s.session.get(tokenHash, now) as Row | undefined;
    if (!row) return null;
    return {
      user: toUser(row),
      csrfToken: String(row.csrf_token),
      expiresAt: Number(row.expires_at),
      settings: parseSettings(row.settings),
    };
  }

  async deleteSession(tokenHash: string): Promise<void> {
    this.s.deleteSession.run(tokenHash);
  }

  async deleteUserSessions(userId: number): Promise<number> {
    return this.s.deleteUserSessions.run(userId).changes;
  }

  async createApiKey(
    userId: number,
    name: string,
    keyHash: string,
    now: number,
    feverHash: string | null = null,
  ): Promise<ApiKey> {
    return toApiKey(this.s.insertApiKey.get(userId, name, keyHash, now, feverHash) as Row);
  }

  async listApiKeys(userId: number): Promise<ApiKey[]> {
    return (this.s.apiKeys.all(userId) as Row[]).map(toApiKey);
  }

  async deleteApiKey(userId: number, keyId: number): Promise<boolean> {
    return this.s.deleteApiKey.run(userId, keyId).changes > 0;
  }

  async findUserByFeverKey(feverHash: string, now: number): Promise<User | null> {
    return this.apiKeyUsed(this.s.feverKeyUser.get(feverHash.toLowerCase()) as ApiKeyUse | undefined, now);
  }

  async findUserByApiKey(keyHash: string, now: number): Promise<User | null> {
    return this.apiKeyUsed(this.s.apiKeyUser.get(keyHash) as ApiKeyUse | undefined, now);
  }

  /**
   * A key's user, its use recorded to the minute: recorded on every call, each call of a client
   * app wrote and committed a transaction before it answered.
   */
  private apiKeyUsed(key: ApiKeyUse | undefined, now: number): Promise<User | null> {
    if (!key) return Promise.resolve(null);
    const last = key.last_used_at;
    if (last === null || now - last >= KEY_USE_PRECISION_MS || now < last)
      this.s.touchApiKey.run(now, key.key_id);
    return Promise.resolve(toUser(key));
  }

  async ensureFolder(userId: number, name: string): Promise<Folder> {
    return toFolder(this.folderRow(userId, name));
  }

  private folderRow(userId: number, name: string): Row {
    this.s.insertFolder.run(userId, name);
    return this.s.folderByName.get(userId, name) as Row;
  }

  async listFolders(userId: number): Promise<Folder[]> {
    return (this.s.folders.all(userId) as Row[]).map(toFolder);
  }

  async renameFolder(userId: number, folderId: number, name: string): Promise<boolean> {
    return this.s.renameFolder.run(name, userId, folderId, userId, name, folderId).changes > 0;
  }

  async deleteFolder(userId: number, folderId: number): Promise<boolean> {
    return this.s.deleteFolder.run(userId, folderId).changes > 0;
  }

  async ensureFeed(url: string, options: FetchOptions, now: number): Promise<Feed> {
    return toFeed(this.feedRow(url, optionParams(options), now));
  }

  private feedRow(url: string, params: ReturnType<typeof optionParams>, now: number): Row {
    this.s.insertFeed.run({ url, now, ...params });
    return this.s.feedByUrl.get(url, params.key) as Row;
  }

  async getFeed(id: number): Promise<Feed | null> {
    const row = this.s.feedById.get(id) as Row | undefined;
    return row ? toFeed(row) : null;
  }

  async setFeedOptions(feedId: number, options: FetchOptions, now: number): Promise<boolean> {
    return this.s.setFeedOptions.run({ feedId, now, ...optionParams(options) }).changes > 0;
  }

  async countSubscribers(feedId: number): Promise<number> {
    return this.s.countSubscribers.get(feedId) as number;
  }

  async webSubOf(feedId: number): Promise<WebSubState | null> {
    const row = this.s.webSubOf.get(feedId) as Row | undefined;
    return row ? toWebSubState(row) : null;
  }

  async recordWebSubRequest(feedId: number, request: WebSubRequest, now: number): Promise<void> {
    this.s.webSubRequested.run(request.hub, request.topic, request.secret, now, feedId);
  }

  async recordWebSubLease(feedId: number, leaseUntil: number): Promise<void> {
    this.s.webSubLeased.run(leaseUntil, feedId);
  }

  async claimWebSubPush(feedId: number, now: number, spacingMs: number): Promise<number> {
    return this.write(() => {
      if (this.s.webSubPushed.run({ feedId, now, spacingMs }).changes > 0) return 0;
      const last = this.s.webSubPushedAt.get(feedId) as number | null | undefined;
      // A feed gone: nothing to wait for, nor to take (the caller finds it gone).
      return last === undefined || last === null ? 0 : Math.max(1, Number(last) + spacingMs - now);
    });
  }

  async dueFeeds(now: number, limit: number, page: DuePage = {}): Promise<Feed[]> {
    const rows = this.s.dueFeeds.all({
      now,
      limit,
      afterAt: page.after?.nextCheckAt ?? Number.MIN_SAFE_INTEGER,
      afterId: page.after?.id ?? 0,
      checkedSince: page.checkedSince ?? Number.MAX_SAFE_INTEGER,
    }) as Row[];
    return rows.map(toFeed);
  }

  async countDueFeeds(now: number): Promise<number> {
    return this.s.countDueFeeds.get(now) as number;
  }

  async rescheduleAheadOfClock(now: number, furthestMs: number): Promise<number> {
    return this.s.rescheduleAheadOfClock.run({ now, furthest: now + furthestMs }).changes;
  }

  // Group commit: the feeds a refresh has ready in one turn of the event loop are written in one
  // transaction (see writeFetches). A commit costs a few milliseconds whatever it holds (its pages
  // written out, a new segment of the search index, which later costs merging): writing 16 feeds to
  // a commit took ~25% less CPU per entry than one. The search index is written last, after every
  // savepoint, since it writes out a segment at each one: one segment a group rather than one a
  // feed, with the savepoints' journal in memory (see openSqliteStore), took a first refresh of
  // 1,000 feeds from ~17.5 to ~14 CPU seconds and 1.33× the feeds a second. Each feed is still
  // whole or absent: a feed whose write fails is undone alone (its promise rejects); a failure
  // that undid the transaction, or the commit's own, fails every feed of it, and none is stored.
  recordFetchSuccess(
    feedId: number,
    update: FeedFetchUpdate,
    entries: readonly StorableEntry[],
  ): Promise<SaveResult> {
    return new Promise<SaveResult>((resolve, reject) => {
      this.pendingFetches.push({
        size: entries.length,
        write: (index) => this.writeFetch(feedId, update, entries, index),
        resolve,
        reject,
      });
      this.pendingEntries += entries.length;
      // A full group is written at once: a transaction blocks the event loop, and a reader's page
      // waits for it (~0.2-0.3 ms an entry).
      if (this.pendingEntries >= this.groupCommitEntries) this.writeFetches();
      else this.scheduleWrite();
    });
  }

  /** Writes the waiting fetches at the end of this turn of the event loop. */
  private scheduleWrite(): void {
    if (this.writeScheduled) return;
    this.writeScheduled = true;
    setImmediate(() => {
      this.writeScheduled = false;
      this.writeFetches();
    });
  }

  // SQLite starts the WAL over only when a transaction begins with all of it copied back. Commits
  // at every turn of the event loop (a first refresh) left the checkpointer's thread always some
  // frames behind, so the WAL grew with every commit: to 670 MB in a first refresh of 1,000 feeds,
  // 7.4 GB for 10,000 (beside a database of 3.3 GB), each new page of the file zeroed by the kernel
  // before being written. Once the checkpointer finds it past WAL_RESTART_BYTES, the next group
  // waits (feeds keep arriving) while the checkpointer copies the rest back, and its transaction
  // then starts the WAL over. Copied by this thread instead, the copy and its fsyncs held the event
  // loop: 120 feeds/s against 140.
  private writeFetches(): void {
    if (this.pendingFetches.length === 0 || this.walCheckpoint !== null) return;
    if (this.checkpointer?.walIsLong) {
      this.walCheckpoint = this.checkpointer.checkpointNow().then(() => {
        this.walCheckpoint = null;
        this.writeFetches();
      });
      return;
    }
    // A group holds up to groupCommitEntries entries (and always one feed): fetches that gathered
    // while a checkpoint was awaited go in groups, a turn of the event loop apart, not in one long
    // transaction that requests would wait for.
    let size = 0;
    let count = 0;
    while (count < this.pendingFetches.length && (count === 0 || size < this.groupCommitEntries))
      size += (this.pendingFetches[count++] as PendingFetch).size;
    const group = this.pendingFetches.slice(0, count);
    this.pendingFetches = this.pendingFetches.slice(count);
    this.pendingEntries -= size;
    if (this.pendingFetches.length > 0) this.scheduleWrite();
    let results: FetchOutcome[];
    try {
      // At first without savepoints, which copy every page they change to a journal (~8% of the
      // writing): a feed that fails undoes the whole group, which is then written again with a
      // savepoint for each feed.
      results = this.write(() => this.writeGroup(group, false));
    } catch {
      try {
        results = this.write(() => this.writeGroup(group, true));
      } catch (err) {
        for (const w of group) w.reject(err);
        return;
      }
    }
    results.forEach((result, i) => {
      const w = group[i];
      if ('failed' in result) w?.reject(result.failed);
      else w?.resolve(result);
    });
  }

  /** A group's fetches, in a transaction; with `savepoints`, a feed that fails is undone alone. */
  private writeGroup(group: PendingFetch[], savepoints: boolean): FetchOutcome[] {
    const index: IndexWrite[] = [];
    const results = group.map((w) => {
      if (!savepoints) return w.write(index);
      const mine: IndexWrite[] = [];
      try {
        const result = this.write(() => w.write(mine));
        for (const row of mine) index.push(row);
        return result;
      } catch (err) {
        // SQLite may undo a whole transaction (a full disk, say) rather than one statement.
        if (!this.db.inTransaction) throw err;
        return { failed: err };
      }
    });
    // Last: the search index writes out what it holds at each savepoint.
    for (const row of index) {
      if (row.update) this.s.reindexEntry.run(row.title, row.body, row.feed, row.id);
      else this.s.indexEntry.run(row.id, row.title, row.body, row.feed);
    }
    return results;
  }

  /** One feed's fetch: its new and changed entries, and its state; its rows of the search index to `index`. */
  private writeFetch(
    feedId: number,
    update: FeedFetchUpdate,
    entries: readonly StorableEntry[],
    index: IndexWrite[],
  ): SaveResult {
    const now = update.checkedAt;
    const result: SaveResult = { inserted: 0, updated: 0 };
    // Its state first. Its last subscriber may have left while it was fetched, and taken it with
    // them: then no row changes, what was fetched is for nobody, and its entries would have no
    // feed to belong to.
    const { gone, sources, ...state } = update;
    if (this.s.feedSuccess.run({ feedId, itemCount: null, ttlMinutes: null, ...state }).changes === 0)
      return result;
    // What is already stored, by dedupe key: unchanged entries cost no write at all, and removed
    // ones (no hash) none either. Entries' alternate keys too (PreparedEntry.altKey).
    const stored = new Map<string, StoredKey>();
    for (let i = 0; i < entries.length; i += 500) {
      const batch = entries.slice(i, i + 500);
      const keys = batch.map((e) => e.dedupeKey);
      for (const e of batch) if (e.altKey !== undefined) keys.push(e.altKey);
      for (const row of this.s.storedHashes.all({ feedId, keys: JSON.stringify(keys) }) as StoredKey[])
        stored.set(row.dedupe_key, row);
    }
    // The subscribers with rules for this feed, read at its first new entry (most feeds: none).
    let rules: SubscriberRules[] | undefined;
    for (const e of entries) {
      const found = stored.get(e.dedupeKey) ?? storedUnderAltKey(stored, e);
      const hash = found?.content_hash;
      if (hash === e.contentHash || hash === null) continue;
      const params = {
        feedId,
        dedupeKey: found?.dedupe_key ?? e.dedupeKey,
        contentHash: e.contentHash,
        sourceHash: e.sourceHash ?? null,
        guid: e.guid,
        link: e.link,
        title: e.title,
        author: e.author,
        summaryText: e.summaryText,
        readingMinutes: e.readingMinutes,
        publishedAt: e.publishedAt,
        updatedAt: e.updatedAt,
        now,
        categories: JSON.stringify(e.categories),
        enclosures: JSON.stringify(e.enclosures),
        imageUrl: e.imageUrl,
        commentsUrl: e.commentsUrl,
        language: e.language,
      };
      if (hash === undefined) {
        const row = this.s.insertEntry.get(params) as { id: number } | undefined;
        if (!row) continue;
        result.inserted++;
        this.s.saveBody.run(row.id, e.contentHtml);
        rules ??= this.subscriberRules(feedId);
        const filtered = rules.length === 0 ? [] : filteredOut(rules, e);
        if (filtered.length === 0) this.s.fanOutEntry.run(row.id, feedId, e.publishedAt, now, feedId);
        else
          this.s.fanOutEntryExcept.run(row.id, feedId, e.publishedAt, now, feedId, JSON.stringify(filtered));
        this.insertTags(row.id, e.categories);
        index.push(this.indexWrite(row.id, e, feedId, false));
      } else {
        const row = this.s.updateEntry.get(params) as { id: number } | undefined;
        if (!row) continue;
        result.updated++;
        this.s.entryChanged.run(now, row.id);
        this.s.saveBody.run(row.id, e.contentHtml);
        this.s.deleteTags.run(row.id);
        this.insertTags(row.id, e.categories);
        index.push(this.indexWrite(row.id, e, feedId, true));
      }
    }
    if (gone?.length) this.s.forgetRemoved.run(feedId, JSON.stringify(gone));
    for (const [key, hash] of sources ?? []) this.s.keepSourceHash.run(hash, feedId, key);
    return result;
  }

  /** The rules of `feedId`'s subscribers who have some, compiled once per text (see ruleCache). */
  private subscriberRules(feedId: number): SubscriberRules[] {
    const rows = this.s.feedRules.all(feedId) as [number, string | null, string | null][];
    return rows.map(([userId, block, keep]) => ({ userId, rules: this.compiledRules(block, keep) }));
  }

  /** A subscription's rules compiled, once per text. */
  private compiledRules(block: string | null, keep: string | null): EntryRules {
    const key = `${block ?? ''}\u0000${keep ?? ''}`;
    let compiled = this.ruleCache.get(key);
    if (!compiled) {
      if (this.ruleCache.size >= 1000) this.ruleCache.clear();
      compiled = entryRules(block, keep);
      this.ruleCache.set(key, compiled);
    }
    return compiled;
  }

  private indexWrite(id: number, e: StorableEntry, feedId: number, update: boolean): IndexWrite {
    const body = isPacked(e) ? e.searchText : indexText(e.contentText);
    return { id, title: indexText(e.title), body, feed: feedToken(feedId), update };
  }

  private insertTags(entryId: number, categories: string[]): void {
    for (const tag of entryTags(categories)) this.s.insertTag.run(tag, entryId);
  }

  async replaceEntryContent(
    entryId: number,
    content: { html: string; text: string; readingMinutes: number },
    now: number,
  ): Promise<boolean> {
    return this.write(() => {
      const row = this.s.bodyReplaced.get(content.readingMinutes, entryId) as
        { title: string; feed_id: number } | undefined;
      if (!row) return false;
      this.s.entryChanged.run(now, entryId);
      this.s.saveBody.run(entryId, content.html);
      this.s.reindexEntry.run(indexText(row.title), indexText(content.text), feedToken(row.feed_id), entryId);
      return true;
    });
  }

  async entryBodies(
    afterId: number,
    limit: number,
  ): Promise<{ id: number; html: string; link: string | null }[]> {
    return this.s.entryBodies.all(afterId, limit) as { id: number; html: string; link: string | null }[];
  }

  async rewriteEntryBodies(bodies: readonly { id: number; html: string }[], now: number): Promise<void> {
    this.write(() => {
      for (const { id, html } of bodies) {
        const row = this.s.entryTitleFeed.get(id) as { title: string; feed_id: number } | undefined;
        if (!row) continue;
        this.s.saveBody.run(id, html);
        this.s.entryChanged.run(now, id);
        this.s.reindexEntry.run(
          indexText(row.title),
          indexText(sanitizedHtmlText(html)),
          feedToken(row.feed_id),
          id,
        );
      }
    });
  }

  async storeState(name: string): Promise<string | null> {
    return (this.s.storeState.get(name) as string | undefined) ?? null;
  }

  async setStoreState(name: string, value: string): Promise<void> {
    this.s.setStoreState.run(name, value);
  }

  // A feed's new state alone goes in the group commit too: a commit of its own wrote the feed's
  // pages to the WAL each time, which grew past its limit unchecked (297 MB in a pass of 10,000
  // feeds answered 304).
  recordNotModified(feedId: number, checkedAt: number, nextCheckAt: number): Promise<void> {
    return this.recordState(() => this.s.feedNotModified.run(checkedAt, checkedAt, nextCheckAt, feedId));
  }

  recordFetchFailure(feedId: number, checkedAt: number, nextCheckAt: number, error: string): Promise<void> {
    return this.recordState(() => this.s.feedFailure.run(checkedAt, nextCheckAt, error, feedId));
  }

  /** A feed's new state alone, written in the next group commit. */
  private recordState(update: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pendingFetches.push({
        size: 0,
        write: () => {
          update();
          return { inserted: 0, updated: 0 };
        },
        resolve: () => resolve(),
        reject,
      });
      this.scheduleWrite();
    });
  }

  async changeFeedUrl(feedId: number, url: string, now: number, merge: boolean): Promise<FeedMove> {
    return this.write((): FeedMove => {
      const taken = this.s.feedUrlTaken.get(url, feedId) as { id: number } | undefined;
      if (!taken) {
        this.s.setFeedUrl.run(url, feedId);
        return { kind: 'moved' };
      }
      if (!merge) return { kind: 'kept', by: Number(taken.id) };
      return this.mergeFeed(feedId, Number(taken.id), now);
    });
  }

  /** Feed `from` becomes feed `into` (see FeedMove), inside the caller's transaction. */
  private mergeFeed(from: number, into: number, now: number): FeedMove {
    const s = this.s;
    // Each subscriber of `from` follows `into` as they followed it, unless they follow it already;
    // into's entries arrive for the newcomers as for any new subscriber.
    const newcomers = s.mergeNewcomers.all(from, into) as number[];
    s.mergeSubscriptions.run({ from, into });
    for (const userId of newcomers) this.backfill(userId, into, now);
    // Every mark on an entry both feeds hold goes to into's copy: to the user's row for it, made
    // where they had none (a starred entry of a feed they had left).
    s.mergeEntryStates.run({ from, into, now });
    s.mergeLabels.run({ from, into });
    // The entries only `from` holds become into's, with their readers' rows (made again, so that
    // the unread counts follow) and their search index row (which names the feed).
    const moved = s.mergeOwnEntries.all({ from, into }) as { id: number; title: string }[];
    for (const entry of moved) {
      const rows = s.userEntriesOf.all(entry.id) as Row[];
      s.deleteUserEntriesOf.run(entry.id);
      for (const row of rows) {
        const changedAt = Math.max(now, Number(row.changed_at) + 1);
        s.insertUserEntry.run({ ...row, feed_id: into, changed_at: changedAt });
      }
      const html = (s.bodyHtml.get(entry.id) as string | undefined) ?? '';
      s.reindexEntry.run(
        indexText(entry.title),
        indexText(sanitizedHtmlText(html)),
        feedToken(into),
        entry.id,
      );
    }
    // The entries `from` no longer keeps stay away from `into` too.
    s.mergeRemoved.run({ from, into });
    s.mergePublications.run({ from: String(from), into: String(into), now });
    // What is left of `from` goes with it: its subscriptions, its copies of the entries `into` has.
    s.deleteFeed.run(from);
    s.deleteFeedCounts.run(from);
    return { kind: 'merged', into, subscribers: newcomers.length, entriesMoved: moved.length };
  }

  async setFeedIcon(feedId: number, iconUrl: string): Promise<void> {
    this.s.setFeedIcon.run(iconUrl, feedId);
  }

  async saveFeedIcon(feedId: number, icon: FeedIcon, now: number): Promise<void> {
    this.s.saveFeedIcon.run(feedId, icon.contentType, Buffer.from(icon.data), now);
  }

  async getFeedIcon(feedId: number): Promise<FeedIcon | null> {
    const row = this.s.feedIcon.get(feedId) as { content_type: string; data: Buffer } | undefined;
    return row ? { contentType: row.content_type, data: new Uint8Array(row.data) } : null;
  }

  async recentEntries(feedId: number, limit: number): Promise<StoredEntryVersion[]> {
    return this.cached(
      `SELECT dedupe_key AS dedupeKey, content_hash AS contentHash, source_hash AS sourceHash,
         published_at AS publishedAt
         FROM entries WHERE feed_id = ? ORDER BY published_at DESC ${limitClause(limit)}`,
    ).all(feedId) as StoredEntryVersion[];
  }

  async removedEntries(feedId: number): Promise<string[]> {
    return this.s.removedEntries.all(feedId) as string[];
  }

  async recentPublishTimes(feedId: number, limit: number): Promise<number[]> {
    const rows = this.cached(
      `SELECT published_at FROM entries WHERE feed_id = ? ORDER BY published_at DESC ${limitClause(limit)}`,
    ).all(feedId) as { published_at: number }[];
    return rows.map((r) => r.published_at);
  }

  async subscribe(
    userId: number,
    feedId: number,
    options: NewSubscription,
    now: number,
  ): Promise<Subscription> {
    const row = this.write(() => this.subscriptionRow(userId, feedId, options, now));
    return toSubscription(row);
  }

  private subscriptionRow(userId: number, feedId: number, options: NewSubscription, now: number): Row {
    const { folderId, title, ...given } = options;
    let sub = this.s.insertSubscription.get(userId, feedId, folderId, title, now) as Row;
    if (Object.values(given).some((v) => v !== undefined)) {
      this.s.updateSubscription.run(subscriptionChangeParams(userId, feedId, given));
      sub = this.s.subscriptionOf.get(userId, feedId) as Row;
    }
    this.backfill(userId, feedId, now, sub);
    return sub;
  }

  /**
   * The feed's entries the subscriber lacks become theirs, unread: all of them, or with rules, those
   * the rules let through, as a refresh gives them new ones.
   */
  private backfill(userId: number, feedId: number, now: number, sub?: Row): void {
    const { blockRules, keepRules } = toSubscription(
      sub ?? (this.s.subscriptionOf.get(userId, feedId) as Row),
    );
    if (blockRules === null && keepRules === null) {
      this.s.backfill.run(userId, now, feedId);
      return;
    }
    const rules = this.compiledRules(blockRules, keepRules);
    for (const e of this.s.backfillSubjects.all(feedId, userId) as Row[]) {
      if (!isFilteredOut(rules, toRuleSubject(e))) {
        this.s.backfillEntry.run(userId, e.id, feedId, e.published_at, now);
      }
    }
  }

  // One transaction for them all: a transaction of its own for each feed wrote the pages it
  // changed to the WAL each time (~60 KB a feed), and importing 10,000 feeds grew it to 608 MB.
  async importSubscriptions(userId: number, items: ImportedSubscription[], now: number): Promise<void> {
    this.write(() => {
      for (const item of items) {
        const feed = this.feedRow(item.url, optionParams(item.options), now);
        if (item.siteUrl) this.s.feedSiteUrl.run(item.siteUrl, feed.id);
        const folderId = item.folder ? Number(this.folderRow(userId, item.folder).id) : null;
        const { minCheckMinutes, paused } = item;
        this.subscriptionRow(
          userId,
          Number(feed.id),
          { folderId, title: item.title, minCheckMinutes, paused },
          now,
        );
      }
    });
  }

  async unsubscribe(userId: number, feedId: number): Promise<boolean> {
    const removed = this.write(() => {
      const { changes } = this.s.deleteSubscription.run(userId, feedId);
      if (changes === 0) return false;
      this.s.deleteUnstarred.run(userId, feedId);
      this.s.deleteOrphanFeed.run(feedId, feedId, feedId);
      return true;
    });
    return removed;
  }

  async listSubscriptions(userId: number): Promise<SubscriptionView[]> {
    const rows = this.s.subscriptions.all(userId) as Row[];
    return rows.map((r) => ({
      subscription: toSubscription({
        id: r.s_id,
        user_id: r.s_user_id,
        feed_id: r.s_feed_id,
        folder_id: r.s_folder_id,
        title: r.s_title,
        paused: r.s_paused,
        block_rules: r.s_block_rules,
        keep_rules: r.s_keep_rules,
        min_check_minutes: r.s_min_check_minutes,
        created_at: r.s_created_at,
      }),
      feed: toFeed(r),
      folderName: (r.folder_name as string | null) ?? null,
      unreadCount: Number(r.unread_count),
      entryCount: Number(r.entry_count),
      hasIcon: Number(r.has_icon) === 1,
    }));
  }

  async subscriptionsVersion(userId: number): Promise<number> {
    const row = this.s.subscriptionsVersion.get(userId) as { v: number } | undefined;
    return row?.v ?? -1;
  }

  async unreadCounts(userId: number): Promise<Map<number, number>> {
    const rows = this.s.unreadCounts.all(userId) as [number, number][];
    return new Map(rows);
  }

  async updateSubscription(userId: number, feedId: number, change: SubscriptionChange): Promise<boolean> {
    return this.s.updateSubscription.run(subscriptionChangeParams(userId, feedId, change)).changes > 0;
  }

  /**
   * Runs `fn` in a transaction that takes the write lock as it begins (or in a savepoint, inside
   * one). Most read first: begun deferred, one would fail with SQLITE_BUSY, rather than wait, when
   * another process (`gleaner serve`, `gleaner refresh` from cron, `gleaner cleanup`) wrote after
   * its first read.
   */
  private write<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  private cached(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      if (this.statements.size >= 256) this.statements.clear();
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Rows as arrays of values, in the order of the statement's columns (see ENTRY_COLUMNS). */
  private rawRows(sql: string, params: unknown[]): unknown[][] {
    return this.cached(sql)
      .raw(true)
      .all(...params) as unknown[][];
  }

  async queryEntries(query: EntryQuery): Promise<EntryView[]> {
    if ((query.arrivedSince ?? query.arrivedBefore) !== undefined && query.entryIds === undefined) {
      const window = [
        query.arrivedSince ?? Number.MIN_SAFE_INTEGER,
        query.arrivedBefore ?? Number.MAX_SAFE_INTEGER,
      ];
      // A feed subscribed to within the window brings its older entries too: the list finds them.
      if (this.s.subscribedWithin.get(query.userId, ...window) === undefined) {
        const arrived = this.s.arrivals.all(...window) as number[];
        if (arrived.length <= ARRIVAL_WINDOW) query = { ...query, entryIds: arrived };
      }
    }
    const { shape } = query;
    const json = entryBody(query.withContent, shape) === 'json';
    if (json && shape !== undefined) return this.keptOrRead(query, shape);
    const { sql, params } = entryQuerySql(query, this.quote);
    const rows = this.rawRows(sql, params);
    return shape
      ? rows.map((r) => toShapedEntryView(r, shape, json))
      : rows.map((r) => toEntryView(r, STATE_AT, json));
  }

  private get quote(): JsonQuote {
    return this.native ? 'gleaner_json_quote' : 'json_quote';
  }

  /**
   * A list in JSON (see entrycache.ts): the user's state of its entries from the list's index, then
   * the entries kept in memory for that state, and the others read (and offered to be kept).
   */
  private keptOrRead(query: EntryQuery, shape: EntryShape): EntryView[] {
    const { userId } = query;
    const states = entryQuerySql(query, this.quote, true);
    const rows = this.rawRows(states.sql, states.params) as [number, number, number, number, number][];
    const views: (EntryView | number)[] = [];
    const missing: number[] = [];
    for (const [id, read, starred, readLater, changedAt] of rows) {
      const kept = this.kept.get(shape, id, userId, changedAt);
      if (kept === undefined) {
        views.push(id);
        missing.push(id);
        continue;
      }
      views.push({
        entry: kept.entry,
        contentJson: kept.body,
        read: read === 1,
        starred: starred === 1,
        readLater: readLater === 1,
        changedAt,
      });
    }
    if (missing.length === 0) return views as EntryView[];
    const { sql, params } = entryQuerySql(
      { userId, entryIds: missing, limit: missing.length, withContent: 'json', shape },
      this.quote,
    );
    const read = new Map<number, EntryView>();
    for (const row of this.rawRows(sql, params)) {
      const view = toShapedEntryView(row, shape, true);
      read.set(view.entry.id, view);
      this.kept.offer(shape, userId, view);
    }
    // An entry gone between the two reads is left out.
    return views.flatMap((v) => (typeof v === 'number' ? (read.get(v) ?? []) : [v]));
  }

  async entryIds(query: EntryQuery, offset: number): Promise<{ ids: number[]; total: number }> {
    const { count } = entryIdsSql(query, offset);
    const total = this.cached(count.sql)
      .pluck()
      .get(...count.params) as number;
    // Past the end, the list would walk every entry it holds to find none.
    if (offset >= total) return { ids: [], total };
    const { list } = entryIdsSql(query, offset, this.walkBeatsSort(query, offset, total));
    return {
      ids: this.cached(list.sql)
        .pluck()
        .all(...list.params) as number[],
      total,
    };
  }

  async stateEntryIds(userId: number, state: 'unread' | 'starred'): Promise<number[]> {
    return (state === 'unread' ? this.s.unreadIds : this.s.starredIds).all(userId) as number[];
  }

  /**
   * Whether a page is found sooner by walking the user's entries in the list's order (its index),
   * testing each one, than by finding all `total` the list keeps and sorting them. So for a change
   * window (Miniflux's changed_after) or a search (see EntryQuery.search) holding much of the
   * user's entries, by an order an index holds (id, date, status); the walk stops at the page's
   * end. On a million entries, the first page of 500 of a day's 303,501 changes: 0.4 ms walked,
   * 393 ms sorted, of an hour's few hundred, the sort; a page of a common word's 85,393 matches,
   * ~12 ms walked against ~90 ms sorted, of a rare word's, the sort.
   */
  private walkBeatsSort(q: EntryQuery, offset: number, total: number): boolean {
    const window = q.changedAfter !== undefined || q.changedBefore !== undefined;
    const searched = q.search !== undefined && q.entryIds === undefined;
    const indexed =
      q.sortBy === undefined || q.sortBy === 'published' || q.sortBy === 'id' || q.sortBy === 'status';
    if (!(window || searched) || !indexed || total === 0) return false;
    // A window's own index serves a feed, folder or tag better than the walk (see entryIdsSql).
    const narrowed =
      q.feedId !== undefined ||
      q.folderId !== undefined ||
      q.tags !== undefined ||
      q.label !== undefined ||
      q.entryIds !== undefined;
    if (window && !searched && narrowed) return false;
    const entries = this.s.userEntryCount.pluck().get(q.userId) as number;
    const walked = Math.min(entries, ((offset + Math.max(1, q.limit)) * entries) / total);
    return walked < (searched ? WALKED_PER_MATCH_SORTED : WALKED_PER_SORTED) * total;
  }

  async setEntryState(
    userId: number,
    entryIds: number[],
    change: EntryStateChange,
    now: number,
  ): Promise<number> {
    let changed = 0;
    // Bounded batches keep each statement under SQLite's parameter limit.
    for (let i = 0; i < entryIds.length; i += 500) {
      const q = entryStateSql(userId, entryIds.slice(i, i + 500), change, now);
      if (q) changed += this.cached(q.sql).run(...q.params).changes;
    }
    return changed;
  }

  async markAllRead(userId: number, scope: MarkReadScope, now: number): Promise<number> {
    const { sql, params } = markReadScopeSql(userId, scope);
    const statement = this.cached(
      `UPDATE user_entries SET read = 1, read_at = ?, changed_at = ${CHANGED} WHERE ${sql}`,
    );
    return statement.run(now, now, ...params).changes;
  }

  async undoMarkAllRead(userId: number, at: number, now: number): Promise<number> {
    return this.s.undoMarkRead.run(now, userId, at).changes;
  }

  async entryTags(entryIds: number[]): Promise<Map<number, string[]>> {
    if (entryIds.length === 0) return new Map();
    return byEntry(this.s.tagsOf.all(JSON.stringify(entryIds)) as EntryName[]);
  }

  async labelEntries(
    userId: number,
    entryIds: number[],
    change: { add: string[]; remove: string[] },
    now: number,
  ): Promise<void> {
    this.write(() => {
      for (const entryId of entryIds) {
        for (const label of change.add) this.s.addLabel.run(label, now, userId, entryId);
        for (const label of change.remove) this.s.removeLabel.run(userId, label, entryId);
      }
    });
  }

  async entryLabels(userId: number, entryIds: number[]): Promise<Map<number, string[]>> {
    if (entryIds.length === 0) return new Map();
    return byEntry(this.s.labelsOf.all(userId, JSON.stringify(entryIds)) as EntryName[]);
  }

  async listEntryLabels(userId: number): Promise<string[]> {
    return (this.s.labels.all(userId) as { label: string }[]).map((r) => r.label);
  }

  async renameEntryLabel(userId: number, from: string, to: string): Promise<boolean> {
    return this.write(() => {
      const moved = this.s.renameLabel.run(to, userId, from).changes;
      // Entries that had both names keep the new one.
      const merged = this.s.deleteLabel.run(userId, from).changes;
      return moved + merged > 0;
    });
  }

  async deleteEntryLabel(userId: number, label: string): Promise<boolean> {
    return this.s.deleteLabel.run(userId, label).changes > 0;
  }

  async entriesSharingTags(tags: string[], options: SharedTagsQuery): Promise<SharedTags[]> {
    const q = sharedTagsSql(tags, options);
    return q ? (this.cached(q.sql).all(...q.params) as SharedTags[]) : [];
  }

  async feedActivity(userId: number, since: number): Promise<Map<number, DayCount[]>> {
    const result = new Map<number, DayCount[]>();
    for (const row of this.s.feedActivity.all(userId, since) as {
      feed_id: number;
      day: number;
      n: number;
    }[]) {
      const days = result.get(row.feed_id) ?? [];
      days.push({ day: Math.floor(row.day), count: row.n });
      result.set(row.feed_id, days);
    }
    return result;
  }

  async readingActivity(userId: number, since: number): Promise<DayCount[]> {
    const rows = this.s.readingActivity.all({ userId, since }) as { day: number; n: number }[];
    return rows.map((r) => ({ day: Math.floor(r.day), count: r.n }));
  }

  async searchEntries(query: SearchQuery): Promise<SearchHit[]> {
    const mq = toMatchQuery(query.text);
    if (mq.match === null) return [];
    const feedIds = this.searchFeedIds(query);
    if (feedIds === 'none') return [];
    const rows = this.searchRows(query, mq.match, feedIds);
    // After the entry's columns: its HTML, whose text is quoted, then the user's state.
    return rows.map((r) => {
      const view = toEntryView(r, STATE_AT + 1);
      const html = r[STATE_AT];
      return {
        view,
        titleHtml: highlight(view.entry.title, mq),
        snippetHtml: htmlSnippet(typeof html === 'string' ? html : '', mq),
      };
    });
  }

  /**
   * The feeds a search's MATCH names (null: any), or 'none' when its folder holds none. A folder's
   * feeds narrow the index's matches as a feed does, up to a point: a MATCH joining hundreds of
   * feeds' lists costs more than it saves.
   */
  private searchFeedIds(query: SearchQuery): number[] | null | 'none' {
    const feedIds = query.feedId === undefined ? null : [query.feedId];
    if (query.folderId === undefined) return feedIds;
    const inFolder = (
      this.cached(FOLDER_FEEDS_SQL).all(query.userId, query.folderId) as { feed_id: number }[]
    ).map((r) => r.feed_id);
    if (inFolder.length === 0) return 'none';
    return inFolder.length <= MAX_MATCHED_FEEDS ? (feedIds ?? inFolder) : feedIds;
  }

  /** A search's page of rows (see searchSql): the entry's columns, its text, the user's state. */
  private searchRows(query: SearchQuery, match: string, feedIds: number[] | null): unknown[][] {
    const byDate = query.sort !== 'relevance';
    // By relevance, the best of the newest few hundred matches; when the user's filters keep too
    // few of them, and there are more matches, of ten times as many; then of every match. By date,
    // a window's page is the answer when the window held every match, or (newest first) when no
    // match it left out is newer than the page's last (see searchSql, searchMissedSql).
    const first = byDate ? NEWEST_MATCHES : RECENT_MATCHES;
    const rank = searchRank(this.native && !byDate ? this.entryIdRange() : null);
    for (const window of [first, first * 10]) {
      const { sql, params } = searchSql(query, match, window, feedIds, rank);
      const rows = this.rawRows(sql, params);
      // Each row ends with the lowest id and how many matches the window held. A window the
      // filters emptied answers one row of nulls, to tell those.
      const held = rows[0]?.at(-1) as number;
      const page = rows[0]?.[0] === null ? [] : rows;
      if (held < searchWindow(query, window) || (!byDate && page.length >= query.limit)) return page;
      const last = page.at(-1);
      if (query.sort === 'newest' && last && page.length >= query.limit) {
        const missed = searchMissedSql(
          query,
          match,
          feedIds,
          Number(last[PUBLISHED_AT]),
          Number(last.at(-2)),
        );
        if (this.cached(missed.sql).get(...missed.params) === undefined) return page;
      }
    }
    // Thousands of matches: by date, the user's entries walked in order while the page lies near
    // the start (at most half a million of a million entries walked for it); else every match.
    const walk = byDate && query.offset + query.limit <= MAX_WALKED_SEARCH_PAGE;
    const { sql, params } = searchSql(query, match, walk ? 'walk' : null, feedIds, rank);
    return this.rawRows(sql, params);
  }

  /** The lowest and highest entry id: the bounds of the search index's rowids. */
  private entryIdRange(): [number, number] {
    // Two subqueries: each is one step to an end of the rowid tree; min() and max() in one
    // SELECT read the whole table.
    const [lo, hi] = this.cached('SELECT (SELECT min(id) FROM entries), (SELECT max(id) FROM entries)')
      .raw()
      .get() as [number | null, number | null];
    return [lo ?? 0, hi ?? 0];
  }

  async searchIndexSegments(): Promise<number> {
    return this.cached('SELECT COUNT(DISTINCT segid) FROM entry_fts_idx').pluck().get() as number;
  }

  async compactSearchIndex(pages: number): Promise<boolean> {
    // A negative count merges every level into one, a step at a time; a step that did nothing
    // changes fewer than two rows (FTS5's documented test).
    const before = this.cached('SELECT total_changes()').pluck().get() as number;
    this.cached(`INSERT INTO entry_fts (entry_fts, rank) VALUES ('merge', ?)`).run(
      -Math.max(1, Math.floor(pages)),
    );
    return (this.cached('SELECT total_changes()').pluck().get() as number) - before >= 2;
  }

  async countEntries(feedId?: number): Promise<number> {
    const row = (feedId === undefined ? this.s.countAll.get() : this.s.countFeed.get(feedId)) as {
      n: number;
    };
    return row.n;
  }

  /**
   * Entries that arrived before @before, from after a cursor, and whether anyone keeps each: a
   * reader who starred it, saved it for later or labelled it, who has not read it and it is younger
   * than @unreadBefore, or who read it after @readBefore; a live publication that shows it (its
   * feed, its folder, one of its tags, or one of `searches` search publications, @search0…: an
   * archive keeps what it published); or it is among the @keepPerFeed newest of its feed (fewer
   * newer ones than that; ties are kept). Cheap tests first: SQLite stops at the first that fails.
   */
  private retentionCandidatesSql(searches: number): string {
    const matches = Array.from(
      { length: searches },
      (_, i) => `AND NOT EXISTS (SELECT 1 FROM entry_fts WHERE entry_fts MATCH @search${i} AND rowid = e.id)`,
    );
    return `SELECT e.id, e.created_at AS createdAt,
        NOT EXISTS (SELECT 1 FROM user_entries ue WHERE ue.entry_id = e.id
            AND (ue.starred = 1 OR ue.read_later = 1
              OR (ue.read = 0 AND e.created_at >= @unreadBefore)
              OR (ue.read = 1 AND COALESCE(ue.read_at, e.created_at) >= @readBefore)))
          AND NOT EXISTS (SELECT 1 FROM entry_labels l WHERE l.entry_id = e.id)
          AND (SELECT COUNT(*) FROM (SELECT 1 FROM entries n
                 WHERE n.feed_id = e.feed_id AND n.published_at > e.published_at LIMIT @keepPerFeed)) >= @keepPerFeed
          AND NOT ${SHOWN_BY_PUBLICATION}
          ${matches.join('\n          ')}
          AS removable
      FROM entries e
      WHERE e.created_at < @before AND (e.created_at, e.id) > (@afterAt, @afterId)
      ORDER BY e.created_at, e.id LIMIT @limit`;
  }

  async removeOldEntries(
    policy: RetentionPolicy,
    now: number,
    cursor: RetentionCursor | null,
    limit: number,
    dryRun = false,
    maxRemoved = limit,
  ): Promise<{ removed: number; next: RetentionCursor | null }> {
    // Far enough back that nothing arrived before it: what the policy keeps for good.
    const never = Number.MIN_SAFE_INTEGER;
    const readBefore = policy.readMs === null ? never : now - policy.readMs;
    const unreadBefore = policy.unreadMs === null ? never : now - policy.unreadMs;
    const step = (): { removed: number; next: RetentionCursor | null } => {
      const searches = (this.cached(PUBLICATION_SQL.liveSearches).all() as { value: string }[])
        .map((row) => toMatchQuery(row.value).match)
        .filter((match): match is string => match !== null);
      const rows = this.cached(this.retentionCandidatesSql(searches.length)).all({
        readBefore,
        unreadBefore,
        keepPerFeed: policy.keepPerFeed,
        before: Math.max(readBefore, unreadBefore),
        afterAt: cursor?.createdAt ?? never,
        afterId: cursor?.id ?? 0,
        limit,
        ...Object.fromEntries(searches.map((match, i) => [`search${i}`, match])),
      }) as { id: number; createdAt: number; removable: number }[];
      // The rows up to the maxRemoved-th removable one: the next step goes on after it.
      const removable: number[] = [];
      let looked = 0;
      while (looked < rows.length && removable.length < maxRemoved) {
        const row = rows[looked++] as { id: number; removable: number };
        if (row.removable === 1) removable.push(row.id);
      }
      const last = rows[looked - 1];
      const more = looked < rows.length || rows.length === limit;
      return {
        removed: dryRun ? removable.length : this.removeEntries(removable, now),
        next: more && last ? { createdAt: last.createdAt, id: last.id } : null,
      };
    };
    // A dry run reads only: no write lock for other processes to wait on.
    return dryRun ? step() : this.write(step);
  }

  async trimFeeds(max: number, now: number, limit: number, feedId?: number, dryRun = false): Promise<number> {
    const trim = (): number => {
      let removed = 0;
      const feeds = feedId === undefined ? (this.s.feedsOverLimit.all(max) as number[]) : [feedId];
      for (const id of feeds) {
        if (removed >= limit) break;
        const ids = this.s.pastFeedLimit.all({ feedId: id, max, limit: limit - removed }) as number[];
        removed += dryRun ? ids.length : this.removeEntries(ids, now);
      }
      return removed;
    };
    return dryRun ? trim() : this.write(trim);
  }

  /** Removes entries, their keys kept (see removedEntries), inside the caller's transaction. */
  private removeEntries(ids: readonly number[], now: number): number {
    if (ids.length === 0) return 0;
    const json = JSON.stringify(ids);
    this.s.countReadsOfRemoved.run(json);
    this.s.rememberRemoved.run(now, json);
    return this.s.deleteEntries.run(json).changes;
  }

  // Publishing.

  async carrySubscription(userId: number, fromFeedId: number, toFeedId: number, now: number): Promise<void> {
    this.write(() => {
      this.cached(PUBLICATION_SQL.carryRepublish).run(userId, fromFeedId, userId, toFeedId);
      const [from, to] = [String(fromFeedId), String(toFeedId)];
      this.cached(PUBLICATION_SQL.carryPublication).run(to, now, userId, from, to);
    });
  }

  async createPublication(p: NewPublication, now: number): Promise<Publication> {
    const row = this.write(() => {
      const existing = this.cached(PUBLICATION_SQL.byTarget).get(p.userId, p.kind, p.value) as
        Row | undefined;
      if (existing) {
        return this.cached(PUBLICATION_SQL.republish).get(p.fullContent ? 1 : 0, now, existing.id) as Row;
      }
      let slug = p.slug;
      for (let n = 2; this.cached(PUBLICATION_SQL.slugTaken).get(slug); n++) slug = `${p.slug}-${n}`;
      return this.cached(PUBLICATION_SQL.insert).get(
        p.userId,
        p.kind,
        p.value,
        slug,
        p.title,
        p.fullContent ? 1 : 0,
        now,
        now,
      ) as Row;
    });
    return toPublication(row);
  }

  async listPublications(userId: number): Promise<Publication[]> {
    return (this.cached(PUBLICATION_SQL.ofUser).all(userId) as Row[]).map(toPublication);
  }

  async livePublications(): Promise<Publication[]> {
    return (this.cached(PUBLICATION_SQL.live).all() as Row[]).map(toPublication);
  }

  async findPublication(slug: string): Promise<PublicationState | null> {
    const row = this.cached(PUBLICATION_SQL.bySlug).get(slug) as Row | undefined;
    return row ? { publication: toPublication(row), version: publicationVersion(row) } : null;
  }

  async updatePublication(
    userId: number,
    id: number,
    change: { title?: string; fullContent?: boolean; withdrawn?: boolean },
    now: number,
  ): Promise<boolean> {
    const withdrawn = change.withdrawn === undefined ? -1 : change.withdrawn ? 1 : 0;
    const full = change.fullContent === undefined ? null : change.fullContent ? 1 : 0;
    const result = this.cached(PUBLICATION_SQL.update).run(
      change.title ?? null,
      full,
      withdrawn,
      now,
      withdrawn,
      now,
      userId,
      id,
    );
    return result.changes > 0;
  }

  async publicationEntries(p: Publication, query: PublicationEntryQuery): Promise<Entry[]> {
    const { sql, params } = publicationEntriesSql(p, query);
    return this.rawRows(sql, params).map(toEntry);
  }

  async countPublicationEntries(p: Publication): Promise<number> {
    const { sql, params } = countPublicationSql(p);
    return (this.cached(sql).get(...params) as { n: number }).n;
  }

  async noRepublishFeeds(userId: number): Promise<Set<number>> {
    const rows = this.cached(PUBLICATION_SQL.noRepublish).all(userId) as { feed_id: number }[];
    return new Set(rows.map((r) => r.feed_id));
  }

  async setRepublish(userId: number, feedId: number, allowed: boolean): Promise<boolean> {
    return this.cached(PUBLICATION_SQL.setRepublish).run(allowed ? 0 : 1, userId, feedId).changes > 0;
  }
}
