// Storage failures told as what the operator can do about them. Light on imports: the CLI's entry
// point uses it before any command has opened a database.
import { GleanerError } from '../model/errors.js';

/**
 * A failure the operator can act on, as a GleanerError with a message saying what to do: SQLite's
 * "database or disk is full" (no space left, or the file at GLEANER_DB_MAX_MB), and "database is
 * locked" (another process held the write lock past the wait). The transaction it broke was undone
 * whole, so nothing already stored is lost. A file Gleaner may not write, or damage found after it
 * opened, is told as openError tells them. Other errors come back as they are.
 */
export function storageError(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CORRUPT')))
    return openError(null, err, { opened: true });
  if (code === 'SQLITE_FULL')
    return new GleanerError(
      'STORAGE_FULL',
      'the database is full (no disk space left, or GLEANER_DB_MAX_MB reached): free some space: the server carries on by itself, and a command can be run again; nothing already stored was lost',
      { cause: err },
    );
  // SQLITE_BUSY and its extended codes (SQLITE_BUSY_SNAPSHOT...).
  if (typeof code === 'string' && code.startsWith('SQLITE_BUSY'))
    return new GleanerError(
      'STORAGE_BUSY',
      'the database is busy: another process (a backup, sqlite3, a second Gleaner on another machine) held it for longer than Gleaner waits; nothing already stored was lost: try again once it is done',
      { cause: err },
    );
  return err;
}

/**
 * Why the database at `path` (null: the one open) could not be opened (or, `opened`, written or
 * read since), as a GleanerError saying what to do: a path that cannot be a file Gleaner writes (a
 * directory, a directory it may not write to), a file or folder it may only read, a file that is
 * not a SQLite database (left as it is: it fails the first read, before any write), a damaged one.
 * Other errors come back as they are.
 */
export function openError(path: string | null, err: unknown, { opened = false } = {}): unknown {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  const reason = typeof message === 'string' ? message : String(err);
  const where = 'set GLEANER_DB (or --db) to the file Gleaner keeps its data in';
  const named = path === null ? 'the database' : `the database ${path}`;
  if (typeof code === 'string' && code.startsWith('SQLITE_READONLY')) {
    return new GleanerError(
      'CONFIG_INVALID',
      `cannot write to ${named} (${reason}): Gleaner must be able to write the file, its -wal and -shm files and their folder; check their owner and permissions, or ${where}`,
      { cause: err },
    );
  }
  if (opened && typeof code === 'string' && code.startsWith('SQLITE_CORRUPT')) {
    return new GleanerError(
      'CONFIG_INVALID',
      `${named} is damaged (${reason}): stop Gleaner, restore it from a backup, or try sqlite3's .recover on a copy`,
      { cause: err },
    );
  }
  switch (code) {
    case 'SQLITE_CANTOPEN':
    case 'EACCES':
    case 'EPERM':
    case 'ENOTDIR':
    case 'EEXIST':
    case 'EROFS':
      return new GleanerError(
        'CONFIG_INVALID',
        `cannot open the database ${path} (${reason}): it must be a file in a directory Gleaner may write to; ${where}`,
        { cause: err },
      );
    case 'SQLITE_NOTADB':
      return new GleanerError(
        'CONFIG_INVALID',
        `${path} is not a SQLite database (${reason}), and was left as it is; ${where}`,
        { cause: err },
      );
    case 'SQLITE_CORRUPT':
      return new GleanerError(
        'CONFIG_INVALID',
        `the database ${path} is damaged (${reason}): restore it from a backup, or try sqlite3's .recover on a copy`,
        { cause: err },
      );
    default:
      return err;
  }
}

/** A SQLite database of another application (tables, no schema version): left as it is. */
export function foreignDatabaseError(path: string): GleanerError {
  return new GleanerError(
    'CONFIG_INVALID',
    `${path} is a SQLite database, but not Gleaner's (it holds tables, and no Gleaner schema), and was left as it is; set GLEANER_DB (or --db) to the file Gleaner keeps its data in`,
  );
}

/** A database whose schema a newer Gleaner wrote: this one would misread it, and does not open it. */
export function newerSchemaError(path: string, version: number, known: number): GleanerError {
  return new GleanerError(
    'CONFIG_INVALID',
    `the database ${path} was written by a newer version of Gleaner (schema ${version}; this version knows up to ${known}): run that version, or a backup made with this one`,
  );
}
