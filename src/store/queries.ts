// SQL built from structured queries, shared by both dialects (placeholders are `?`; the
// PostgreSQL store numbers them).
import { entryMatch, termMatch, toMatchQuery } from '../search/index.js';
import { ENTRY_COLUMNS, SHAPE_COLUMNS } from './rows.js';
import type {
  EntryQuery,
  EntryShape,
  EntryStateChange,
  MarkReadScope,
  SearchQuery,
  SharedTagsQuery,
} from './types.js';

export interface Sql {
  sql: string;
  params: (string | number)[];
}

// Lists are bounded so a client cannot ask for a million rows at once.
const MAX_PAGE = 1000;

/** A count of rows a query may ask for: a whole number from 1 to MAX_PAGE. */
export function pageSize(n: number): number {
  return Math.max(1, Math.min(MAX_PAGE, Math.floor(n)) || 1);
}

/**
 * `LIMIT n` with the count written into the statement (pageSize() makes it a whole number), not
 * bound: SQLite (3.53) plans with a bound LIMIT's value and marks the statement to be compiled again
 * whenever that parameter is bound again, that is on every run. Compiling the entry list's
 * statement again took ~3% of the server's CPU serving Miniflux's lists.
 */
export function limitClause(n: number): string {
  return `LIMIT ${pageSize(n)}`;
}

/**
 * The columns of an entry row read from `entries e`, in ENTRY_COLUMNS' order (a shaped row's: in
 * SHAPE_COLUMNS' order, only those), and the join that brings its body (kept in entry_bodies,
 * migration 9) when the caller wants content: lists do not, read small rows, and get the bodies as
 * empty strings.
 */
export function entryColumns(
  withContent: boolean | 'json' | undefined,
  shape?: EntryShape,
  quote: JsonQuote = 'json_quote',
): { columns: string; bodyJoin: string } {
  const body = entryBody(withContent, shape);
  const key = `${shape ?? 'all'} ${String(body)} ${quote}`;
  let made = ENTRY_COLUMN_LISTS.get(key);
  if (!made) {
    const wanted = shape ? SHAPE_COLUMNS[shape] : ENTRY_COLUMNS;
    const columns = wanted
      .map((c) => {
        if (c !== 'content_html') return `e.${c}`;
        // The body quoted as JSON: UTF-8 bytes, or text from gleaner_json_quote (see toEntryView).
        if (body === 'json')
          return quote === 'json_quote'
            ? `CAST(json_quote(b.${c}) AS BLOB) AS ${c}`
            : `${quote}(b.${c}) AS ${c}`;
        return body ? `b.${c}` : `'' AS ${c}`;
      })
      .join(', ');
    made = { columns, bodyJoin: body ? 'JOIN entry_bodies b ON b.entry_id = e.id' : '' };
    ENTRY_COLUMN_LISTS.set(key, made);
  }
  return made;
}

/** What an entry query reads of the body: nothing (false), the HTML (true) or it quoted as JSON. */
export function entryBody(withContent: boolean | 'json' | undefined, shape?: EntryShape): boolean | 'json' {
  return shape === 'list' ? false : (withContent ?? true);
}

/**
 * The SQL function that quotes bodies as JSON: SQLite's json_quote(), or ours (native/quote.c: the
 * same bytes, ~2.5× faster; a 100-entry Miniflux list's read from 787 to 684 µs).
 */
export type JsonQuote = 'json_quote' | 'gleaner_json_quote';

// Made once for each shape and kind of body.
const ENTRY_COLUMN_LISTS = new Map<string, { columns: string; bodyJoin: string }>();

/** Every entry column but the bodies (read back as empty strings). */
export const LIST_COLUMNS = entryColumns(false).columns;

/**
 * Where the user's state follows the entry's columns in a raw row of entryQuerySql() (in a shaped
 * one, after its SHAPE_COLUMNS).
 */
export const STATE_AT = ENTRY_COLUMNS.length;

