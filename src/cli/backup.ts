// `gleaner backup FILE|FOLDER`: a copy of the database, made while Gleaner keeps running.
import { existsSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.js';
import { GleanerError } from '../model/errors.js';
import { backupSqlite } from '../store/sqlite.js';
import { COMMON_FLAGS } from './context.js';

const HELP = `usage: gleaner backup FILE|FOLDER [--db FILE]

Copies the database to FILE (or to gleaner-YYYYMMDD-HHMMSS.db in FOLDER) as it is at one instant,
while \`gleaner serve\` or a refresh goes on using it: one file, checked before it is given its
name, so that FILE is a whole copy or is not there. The database is copied as it is, not upgraded
first: a backup made with a newer Gleaner, before it upgrades the database, restores the old one.
To restore it, stop Gleaner and put the copy in the database's place (GLEANER_DB, by default
data/gleaner.db).`;

/** `gleaner-20261207-094500.db`: the time in UTC, so that names sort as the backups were made. */
function stampedName(now: Date): string {
  const iso = now.toISOString();
  return `gleaner-${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}.db`;
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: COMMON_FLAGS });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const [given, ...more] = positionals;
  if (!given || more.length > 0) throw new GleanerError('USAGE', `give one file or folder\n\n${HELP}`);
  const folder = existsSync(given) && statSync(given).isDirectory();
  // `/backups/` names a folder: where there is none, no file is made in its name.
  if (!folder && (given.endsWith('/') || given.endsWith(sep)))
    throw new GleanerError('USAGE', `cannot back up to ${given}: there is no such folder`);
  const path = folder ? join(given, stampedName(new Date())) : given;
  const config = loadConfig(process.env, { db: values.db });
  if (config.databaseUrl)
    throw new GleanerError(
      'USAGE',
      'gleaner backup copies a SQLite database; back PostgreSQL up with pg_dump',
    );
  // Stopped (Ctrl-C, a cron job's time limit), it leaves no partial copy behind.
  const controller = new AbortController();
  const signals = { SIGINT: 130, SIGTERM: 143 } as const;
  let stoppedBy: number | null = null;
  const stop = (signal: keyof typeof signals) => () => {
    stoppedBy = signals[signal];
    controller.abort();
  };
  const handlers = { SIGINT: stop('SIGINT'), SIGTERM: stop('SIGTERM') };
  process.on('SIGINT', handlers.SIGINT);
  process.on('SIGTERM', handlers.SIGTERM);
  try {
    const { bytes } = await backupSqlite(config.dbPath, path, controller.signal);
    console.log(`backed up ${config.dbPath} to ${path} (${(bytes / 1e6).toFixed(1)} MB, checked)`);
    return 0;
  } catch (err) {
    if (stoppedBy === null) throw err;
    console.error(`gleaner: ${(err as Error).message}`);
    return stoppedBy;
  } finally {
    process.off('SIGINT', handlers.SIGINT);
    process.off('SIGTERM', handlers.SIGTERM);
  }
}
