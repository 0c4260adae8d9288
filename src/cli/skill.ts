// `gleaner skill build NAME --from company:SLUG|tag:TAG [--out DIR]`
import { parseArgs } from 'node:util';
import { collectArticles } from '../knowledge/articles.js';
import { buildSkill } from '../knowledge/build.js';
import { enricherFromConfig, summarizerFromConfig } from '../knowledge/llm.js';
import { GleanerError } from '../model/errors.js';
import { COMMON_FLAGS, openContext, resolveUser } from './context.js';
import { createProgress } from './progress.js';

const HELP = `usage: gleaner skill build NAME --from company:SLUG|tag:TAG [--out DIR]

Distills skills/NAME/SKILL.md from a company's or a tag's articles: what it is for and when to use
it, philosophy (quoted, with sources), principles, numbers to know, patterns, warning signs and the
source list. With a language model configured, a short Chinese summary goes above it.
  --from company:cloudflare   the articles of the feeds the wiki attributes to a company
  --from tag:performance      the articles carrying a tag
  --out DIR                   the wiki folder to write into (default GLEANER_WIKI_DIR)`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      ...COMMON_FLAGS,
      'wiki-dir': { type: 'string' },
      out: { type: 'string' },
      from: { type: 'string' },
    },
    allowPositionals: true,
  });
  const [action, name] = positionals;
  if (values.help || action === undefined) {
    console.log(HELP);
    return values.help ? 0 : 1;
  }
  if (action !== 'build') {
    console.error(`gleaner skill: unknown action "${action}"\n\n${HELP}`);
    return 1;
  }
  if (!name || !/^[a-z0-9][a-z0-9-]{0,63}$/.test(name))
    throw new GleanerError(
      'USAGE',
      'a skill NAME is lower-case letters, digits and hyphens, like cloudflare-performance',
    );
  const from = /^(company|tag):(.+)$/.exec(values.from ?? '');
  if (!from?.[1] || !from[2]) throw new GleanerError('USAGE', '--from wants company:SLUG or tag:TAG');
  const kind = from[1] as 'company' | 'tag';
  const value = from[2];
  const ctx = await openContext(values);
  try {
    const dir = values.out ?? ctx.config.wikiDir;
    const user = await resolveUser(ctx.store, values.user);
    const articles = await collectArticles(
      ctx.store,
      user.id,
      kind === 'company' ? { company: value } : { tag: value },
    );
    if (articles.length === 0) throw new GleanerError('NOT_FOUND', `no articles for ${kind}:${value}`);
    const enrich = enricherFromConfig(ctx.config, dir, ctx.log);
    const summarize = summarizerFromConfig(ctx.config, dir, ctx.log);
    const progress = createProgress('skill', articles.length);
    const { path, result } = await buildSkill(
      articles,
      { name, from: { kind, value } },
      {
        dir,
        ...(enrich ? { enrich } : {}),
        ...(summarize ? { summarize } : {}),
        onProgress: (done, _total, title) => progress.update(done, title.slice(0, 40)),
      },
    );
    progress.finish(
      `skill: ${path} from ${articles.length} articles (${result === 'same' ? 'unchanged' : result}) in ${dir}`,
    );
    return 0;
  } finally {
    await ctx.close();
  }
}
