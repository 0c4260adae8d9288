// What the rest of Gleaner may ask of the database: named operations, no SQL outside store/.
// Every operation is async so that SQLite and PostgreSQL serve the same callers.
import type {
  Entry,
  Feed,
  FeedFormat,
  FetchOptions,
  Folder,
  StorableEntry,
  Subscription,
  User,
} from '../model/index.js';

/** Which of an entry's columns a query reads (EntryQuery.shape; rows.ts SHAPE_COLUMNS). */
export type EntryShape = 'list' | 'item' | 'entry';

/** Which version of an entry is stored (see PreparedEntry), and when it was published. */
export interface StoredEntryVersion {
  dedupeKey: string;
  contentHash: string;
  /** See PreparedEntry.sourceHash; null for entries stored before it was kept. */
  sourceHash: string | null;
  publishedAt: number;
}

/**
 * Which entries are removed (refresh/retention.ts). Never one that a user starred, saved for later
 * or labelled, nor one of the newest `keepPerFeed` of its feed unless past `maxPerFeed`.
 */
export interface RetentionPolicy {
  /** A read entry goes this long after it was read (ms); null keeps read entries. */
  readMs: number | null;
  /** An unread entry goes this long after it arrived (ms); null keeps unread entries. */
  unreadMs: number | null;
  /** Each feed's newest entries are kept whatever their age. */
  keepPerFeed: number;
  /** The most entries a feed keeps, read or not: the oldest past it go (null: no limit). */
  maxPerFeed: number | null;
}

/** Where a pass of Store.removeOldEntries is: after this entry, in order of arrival. */
export interface RetentionCursor {
  createdAt: number;
  id: number;
}

/** What a feed's WebSub subscription asked of its hub, to be stored before the hub is asked. */
export interface WebSubRequest {
  hub: string;
  topic: string;
  secret: string;
}

/** A feed's WebSub subscription: what was last asked (null: never), and until when the hub confirmed it. */
export interface WebSubState {
  hub: string | null;
  topic: string | null;
  secret: string | null;
  requestedAt: number | null;
  leaseUntil: number | null;
  /** Whether someone follows the feed and has not paused it: else what its hub sends is not stored. */
  followed: boolean;
}

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
  /**
   * Keys of the feed's removed entries (Store.removedEntries) that the document no longer holds:
   * forgotten, since it cannot bring them back.
   */
  gone?: readonly string[];
  /** How many items the document held, when it was whole (not a WebSub push): Feed.itemCount. */
  itemCount?: number | null;
  /** The document's RSS <ttl>, minutes (Feed.ttlMinutes): null for none. */
  ttlMinutes?: number | null;
  /** Source hashes to keep for stored entries, by dedupe key (DigestResult.sources). */
  sources?: readonly (readonly [string, string])[] | undefined;
}

/** What a permanent redirect did to a feed (Store.changeFeedUrl). */
export type FeedMove =
  | { kind: 'moved' }
  /**
   * Another feed had the URL, and this one became it: each subscriber follows that feed (as they
   * followed this one, unless they followed it already), their read, star, read-later marks and
   * labels are on its copy of each entry both held, the entries only this one held are its now
   * (their ids kept, for the apps that know them), a publication of this feed publishes that one,
   * and this feed is gone.
   */
  | { kind: 'merged'; into: number; subscribers: number; entriesMoved: number }
  /** Another feed had the URL, and merging was not asked: the feed stays where it was. */
  | { kind: 'kept'; by: number };

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
  /** Gleaner keeps the feed's icon (served at /icons/FEED). */
  hasIcon: boolean;
}

export interface FeedIcon {
  contentType: string;
  data: Uint8Array;
}

export interface SharedTagsQuery {
  /** Candidates per tag (and per title term): a popular tag must not make one page read a million rows. */
  perTag: number;
  exclude: number;
  limit: number;
  /** Only entries this user has (from their subscriptions). */
  userId?: number;
  /**
   * Words (or CJK bigrams) of the article's title: an entry with one in its title or text shares
   * it as it would a tag. Matched by the full-text index, stemmed as searches are.
   */
  titleTerms?: string[];
  /** Candidates per title term; perTag when absent. */
  perTerm?: number;
}

