// `gleaner wiki build [--out DIR] [--feed F|--folder F|--tag T] [--since DATE]` and
// `gleaner wiki show URL|ID`
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { collectArticles, type Selection } from '../knowledge/articles.js';
import { buildWiki } from '../knowledge/build.js';
import { enricherFromConfig } from '../knowledge/llm.js';
import { readState, readText } from '../knowledge/wiki.js';
import { GleanerError } from '../model/errors.js';
import { COMMON_FLAGS, openContext, resolveUser } from './context.js';
import { createProgress, printable } from './progress.js';

const HELP = `usage: gleaner wiki build [--out DIR] [--feed F | --folder F | --tag T] [--since DATE]
       gleaner wiki show URL|ID

build  Archives your articles as Markdown (raw/), writes a source page per article (sources/) and
       the company, system, concept and pattern pages they touch, with index.md and log.md. Only
       new or changed articles are read again. Offline by default; with GLEANER_LLM_URL and
       GLEANER_LLM_MODEL set, a language model writes the summaries (checked against the article).
  --out DIR      write the wiki here instead of GLEANER_WIKI_DIR (--wiki-dir, default ./data/wiki);
                 the folder opens as an Obsidian vault
  --feed F       only one feed (its id, URL or title)
  --folder F     only the feeds in one folder
  --tag T        only entries with this tag
  --since DATE   only entries published on or after DATE (YYYY-MM-DD)
show   Prints the source page of an article, by its URL or entry id.`;

const FLAGS = {
  ...COMMON_FLAGS,
  'wiki-dir': { type: 'string' },
  out: { type: 'string' },
  feed: { type: 'string' },
  folder: { type: 'string' },
  tag: { type: 'string' },
  since: { type: 'string' },
} as const;

export function parseSince(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(t))
    throw new GleanerError('USAGE', `--since wants a date like 2024-09-01, not "${text}"`);
  return t;
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: FLAGS, allowPositionals: true });
  const [action, target] = positionals;
  if (values.help || action === undefined) {
    console.log(HELP);
    return values.help ? 0 : 1;
  }
  if (action === 'build') return build(values);
  if (action === 'show') return show(values, target);
  console.error(`gleaner wiki: unknown action "${action}"\n\n${HELP}`);
  return 1;
}

type Values = ReturnType<
  typeof parseArgs<{ args: string[]; options: typeof FLAGS; allowPositionals: true }>
>['values'];

async function build(values: Values): Promise<number> {
  const selected = [values.feed, values.folder, values.tag].filter((v) => v !== undefined);
  if (selected.length > 1) throw new GleanerError('USAGE', 'choose one of --feed, --folder and --tag');
  const selection: Selection = {
    ...(values.feed !== undefined ? { feed: values.feed } : {}),
    ...(values.folder !== undefined ? { folder: values.folder } : {}),
    ...(values.tag !== undefined ? { tag: values.tag } : {}),
  };
  const since = parseSince(values.since);
  if (since !== undefined) selection.since = since;
  const ctx = await openContext(values);
  try {
    const dir = values.out ?? ctx.config.wikiDir;
    const user = await resolveUser(ctx.store, values.user);
    const articles = await collectArticles(ctx.store, user.id, selection);
    const enrich = enricherFromConfig(ctx.config, dir, ctx.log);
    const progress = createProgress('wiki', articles.length);
    const started = Date.now();
    const report = await buildWiki(articles, {
      dir,
      now: Date.now(),
      ...(enrich ? { enrich } : {}),
      onProgress: (done, _total, title) => progress.update(done, title.slice(0, 40)),
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    progress.finish(
      `wiki: ${articles.length} articles (${report.analyzed} read, ${report.reused} unchanged) in ${seconds}s; ` +
        `${report.added.length} pages added, ${report.changed.length} changed, ${report.removed.length} removed → ${dir}`,
    );
    return 0;
  } finally {
    await ctx.close();
  }
}

async function show(values: Values, target: string | undefined): Promise<number> {
  if (!target) throw new GleanerError('USAGE', 'gleaner wiki show wants an article URL or entry id');
  // Reading a page needs the configuration only, not the database.
  const { loadConfig } = await import('../config/index.js');
  const flags: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) if (typeof v === 'string') flags[k] = v;
  const config = loadConfig(process.env, flags);
  const dir = values.out ?? config.wikiDir;
  const state = readState(dir);
  const found =
    state.articles[target] ??
    Object.values(state.articles).find((a) => /^\d+$/.test(target) && a.entryId === Number(target));
  if (!found)
    throw new GleanerError(
      'NOT_FOUND',
      `no source page for "${target}" in ${dir}; run gleaner wiki build first`,
    );
  // The state file names the page; a name leaving the wiki folder is not one the builder wrote.
  if (!/^sources\/[^/\\]+\.md$/.test(found.source) || found.source.includes('..'))
    throw new GleanerError(
      'NOT_FOUND',
      `the wiki state in ${dir} names no valid source page; run gleaner wiki build`,
    );
  const page = readText(join(dir, found.source));
  if (page === null)
    throw new GleanerError('NOT_FOUND', `${found.source} is missing from ${dir}; run gleaner wiki build`);
  // A page quotes its article, from a site: printed without a control character a terminal acts on.
  process.stdout.write(printable(page));
  return 0;
}
