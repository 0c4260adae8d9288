// `gleaner feeds`: the user's subscriptions with their status, last error and next check.
import { parseArgs } from 'node:util';
import type { Feed, FetchOptions } from '../model/index.js';
import { certificateFingerprint } from '../feed/fetch/index.js';
import { minutesText, relativeTime } from '../model/time.js';
import type { SubscriptionView } from '../store/index.js';
import { COMMON_FLAGS, openContext, resolveUser } from './context.js';
import { printableJson } from '../log/index.js';
import { counted, printable } from './progress.js';

const HELP = `usage: gleaner feeds [--failing] [--user NAME] [--json] [--db FILE]

Lists your subscriptions: unread and total entries, when each was last checked and will be
checked next (a feed you paused is not, unless others follow it), the last error of feeds that
fail, and until when a WebSub hub sends a feed's new entries, then how many fail and are paused.
  --failing   only the feeds whose last fetch failed`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...COMMON_FLAGS,
      json: { type: 'boolean', default: false },
      failing: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const ctx = await openContext(values);
  try {
    const user = await resolveUser(ctx.store, values.user);
    const all = await ctx.store.listSubscriptions(user.id);
    const failing = all.filter((s) => s.feed.errorCount > 0);
    const subs = values.failing ? failing : all;
    const now = Date.now();
    // Until when each feed's WebSub hub sends its new entries (see refresh/websub.ts), if it does.
    const pushedUntil = (feed: Feed): number | null =>
      feed.webSubUntil !== null && feed.webSubUntil > now ? feed.webSubUntil : null;
    // A feed paused for the user is still checked when another follows it and has not paused it
    // (webSubOf's `followed`): only then has it a next check, and others to be checked for.
    const checkedForOthers = new Set<number>();
    for (const s of subs)
      if (s.subscription.paused && (await ctx.store.webSubOf(s.feed.id))?.followed)
        checkedForOthers.add(s.feed.id);
    const checked = (s: SubscriptionView): boolean =>
      !s.subscription.paused || checkedForOthers.has(s.feed.id);
    if (values.json) {
      console.log(
        printableJson(
          JSON.stringify(
            subs.map((s) => ({
              id: s.feed.id,
              title: s.subscription.title ?? s.feed.title,
              url: s.feed.url,
              siteUrl: s.feed.siteUrl,
              folder: s.folderName,
              unread: s.unreadCount,
              entries: s.entryCount,
              lastCheckedAt: s.feed.lastCheckedAt,
              nextCheckAt: checked(s) ? s.feed.nextCheckAt : null,
              errorCount: s.feed.errorCount,
              lastError: s.feed.lastError,
              fetchedWith: fetchedWith(s.feed.options),
              paused: s.subscription.paused,
              blockRules: s.subscription.blockRules,
              keepRules: s.subscription.keepRules,
              minCheckMinutes: s.subscription.minCheckMinutes,
              webSubUntil: pushedUntil(s.feed),
            })),
            null,
            2,
          ),
        ),
      );
      return 0;
    }
    if (all.length === 0) {
      console.log('No subscriptions yet: gleaner add URL, gleaner import FILE.opml or gleaner recommended.');
      return 0;
    }
    for (const s of subs) {
      const title = s.subscription.title ?? s.feed.title ?? s.feed.url;
      const status =
        (s.subscription.paused ? 'PAUSED · ' : '') +
        (s.feed.errorCount > 0
          ? `FAILING ×${s.feed.errorCount}${s.feed.lastSuccessAt === null ? '' : ` (last fetched ${relativeTime(s.feed.lastSuccessAt, now)})`}: ${s.feed.lastError ?? ''}`
          : s.feed.lastCheckedAt === null
            ? 'not fetched yet'
            : 'ok');
      const options = fetchedWith(s.feed.options);
      const { blockRules, keepRules } = s.subscription;
      const rules = [
        ...(blockRules ? [`blocking /${blockRules}/`] : []),
        ...(keepRules ? [`keeping /${keepRules}/`] : []),
      ];
      const pushed = pushedUntil(s.feed);
      const asked = s.subscription.minCheckMinutes;
      // The feed's own pace is that of its active subscribers (Feed.minCheckMinutes): below the
      // user's, it is checked more often for others, which a feed no one else checks cannot be.
      const forOthers = checked(s) && (s.feed.minCheckMinutes ?? 0) < (asked ?? 0);
      const pace =
        asked === null
          ? ''
          : ` (at most every ${minutesText(asked)}${forOthers ? ', more often for others who follow it' : ''})`;
      const next = checked(s) ? ` · next ${relativeTime(s.feed.nextCheckAt, now)}` : '';
      // Titles and folders as users named them (a client app may send any), titles stored by
      // earlier builds, errors: printed without a control character a terminal acts on.
      console.log(
        printable(
          `${String(s.feed.id).padStart(5)}  ${title}${s.folderName ? `  [${s.folderName}]` : ''}\n` +
            `       ${s.feed.url}${options.length ? `  (with ${options.join(', ')})` : ''}\n` +
            (rules.length ? `       new entries: ${rules.join(', ')}\n` : '') +
            `       ${s.unreadCount} unread / ${s.entryCount} · checked ${relativeTime(s.feed.lastCheckedAt, now)}` +
            `${next}${pace} · ${status}` +
            (pushed === null ? '' : ` · sent by its WebSub hub (lease ends ${relativeTime(pushed, now)})`),
        ),
      );
    }
    const paused = all.filter((s) => s.subscription.paused).length;
    console.log(
      `${subs.length > 0 ? '\n' : ''}${counted(all.length, 'feed')}: ${failing.length} failing, ${paused} paused` +
        (failing.length > 0 && !values.failing ? ' (gleaner feeds --failing lists the failing ones)' : ''),
    );
    return 0;
  } finally {
    await ctx.close();
  }
}

/** What a feed is fetched with beyond the defaults, named but never shown (cookies and passwords are secrets). */
export function fetchedWith(o: FetchOptions): string[] {
  const named: string[] = [];
  if (o.userAgent) named.push('its own user agent');
  if (o.cookie) named.push('a cookie');
  if (o.username || o.password) named.push('credentials');
  if (o.fetchFullArticle) named.push('full articles');
  if (o.articleSelector) named.push(`article selector ${JSON.stringify(o.articleSelector)}`);
  if (o.removeSelector) named.push(`remove selector ${JSON.stringify(o.removeSelector)}`);
  if (o.ignoreHttpCache) named.push('no HTTP caching');
  if (o.fetchViaProxy) named.push('the feed proxy');
  if (o.rewriteRules) named.push(`rewrite rules ${o.rewriteRules}`);
  if (o.scrape) {
    const fields = Object.entries(o.scrape).filter(([, selector]) => selector !== null);
    named.push(
      `entries read off the page: ${fields.map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ')}`,
    );
  }
  if (o.trustedCertificate)
    named.push(`its own trusted certificate (SHA-256 ${certificateFingerprint(o.trustedCertificate)})`);
  return named;
}
