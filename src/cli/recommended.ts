// `gleaner recommended [--topic T] [--language L] [--subscribe NAME|URL] [--subscribe-topic T]`
import { parseArgs } from 'node:util';
import { eastAsianWidth } from 'get-east-asian-width';
import { loadRecommended, type RecommendedFeed } from '../feed/recommended/index.js';
import { GleanerError } from '../model/errors.js';
import { refreshFeeds } from '../refresh/pool.js';
import type { RefreshResult } from '../refresh/refresh.js';
import { subscribeToRecommended } from '../subscribe/index.js';
import { COMMON_FLAGS, nameOfFlag, openContext, refreshDeps, resolveUser } from './context.js';
import { counted } from './progress.js';

const HELP = `usage: gleaner recommended [--topic TOPIC] [--language LANG]
       gleaner recommended --subscribe NAME|URL [--folder NAME]
       gleaner recommended --subscribe-topic TOPIC [--language LANG] [--folder NAME]

Lists the recommended-feed directory shipped with Gleaner, grouped by topic, or subscribes to one
of its feeds or to a whole topic (each topic becomes a folder unless --folder says otherwise).
Topics and languages are matched in any case.`;

const NAME_COLUMNS = 40;

/**
 * The directory's own spelling of the topic or language `given` names, in any case; undefined
 * when none is given, and a USAGE error listing them for one it does not have.
 */
function choice(
  all: readonly RecommendedFeed[],
  field: 'topic' | 'language',
  given: string | undefined,
): string | undefined {
  if (given === undefined) return undefined;
  const known = [...new Set(all.map((f) => f[field]))].sort();
  const wanted = given.trim().toLowerCase();
  const found = known.find((k) => k.toLowerCase() === wanted);
  if (found === undefined)
    throw new GleanerError(
      'USAGE',
      `no ${field} "${given}" in the directory; ${field}s: ${known.join(', ')}`,
    );
  return found;
}

/**
 * `text` padded with spaces to `columns` as a terminal shows it: a Chinese or Japanese character
 * takes two columns, so padEnd, which counts characters, left the next column out of line.
 */
function padColumns(text: string, columns: number): string {
  let width = 0;
  for (const c of text) width += eastAsianWidth(c.codePointAt(0) ?? 0);
  return text + ' '.repeat(Math.max(0, columns - width));
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...COMMON_FLAGS,
      topic: { type: 'string' },
      language: { type: 'string' },
      subscribe: { type: 'string' },
      'subscribe-topic': { type: 'string' },
      folder: { type: 'string' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const all = loadRecommended();
  const topic = choice(all, 'topic', values['subscribe-topic'] ?? values.topic);
  const language = choice(all, 'language', values.language);
  const wanted = values.subscribe === undefined ? undefined : values.subscribe.trim();
  if (wanted === '')
    throw new GleanerError(
      'USAGE',
      '--subscribe wants the name or URL of a recommended feed; see gleaner recommended',
    );
  const filtered = all.filter(
    (f) => (topic === undefined || f.topic === topic) && (language === undefined || f.language === language),
  );
  let chosen: RecommendedFeed[];
  if (wanted !== undefined) {
    const name = wanted.toLowerCase();
    chosen = all.filter((f) => f.name.toLowerCase() === name || f.url === wanted);
    if (chosen.length === 0)
      throw new GleanerError('NOT_FOUND', `no recommended feed named "${wanted}"; see gleaner recommended`);
  } else if (values['subscribe-topic'] !== undefined) {
    chosen = filtered;
    if (chosen.length === 0)
      throw new GleanerError('NOT_FOUND', `no recommended feed of topic ${topic} in language ${language}`);
  } else {
    const byTopic = new Map<string, RecommendedFeed[]>();
    for (const f of filtered) byTopic.set(f.topic, [...(byTopic.get(f.topic) ?? []), f]);
    for (const [topic, feeds] of [...byTopic].sort()) {
      console.log(`${topic} (${feeds.length})`);
      for (const f of feeds) console.log(`  ${padColumns(f.name, NAME_COLUMNS)} ${f.language}  ${f.url}`);
    }
    if (filtered.length === 0) console.log(`No recommended feed of topic ${topic} in language ${language}.`);
    else console.log('\nSubscribe with: gleaner recommended --subscribe NAME  or  --subscribe-topic TOPIC');
    return 0;
  }
  const ctx = await openContext(values);
  try {
    const user = await resolveUser(ctx.store, values.user);
    const deps = { store: ctx.store, fetcher: ctx.fetcher, clock: Date.now };
    const done = await subscribeToRecommended(deps, user.id, chosen, nameOfFlag(values.folder) ?? undefined);
    for (const { recommended: f, feed } of done.already)
      console.log(`already subscribed to ${f.name} (${feed.url})`);
    for (const { recommended: f, error } of done.failed)
      console.error(`could not subscribe to ${f.name}: ${error}`);
    // Each new feed fetched now, several at once; a site's, from the document that found it.
    const results = new Map<number, RefreshResult>();
    await refreshFeeds(
      done.added.map((a) => a.feed),
      refreshDeps(ctx),
      {
        concurrency: ctx.config.concurrency,
        perHost: ctx.config.perHost,
        fetched: done.fetched,
        onResult: (result, feed) => results.set(feed.id, result),
      },
    );
    let failed = done.failed.length;
    for (const { recommended: f, feed } of done.added) {
      const result = results.get(feed.id);
      if (result?.status === 'failed') {
        failed++;
        console.log(`subscribed to ${f.name} (${feed.url}), but fetching it failed: ${result.error}`);
        continue;
      }
      const count = await ctx.store.countEntries(feed.id);
      console.log(`subscribed to ${f.name} (${feed.url}, ${counted(count, 'entry', 'entries')})`);
    }
    // As gleaner add and refresh: an error when nothing tried worked; when some did, said, and done.
    const tried = done.added.length + done.failed.length;
    if (failed > 0 && failed < tried)
      console.error(`${failed} of ${tried} could not be subscribed to or fetched; see above`);
    return failed > 0 && failed === tried ? 1 : 0;
  } finally {
    await ctx.close();
  }
}