/**
 * What an entry list reads `ue` from: the user_entries table, or — given ids — the ids first, each
 * looked up by key (CROSS JOIN fixes SQLite's join order: left to choose, the planner walked the
 * user's whole date index to spare a sort, 70 ms at 1M entries instead of 0.1). Adds the condition
 * tying them to `where`.
 */
export function userEntriesSource(
  entryIds: number[] | undefined,
  where: string[],
): { from: string; fromParams: string[] } {
  if (entryIds === undefined) return { from: 'user_entries ue', fromParams: [] };
  if (entryIds.length === 0) {
    where.push('1 = 0');
    return { from: 'user_entries ue', fromParams: [] };
  }
  where.push('ue.entry_id = ids.value');
  return {
    from: 'json_each(?) ids CROSS JOIN user_entries ue',
    fromParams: [JSON.stringify([...new Set(entryIds)])],
  };
}

/**
 * The feeds a user subscribed to at or after a time (bound after the user): every entry of such a
 * feed arrived for them then, however long before it came (EntryQuery.arrivedSince).
 */
const SUBSCRIBED_SINCE = 'SELECT feed_id FROM subscriptions WHERE user_id = ? AND created_at >= ?';

/**
 * What a user's entry list keeps (entryQuerySql, entryIdsSql): where it reads from, on what
 * conditions (arrival filters' on `entries e`, which the caller joins, as it does for the orders
 * by title and author).
 */
function entryFilterSql(
  q: EntryQuery,
  /** A search as a condition tested along the list's own index, not its source (see entryIdsSql). */
  searchTested = false,
): {
  from: string;
  where: string[];
  params: (string | number)[];
  /** Whether a condition or the order reads `entries e`. */
  onEntries: boolean;
} {
  const where = ['ue.user_id = ?'];
  const params: (string | number)[] = [q.userId];
  // A search's matches, each looked up in the user's entries (see EntryQuery.search).
  let searched = false;
  if (q.search !== undefined) {
    const { match } = toMatchQuery(q.search);
    if (match === null) where.push('1 = 0');
    else {
      const expression = entryMatch(match, q.feedId === undefined ? null : [q.feedId]);
      if (q.entryIds === undefined && !searchTested) {
        searched = true;
        where.push('entry_fts MATCH ?', 'ue.entry_id = entry_fts.rowid');
      } else where.push('+ue.entry_id IN (SELECT rowid FROM entry_fts WHERE entry_fts MATCH ?)');
      params.push(expression);
    }
  }
  if (q.feedId !== undefined) {
    where.push('ue.feed_id = ?');
    params.push(q.feedId);
  }
  if (q.folderId === null) {
    where.push('ue.feed_id IN (SELECT feed_id FROM subscriptions WHERE user_id = ? AND folder_id IS NULL)');
    params.push(q.userId);
  } else if (q.folderId !== undefined) {
    where.push('ue.feed_id IN (SELECT feed_id FROM subscriptions WHERE user_id = ? AND folder_id = ?)');
    params.push(q.userId, q.folderId);
  }
  if (q.status === 'unread') where.push('ue.read = 0');
  else if (q.status === 'read') where.push('ue.read = 1');
  if (q.starred !== undefined) where.push(q.starred ? 'ue.starred = 1' : 'ue.starred = 0');
  if (q.readLater) where.push('ue.read_later = 1');
  for (const tag of q.tags ?? []) {
    where.push('ue.entry_id IN (SELECT entry_id FROM entry_tags WHERE tag = ?)');
    params.push(tag);
  }
  if (q.label !== undefined) {
    where.push('ue.entry_id IN (SELECT entry_id FROM entry_labels WHERE user_id = ? AND label = ?)');
    params.push(q.userId, q.label);
  }
  const source = userEntriesSource(q.entryIds, where);
  // The search index first: CROSS JOIN keeps that order.
  const from = searched ? `entry_fts CROSS JOIN ${source.from}` : source.from;
  const { fromParams } = source;
  for (const [value, condition] of [
    [q.idAbove, 'ue.entry_id > ?'],
    [q.idBelow, 'ue.entry_id < ?'],
    [q.publishedAfter, 'ue.published_at > ?'],
    [q.publishedBefore, 'ue.published_at < ?'],
    [q.changedAfter, 'ue.changed_at > ?'],
    [q.changedBefore, 'ue.changed_at < ?'],
  ] as const) {
    if (value === undefined) continue;
    where.push(condition);
    params.push(value);
  }
  if (q.arrivedSince !== undefined) {
    where.push(`(e.created_at >= ? OR ue.feed_id IN (${SUBSCRIBED_SINCE}))`);
    params.push(q.arrivedSince, q.userId, q.arrivedSince);
  }
  if (q.arrivedBefore !== undefined) {
    where.push(`(e.created_at < ? AND ue.feed_id NOT IN (${SUBSCRIBED_SINCE}))`);
    params.push(q.arrivedBefore, q.userId, q.arrivedBefore);
  }
  const onEntries =
    q.arrivedSince !== undefined ||
    q.arrivedBefore !== undefined ||
    q.sortBy === 'title' ||
    q.sortBy === 'author';
  return { from, where, params: [...fromParams, ...params], onEntries };
}