export interface SharedTags {
  id: number;
  /** How many of the tags and title terms asked for the entry has. */
  shared: number;
}

/** What a user sees of an entry: the entry and their state of it. */
export interface EntryView {
  entry: Entry;
  read: boolean;
  starred: boolean;
  readLater: boolean;
  /**
   * With `withContent: 'json'`: the body as JSON (a quoted string), for answers in JSON: text when
   * all of it is ASCII, else UTF-8 bytes (see native/quote.c), and bytes when the entry was kept in
   * memory (see entrycache.ts); entry.contentHtml is then empty. The entry of a kept copy is shared
   * by every list that gives it: read it, never change it.
   */
  contentJson?: string | Uint8Array;
  /**
   * When the entry last changed for the user (epoch ms): its arrival for them (a new subscription's
   * back-filled entries arrive when it is made), a new version of its content, or their last read,
   * unread or star mark.
   */
  changedAt: number;
}

/**
 * The one entry query every way in uses (reader pages and all three client APIs), as Miniflux's
 * EntryQueryBuilder serves its UI and APIs. Pagination is by keyset (`before`/`after` a published
 * time and id), so page 1,000 costs what page 1 costs.
 */
export interface EntryQuery {
  userId: number;
  feedId?: number;
  /** Entries of the feeds the user keeps in this folder; null: in no folder. */
  folderId?: number | null;
  status?: 'unread' | 'read' | 'all';
  /** true: only starred entries; false: only those not starred. */
  starred?: boolean;
  readLater?: boolean;
  entryIds?: number[];
  /** Entries carrying every one of these feed categories (lower-cased). */
  tags?: string[];
  /** Entries the user put this label on (labelEntries). */
  label?: string;
  order?: 'newest' | 'oldest';
  /**
   * What newest/oldest sorts by: the publication date (the default), the entry id — the order
   * entries arrived in, which the Fever and Miniflux APIs page by — read from the primary key, or
   * when the entry last changed for the user (EntryView.changedAt; Miniflux's changed_at order).
   * For Miniflux's other orders, each then by date: 'status', unread entries first newest first
   * (as Miniflux's status names sort, "unread" after "read"), read from the date index; 'title' and
   * 'author' (ignoring ASCII case; no author sorts first), which sort every entry the query keeps:
   * a feed's thousand in ~2 ms, a million in ~0.7 s.
   */
  sortBy?: 'published' | 'id' | 'changed' | 'status' | 'title' | 'author';
  /**
   * Only entries whose title or text match this search (what the user typed, as SearchQuery.text):
   * the search index's matches are the list's source, so its cost is that of the matches (a common
   * word's 85,000 of a million entries sorted by date: ~0.1 s).
   */
  search?: string;
  /** Only entries with an id above / below this one. */
  idAbove?: number;
  idBelow?: number;
  /** Only entries published after / before this time (epoch ms, exclusive). */
  publishedAfter?: number;
  publishedBefore?: number;
  /**
   * Only entries that arrived for the user at or after / before this time (epoch ms): when they were
   * first stored, or when the user subscribed to their feed if later (its entries stored before
   * arrive for a new subscriber then). What a client that syncs asks for, new entries whatever
   * their dates say.
   */
  arrivedSince?: number;
  arrivedBefore?: number;
  /**
   * Only entries that changed for the user after / before this time (epoch ms, exclusive; see
   * EntryView.changedAt): Miniflux's changed_at, by which its clients sync.
   */
  changedAfter?: number;
  changedBefore?: number;
  /**
   * false: lists need no bodies; contentHtml comes back empty, which spares reading kilobytes per
   * row. 'json': the body comes back in `contentJson`, quoted by the database for an answer in
   * JSON (SQLite's json_quote() quoted a 100-entry list's 350 KB of bodies in 0.15 ms, where
   * JSON.stringify took 1.0 ms; beyond ASCII as bytes, neither decoded nor encoded again). With a
   * shape, the entries of such a list are kept in memory for the next (see entrycache.ts). True
   * by default.
   */
  withContent?: boolean | 'json';
  /**
   * Only some of an entry's columns (SHAPE_COLUMNS), the others coming back empty, which spares
   * reading and converting up to a dozen values per row. 'list': what a list of titles and excerpts
   * shows, without the body whatever withContent says. 'item': what a client app's item holds
   * (Google Reader's): the body as withContent says, title, link, author, dates and enclosures; no
   * excerpt, reading time, tags, guid, image or comments URL, language or hashes. 'entry': what an
   * API's full entry holds (Miniflux's): item's columns, the reading time, tags, comments URL and
   * content hash; no excerpt, guid, image, language or dedupe key. Every column when absent.
   */
  shape?: EntryShape;
  limit: number;
  /** Entries strictly older (newest order) or newer (oldest order) than this position (by date). */
  after?: { publishedAt: number; id: number };
}

