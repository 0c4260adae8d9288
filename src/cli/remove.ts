// `gleaner remove URL|ID`: unsubscribe (starred entries are kept).
import { parseArgs } from 'node:util';
import { GleanerError } from '../model/errors.js';
import { COMMON_FLAGS, openContext, resolveUser } from './context.js';

const HELP = `usage: gleaner remove URL|ID

Unsubscribes from a feed, given its URL or the id \`gleaner feeds\` shows. Your starred entries of
it are kept.`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: COMMON_FLAGS });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const [target] = positionals;
  if (!target) throw new GleanerError('USAGE', `give a feed URL or id\n\n${HELP}`);
  const ctx = await openContext(values);
  try {
    const user = await resolveUser(ctx.store, values.user);
    const subs = await ctx.store.listSubscriptions(user.id);
    const match = subs.find((s) => String(s.feed.id) === target || s.feed.url === target);
    if (!match) throw new GleanerError('NOT_FOUND', `you are not subscribed to ${target}; see gleaner feeds`);
    await ctx.store.unsubscribe(user.id, match.feed.id);
    console.log(`unsubscribed from ${match.subscription.title ?? match.feed.title ?? match.feed.url}`);
    return 0;
  } finally {
    await ctx.close();
  }
}