/**
 * The ORDER BY of a user's entry list (EntryQuery.sortBy and order); `id` names the entry id column.
 * A feed's entries by change time are its index's rows sorted (its thousand: ~1 ms), not the user's
 * change index walked in order for them (115 ms on a million entries).
 */
function entryOrderSql(q: EntryQuery, id = 'ue.entry_id'): string {
  const dir = q.order === 'oldest' ? 'ASC' : 'DESC';
  const byDate = `ue.published_at ${dir}, ue.entry_id ${dir}`;
  switch (q.sortBy) {
    case 'id':
      return `${id} ${dir}`;
    case 'changed':
      return `${q.feedId !== undefined ? '+' : ''}ue.changed_at ${dir}, ue.entry_id ${dir}`;
    case 'status':
      // Unread (0) first newest first: the date index (user, read, date, id) walked either way.
      return `ue.read ${dir === 'DESC' ? 'ASC' : 'DESC'}, ${byDate}`;
    case 'title':
      return `lower(e.title) ${dir}, ${byDate}`;
    case 'author':
      return `lower(COALESCE(e.author, '')) ${dir}, ${byDate}`;
    default:
      return byDate;
  }
}

/**
 * A user's entry list: its rows (see STATE_AT), or with `statesOnly` each entry's id and the user's
 * state of it, read from the list's index alone (see SqliteStore.keptOrRead).
 */
export function entryQuerySql(q: EntryQuery, quote?: JsonQuote, statesOnly = false): Sql {
  const { from, where, params, onEntries } = entryFilterSql(q);
  const oldest = q.order === 'oldest';
  const orderBy = entryOrderSql(q);
  if (q.after) {
    const cmp = oldest ? '>' : '<';
    // A row comparison is an index range; the equivalent OR is not, and deep pages scanned from the top.
    where.push(`(ue.published_at, ue.entry_id) ${cmp} (?, ?)`);
    params.push(q.after.publishedAt, q.after.id);
  }
  const state = `ue.read AS ue_read, ue.starred AS ue_starred, ue.read_later AS ue_read_later,
         ue.changed_at AS ue_changed_at`;
  if (statesOnly) {
    return {
      sql: `SELECT ue.entry_id, ${state}
       FROM ${from} ${onEntries ? 'JOIN entries e ON e.id = ue.entry_id' : ''}
       WHERE ${where.join(' AND ')}
       ORDER BY ${orderBy} ${limitClause(q.limit)}`,
      params,
    };
  }
  const { columns, bodyJoin } = entryColumns(q.withContent, q.shape, quote);
  return {
    sql: `SELECT ${columns}, ${state}
       FROM ${from} JOIN entries e ON e.id = ue.entry_id ${bodyJoin}
       WHERE ${where.join(' AND ')}
       ORDER BY ${orderBy} ${limitClause(q.limit)}`,
    params,
  };
}