export interface EntryStateChange {
  read?: boolean;
  starred?: boolean;
  readLater?: boolean;
}

/** A full-text search over a user's entries. */
export interface SearchQuery {
  userId: number;
  /** What the user typed: words, "phrases", prefix*, -excluded, OR. */
  text: string;
  feedId?: number;
  folderId?: number;
  /** Only entries published at or after this time (epoch ms). */
  since?: number;
  status?: 'unread';
  starred?: boolean;
  /** Best match first, or by publication date (a common word's page oldest first: ~26 ms on a million entries). */
  sort: 'relevance' | 'newest' | 'oldest';
  limit: number;
  offset: number;
}

export interface SearchHit {
  view: EntryView;
  /** The title and an excerpt of the text, HTML-escaped, matched terms in <mark>. */
  titleHtml: string;
  snippetHtml: string;
}

/** A login session; the cookie holds the token, the store only its hash. */
export interface NewSession {
  tokenHash: string;
  userId: number;
  csrfToken: string;
  createdAt: number;
  expiresAt: number;
  userAgent: string | null;
  ip: string | null;
}

export interface SessionView {
  user: User;
  csrfToken: string;
  expiresAt: number;
  /** The user's settings as stored (what getUserSettings returns), read with the session. */
  settings: Record<string, unknown>;
}

export interface ApiKey {
  id: number;
  userId: number;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
}

/** Which entries "mark all read" covers: all, a feed's or a folder's, optionally only older ones. */
export interface MarkReadScope {
  feedId?: number;
  folderId?: number;
  /** Only entries published before this time (epoch ms). */
  publishedBefore?: number;
  /** Only starred entries. */
  starred?: boolean;
  /** Only entries that arrived for the user before this time (epoch ms; see EntryQuery.arrivedSince). */
  arrivedBefore?: number;
  /** Only entries the user put this label on. */
  label?: string;
}

/** How many entries fell on one day (days since the epoch, UTC). */
export interface DayCount {
  day: number;
  count: number;
}

// Publishing: what a user makes public, and the entries it covers.

export type PublicationKind = 'tag' | 'folder' | 'feed' | 'starred' | 'search';

export interface Publication {
  id: number;
  userId: number;
  kind: PublicationKind;
  /** The tag (lower-cased), the folder's or feed's id, the search text; '' for starred. */
  value: string;
  /** The stable part of its public URL; never reused, even after withdrawal. */
  slug: string;
  title: string;
  /** Full content on the archive page and in the feeds, else an excerpt. */
  fullContent: boolean;
  createdAt: number;
  updatedAt: number;
  withdrawnAt: number | null;
}

export interface NewPublication {
  userId: number;
  kind: PublicationKind;
  value: string;
  /** The slug wanted; a number is added when another publication has it. */
  slug: string;
  title: string;
  fullContent: boolean;
}

/** A live publication looked up by slug, with what its cached pages depend on. */
export interface PublicationState {
  publication: Publication;
  /** Changes when a new entry arrives or the publisher's subscriptions or the publication change. */
  version: string;
}

