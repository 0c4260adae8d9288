// `gleaner serve`: the web reader and the refresh loop in one process.
import { parseArgs } from 'node:util';
import { createDigestPool } from '../refresh/digest.js';
import { runRefreshLoop } from '../refresh/loop.js';
import { refreshFeeds } from '../refresh/pool.js';
import { createWebServer } from '../web/server.js';
import { COMMON_FLAGS, openContext, refreshDeps } from './context.js';

const HELP = `usage: gleaner serve [--host ADDR] [--port N] [--base-url URL] [--db FILE]

Runs the web reader (http://127.0.0.1:8080 by default) and keeps feeds fresh. On the first visit
it asks for the administrator's name and password (or create one with \`gleaner user add\`).
  --host ADDR      address to listen on (GLEANER_HOST, default 127.0.0.1)
  --port N         port (GLEANER_PORT, default 8080; 0 picks a free one)
  --base-url URL   public address behind a reverse proxy (GLEANER_BASE_URL)
Other settings: \`gleaner config\`.`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...COMMON_FLAGS,
      host: { type: 'string' },
      port: { type: 'string' },
      'base-url': { type: 'string' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const ctx = await openContext(values);
  const pool = createDigestPool();
  const deps = { ...refreshDeps(ctx), digest: pool.digest };
  const limits = { concurrency: ctx.config.concurrency, perHost: ctx.config.perHost };
  const controller = new AbortController();
  const app = await createWebServer({
    store: ctx.store,
    log: ctx.log,
    fetcher: ctx.fetcher,
    clock: Date.now,
    policy: deps.policy,
    async refreshNow(feedIds) {
      const feeds = [];
      for (const id of feedIds) {
        const feed = await ctx.store.getFeed(id);
        if (feed) feeds.push(feed);
      }
      await refreshFeeds(feeds, deps, limits);
    },
    options: {
      baseUrl: ctx.config.baseUrl,
      proxyImages: ctx.config.proxyImages,
      wikiDir: ctx.config.wikiDir,
    },
  });
  const address = await app.listen({ host: ctx.config.host, port: ctx.config.port });
  // One line scripts can read: where the reader is.
  console.log(`gleaner: reader listening on ${ctx.config.baseUrl ?? address}`);
  ctx.log.info('listening', { address, refresh: ctx.config.refreshInServer });

  const loop = ctx.config.refreshInServer
    ? runRefreshLoop(deps, {
        ...limits,
        signal: controller.signal,
        onPass: (s) => ctx.log.info('refresh pass', { ...s }),
      }).catch((err: unknown) => ctx.log.error('refresh loop stopped', { error: String(err) }))
    : Promise.resolve();

  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  ctx.log.info('shutting down');
  controller.abort();
  await app.close();
  await loop;
  await pool.close();
  await ctx.close();
  return 0;
}
