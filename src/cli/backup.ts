// `gleaner backup FILE|FOLDER`: a copy of the database, made while Gleaner keeps running.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GleanerError } from '../model/errors.js';
import { COMMON_FLAGS, openContext } from './context.js';

const HELP = `usage: gleaner backup FILE|FOLDER [--db FILE]

Copies the database to FILE (or to gleaner-YYYYMMDD-HHMMSS.db in FOLDER) as it is at one instant,
while \`gleaner serve\` or a refresh goes on using it: one file, checked before it is given its
name, so that FILE is a whole copy or is not there. To restore it, stop Gleaner and put the copy in
the database's place (GLEANER_DB, by default data/gleaner.db).`;

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
  const path =
    existsSync(given) && statSync(given).isDirectory() ? join(given, stampedName(new Date())) : given;
  const ctx = await openContext(values);
  try {
    if (ctx.store.dialect !== 'sqlite')
      throw new GleanerError(
        'USAGE',
        'gleaner backup copies a SQLite database; back PostgreSQL up with pg_dump',
      );
    const { bytes } = await ctx.store.backup(path);
    console.log(`backed up ${ctx.config.dbPath} to ${path} (${(bytes / 1e6).toFixed(1)} MB, checked)`);
    return 0;
  } finally {
    await ctx.close();
  }
}