/** A page of a publication's entries (not for search publications), newest first. */
export interface PublicationEntryQuery {
  limit: number;
  after?: { publishedAt: number; id: number };
  entryIds?: number[];
  withContent?: boolean;
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
  getUser(id: number): Promise<User | null>;
  listUsers(): Promise<User[]>;
  getPasswordHash(userId: number): Promise<string | null>;
  /** A user by name with their password hash (null when they have none), in one lookup: signing in. */
  findUserWithPasswordHash(username: string): Promise<{ user: User; passwordHash: string | null } | null>;
  setPasswordHash(userId: number, passwordHash: string): Promise<void>;
  setAdmin(userId: number, isAdmin: boolean): Promise<void>;
  /** Renames a user; false when the name is taken. */
  renameUser(userId: number, username: string): Promise<boolean>;
  /** Deletes a user with their subscriptions, state, sessions and keys. */
  deleteUser(userId: number): Promise<boolean>;
  /** The user's settings as stored (the web layer validates them and fills in defaults). */
  getUserSettings(userId: number): Promise<Record<string, unknown>>;
  setUserSettings(userId: number, settings: Record<string, unknown>): Promise<void>;

  createSession(session: NewSession): Promise<void>;
  /** The live session with this token hash; expired sessions are not returned. */
  findSession(tokenHash: string, now: number): Promise<SessionView | null>;
  deleteSession(tokenHash: string): Promise<void>;
  /** Ends every session of a user (after a password change or deletion); returns how many. */
  deleteUserSessions(userId: number): Promise<number>;

  /** An API key, stored as `keyHash`, and as `feverHash` (MD5 of "user:key") for Fever clients. */
  createApiKey(
    userId: number,
    name: string,
    keyHash: string,
    now: number,
    feverHash?: string | null,
  ): Promise<ApiKey>;
  listApiKeys(userId: number): Promise<ApiKey[]>;
  deleteApiKey(userId: number, keyId: number): Promise<boolean>;
  /** The user owning the key with this hash (recording its use), or null. */
  findUserByApiKey(keyHash: string, now: number): Promise<User | null>;
  /** The user owning the API key whose Fever hash this is (recording its use), or null. */
  findUserByFeverKey(feverHash: string, now: number): Promise<User | null>;

  /** The folder with this name, created when missing. */
  ensureFolder(userId: number, name: string): Promise<Folder>;
  listFolders(userId: number): Promise<Folder[]>;
  /** Renames a folder; false when it is not the user's or the name is taken. */
  renameFolder(userId: number, folderId: number, name: string): Promise<boolean>;
  /** Deletes a folder; its feeds stay subscribed, outside any folder. */
  deleteFolder(userId: number, folderId: number): Promise<boolean>;

