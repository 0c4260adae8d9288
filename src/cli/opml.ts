// `gleaner import FILE.opml...` and `gleaner export [--output FILE]`.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildOpml, parseOpml, type ParsedOpml } from '../feed/opml/index.js';
import { GleanerError } from '../model/errors.js';
import { exportFeeds, importFeeds } from '../subscribe/index.js';
import { COMMON_FLAGS, openContext, resolveUser } from './context.js';
import { counted, createProgress } from './progress.js';

const IMPORT_HELP = `usage: gleaner import FILE.opml...

Subscribes to every feed in the OPML files (from Miniflux, FreshRSS, Feedly, Inoreader,
NetNewsWire, newsboat…), keeping their folders. Feeds are fetched by the next \`gleaner refresh\`.`;

const EXPORT_HELP = `usage: gleaner export [--output FILE]

Writes your subscriptions, with their folders, as OPML 2.0 (to standard output by default).`;

export async function runImport(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: COMMON_FLAGS });
  if (values.help) {
    console.log(IMPORT_HELP);
    return 0;
  }
  if (positionals.length === 0) throw new GleanerError('USAGE', `give an OPML file\n\n${IMPORT_HELP}`);
  // Every file read first: one that cannot be read stops the import before any is half done.
  const files = positionals.map((file) => ({ file, opml: readOpml(file) }));
  const ctx = await openContext(values);
  try {
    const user = await resolveUser(ctx.store, values.user);
    for (const [i, { file, opml }] of files.entries()) {
      // Each file's lines named after it, when there are several.
      const named = files.length > 1 ? `${file}: ` : '';
      for (const warning of opml.warnings) console.error(`${named}warning: ${warning}`);
      const progress = createProgress('import', opml.outlines.length);
      const { added, folders, existing, repeated } = await importFeeds(
        { store: ctx.store, fetcher: ctx.fetcher, clock: Date.now },
        user.id,
        opml.outlines,
        (done) => progress.update(done, ''),
      );
      progress.finish(
        `${named}imported ${counted(added + existing, 'feed')}: ${added} new${folders > 0 ? ` in ${counted(folders, 'folder')}` : ''}, ` +
          `${existing} already subscribed` +
          (repeated > 0 ? `, ${repeated} listed twice (kept in the folder listed first)` : '') +
          (i === files.length - 1 ? '; run gleaner refresh to fetch them' : ''),
      );
    }
    return 0;
  } finally {
    await ctx.close();
  }
}

/** The OPML file `file`, read; an error names it. */
function readOpml(file: string): ParsedOpml {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new GleanerError('NOT_FOUND', `cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return parseOpml(bytes);
  } catch (err) {
    if (!(err instanceof GleanerError)) throw err;
    throw new GleanerError(err.code, `${file}: ${err.message}`, { cause: err });
  }
}

export async function runExport(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { ...COMMON_FLAGS, output: { type: 'string', short: 'o' } },
  });
  if (values.help) {
    console.log(EXPORT_HELP);
    return 0;
  }
  const ctx = await openContext(values, { existing: true });
  try {
    const user = await resolveUser(ctx.store, values.user);
    const opml = buildOpml(
      `Gleaner subscriptions of ${user.username}`,
      await exportFeeds(ctx.store, user.id),
      new Date(),
    );
    if (values.output) {
      try {
        writeFileSync(values.output, opml);
      } catch (err) {
        throw new GleanerError('USAGE', `cannot write ${values.output}: ${(err as Error).message}`);
      }
    } else process.stdout.write(opml);
    return 0;
  } finally {
    await ctx.close();
  }
}
