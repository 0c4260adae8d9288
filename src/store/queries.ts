// SQL built from structured queries, shared by both dialects (placeholders are `?`; the
// PostgreSQL store numbers them).
import type { EntryQuery, EntryStateChange, MarkReadScope, SearchQuery } from './types.js';

export interface Sql {
  sql: string;
  params: (string | number)[];
}

// Lists are bounded so a client cannot ask for a million rows at once.
export const MAX_PAGE = 1000;

export function entryQuerySql(q: EntryQuery): Sql {
  const where = ['ue.user_id = ?'];
  const params: (string | number)[] = [q.userId];
  if (q.feedId !== undefined) {
    where.push('ue.feed_id = ?');
    params.push(q.feedId);
  }
  if (q.folderId !== undefined) {
    where.push('ue.feed_id IN (SELECT feed_id FROM subscriptions WHERE user_id = ? AND folder_id = ?)');
    params.push(q.userId, q.folderId);
  }
  if (q.status === 'unread') where.push('ue.read = 0');
  else if (q.status === 'read') where.push('ue.read = 1');
  if (q.starred) where.push('ue.starred = 1');
  if (q.readLater) where.push('ue.read_later = 1');
  if (q.tag !== undefined) {
    where.push('ue.entry_id IN (SELECT entry_id FROM entry_tags WHERE tag = ?)');
    params.push(q.tag);
  }
  if (q.entryIds) {
    if (q.entryIds.length === 0) where.push('1 = 0');
    else {
      where.push(`ue.entry_id IN (${q.entryIds.map(() => '?').join(', ')})`);
      params.push(...q.entryIds);
    }
  }
  const oldest = q.order === 'oldest';
  if (q.after) {
    const cmp = oldest ? '>' : '<';
    where.push(`(ue.published_at ${cmp} ? OR (ue.published_at = ? AND ue.entry_id ${cmp} ?))`);
    params.push(q.after.publishedAt, q.after.publishedAt, q.after.id);
  }
  const dir = oldest ? 'ASC' : 'DESC';
  params.push(Math.max(1, Math.min(MAX_PAGE, Math.floor(q.limit))));
  return {
    sql: `SELECT e.*, ue.read AS ue_read, ue.starred AS ue_starred, ue.read_later AS ue_read_later
       FROM user_entries ue JOIN entries e ON e.id = ue.entry_id
       WHERE ${where.join(' AND ')}
       ORDER BY ue.published_at ${dir}, ue.entry_id ${dir} LIMIT ?`,
    params,
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
  return { sql: where.join(' AND '), params };
}

/** A full-text search (SQLite FTS5): `match` is the MATCH expression built from what the user typed. */
export function searchSql(q: SearchQuery, match: string): Sql {
  const where = ['entry_fts MATCH ?'];
  const params: (string | number)[] = [q.userId, match];
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
  // Titles weigh four times the body.
  const order =
    q.sort === 'newest'
      ? 'ue.published_at DESC, ue.entry_id DESC'
      : 'bm25(entry_fts, 4.0, 1.0), ue.published_at DESC';
  params.push(Math.max(1, Math.min(MAX_PAGE, Math.floor(q.limit))), Math.max(0, Math.floor(q.offset)));
  return {
    sql: `SELECT e.*, ue.read AS ue_read, ue.starred AS ue_starred, ue.read_later AS ue_read_later
       FROM entry_fts JOIN user_entries ue ON ue.entry_id = entry_fts.rowid AND ue.user_id = ?
         JOIN entries e ON e.id = ue.entry_id
       WHERE ${where.join(' AND ')}
       ORDER BY ${order} LIMIT ? OFFSET ?`,
    params,
  };
}