  /** The feed for this URL and fetch options, created (due now) when missing. */
  ensureFeed(url: string, options: FetchOptions, now: number): Promise<Feed>;
  getFeed(id: number): Promise<Feed | null>;
  /**
   * Fetches a feed with other options from now on (due now, and whole: its ETag and Last-Modified
   * are forgotten, as another cookie or remove selector makes another document of the same one):
   * false, changing nothing, when another feed has its URL with those options.
   */
  setFeedOptions(feedId: number, options: FetchOptions, now: number): Promise<boolean>;
  /** How many users follow a feed. */
  countSubscribers(feedId: number): Promise<number>;
  /** The feed's WebSub subscription (see refresh/websub.ts); null when the feed is gone. */
  webSubOf(feedId: number): Promise<WebSubState | null>;
  /** Records a subscription asked of a hub, with the secret it was given, replacing the one before. */
  recordWebSubRequest(feedId: number, request: WebSubRequest, now: number): Promise<void>;
  /** Records the hub's confirmation: the subscription holds until `leaseUntil`. */
  recordWebSubLease(feedId: number, leaseUntil: number): Promise<void>;
  /**
   * Takes a document the feed's hub sent now, unless the last one taken was less than `spacingMs`
   * ago: 0 when taken, else the milliseconds left to wait. One at a time across processes.
   */
  claimWebSubPush(feedId: number, now: number, spacingMs: number): Promise<number>;
  /**
   * Feeds with at least one subscriber whose next check is due, soonest first (then by id). Given a
   * page: only those after `page.after` in that order, and not checked since `page.checkedSince`,
   * so that a pass can walk the due feeds a page at a time (see refresh/pool.ts).
   */
  dueFeeds(now: number, limit: number, page?: DuePage): Promise<Feed[]>;
  /** How many feeds dueFeeds(now) gives in all. */
  countDueFeeds(now: number): Promise<number>;
  /**
   * Makes due at `now` the feeds a clock that ran ahead (and was set back) left waiting: those
   * checked after `now` (by over a minute), whose last check becomes just before it, and those due more than
   * `furthestMs` after it, further than any schedule puts a check. How many there were.
   */
  rescheduleAheadOfClock(now: number, furthestMs: number): Promise<number>;
  /**
   * Stores a fetch's entries and the feed's new state, all or nothing; resolves once committed.
   * Fetches stored at the same time may share a commit, each still whole or absent.
   */
  recordFetchSuccess(
    feedId: number,
    update: FeedFetchUpdate,
    entries: readonly StorableEntry[],
  ): Promise<SaveResult>;
  recordNotModified(feedId: number, checkedAt: number, nextCheckAt: number): Promise<void>;
  recordFetchFailure(feedId: number, checkedAt: number, nextCheckAt: number, error: string): Promise<void>;
  /**
   * Moves a feed to a new URL after a permanent redirect. When another feed (with the same fetch
   * options) has that URL already, the two become that one with `merge`, else nothing changes
   * (FeedMove).
   */
  changeFeedUrl(feedId: number, url: string, now: number, merge: boolean): Promise<FeedMove>;
  /** The feed's icon (the site's favicon, found at subscribe time; else the feed's own image). */
  setFeedIcon(feedId: number, iconUrl: string): Promise<void>;
  /** Keeps the icon's image itself. */
  saveFeedIcon(feedId: number, icon: FeedIcon, now: number): Promise<void>;
  getFeedIcon(feedId: number): Promise<FeedIcon | null>;
  /** Publication times of the feed's newest entries (epoch ms, newest first), for scheduling. */
  recentPublishTimes(feedId: number, limit: number): Promise<number[]>;
  /** The feed's newest entries, newest first: what a refresh needs to tell new and changed ones. */
  recentEntries(feedId: number, limit: number): Promise<StoredEntryVersion[]>;
  /**
   * The dedupe keys of the feed's entries the retention policy removed, kept while its document
   * still holds them (see FeedFetchUpdate.gone): a refresh stores none of them again.
   */
  removedEntries(feedId: number): Promise<string[]>;

  /**
   * Subscribes (or moves an existing subscription); the feed's entries become the user's, unread:
   * those the subscription's rules let through, when it has some.
   */
  subscribe(userId: number, feedId: number, options: NewSubscription, now: number): Promise<Subscription>;
  /**
   * Subscribes to each feed as subscribe does, in one transaction (an OPML import): the feed made
   * when missing (with its options, due now), its folder too.
   */
  importSubscriptions(userId: number, items: ImportedSubscription[], now: number): Promise<void>;
  /** Unsubscribes; the user's starred entries of the feed are kept. False when not subscribed. */
  unsubscribe(userId: number, feedId: number): Promise<boolean>;
  listSubscriptions(userId: number): Promise<SubscriptionView[]>;
  /** Changes whenever the user's subscriptions or folders change (not their feeds' state). */
  subscriptionsVersion(userId: number): Promise<number>;
  /** Unread entries per subscribed feed (feeds with none may be missing). */
  unreadCounts(userId: number): Promise<Map<number, number>>;
  /** Changes a subscription's own title, folder and pause; false when not subscribed. */
  updateSubscription(userId: number, feedId: number, change: SubscriptionChange): Promise<boolean>;

