// What the rest of Gleaner may ask of the database: named operations, no SQL outside store/.
// Every operation is async so that SQLite and PostgreSQL serve the same callers.
import type {
  Entry,
  Feed,
  FeedFormat,
  FetchOptions,
  Folder,
  PreparedEntry,
  Subscription,
  User,
} from '../model/index.js';

/** What a successful fetch changes on a feed. */
export interface FeedFetchUpdate {
  checkedAt: number;
  nextCheckAt: number;
  etag: string | null;
  lastModified: string | null;
  /** Metadata from the document; null values leave the stored value alone. */
  title: string | null;
  siteUrl: string | null;
  description: string | null;
  iconUrl: string | null;
  language: string | null;
  hubUrl: string | null;
  format: FeedFormat | null;
}

export interface SaveResult {
  inserted: number;
  updated: number;
}

/** A subscription with its feed, folder and counts: what `gleaner feeds` and the sidebar show. */
export interface SubscriptionView {
  subscription: Subscription;
  feed: Feed;
  folderName: string | null;
  unreadCount: number;
  entryCount: number;
}

/** What a user sees of an entry: the entry and their state of it. */
export interface EntryView {
  entry: Entry;
  read: boolean;
  starred: boolean;
  readLater: boolean;
}

/**
 * The one entry query every way in uses (reader pages and all three client APIs), as Miniflux's
 * EntryQueryBuilder serves its UI and APIs. Pagination is by keyset (`before`/`after` a published
 * time and id), so page 1,000 costs what page 1 costs.
 */
export interface EntryQuery {
  userId: number;
  feedId?: number;
  folderId?: number;
  status?: 'unread' | 'read' | 'all';
  starred?: boolean;
  readLater?: boolean;
  entryIds?: number[];
  order?: 'newest' | 'oldest';
  limit: number;
  /** Entries strictly older (newest order) or newer (oldest order) than this position. */
  after?: { publishedAt: number; id: number };
}

export interface EntryStateChange {
  read?: boolean;
  starred?: boolean;
  readLater?: boolean;
}

export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  close(): Promise<void>;

  createUser(
    username: string,
    options: { isAdmin: boolean; passwordHash?: string | null },
    now: number,
  ): Promise<User>;
  findUserByName(username: string): Promise<User | null>;
  listUsers(): Promise<User[]>;

  /** The folder with this name, created when missing. */
  ensureFolder(userId: number, name: string): Promise<Folder>;
  listFolders(userId: number): Promise<Folder[]>;

  /** The feed for this URL and fetch options, created (due now) when missing. */
  ensureFeed(url: string, options: FetchOptions, now: number): Promise<Feed>;
  getFeed(id: number): Promise<Feed | null>;
  /** Feeds with at least one subscriber whose next check is due, soonest first. */
  dueFeeds(now: number, limit: number): Promise<Feed[]>;
  /** Stores a fetch's entries and the feed's new state in one transaction. */
  recordFetchSuccess(feedId: number, update: FeedFetchUpdate, entries: PreparedEntry[]): Promise<SaveResult>;
  recordNotModified(feedId: number, checkedAt: number, nextCheckAt: number): Promise<void>;
  recordFetchFailure(feedId: number, checkedAt: number, nextCheckAt: number, error: string): Promise<void>;
  /** Moves a feed to a new URL after a permanent redirect; false when another feed already has it. */
  changeFeedUrl(feedId: number, url: string): Promise<boolean>;
  /** The feed's icon (the site's favicon, found at subscribe time; else the feed's own image). */
  setFeedIcon(feedId: number, iconUrl: string): Promise<void>;
  /** Publication times of the feed's newest entries (epoch ms, newest first), for scheduling. */
  recentPublishTimes(feedId: number, limit: number): Promise<number[]>;

  /** Subscribes (or moves an existing subscription); the feed's entries become the user's, unread. */
  subscribe(
    userId: number,
    feedId: number,
    options: { folderId: number | null; title: string | null },
    now: number,
  ): Promise<Subscription>;
  /** Unsubscribes; the user's starred entries of the feed are kept. False when not subscribed. */
  unsubscribe(userId: number, feedId: number): Promise<boolean>;
  listSubscriptions(userId: number): Promise<SubscriptionView[]>;

  queryEntries(query: EntryQuery): Promise<EntryView[]>;
  /** Changes the user's state of their entries; returns how many changed. */
  setEntryState(userId: number, entryIds: number[], change: EntryStateChange, now: number): Promise<number>;

  countEntries(feedId?: number): Promise<number>;
}
