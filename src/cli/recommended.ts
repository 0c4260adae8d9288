// `gleaner recommended [--topic T] [--language L] [--subscribe NAME|URL] [--subscribe-topic T]`
import { parseArgs } from 'node:util';
import { eastAsianWidth } from 'get-east-asian-width';
import { loadRecommended, type RecommendedFeed } from '../feed/recommended/index.js';
import { GleanerError } from '../model/errors.js';
import { refreshFeeds } from '../refresh/pool.js';
import type { RefreshResult } from '../refresh/refresh.js';
import { subscribeToRecommended } from '../subscribe/index.js';
import { COMMON_FLAGS, openContext, refreshDeps, resolveUser } from './context.js';
import { counted } from './progress.js';

const HELP = `usage: gleaner recommended [--topic TOPIC] [--language LANG]
       gleaner recommended --subscribe NAME|URL [--folder NAME]
       gleaner recommended --subscribe-topic TOPIC [--folder NAME]

Lists the recommended-feed directory shipped with Gleaner, grouped by topic, or subscribes to one
of its feeds or to a whole topic (each topic becomes a folder unless --folder says otherwise).`;

const NAME_COLUMNS = 40;

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
  const filtered = all.filter(
    (f) =>
      (!values.topic || f.topic === values.topic) && (!values.language || f.language === values.language),
  );
  let chosen: RecommendedFeed[];
  if (values.subscribe) {
    const want = values.subscribe.toLowerCase();
    chosen = all.filter((f) => f.name.toLowerCase() === want || f.url === values.subscribe);
    if (chosen.length === 0)
      throw new GleanerError(
        'NOT_FOUND',
        `no recommended feed named "${values.subscribe}"; see gleaner recommended`,
      );
  } else if (values['subscribe-topic']) {
    chosen = all.filter((f) => f.topic === values['subscribe-topic']);
    if (chosen.length === 0) {
      const topics = [...new Set(all.map((f) => f.topic))].join(', ');
      throw new GleanerError('NOT_FOUND', `no topic "${values['subscribe-topic']}"; topics: ${topics}`);
    }
  } else {
    const byTopic = new Map<string, RecommendedFeed[]>();
    for (const f of filtered) byTopic.set(f.topic, [...(byTopic.get(f.topic) ?? []), f]);
    for (const [topic, feeds] of [...byTopic].sort()) {
      console.log(`${topic} (${feeds.length})`);
      for (const f of feeds) console.log(`  ${padColumns(f.name, NAME_COLUMNS)} ${f.language}  ${f.url}`);
    }
    console.log('\nSubscribe with: gleaner recommended --subscribe NAME  or  --subscribe-topic TOPIC');
    return 0;
  }
  const ctx = await openContext(values);
  try {
    const user = await resolveUser(ctx.store, values.user);
    const deps = { store: ctx.store, fetcher: ctx.fetcher, clock: Date.now };
    const done = await subscribeToRecommended(deps, user.id, chosen, values.folder);
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
    for (const { recommended: f, feed } of done.added) {
      const result = results.get(feed.id);
      if (result?.status === 'failed') {
        console.log(`subscribed to ${f.name} (${feed.url}), but fetching it failed: ${result.error}`);
        continue;
      }
      const count = await ctx.store.countEntries(feed.id);
      console.log(`subscribed to ${f.name} (${feed.url}, ${counted(count, 'entry', 'entries')})`);
    }
    return done.failed.length === chosen.length ? 1 : 0;
  } finally {
    await ctx.close();
  }
}