/**
 * What an entry's change time for its user (user_entries.changed_at) becomes when it changes at
 * the time bound to `?`: that time, or just after the last one when the clock has not moved on.
 * Every change gives a time the entry never had for the user, which tells a copy kept in memory
 * (see entrycache.ts) from the entry as it is.
 */
export const CHANGED = 'MAX(?, changed_at + 1)';

/** The most ids an id list (entryIdsSql) gives at once: Miniflux's /v1/entries/ids answers as many. */
export const MAX_ENTRY_IDS = 10_000;

/**
 * The ids of the entries a query keeps (its limit up to MAX_ENTRY_IDS, after `offset`), in its
 * order, and how many it keeps in all. By id with a filter, the filter's index is read and its ids
 * sorted (a feed's 1,000: 0.2 ms, 10,000 of 300,000 unread: 22-50 ms), not the user's whole id
 * index walked in order (176 ms for a feed's); with none, that index is the list. With `walk`, a
 * change window and a search are tested on the way along the order's own index instead of being
 * found in the change index or the search index and sorted: for a window or a search holding much
 * of the user's entries (see SqliteStore.walkBeatsSort). The count always finds them.
 */
export function entryIdsSql(q: EntryQuery, offset: number, walk = false): { list: Sql; count: Sql } {
  const counted = entryFilterSql(q);
  const { from: source, where: filters, params, onEntries } = walk ? entryFilterSql(q, true) : counted;
  const join = onEntries ? ' JOIN entries e ON e.id = ue.entry_id' : '';
  const listed = walk ? filters.map((c) => (c.startsWith('ue.changed_at') ? `+${c}` : c)) : filters;
  const orderBy = entryOrderSql(q, filters.length > 1 && !walk ? '+ue.entry_id' : 'ue.entry_id');
  const limit = Math.max(1, Math.min(MAX_ENTRY_IDS, Math.floor(q.limit) || 1));
  return {
    list: {
      sql: `SELECT ue.entry_id FROM ${source}${join} WHERE ${listed.join(' AND ')} ORDER BY ${orderBy} LIMIT ? OFFSET ?`,
      params: [...params, limit, Math.max(0, Math.floor(offset))],
    },
    count: {
      sql: `SELECT COUNT(*) FROM ${counted.from}${join} WHERE ${counted.where.join(' AND ')}`,
      params: counted.params,
    },
  };
}

export function entryStateSql(
  userId: number,
  entryIds: number[],
  change: EntryStateChange,
  now: number,
): Sql | null {
  const set: string[] = [];
  const params: (string | number)[] = [];
  if (change.read !== undefined) {
    set.push('read = ?', 'read_at = ?');
    params.push(change.read ? 1 : 0, now);
  }
  if (change.starred !== undefined) {
    set.push('starred = ?', 'starred_at = ?');
    params.push(change.starred ? 1 : 0, now);
  }
  // A read or star mark is a change a syncing client asks for (Miniflux's changed_at).
  if (set.length > 0) {
    set.push(`changed_at = ${CHANGED}`);
    params.push(now);
  }
  if (change.readLater !== undefined) {
    set.push('read_later = ?');
    params.push(change.readLater ? 1 : 0);
  }
  if (set.length === 0 || entryIds.length === 0) return null;
  params.push(userId, ...entryIds);
  return {
    sql: `UPDATE user_entries SET ${set.join(', ')} WHERE user_id = ? AND entry_id IN (${entryIds.map(() => '?').join(', ')})`,
    params,
  };
}

