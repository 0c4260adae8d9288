// The SQL of publishing: publications, and the entries each covers. Shared by both dialects
// (placeholders are `?`; the PostgreSQL store numbers them).
import { entryColumns, limitClause, userEntriesSource, type Sql } from './queries.js';
import type { Row } from './rows.js';
import type { Publication, PublicationEntryQuery, PublicationKind } from './types.js';

export const PUBLICATION_SQL = {
  insert: `INSERT INTO publications (user_id, kind, value, slug, title, full_content, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
  byTarget: 'SELECT * FROM publications WHERE user_id = ? AND kind = ? AND value = ?',
  slugTaken: 'SELECT 1 FROM publications WHERE slug = ?',
  republish: `UPDATE publications SET withdrawn_at = NULL, full_content = ?, updated_at = ? WHERE id = ?
    RETURNING *`,
  ofUser: 'SELECT * FROM publications WHERE user_id = ? ORDER BY created_at DESC, id DESC',
  live: 'SELECT * FROM publications WHERE withdrawn_at IS NULL ORDER BY title, id',
  // What a cached page of it depends on, read with it: the newest entry anywhere, the publisher's
  // subscriptions (folders, the republish switch), the publication itself, and for starred
  // publications how many are starred (the partial index counts them).
  bySlug: `SELECT p.*, (SELECT MAX(id) FROM entries) AS max_entry_id, u.subscriptions_version AS subs_version,
      CASE WHEN p.kind = 'starred'
        THEN (SELECT COUNT(*) FROM user_entries ue WHERE ue.user_id = p.user_id AND ue.starred = 1)
        ELSE 0 END AS starred_count
    FROM publications p JOIN users u ON u.id = p.user_id
    WHERE p.slug = ? AND p.withdrawn_at IS NULL`,
  update: `UPDATE publications SET title = COALESCE(?, title), full_content = COALESCE(?, full_content),
      withdrawn_at = CASE WHEN ? = 1 THEN COALESCE(withdrawn_at, ?) WHEN ? = 0 THEN NULL ELSE withdrawn_at END,
      updated_at = ?
    WHERE user_id = ? AND id = ?`,
  noRepublish: 'SELECT feed_id FROM subscriptions WHERE user_id = ? AND no_republish = 1',
  /** The queries of live search publications, which the search index matches (see SHOWN_BY_PUBLICATION). */
  liveSearches: `SELECT DISTINCT value FROM publications WHERE kind = 'search' AND withdrawn_at IS NULL`,
  setRepublish: 'UPDATE subscriptions SET no_republish = ? WHERE user_id = ? AND feed_id = ?',
  carryRepublish: `UPDATE subscriptions SET no_republish = (
      SELECT no_republish FROM subscriptions WHERE user_id = ? AND feed_id = ?)
    WHERE user_id = ? AND feed_id = ?`,
  // Unless the user publishes that feed already.
  carryPublication: `UPDATE publications SET value = ?, updated_at = ?
    WHERE user_id = ? AND kind = 'feed' AND value = ? AND NOT EXISTS (
      SELECT 1 FROM publications p WHERE p.user_id = publications.user_id AND p.kind = 'feed' AND p.value = ?)`,
};

const KINDS: readonly PublicationKind[] = ['tag', 'folder', 'feed', 'starred', 'search'];

export function toPublication(r: Row): Publication {
  const kind = KINDS.find((k) => k === r.kind) ?? 'tag';
  return {
    id: Number(r.id),
    userId: Number(r.user_id),
    kind,
    value: String(r.value),
    slug: String(r.slug),
    title: String(r.title),
    fullContent: Number(r.full_content) === 1,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    withdrawnAt: r.withdrawn_at == null ? null : Number(r.withdrawn_at),
  };
}

export function publicationVersion(r: Row): string {
  return [r.max_entry_id ?? 0, r.subs_version ?? 0, r.updated_at, r.starred_count ?? 0].map(String).join('.');
}

/**
 * Whether a live publication of anyone's shows entry `e` (a row of entries): its feed or its folder
 * published, or one of its tags; what coverage() gives for one entry, whoever published it, but for
 * searches (matched against the search index: PUBLICATION_SQL.liveSearches). The retention policy
 * keeps such entries, so that a public archive keeps what it published.
 */
export const SHOWN_BY_PUBLICATION = `EXISTS (SELECT 1 FROM publications p WHERE p.withdrawn_at IS NULL AND (
     (p.kind = 'feed' AND p.value = CAST(e.feed_id AS TEXT))
  OR (p.kind = 'folder' AND EXISTS (SELECT 1 FROM subscriptions s
        WHERE s.user_id = p.user_id AND s.feed_id = e.feed_id AND s.folder_id = CAST(p.value AS INTEGER)))
  OR (p.kind = 'tag' AND EXISTS (SELECT 1 FROM entry_tags t WHERE t.tag = p.value AND t.entry_id = e.id))))`;

/** The publisher's entries a publication covers, feeds marked not to republish left out. */
function coverage(p: Publication): Sql {
  const where = [
    'ue.user_id = ?',
    `NOT EXISTS (SELECT 1 FROM subscriptions s
       WHERE s.user_id = ue.user_id AND s.feed_id = ue.feed_id AND s.no_republish = 1)`,
  ];
  const params: (string | number)[] = [p.userId];
  switch (p.kind) {
    case 'tag':
      where.push('ue.entry_id IN (SELECT entry_id FROM entry_tags WHERE tag = ?)');
      params.push(p.value);
      break;
    case 'folder':
      where.push('ue.feed_id IN (SELECT feed_id FROM subscriptions WHERE user_id = ? AND folder_id = ?)');
      params.push(p.userId, Number(p.value));
      break;
    case 'feed':
      where.push('ue.feed_id = ?');
      params.push(Number(p.value));
      break;
    case 'starred':
      where.push('ue.starred = 1');
      break;
    case 'search':
      // Searches go through the search index, not this list.
      where.push('1 = 0');
      break;
  }
  return { sql: where.join(' AND '), params };
}

export function publicationEntriesSql(p: Publication, q: PublicationEntryQuery): Sql {
  const { sql, params } = coverage(p);
  const where = [sql];
  if (q.after) {
    where.push('(ue.published_at, ue.entry_id) < (?, ?)');
    params.push(q.after.publishedAt, q.after.id);
  }
  const { from, fromParams } = userEntriesSource(q.entryIds, where);
  const { columns, bodyJoin } = entryColumns(q.withContent);
  return {
    sql: `SELECT ${columns}
      FROM ${from} JOIN entries e ON e.id = ue.entry_id ${bodyJoin}
      WHERE ${where.join(' AND ')}
      ORDER BY ue.published_at DESC, ue.entry_id DESC ${limitClause(q.limit)}`,
    params: [...fromParams, ...params],
  };
}

export function countPublicationSql(p: Publication): Sql {
  const { sql, params } = coverage(p);
  return { sql: `SELECT COUNT(*) AS n FROM user_entries ue WHERE ${sql}`, params };
}
