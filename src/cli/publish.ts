// `gleaner publish`: make a tag, folder, feed, the starred entries or a saved search public, list
// publications, or withdraw one. Prints the public URL (from GLEANER_BASE_URL, else the local
// address the server listens on).
import { parseArgs } from 'node:util';
import { GleanerError } from '../model/errors.js';
import { publicationPath, resolveTarget } from '../publish/target.js';
import { COMMON_FLAGS, openContext, resolveUser } from './context.js';

const HELP = `usage: gleaner publish tag:NAME|folder:NAME|feed:URL|starred|search:QUERY [--excerpt] [--title T]
       gleaner publish --list
       gleaner publish --withdraw SLUG

Publishes what you choose as public pages and RSS, Atom and JSON feeds, and prints the public
URL. Nothing is public unless published. Publishing the same thing again after withdrawing it
brings it back at the same URL.

options:
  --excerpt      show excerpts instead of the full content
  --title T      the publication's title (default: the tag, folder or feed's name)
  --list         list your publications with their public URLs
  --withdraw S   withdraw the publication with slug S (its pages then answer 404)
  --user NAME    act for this user (needed when there are several)
  --db PATH      the database file`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...COMMON_FLAGS,
      excerpt: { type: 'boolean', default: false },
      title: { type: 'string' },
      list: { type: 'boolean', default: false },
      withdraw: { type: 'string' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const [target, ...rest] = positionals;
  const modes = [target !== undefined, values.list, values.withdraw !== undefined].filter(Boolean).length;
  if (modes !== 1 || rest.length > 0)
    throw new GleanerError('USAGE', `say what to publish, or --list, or --withdraw SLUG\n\n${HELP}`);
  const ctx = await openContext(values);
  try {
    const user = await resolveUser(ctx.store, values.user);
    const origin = (ctx.config.baseUrl ?? `http://localhost:${ctx.config.port}`).replace(/\/+$/, '');
    const urlOf = (slug: string) => origin + publicationPath(slug);
    if (values.list) {
      const pubs = await ctx.store.listPublications(user.id);
      if (pubs.length === 0) console.log('nothing published; see gleaner publish --help');
      for (const p of pubs) {
        const state = p.withdrawnAt === null ? urlOf(p.slug) : 'withdrawn';
        console.log(
          `${p.slug}\t${p.kind}${p.value ? `:${p.value}` : ''}\t${p.fullContent ? 'full' : 'excerpt'}\t${state}`,
        );
      }
      return 0;
    }
    if (values.withdraw !== undefined) {
      const p = (await ctx.store.listPublications(user.id)).find((x) => x.slug === values.withdraw);
      if (!p)
        throw new GleanerError(
          'NOT_FOUND',
          `you have no publication "${values.withdraw}"; see gleaner publish --list`,
        );
      await ctx.store.updatePublication(user.id, p.id, { withdrawn: true }, Date.now());
      console.log(`withdrew ${urlOf(p.slug)}`);
      return 0;
    }
    const wanted = await resolveTarget(ctx.store, user.id, target ?? '', {
      fullContent: !values.excerpt,
      ...(values.title !== undefined ? { title: values.title } : {}),
    });
    const publication = await ctx.store.createPublication(wanted, Date.now());
    console.log(urlOf(publication.slug));
    return 0;
  } finally {
    await ctx.close();
  }
}