/** The user's unread entries in a mark-all-read scope. */
export function markReadScopeSql(userId: number, scope: MarkReadScope): Sql {
  const where = ['user_id = ?', 'read = 0'];
  const params: (string | number)[] = [userId];
  if (scope.feedId !== undefined) {
    where.push('feed_id = ?');
    params.push(scope.feedId);
  }
  if (scope.folderId !== undefined) {
    where.push('feed_id IN (SELECT feed_id FROM subscriptions WHERE user_id = ? AND folder_id = ?)');
    params.push(userId, scope.folderId);
  }
  if (scope.publishedBefore !== undefined) {
    where.push('published_at < ?');
    params.push(scope.publishedBefore);
  }
  if (scope.starred) where.push('starred = 1');
  if (scope.label !== undefined) {
    where.push('entry_id IN (SELECT entry_id FROM entry_labels WHERE user_id = ? AND label = ?)');
    params.push(userId, scope.label);
  }
  if (scope.arrivedBefore !== undefined) {
    where.push(
      'EXISTS (SELECT 1 FROM entries e WHERE e.id = user_entries.entry_id AND e.created_at < ?)',
      `feed_id NOT IN (${SUBSCRIBED_SINCE})`,
    );
    params.push(scope.arrivedBefore, userId, scope.arrivedBefore);
  }
  return { sql: where.join(' AND '), params };
}

/**
 * The most entries an arrival filter (EntryQuery.arrivedSince/arrivedBefore) looks up by arrival
 * before listing. A client syncing every few minutes asks for a handful: found by the arrival
 * index, they are listed and sorted alone (0.8 ms for 55 of a million), where a list filtered row
 * by row walks the user's date index until enough match (84 ms when 50 do). 2,000 took 4.7 ms to
 * list that way, 5,000 16 ms; beyond the window the filter is left to the list, which most entries
 * then pass.
 */
export const ARRIVAL_WINDOW = 2000;

/**
 * How many of a search's newest matches (by entry id: the order they arrived in) a page is chosen
 * from. A common word matches a good share of a million entries ("latency": 147,496); reading the
 * newest few hundred takes a fraction of a millisecond, where ranking every match took 72 ms and
 * sorting every match by date 230 ms. Older matches still come up when the user's filters leave too
 * few of these.
 */
export const RECENT_MATCHES = 500;

/**
 * The same by date, which only sorts them: entries arrive nearly in date order, so the newest 200
 * arrivals usually hold the newest page (searchMissedSql tells when they do not); each looked up
 * in the user's entries cost a third of the query at 500 (1.45 ms against 1.01 on the million
 * entries). Oldest first, they are the page only when they are every match.
 */
export const NEWEST_MATCHES = 200;

/**
 * How many of the index's newest matches a bounded search reads: `window`, or twice what a deep
 * page needs.
 */
export function searchWindow(q: SearchQuery, window: number): number {
  return Math.max(window, (pageSize(q.limit) + Math.max(0, Math.floor(q.offset))) * 2);
}

/**
 * How a search ranks by relevance: BM25 over the entries' index, titles weighing four times the
 * body and the feed column nothing. Given the index's lowest and highest rowid, gleaner_bm25()
 * (native/rank.c: the same scores, without counting every match of a common word); else SQLite's
 * own bm25().
 */
export function searchRank(rowids: readonly [number, number] | null): Sql {
  const weights = '4.0, 1.0, 0.0';
  return rowids
    ? { sql: `gleaner_bm25(entry_fts, ?, ?, ${weights})`, params: [...rowids] }
    : { sql: `bm25(entry_fts, ${weights})`, params: [] };
}

/** A search's conditions on the user's entries (`ue`), as `AND …`, or '' for none. */
function searchFilterSql(q: SearchQuery): Sql {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (q.feedId !== undefined) {
    where.push('ue.feed_id = ?');
    params.push(q.feedId);
  }
  if (q.folderId !== undefined) {
    where.push('ue.feed_id IN (SELECT feed_id FROM subscriptions WHERE user_id = ? AND folder_id = ?)');
    params.push(q.userId, q.folderId);
  }
  if (q.since !== undefined) {
    where.push('ue.published_at >= ?');
    params.push(q.since);
  }
  if (q.status === 'unread') where.push('ue.read = 0');
  if (q.starred) where.push('ue.starred = 1');
  return { sql: where.length ? `AND ${where.join(' AND ')}` : '', params };
}

