// `gleaner remove URL|ID...`: unsubscribe (starred entries are kept).
import { parseArgs } from 'node:util';
import { GleanerError } from '../model/errors.js';
import { COMMON_FLAGS, findSubscription, openContext, resolveUser } from './context.js';

const HELP = `usage: gleaner remove URL|ID...

Unsubscribes from each feed given, by its URL or the id \`gleaner feeds\` shows. Your starred
entries of them are kept.`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: COMMON_FLAGS });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length === 0) throw new GleanerError('USAGE', `give a feed URL or id\n\n${HELP}`);
  const ctx = await openContext(values);
  try {
    const user = await resolveUser(ctx.store, values.user);
    const subs = await ctx.store.listSubscriptions(user.id);
    // Every feed found first: one the user does not follow stops them all, before any is removed.
    const matches = new Map(
      positionals.map((target) => {
        const match = findSubscription(subs, target);
        return [match.feed.id, match];
      }),
    );
    for (const match of matches.values()) {
      await ctx.store.unsubscribe(user.id, match.feed.id);
      console.log(`unsubscribed from ${match.subscription.title ?? match.feed.title ?? match.feed.url}`);
    }
    return 0;
  } finally {
    await ctx.close();
  }
}
