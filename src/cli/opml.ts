// `gleaner import FILE.opml` and `gleaner export [--output FILE]`.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildOpml, parseOpml } from '../feed/opml/index.js';
import { GleanerError } from '../model/errors.js';
import { exportFeeds, importFeeds } from '../subscribe/index.js';
import { COMMON_FLAGS, openContext, resolveUser } from './context.js';
import { counted, createProgress } from './progress.js';

const IMPORT_HELP = `usage: gleaner import FILE.opml

Subscribes to every feed in an OPML file (from Miniflux, FreshRSS, Feedly, Inoreader, NetNewsWire,
newsboat…), keeping its folders. Feeds are fetched by the next \`gleaner refresh\`.`;

const EXPORT_HELP = `usage: gleaner export [--output FILE]

Writes your subscriptions, with their folders, as OPML 2.0 (to standard output by default).`;

export async function runImport(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: COMMON_FLAGS });
  if (values.help) {
    console.log(IMPORT_HELP);
    return 0;
  }
  const [file] = positionals;
  if (!file) throw new GleanerError('USAGE', `give an OPML file\n\n${IMPORT_HELP}`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new GleanerError('NOT_FOUND', `cannot read ${file}: ${(err as Error).message}`);
  }
  const opml = parseOpml(bytes);
  for (const warning of opml.warnings) console.error(`warning: ${warning}`);
  const ctx = await openContext(values);
  try {
    const user = await resolveUser(ctx.store, values.user);
    const progress = createProgress('import', opml.outlines.length);
    const result = await importFeeds(
      { store: ctx.store, fetcher: ctx.fetcher, clock: Date.now },
      user.id,
      opml.outlines,
      (done) => progress.update(done, ''),
    );
    const { added, folders, existing, repeated } = result;
    progress.finish(
      `imported ${counted(added + existing, 'feed')}: ${added} new${folders > 0 ? ` in ${counted(folders, 'folder')}` : ''}, ` +
        `${existing} already subscribed` +
        (repeated > 0 ? `, ${repeated} listed twice (kept in the folder listed first)` : '') +
        '; run gleaner refresh to fetch them',
    );
    return 0;
  } finally {
    await ctx.close();
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
  const ctx = await openContext(values);
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