  queryEntries(query: EntryQuery): Promise<EntryView[]>;
  /**
   * The ids of the entries `query` keeps, in its order (by id or date), up to its limit (at most
   * MAX_ENTRY_IDS) after the first `offset`, and how many it keeps in all. Bodies, shapes and
   * `after` play no part.
   */
  entryIds(query: EntryQuery, offset: number): Promise<{ ids: number[]; total: number }>;
  /**
   * The ids of every entry of the user's that is unread, or starred, newest first: read from the
   * state's index alone (303,772 unread of a million: ~0.1 s). Fever's unread_item_ids and
   * saved_item_ids, which clients take as the whole state.
   */
  stateEntryIds(userId: number, state: 'unread' | 'starred'): Promise<number[]>;
  /**
   * Replaces an entry's body with its full article (sanitized HTML, its text and reading time),
   * search index included; its content hash stays, so a refresh that finds the feed's item
   * unchanged keeps the article. A change at `now` for every reader of it (see changedAt). False
   * when there is no such entry.
   */
  replaceEntryContent(
    entryId: number,
    content: { html: string; text: string; readingMinutes: number },
    now: number,
  ): Promise<boolean>;
  /** Stored bodies by entry id, the first `limit` past `afterId`, with the link they resolve against. */
  entryBodies(afterId: number, limit: number): Promise<{ id: number; html: string; link: string | null }[]>;
  /**
   * Replaces entries' bodies with the same content sanitized again (refresh/resanitize.ts), search
   * index included: a change at `now` for every reader of each, as replaceEntryContent's.
   */
  rewriteEntryBodies(bodies: readonly { id: number; html: string }[], now: number): Promise<void>;
  /** A value the store's background work kept under `name` (see setStoreState), or null. */
  storeState(name: string): Promise<string | null>;
  setStoreState(name: string, value: string): Promise<void>;
  /** Changes the user's state of their entries; returns how many changed. */
  setEntryState(userId: number, entryIds: number[], change: EntryStateChange, now: number): Promise<number>;

  /**
   * Marks every unread entry in scope read, stamping them with `now`, which is also the key that
   * undoes it. Returns how many changed.
   */
  markAllRead(userId: number, scope: MarkReadScope, now: number): Promise<number>;
  /** Marks unread again, at `now`, what one markAllRead at `at` marked read. */
  undoMarkAllRead(userId: number, at: number, now: number): Promise<number>;
  /** The feed categories (lower-cased) of entries. */
  entryTags(entryIds: number[]): Promise<Map<number, string[]>>;
  /**
   * Puts labels on the user's entries (those they have) and takes others off: Google Reader's
   * labels on items, the user's own.
   */
  labelEntries(
    userId: number,
    entryIds: number[],
    change: { add: string[]; remove: string[] },
    now: number,
  ): Promise<void>;
  /** The labels the user put on each of these entries, by name. */
  entryLabels(userId: number, entryIds: number[]): Promise<Map<number, string[]>>;
  /** Every label the user has put on an entry, by name. */
  listEntryLabels(userId: number): Promise<string[]>;
  /** Renames a label on every entry that has it; false when no entry has it. */
  renameEntryLabel(userId: number, from: string, to: string): Promise<boolean>;
  /** Takes a label off every entry; false when no entry has it. */
  deleteEntryLabel(userId: number, label: string): Promise<boolean>;
  /**
   * Related-post candidates: among the newest `perTag` entries carrying each of `tags`, those
   * sharing the most of them, then the newest; never `exclude`, at most `limit`; only the user's
   * entries when `userId` is given.
   */
  entriesSharingTags(tags: string[], options: SharedTagsQuery): Promise<SharedTags[]>;
  /** Entries per day of each feed the user subscribes to, since a time. */
  feedActivity(userId: number, since: number): Promise<Map<number, DayCount[]>>;
  /** Entries the user marked read per day, since a time. */
  readingActivity(userId: number, since: number): Promise<DayCount[]>;

  /** Entries matching a search, best (or newest) first; an unusable query finds nothing. */
  searchEntries(query: SearchQuery): Promise<SearchHit[]>;
  /**
   * How many pieces (segments) the search index is in: each new batch of entries adds one, and
   * merging keeps them to a few dozen, but every look-up reads each one.
   */
  searchIndexSegments(): Promise<number>;
  /**
   * Merges the search index's segments towards one, writing about `pages` pages (4 KB each) at
   * most; true while there is more to merge. Searches find the same before, during and after.
   */
  compactSearchIndex(pages: number): Promise<boolean>;

  countEntries(feedId?: number): Promise<number>;

