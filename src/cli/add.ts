// `gleaner add URL [--folder NAME] [--title T] [options]`: subscribe, discovering the feed from a
// site's page when needed, then fetch it once.
import { parseArgs } from 'node:util';
import { refreshFeed } from '../refresh/refresh.js';
import { subscribeToUrl } from '../subscribe/index.js';
import { GleanerError } from '../model/errors.js';
import {
  checkEveryOf,
  COMMON_FLAGS,
  nameOfFlag,
  openContext,
  optionOfFlag,
  refreshDeps,
  resolveUser,
  RULE_FLAGS,
  rulesOfFlags,
  rewriteRulesOf,
  SCRAPE_FLAGS,
  scrapeOfFlags,
  trustedCertificateOf,
} from './context.js';
import { counted } from './progress.js';

const HELP = `usage: gleaner add URL [--folder NAME] [--title TITLE] [--first] [--no-refresh]
                   [--user-agent UA] [--cookie COOKIE] [--username U --password P] [--full-article]
                   [--article-selector CSS] [--remove-selector CSS] [--ignore-http-cache] [--via-proxy]
                   [--trust-certificate FILE] [--block-rules REGEX] [--keep-rules REGEX]
                   [--check-every INTERVAL] [--rewrite-rules RULES] [--scrape-items CSS [--scrape-title CSS]
                   [--scrape-link CSS] [--scrape-content CSS] [--scrape-date CSS]]

Subscribes to a feed. URL may be the feed itself or a site's page: its declared feeds (or the
usual feed paths) are found; when a page offers several, they are listed (or --first takes the first).
  --folder NAME     put the subscription in this folder (created if needed)
  --title TITLE     your own title for the feed
  --full-article    fetch each entry's page and keep the article (for feeds that send summaries)
  --article-selector CSS   where the article is on those pages (as Miniflux's scraper rules:
                    "article .post-body"), in place of Readability's guess
  --remove-selector CSS   elements to take out of every entry and article (as Miniflux's remove()
                    rewrite rule: ".share-buttons, aside.related")
  --rewrite-rules RULES   Miniflux's rewrite rules for its entries: add_image_title,
                    add_dynamic_image, add_youtube_video, remove_tables, nl2br, convert_text_link,
                    replace("pattern"|"replacement")
  --user-agent, --cookie, --username, --password   how this feed must be fetched
  --ignore-http-cache   fetch it whole every time (for a site whose ETag or Last-Modified lies)
  --via-proxy       fetch it, its articles and its icon through GLEANER_FEED_PROXY (Tor, say), never
                    another way
  --trust-certificate FILE   for a server of your own: trust the certificate in this PEM file
                    besides the usual authorities, for this feed only (the server's own self-signed
                    one, or its private CA's; openssl s_client -showcerts shows it)
  --scrape-items CSS   the URL is a web page without a feed: read each element this selects
                    as an entry (as FreshRSS's HTML + XPath feeds, with CSS: ".advisories tr");
                    --scrape-title, --scrape-link, --scrape-content, --scrape-date, --scrape-author
                    and --scrape-categories CSS say where each one's parts are within it (default:
                    its first heading, its first link, all of it, a time element, none, none)
  --block-rules RE  entries whose title, link, author or a category this matches do not reach you
                    (a regular expression, as in Miniflux; (?i) ignores case), from the first fetch
  --keep-rules RE   only entries this matches reach you
  --check-every INTERVAL   check it at most this often (30m, 6h, 1d; at most a week)
  --no-refresh      subscribe only; the next refresh fetches it`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...COMMON_FLAGS,
      folder: { type: 'string' },
      title: { type: 'string' },
      first: { type: 'boolean', default: false },
      'no-refresh': { type: 'boolean', default: false },
      'user-agent': { type: 'string' },
      cookie: { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
      'full-article': { type: 'boolean', default: false },
      'article-selector': { type: 'string' },
      'remove-selector': { type: 'string' },
      'ignore-http-cache': { type: 'boolean', default: false },
      'via-proxy': { type: 'boolean', default: false },
      'trust-certificate': { type: 'string' },
      'rewrite-rules': { type: 'string' },
      ...SCRAPE_FLAGS,
      ...RULE_FLAGS,
      'check-every': { type: 'string' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const [url] = positionals;
  if (!url || positionals.length > 1) throw new GleanerError('USAGE', `give one URL\n\n${HELP}`);
  const rules = rulesOfFlags(values);
  const certificate = values['trust-certificate'];
  const trustedCertificate = certificate === undefined ? null : trustedCertificateOf(certificate);
  const scrape = scrapeOfFlags(values) ?? null;
  const rewriteRules = values['rewrite-rules'] === undefined ? null : rewriteRulesOf(values['rewrite-rules']);
  const checkEvery = values['check-every'] === undefined ? undefined : checkEveryOf(values['check-every']);
  const folder = nameOfFlag(values.folder);
  const title = nameOfFlag(values.title);
  const ctx = await openContext(values);
  try {
    const user = await resolveUser(ctx.store, values.user);
    const outcome = await subscribeToUrl(
      { store: ctx.store, fetcher: ctx.fetcher, clock: Date.now },
      {
        userId: user.id,
        url,
        folder: folder ?? null,
        title: title ?? null,
        pickFirst: values.first,
        ...rules,
        ...(checkEvery !== undefined ? { minCheckMinutes: checkEvery } : {}),
        options: {
          userAgent: optionOfFlag(values['user-agent']),
          cookie: optionOfFlag(values.cookie),
          username: optionOfFlag(values.username),
          password: optionOfFlag(values.password),
          fetchFullArticle: values['full-article'],
          articleSelector: optionOfFlag(values['article-selector']?.trim()),
          removeSelector: optionOfFlag(values['remove-selector']?.trim()),
          ignoreHttpCache: values['ignore-http-cache'],
          fetchViaProxy: values['via-proxy'],
          trustedCertificate,
          scrape,
          rewriteRules,
        },
      },
    );
    if (outcome.status === 'choose') {
      console.log(
        `${outcome.page} offers ${counted(outcome.candidates.length, 'feed')}; add the one you want:`,
      );
      for (const c of outcome.candidates)
        console.log(`  gleaner add ${c.url}${c.title ? `    # ${c.title}` : ''}`);
      return 2;
    }
    const { feed } = outcome;
    const subscribed = outcome.already ? 'already subscribed to' : 'subscribed to';
    if (outcome.discoveredFrom) console.log(`found ${feed.url} on ${outcome.discoveredFrom}`);
    if (values['no-refresh']) {
      console.log(`${subscribed} ${feed.url}`);
      return 0;
    }
    // The document finding the feed fetched is stored: the site is asked for it once.
    const result = await refreshFeed(feed, refreshDeps(ctx), outcome.fetched ?? undefined);
    const fresh = await ctx.store.getFeed(feed.id);
    const name = fresh?.title ?? feed.url;
    if (result.status === 'failed') {
      console.log(`${subscribed} ${name}, but fetching it failed: ${result.error}`);
      return 1;
    }
    const count = await ctx.store.countEntries(feed.id);
    // Followed already, it takes the folder and title asked for: say so, as a new subscription shows them.
    const applied = outcome.already
      ? [folder ? `; now in folder ${folder}` : '', title ? `; now titled ${title}` : ''].join('')
      : '';
    console.log(`${subscribed} ${name} (${counted(count, 'entry', 'entries')})${applied}`);
    return 0;
  } finally {
    await ctx.close();
  }
}
