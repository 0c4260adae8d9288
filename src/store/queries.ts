// SQL built from structured queries, shared by both dialects (placeholders are `?`; the
// PostgreSQL store numbers them).
import type { EntryQuery, EntryStateChange } from './types.js';

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