  /**
   * One step of removing old entries by `policy` (RetentionPolicy): looks at up to `limit` entries
   * that arrived before its cut-off, oldest first, from after `cursor`, and removes those no one
   * keeps, `maxRemoved` at most (the step ends at the last), in one transaction. Gives how many it
   * removed and where the next step starts (null once every entry has been looked at). With
   * `dryRun`, removes nothing and counts what it would.
   */
  removeOldEntries(
    policy: RetentionPolicy,
    now: number,
    cursor: RetentionCursor | null,
    limit: number,
    dryRun?: boolean,
    maxRemoved?: number,
  ): Promise<{ removed: number; next: RetentionCursor | null }>;
  /**
   * Removes up to `limit` entries of the feeds (or of feed `feedId`) past `maxPerFeed` entries,
   * the oldest of each first, but for those a user starred, saved for later or labelled, in one
   * transaction; gives how many it removed (fewer than `limit` once none is left to remove). With
   * `dryRun`, removes nothing and counts what it would.
   */
  trimFeeds(
    maxPerFeed: number,
    now: number,
    limit: number,
    feedId?: number,
    dryRun?: boolean,
  ): Promise<number>;

  /**
   * Publishes (or publishes again, under its old slug) what a user chose. Nothing is public
   * unless made so here.
   */
  createPublication(p: NewPublication, now: number): Promise<Publication>;
  /** The user's publications, withdrawn ones included, newest first. */
  listPublications(userId: number): Promise<Publication[]>;
  /** Every live publication of every user, for the public index and blogroll. */
  livePublications(): Promise<Publication[]>;
  /** A live publication by slug; withdrawn and unknown ones are null. */
  findPublication(slug: string): Promise<PublicationState | null>;
  /** Changes a publication of the user's; false when it is not theirs. */
  updatePublication(
    userId: number,
    id: number,
    change: { title?: string; fullContent?: boolean; withdrawn?: boolean },
    now: number,
  ): Promise<boolean>;
  /**
   * The entries a (non-search) publication covers: the publisher's, of the tag, folder, feed or
   * starred, without feeds marked not to republish. Newest first, by keyset.
   */
  publicationEntries(p: Publication, query: PublicationEntryQuery): Promise<Entry[]>;
  /** How many entries a (non-search) publication covers. */
  countPublicationEntries(p: Publication): Promise<number>;
  /**
   * What else of the user's subscription to one feed goes with them to another, which they follow
   * instead (new fetch options, a new URL): their publication of the feed, and its mark not to be
   * republished. Call it with both subscriptions there, before leaving the first.
   */
  carrySubscription(userId: number, fromFeedId: number, toFeedId: number, now: number): Promise<void>;
  /** The user's feeds whose owners do not allow republishing. */
  noRepublishFeeds(userId: number): Promise<Set<number>>;
  /** Marks a subscribed feed as not to be republished (or allows it again); false when not subscribed. */
  setRepublish(userId: number, feedId: number, allowed: boolean): Promise<boolean>;
}

/** Where a walk of the due feeds is (see Store.dueFeeds). */
export interface DuePage {
  /** The last feed of the previous page. */
  after?: Pick<Feed, 'nextCheckAt' | 'id'>;
  /** The walk's start: a feed checked since then is done. */
  checkedSince?: number;
}

/** A feed to subscribe to in an import (see Store.importSubscriptions). */
export interface ImportedSubscription {
  url: string;
  /** How the feed is fetched (a feed is shared by the subscribers who fetch it alike). */
  options: FetchOptions;
  /** The subscription's own title, or null for the feed's. */
  title: string | null;
  /** The folder's name, or null for none. */
  folder: string | null;
  /**
   * The site's URL as the file gives it (htmlUrl): the feed's until a fetch of it says otherwise,
   * so that a feed exported before it is fetched (or one that fails) keeps it.
   */
  siteUrl?: string | null;
  /** Subscription.minCheckMinutes and paused, when the file says (FreshRSS's ttl). */
  minCheckMinutes?: number;
  paused?: boolean;
}

/** A subscription as it is made: its folder and title, and what else is given with it (as SubscriptionChange's). */
export interface NewSubscription {
  folderId: number | null;
  title: string | null;
  blockRules?: string | null;
  keepRules?: string | null;
  minCheckMinutes?: number | null;
  paused?: boolean;
}

