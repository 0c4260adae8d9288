// The embedded store: one SQLite file in WAL mode, through better-sqlite3. All statements are
// prepared once; each write that must be atomic runs in one transaction.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Feed, FetchOptions, Folder, PreparedEntry, Subscription, User } from '../model/index.js';
import { MIGRATIONS, SQLITE } from './migrations.js';
import { entryQuerySql, entryStateSql } from './queries.js';
import { fetchOptionsKey, toEntry, toFeed, toFolder, toSubscription, toUser, type Row } from './rows.js';
import type {
  EntryQuery,
  EntryStateChange,
  EntryView,
  FeedFetchUpdate,
  SaveResult,
  Store,
  SubscriptionView,
} from './types.js';

/** Runs the migrations that have not run yet, each in its own transaction. */
export function migrateSqlite(db: Database.Database): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let version = current; version < MIGRATIONS.length; version++) {
    const step = MIGRATIONS[version];
    if (!step) break;
    db.transaction(() => {
      for (const sql of step(SQLITE)) db.exec(sql);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
  return MIGRATIONS.length;
}

export function openSqliteStore(path: string): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a power cut may lose the last transactions, never corrupts the file.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrateSqlite(db);
  return new SqliteStore(db);
}

// The Store interface is async for PostgreSQL's sake; SQLite answers synchronously, and `async`
// turns its exceptions into rejections as callers expect.
/* eslint-disable @typescript-eslint/require-await */
class SqliteStore implements Store {
  readonly dialect = 'sqlite' as const;
  private readonly s;
  // Statements built from structured queries, prepared once per distinct shape.
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {
    this.s = {
      insertUser: db.prepare(
        'INSERT INTO users (username, password_hash, is_admin, created_at) VALUES (?, ?, ?, ?) RETURNING *',
      ),
      userByName: db.prepare('SELECT * FROM users WHERE username = ?'),
      users: db.prepare('SELECT * FROM users ORDER BY id'),
      insertFolder: db.prepare(
        'INSERT INTO folders (user_id, name) VALUES (?, ?) ON CONFLICT (user_id, name) DO NOTHING',
      ),
      folderByName: db.prepare('SELECT * FROM folders WHERE user_id = ? AND name = ?'),
      folders: db.prepare('SELECT * FROM folders WHERE user_id = ? ORDER BY name'),
      insertFeed: db.prepare(
        `INSERT INTO feeds (url, options_key, user_agent, cookie, username, password, fetch_full_article,
           next_check_at, created_at)
         VALUES (@url, @key, @userAgent, @cookie, @username, @password, @fetchFullArticle, @now, @now)
         ON CONFLICT (url, options_key) DO NOTHING`,
      ),
      feedByUrl: db.prepare('SELECT * FROM feeds WHERE url = ? AND options_key = ?'),
      feedById: db.prepare('SELECT * FROM feeds WHERE id = ?'),
      dueFeeds: db.prepare(
        `SELECT * FROM feeds f WHERE f.next_check_at <= ?
           AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.feed_id = f.id)
         ORDER BY f.next_check_at LIMIT ?`,
      ),
      feedSuccess: db.prepare(
        `UPDATE feeds SET last_checked_at = @checkedAt, last_success_at = @checkedAt, next_check_at = @nextCheckAt,
           etag = @etag, last_modified = @lastModified, error_count = 0, last_error = NULL,
           title = COALESCE(@title, title), site_url = COALESCE(@siteUrl, site_url),
           description = COALESCE(@description, description), icon_url = COALESCE(icon_url, @iconUrl),
           language = COALESCE(@language, language), hub_url = COALESCE(@hubUrl, hub_url),
           format = COALESCE(@format, format)
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
        'SELECT 1 FROM feeds WHERE url = ? AND options_key = (SELECT options_key FROM feeds WHERE id = ?)',
      ),
      setFeedUrl: db.prepare('UPDATE feeds SET url = ? WHERE id = ?'),
      setFeedIcon: db.prepare('UPDATE feeds SET icon_url = ? WHERE id = ?'),
      recentPublishTimes: db.prepare(
        'SELECT published_at FROM entries WHERE feed_id = ? ORDER BY published_at DESC LIMIT ?',
      ),
      storedHashes: db.prepare(
        `SELECT dedupe_key, content_hash FROM entries WHERE feed_id = ? AND dedupe_key IN (SELECT value FROM json_each(?))`,
      ),
      insertEntry: db.prepare(
        `INSERT INTO entries (feed_id, dedupe_key, content_hash, guid, link, title, author, content_html,
           content_text, summary_text, reading_minutes, published_at, updated_at, created_at, categories,
           enclosures, image_url, comments_url, language)
         VALUES (@feedId, @dedupeKey, @contentHash, @guid, @link, @title, @author, @contentHtml, @contentText,
           @summaryText, @readingMinutes, @publishedAt, @updatedAt, @now, @categories, @enclosures, @imageUrl,
           @commentsUrl, @language)
         ON CONFLICT (feed_id, dedupe_key) DO NOTHING
         RETURNING id`,
      ),
      // Read state lives in user_entries and is untouched: an edited entry stays read.
      updateEntry: db.prepare(
        `UPDATE entries SET content_hash = @contentHash, guid = @guid, link = @link, title = @title,
           author = @author, content_html = @contentHtml, content_text = @contentText,
           summary_text = @summaryText, reading_minutes = @readingMinutes,
           updated_at = COALESCE(@updatedAt, @now), categories = @categories, enclosures = @enclosures,
           image_url = @imageUrl, comments_url = @commentsUrl, language = @language
         WHERE feed_id = @feedId AND dedupe_key = @dedupeKey AND content_hash <> @contentHash`,
      ),
      fanOutEntry: db.prepare(
        `INSERT INTO user_entries (user_id, entry_id, feed_id, published_at)
         SELECT user_id, ?, ?, ? FROM subscriptions WHERE feed_id = ?
         ON CONFLICT (user_id, entry_id) DO NOTHING`,
      ),
      subscriptionOf: db.prepare('SELECT * FROM subscriptions WHERE user_id = ? AND feed_id = ?'),
      insertSubscription: db.prepare(
        `INSERT INTO subscriptions (user_id, feed_id, folder_id, title, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (user_id, feed_id) DO UPDATE SET folder_id = excluded.folder_id,
           title = COALESCE(excluded.title, subscriptions.title)
         RETURNING *`,
      ),
      backfill: db.prepare(
        `INSERT INTO user_entries (user_id, entry_id, feed_id, published_at)
         SELECT ?, id, feed_id, published_at FROM entries WHERE feed_id = ?
         ON CONFLICT (user_id, entry_id) DO NOTHING`,
      ),
      deleteSubscription: db.prepare('DELETE FROM subscriptions WHERE user_id = ? AND feed_id = ?'),
      deleteUnstarred: db.prepare(
        'DELETE FROM user_entries WHERE user_id = ? AND feed_id = ? AND starred = 0',
      ),
      // A feed nobody subscribes to and nobody keeps a starred entry of is dropped with its entries.
      deleteOrphanFeed: db.prepare(
        `DELETE FROM feeds WHERE id = ? AND NOT EXISTS (SELECT 1 FROM subscriptions WHERE feed_id = ?)
           AND NOT EXISTS (SELECT 1 FROM user_entries WHERE feed_id = ?)`,
      ),
      subscriptions: db.prepare(
        `SELECT s.id AS s_id, s.user_id AS s_user_id, s.feed_id AS s_feed_id, s.folder_id AS s_folder_id,
           s.title AS s_title, s.created_at AS s_created_at, fo.name AS folder_name,
           (SELECT COUNT(*) FROM user_entries ue WHERE ue.user_id = s.user_id AND ue.feed_id = s.feed_id AND ue.read = 0) AS unread_count,
           (SELECT COUNT(*) FROM user_entries ue WHERE ue.user_id = s.user_id AND ue.feed_id = s.feed_id) AS entry_count,
           f.*
         FROM subscriptions s JOIN feeds f ON f.id = s.feed_id LEFT JOIN folders fo ON fo.id = s.folder_id
         WHERE s.user_id = ? ORDER BY fo.name IS NULL, fo.name, COALESCE(s.title, f.title, f.url)`,
      ),
      countAll: db.prepare('SELECT COUNT(*) AS n FROM entries'),
      countFeed: db.prepare('SELECT COUNT(*) AS n FROM entries WHERE feed_id = ?'),
    };
  }

  async close(): Promise<void> {
    this.db.close();
    return;
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

  async ensureFolder(userId: number, name: string): Promise<Folder> {
    this.s.insertFolder.run(userId, name);
    return toFolder(this.s.folderByName.get(userId, name) as Row);
  }

  async listFolders(userId: number): Promise<Folder[]> {
    return (this.s.folders.all(userId) as Row[]).map(toFolder);
  }

  async ensureFeed(url: string, options: FetchOptions, now: number): Promise<Feed> {
    const key = fetchOptionsKey(options);
    this.s.insertFeed.run({
      url,
      key,
      userAgent: options.userAgent,
      cookie: options.cookie,
      username: options.username,
      password: options.password,
      fetchFullArticle: options.fetchFullArticle ? 1 : 0,
      now,
    });
    return toFeed(this.s.feedByUrl.get(url, key) as Row);
  }

  async getFeed(id: number): Promise<Feed | null> {
    const row = this.s.feedById.get(id) as Row | undefined;
    return row ? toFeed(row) : null;
  }

  async dueFeeds(now: number, limit: number): Promise<Feed[]> {
    return (this.s.dueFeeds.all(now, limit) as Row[]).map(toFeed);
  }

  async recordFetchSuccess(
    feedId: number,
    update: FeedFetchUpdate,
    entries: PreparedEntry[],
  ): Promise<SaveResult> {
    const now = update.checkedAt;
    const result: SaveResult = { inserted: 0, updated: 0 };
    this.db.transaction(() => {
      // What is already stored, by dedupe key: unchanged entries cost no write at all.
      const stored = new Map<string, string>();
      for (let i = 0; i < entries.length; i += 500) {
        const keys = JSON.stringify(entries.slice(i, i + 500).map((e) => e.dedupeKey));
        for (const row of this.s.storedHashes.all(feedId, keys) as {
          dedupe_key: string;
          content_hash: string;
        }[]) {
          stored.set(row.dedupe_key, row.content_hash);
        }
      }
      for (const e of entries) {
        const hash = stored.get(e.dedupeKey);
        if (hash === e.contentHash) continue;
        const params = {
          feedId,
          dedupeKey: e.dedupeKey,
          contentHash: e.contentHash,
          guid: e.guid,
          link: e.link,
          title: e.title,
          author: e.author,
          contentHtml: e.contentHtml,
          contentText: e.contentText,
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
          this.s.fanOutEntry.run(row.id, feedId, e.publishedAt, feedId);
        } else if (this.s.updateEntry.run(params).changes > 0) result.updated++;
      }
      this.s.feedSuccess.run({ feedId, ...update });
    })();
    return result;
  }

  async recordNotModified(feedId: number, checkedAt: number, nextCheckAt: number): Promise<void> {
    this.s.feedNotModified.run(checkedAt, checkedAt, nextCheckAt, feedId);
    return;
  }

  async recordFetchFailure(
    feedId: number,
    checkedAt: number,
    nextCheckAt: number,
    error: string,
  ): Promise<void> {
    this.s.feedFailure.run(checkedAt, nextCheckAt, error, feedId);
    return;
  }

  async changeFeedUrl(feedId: number, url: string): Promise<boolean> {
    const changed = this.db.transaction(() => {
      if (this.s.feedUrlTaken.get(url, feedId)) return false;
      this.s.setFeedUrl.run(url, feedId);
      return true;
    })();
    return changed;
  }

  async setFeedIcon(feedId: number, iconUrl: string): Promise<void> {
    this.s.setFeedIcon.run(iconUrl, feedId);
  }

  async recentPublishTimes(feedId: number, limit: number): Promise<number[]> {
    const rows = this.s.recentPublishTimes.all(feedId, limit) as { published_at: number }[];
    return rows.map((r) => r.published_at);
  }

  async subscribe(
    userId: number,
    feedId: number,
    options: { folderId: number | null; title: string | null },
    now: number,
  ): Promise<Subscription> {
    const row = this.db.transaction(() => {
      const sub = this.s.insertSubscription.get(userId, feedId, options.folderId, options.title, now) as Row;
      this.s.backfill.run(userId, feedId);
      return sub;
    })();
    return toSubscription(row);
  }

  async unsubscribe(userId: number, feedId: number): Promise<boolean> {
    const removed = this.db.transaction(() => {
      const { changes } = this.s.deleteSubscription.run(userId, feedId);
      if (changes === 0) return false;
      this.s.deleteUnstarred.run(userId, feedId);
      this.s.deleteOrphanFeed.run(feedId, feedId, feedId);
      return true;
    })();
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
        created_at: r.s_created_at,
      }),
      feed: toFeed(r),
      folderName: (r.folder_name as string | null) ?? null,
      unreadCount: Number(r.unread_count),
      entryCount: Number(r.entry_count),
    }));
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

  async queryEntries(query: EntryQuery): Promise<EntryView[]> {
    const { sql, params } = entryQuerySql(query);
    const rows = this.cached(sql).all(...params) as Row[];
    return rows.map((r) => ({
      entry: toEntry(r),
      read: Number(r.ue_read) === 1,
      starred: Number(r.ue_starred) === 1,
      readLater: Number(r.ue_read_later) === 1,
    }));
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

  async countEntries(feedId?: number): Promise<number> {
    const row = (feedId === undefined ? this.s.countAll.get() : this.s.countFeed.get(feedId)) as {
      n: number;
    };
    return row.n;
  }
}