/**
 * A full-text search (SQLite FTS5): `match` is the MATCH expression built from what the user typed.
 * Given a window, the page is chosen from the index's newest matches (searchWindow()): by date, or
 * by relevance among the best few hundred of them (all of them when the user's filters keep few).
 * Only those are joined with the user's entries and filters; the caller widens the window, then
 * asks with none (every match), when that leaves too few. By date, a window's page is the answer
 * only when the window held every match or, newest first, when none it left out is newer than the
 * page's last (searchMissedSql): entries do not arrive in date order (a feed subscribed to brings
 * its archive), so the newest arrivals need not hold the newest page. With 'walk', by date, the
 * user's date index is walked in order, each entry tested against the index's matches, to the
 * page's end (a common word's first page on a million entries: ~12 ms, where sorting its 85,000
 * matches took ~90). Given `feedIds` (the feed filtered on, a folder's feeds), the index itself
 * keeps only their entries.
 */
export function searchSql(
  q: SearchQuery,
  match: string,
  window: number | null | 'walk',
  feedIds: readonly number[] | null,
  rank: Sql = searchRank(null),
): Sql {
  const { sql: filters, params } = searchFilterSql(q);
  const limit = pageSize(q.limit);
  const offset = Math.max(0, Math.floor(q.offset));
  const page = [limit, offset];
  const wanted = limit + offset;
  const newest = q.sort === 'newest';
  const byDate = q.sort !== 'relevance';
  const order = newest
    ? 'published_at DESC, entry_id DESC'
    : byDate
      ? 'published_at ASC, entry_id ASC'
      : 'score, published_at DESC';
  const score = byDate ? '0' : rank.sql;
  // The score stands before the MATCH in either statement.
  const scoreParams = byDate ? [] : rank.params;
  // The page is chosen from the index and the user's state alone (CROSS JOIN keeps that order);
  // only its rows are read from entries, whose bodies are large.
  const picked = `ue.entry_id, ue.published_at, ue.read, ue.starred, ue.read_later, ue.changed_at`;
  const head =
    window === 'walk'
      ? `WITH page AS (
           SELECT ${picked}, 0 AS score FROM user_entries ue
           WHERE ue.user_id = ? AND +ue.entry_id IN (SELECT rowid FROM entry_fts WHERE entry_fts MATCH ?) ${filters}
           ORDER BY ${order} LIMIT ? OFFSET ?
         )`
      : window !== null
        ? `WITH recent AS (
           SELECT rowid AS id, ${score} AS score FROM entry_fts
           WHERE entry_fts MATCH ? ORDER BY rowid DESC LIMIT ?
         ), hits AS (
           SELECT id, score FROM recent ${byDate ? '' : 'ORDER BY score LIMIT ?'}
         ), page AS (
           SELECT ${picked}, hits.score AS score FROM hits CROSS JOIN user_entries ue
           WHERE ue.user_id = ? AND ue.entry_id = hits.id ${filters}
           ORDER BY ${order} LIMIT ? OFFSET ?
         )`
        : `WITH page AS (
           SELECT ${picked}, ${score} AS score FROM entry_fts CROSS JOIN user_entries ue
           WHERE entry_fts MATCH ? AND ue.user_id = ? AND ue.entry_id = entry_fts.rowid ${filters}
           ORDER BY ${order} LIMIT ? OFFSET ?
         )`;
  const expression = entryMatch(match, feedIds);
  // Filters on the user's state may keep few of the best few hundred: then every match of the
  // window is ranked.
  const selective = q.status === 'unread' || q.starred === true || q.since !== undefined;
  const size = typeof window === 'number' ? searchWindow(q, window) : 0;
  const headParams =
    window === 'walk'
      ? [q.userId, expression, ...params, ...page]
      : window !== null
        ? [
            ...scoreParams,
            expression,
            size,
            ...(byDate ? [] : [selective ? size : Math.max(200, wanted * 4)]),
            q.userId,
            ...params,
            ...page,
          ]
        : [...scoreParams, expression, q.userId, ...params, ...page];
  // Last, the lowest entry id the window held, and how many matches it held: fewer than its size,
  // and it held them all. A window whose matches the filters all left out still answers one row, of
  // nulls but those, so the search knows without reading the index again.
  const windowed = typeof window === 'number';
  const from = windowed
    ? `(SELECT MIN(id) AS lowest, COUNT(*) AS matched FROM recent) m LEFT JOIN page ON 1
         LEFT JOIN entries e ON e.id = page.entry_id`
    : 'page CROSS JOIN entries e ON e.id = page.entry_id';
  return {
    sql: `${head}
       SELECT ${LIST_COLUMNS}, b.content_html AS search_html, page.read AS ue_read, page.starred AS ue_starred,
         page.read_later AS ue_read_later, page.changed_at AS ue_changed_at,
         ${windowed ? 'm.lowest, m.matched' : 'NULL, NULL'} AS matched
       FROM ${from} LEFT JOIN entry_bodies b ON b.entry_id = e.id
       ORDER BY ${order.replace(/published_at|entry_id|score/g, (c) => `page.${c}`)}`,
    params: headParams,
  };
}

