// `gleaner edit URL|ID [--title T] [--folder NAME | --no-folder] [fetch options]`: change a
// subscription (your title, its folder, how the feed is fetched), then fetch it once when its
// fetch options changed.
import { parseArgs } from 'node:util';
import { GleanerError } from '../model/errors.js';
import type { FetchOptions } from '../model/index.js';
import { refreshFeed } from '../refresh/refresh.js';
import { fetchOptionsKey } from '../store/index.js';
import {
  changeFeedUrl,
  changeFetchOptions,
  checkFetchOptions,
  type FeedUrlChange,
} from '../subscribe/index.js';
import {
  COMMON_FLAGS,
  findSubscription,
  nameOfFlag,
  openContext,
  optionOfFlag,
  refreshDeps,
  resolveUser,
  RULE_FLAGS,
  rulesOfFlags,
  checkEveryOf,
  rewriteRulesOf,
  SCRAPE_FLAGS,
  scrapeOfFlags,
  trustedCertificateOf,
} from './context.js';
import { counted } from './progress.js';

const HELP = `usage: gleaner edit URL|ID [--url NEW_URL] [--title TITLE] [--folder NAME | --no-folder]
                    [--pause | --resume]
                    [--user-agent UA] [--cookie COOKIE] [--username U] [--password P]
                    [--full-article | --summaries] [--article-selector CSS] [--remove-selector CSS]
                    [--ignore-http-cache | --use-http-cache] [--via-proxy | --direct]
                    [--trust-certificate FILE] [--block-rules REGEX] [--keep-rules REGEX]
                    [--check-every INTERVAL] [--rewrite-rules RULES] [--scrape-items CSS] [--scrape-title CSS]
                    [--scrape-link CSS] [--scrape-content CSS] [--scrape-date CSS]

Changes a subscription, given its URL or the id \`gleaner feeds\` shows. What is not given stays
as it is; an empty value ("") removes it.
  --url NEW_URL     the feed moved (without a redirect): follow it at its new URL, which must be a
                    feed or a page that leads to one; a feed only you follow moves with its entries
                    and your read state, one others follow too stays theirs as it is
  --title TITLE     your own title for the feed ("" for the feed's own)
  --folder NAME     move it to this folder (created if needed); --no-folder (or "") takes it out of any
  --pause           stop fetching it for you (until --resume); a feed others follow is still fetched
  --user-agent, --cookie, --username, --password   how the feed is fetched
  --ignore-http-cache   fetch it whole every time (for a site whose ETag or Last-Modified lies);
                    --use-http-cache asks only for what changed again
  --via-proxy       fetch it, its articles and its icon through GLEANER_FEED_PROXY (Tor, say), never
                    another way; --direct fetches it as the others are
  --trust-certificate FILE   for a server of your own: trust the certificate in this PEM file
                    besides the usual authorities, for this feed only (the server's own self-signed
                    one, or its private CA's; openssl s_client -showcerts shows it); "" trusts
                    the usual authorities only
  --scrape-items CSS   the URL is a web page without a feed: read each element this selects
                    as an entry (as FreshRSS's HTML + XPath feeds, with CSS: ".advisories tr");
                    --scrape-title, --scrape-link, --scrape-content, --scrape-date, --scrape-author
                    and --scrape-categories CSS say where each one's parts are within it (default:
                    its first heading, its first link, all of it, a time element, none, none; ""
                    for the default); --scrape-items "" reads it as a feed
  --rewrite-rules RULES   Miniflux's rewrite rules for its entries: add_image_title,
                    add_dynamic_image, add_youtube_video, remove_tables, nl2br, convert_text_link,
                    replace("pattern"|"replacement"); "" for none
  --full-article    fetch each entry's page and keep the article; --summaries keeps the feed's text
  --article-selector CSS   where the article is on those pages (as Miniflux's scraper rules:
                    "article .post-body"), in place of Readability's guess
  --remove-selector CSS   elements to take out of entries and articles from now on (as Miniflux's remove()
                    rewrite rule: ".share-buttons, aside.related")
  --block-rules RE  new entries whose title, link, author or a category this matches do not reach
                    you (a regular expression, as in Miniflux; (?i) ignores case)
  --keep-rules RE   only new entries this matches reach you
  --check-every INTERVAL   check it at most this often (30m, 6h, 1d; at most a week), for a busy
                    or touchy site: a feed others follow goes at that pace when all of them ask it;
                    "default" for the pace it publishes at
New fetch options (a cookie that expired, say) are used at once: the feed is fetched again. A feed
only you follow changes in place, its entries and your read state kept; one that others follow too
stays as they have it, and you follow it fetched with yours.`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...COMMON_FLAGS,
      url: { type: 'string' },
      title: { type: 'string' },
      folder: { type: 'string' },
      'no-folder': { type: 'boolean', default: false },
      pause: { type: 'boolean', default: false },
      resume: { type: 'boolean', default: false },
      'user-agent': { type: 'string' },
      cookie: { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
      'full-article': { type: 'boolean', default: false },
      summaries: { type: 'boolean', default: false },
      'article-selector': { type: 'string' },
      'remove-selector': { type: 'string' },
      'ignore-http-cache': { type: 'boolean', default: false },
      'use-http-cache': { type: 'boolean', default: false },
      'via-proxy': { type: 'boolean', default: false },
      direct: { type: 'boolean', default: false },
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
  const [target] = positionals;
  if (!target || positionals.length > 1)
    throw new GleanerError('USAGE', `give one feed URL or id\n\n${HELP}`);
  if (values.folder !== undefined && values['no-folder'])
    throw new GleanerError('USAGE', 'give --folder or --no-folder, not both');
  if (values['full-article'] && values.summaries)
    throw new GleanerError('USAGE', 'give --full-article or --summaries, not both');
  if (values.pause && values.resume) throw new GleanerError('USAGE', 'give --pause or --resume, not both');
  if (values['ignore-http-cache'] && values['use-http-cache'])
    throw new GleanerError('USAGE', 'give --ignore-http-cache or --use-http-cache, not both');
  if (values['via-proxy'] && values.direct)
    throw new GleanerError('USAGE', 'give --via-proxy or --direct, not both');
  const rules = rulesOfFlags(values);
  const certificate = values['trust-certificate'];
  const trustedCertificate = certificate === undefined ? undefined : trustedCertificateOf(certificate);
  const checkEvery = values['check-every'] === undefined ? undefined : checkEveryOf(values['check-every']);
  const ctx = await openContext(values);
  try {
    const user = await resolveUser(ctx.store, values.user);
    const deps = { store: ctx.store, fetcher: ctx.fetcher, clock: Date.now };
    let sub = findSubscription(await ctx.store.listSubscriptions(user.id), target);
    // The feed's options, with what the flags change: those of the feed it follows now.
    const optionsOver = (current: FetchOptions): FetchOptions => {
      const scrape = scrapeOfFlags(values, current.scrape);
      return {
        userAgent: optionOfFlag(values['user-agent'], current.userAgent),
        cookie: optionOfFlag(values.cookie, current.cookie),
        username: optionOfFlag(values.username, current.username),
        password: optionOfFlag(values.password, current.password),
        fetchFullArticle: values['full-article'] || (!values.summaries && current.fetchFullArticle),
        articleSelector: optionOfFlag(values['article-selector']?.trim(), current.articleSelector),
        removeSelector: optionOfFlag(values['remove-selector']?.trim(), current.removeSelector),
        ignoreHttpCache:
          values['ignore-http-cache'] || (!values['use-http-cache'] && current.ignoreHttpCache),
        fetchViaProxy: values['via-proxy'] || (!values.direct && current.fetchViaProxy),
        trustedCertificate:
          trustedCertificate === undefined ? current.trustedCertificate : trustedCertificate,
        scrape: scrape === undefined ? current.scrape : scrape,
        rewriteRules:
          values['rewrite-rules'] === undefined
            ? current.rewriteRules
            : rewriteRulesOf(values['rewrite-rules']),
      };
    };
    let options = optionsOver(sub.feed.options);
    checkFetchOptions(options);
    // A new URL first: what else is given applies to the feed followed there.
    let moved: FeedUrlChange | null = null;
    if (values.url !== undefined) {
      // Checked with the options it is to have there (a new certificate, say).
      moved = await changeFeedUrl(deps, user.id, sub.feed.id, values.url, options);
      if (moved.status === 'unchanged') moved = null;
      else sub = findSubscription(await ctx.store.listSubscriptions(user.id), String(moved.feed.id));
    }
    // Over the options of the feed it follows now (credentials written into the new URL, say).
    const current = sub.feed.options;
    options = optionsOver(current);
    const folderChanged = values.folder !== undefined || values['no-folder'];
    const optionsChanged = fetchOptionsKey(options) !== fetchOptionsKey(current);
    const paused = values.pause ? true : values.resume ? false : undefined;
    const rulesChanged = Object.keys(rules).length > 0;
    if (
      moved === null &&
      values.title === undefined &&
      !folderChanged &&
      !optionsChanged &&
      paused === undefined &&
      !rulesChanged &&
      checkEvery === undefined
    ) {
      console.log('nothing to change');
      return 0;
    }
    const title = values.title === undefined ? sub.subscription.title : (nameOfFlag(values.title) ?? null);
    const name = title ?? sub.feed.title ?? sub.feed.url;
    const folderName = nameOfFlag(values.folder);
    const folder = folderName ? await ctx.store.ensureFolder(user.id, folderName) : null;
    await ctx.store.updateSubscription(user.id, sub.feed.id, {
      ...(values.title !== undefined ? { title } : {}),
      ...(folderChanged ? { folderId: folder?.id ?? null } : {}),
      ...(paused !== undefined ? { paused } : {}),
      ...rules,
      ...(checkEvery !== undefined ? { minCheckMinutes: checkEvery } : {}),
    });
    const state = paused === true ? ' (paused)' : paused === false ? ' (resumed)' : '';
    if (!optionsChanged && moved === null) {
      console.log(`changed ${name}${state}`);
      return 0;
    }
    const feed = optionsChanged
      ? ((await changeFetchOptions(deps, user.id, sub.feed.id, options)) ?? sub.feed)
      : sub.feed;
    // The document the move fetched is the feed's, as long as its options stayed.
    const result = await refreshFeed(
      feed,
      refreshDeps(ctx),
      moved?.fetched && !optionsChanged ? moved.fetched : undefined,
    );
    const how = [moved ? `at ${feed.url}` : '', optionsChanged ? 'with the new options' : '']
      .filter(Boolean)
      .join(' ');
    if (result.status === 'failed') {
      console.log(`changed ${name}, but fetching it ${how} failed: ${result.error}`);
      return 1;
    }
    const apart =
      moved?.status === 'apart'
        ? " (followed anew there: the old feed's entries stay with it)"
        : feed.id !== sub.feed.id
          ? ' (others follow it as they had it)'
          : '';
    console.log(
      `changed ${name}; fetched ${how}${apart} (${counted(await ctx.store.countEntries(feed.id), 'entry', 'entries')})`,
    );
    return 0;
  } finally {
    await ctx.close();
  }
}
