// Storage failures told as what the operator can do about them. Light on imports: the CLI's entry
// point uses it before any command has opened a database.
import { GleanerError } from '../model/errors.js';

/**
 * A failure the operator can act on, as a GleanerError with a message saying what to do: SQLite's
 * "database or disk is full" (no space left, or the file at GLEANER_DB_MAX_MB). The transaction it
 * broke was undone whole, so nothing already stored is lost. Other errors come back as they are.
 */
export function storageError(err: unknown): unknown {
  if ((err as { code?: unknown } | null)?.code !== 'SQLITE_FULL') return err;
  return new GleanerError(
    'STORAGE_FULL',
    'the database is full (no disk space left, or GLEANER_DB_MAX_MB reached): free some space and Gleaner carries on; nothing already stored was lost',
    { cause: err },
  );
}