/**
 * Whether the user has a match of a search, with its filters, that the index's newest matches
 * (those from entry `below` up) left out and that is newer than `after` (epoch ms): one that
 * belongs on a page chosen from them, newest first. Entries arrive nearly in date order, so the
 * user's few entries newer than a page's last are looked up in the index one by one, and found
 * among the window's; a feed subscribed to brings older entries, and a fetch of many feeds at
 * once (an OPML import) mixes dates, whose matches this finds.
 */
export function searchMissedSql(
  q: SearchQuery,
  match: string,
  feedIds: readonly number[] | null,
  after: number,
  below: number,
): Sql {
  const { sql: filters, params } = searchFilterSql(q);
  return {
    sql: `SELECT 1 FROM user_entries ue
       WHERE ue.user_id = ? AND ue.published_at > ? AND +ue.entry_id < ? ${filters}
         AND EXISTS (SELECT 1 FROM entry_fts WHERE entry_fts MATCH ? AND rowid = ue.entry_id)
       LIMIT 1`,
    params: [q.userId, after, below, ...params, entryMatch(match, feedIds)],
  };
}

/**
 * Entries sharing tags (and title terms) with an article, scored in the database: the newest
 * `perTag` of each tag and `perTerm` of each term (distinct ones), counted per entry, most shared
 * first, then newest. Given a user, only their entries: the filter runs on the ranked list as it is
 * read, and stops at the limit.
 */
export function sharedTagsSql(tags: string[], q: SharedTagsQuery): Sql | null {
  const distinct = [...new Set(tags)];
  const terms = [...new Set(q.titleTerms ?? [])];
  if (distinct.length + terms.length === 0) return null;
  const perTag = pageSize(q.perTag);
  const each = [
    ...distinct.map(
      (_, i) =>
        `SELECT entry_id FROM (SELECT entry_id FROM entry_tags WHERE tag = ? ORDER BY entry_id DESC LIMIT ?) t${i}`,
    ),
    ...terms.map(
      (_, i) =>
        `SELECT rowid AS entry_id FROM (SELECT rowid FROM entry_fts WHERE entry_fts MATCH ? ORDER BY rowid DESC LIMIT ?) w${i}`,
    ),
  ];
  return {
    sql: `SELECT id, shared FROM (
        SELECT entry_id AS id, COUNT(*) AS shared FROM (${each.join(' UNION ALL ')}) c
        WHERE entry_id <> ? GROUP BY entry_id ORDER BY shared DESC, entry_id DESC
      ) g${q.userId === undefined ? '' : ' WHERE EXISTS (SELECT 1 FROM user_entries ue WHERE ue.user_id = ? AND ue.entry_id = g.id)'}
      ORDER BY shared DESC, id DESC LIMIT ?`,
    params: [
      ...distinct.flatMap((tag) => [tag, perTag]),
      ...terms.flatMap((term) => [termMatch(term), pageSize(q.perTerm ?? perTag)]),
      q.exclude,
      ...(q.userId === undefined ? [] : [q.userId]),
      pageSize(q.limit),
    ],
  };
}