/** What updateSubscription changes: the fields given. */
export interface SubscriptionChange {
  title?: string | null;
  folderId?: number | null;
  paused?: boolean;
  /** The rules as written (checked by compileRule first); null or '' for none. */
  blockRules?: string | null;
  keepRules?: string | null;
  /** Subscription.minCheckMinutes; null for the feed's own pace. */
  minCheckMinutes?: number | null;
}

/** The methods of a Store. */
export type StoreMethod = {
  [K in keyof Store]: Store[K] extends (...args: never[]) => Promise<unknown> ? K : never;
}[keyof Store];

/**
 * What each method of a Store does to the database: `write` changes it, `read` does not (recording
 * an API key's use, at most once a minute, counts as a read), `local` acts on the connection. With
 * `gleaner serve --workers N` over SQLite, workers hand their writes to the primary (see
 * cli/cluster.ts). A method added to Store must be added here (the compiler checks).
 */
export const STORE_METHODS = {
  close: 'local',
  createUser: 'write',
  findUserByName: 'read',
  getUser: 'read',
  listUsers: 'read',
  getPasswordHash: 'read',
  findUserWithPasswordHash: 'read',
  setPasswordHash: 'write',
  setAdmin: 'write',
  renameUser: 'write',
  deleteUser: 'write',
  getUserSettings: 'read',
  setUserSettings: 'write',
  createSession: 'write',
  findSession: 'read',
  deleteSession: 'write',
  deleteUserSessions: 'write',
  createApiKey: 'write',
  listApiKeys: 'read',
  deleteApiKey: 'write',
  findUserByApiKey: 'read',
  findUserByFeverKey: 'read',
  ensureFolder: 'write',
  listFolders: 'read',
  renameFolder: 'write',
  deleteFolder: 'write',
  ensureFeed: 'write',
  getFeed: 'read',
  setFeedOptions: 'write',
  countSubscribers: 'read',
  webSubOf: 'read',
  recordWebSubRequest: 'write',
  recordWebSubLease: 'write',
  claimWebSubPush: 'write',
  dueFeeds: 'read',
  countDueFeeds: 'read',
  rescheduleAheadOfClock: 'write',
  recordFetchSuccess: 'write',
  recordNotModified: 'write',
  recordFetchFailure: 'write',
  changeFeedUrl: 'write',
  setFeedIcon: 'write',
  saveFeedIcon: 'write',
  getFeedIcon: 'read',
  recentPublishTimes: 'read',
  recentEntries: 'read',
  removedEntries: 'read',
  subscribe: 'write',
  importSubscriptions: 'write',
  unsubscribe: 'write',
  listSubscriptions: 'read',
  subscriptionsVersion: 'read',
  unreadCounts: 'read',
  updateSubscription: 'write',
  queryEntries: 'read',
  entryIds: 'read',
  stateEntryIds: 'read',
  replaceEntryContent: 'write',
  entryBodies: 'read',
  rewriteEntryBodies: 'write',
  storeState: 'read',
  setStoreState: 'write',
  setEntryState: 'write',
  markAllRead: 'write',
  undoMarkAllRead: 'write',
  entryTags: 'read',
  labelEntries: 'write',
  entryLabels: 'read',
  listEntryLabels: 'read',
  renameEntryLabel: 'write',
  deleteEntryLabel: 'write',
  entriesSharingTags: 'read',
  feedActivity: 'read',
  readingActivity: 'read',
  searchEntries: 'read',
  searchIndexSegments: 'read',
  compactSearchIndex: 'write',
  countEntries: 'read',
  removeOldEntries: 'write',
  trimFeeds: 'write',
  createPublication: 'write',
  listPublications: 'read',
  livePublications: 'read',
  findPublication: 'read',
  updatePublication: 'write',
  publicationEntries: 'read',
  countPublicationEntries: 'read',
  noRepublishFeeds: 'read',
  setRepublish: 'write',
  carrySubscription: 'write',
} as const satisfies Record<StoreMethod, 'read' | 'write' | 'local'>;
