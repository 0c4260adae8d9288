// Feed management: subscribing (with discovery), editing, refreshing and unsubscribing, folders,
// OPML import and export, the recommended-feed directory, and the statistics page. The work itself
// is the subscribe module's, as the CLI uses it; these routes add forms, messages and pages.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FetchError, parseTrustedCertificate } from '../../feed/fetch/index.js';
import { rewriteRulesText } from '../../content/rewrite.js';
import { pageScrapeOf, scrapeProblem } from '../../feed/scrape/index.js';
import { buildOpml, parseOpml } from '../../feed/opml/index.js';
import { loadRecommended, type RecommendedFeed } from '../../feed/recommended/index.js';
import { MAX_SELECTOR_LENGTH, selectorProblem } from '../../content/selector.js';
import { compileRule } from '../../ingest/rules.js';
import { GleanerError } from '../../model/errors.js';
import type { FetchOptions, PageScrape } from '../../model/index.js';
import { checkIntervalProblem } from '../../refresh/schedule.js';
import type { SubscriptionView } from '../../store/index.js';
import {
  changeFeedUrl,
  changeFetchOptions,
  checkFetchOptions,
  exportFeeds,
  importFeeds,
  moveUrlCredentials,
  normalizeInputUrl,
  fetchedOf,
  subscribeToRecommended,
  subscribeToUrl,
  type FeedUrlChange,
  type SubscribeDeps,
} from '../../subscribe/index.js';
import type { Translate } from '../i18n.js';
import { wantsJson, type RouteContext } from '../server.js';
import { feedName } from '../views/common.js';
import {
  EMPTY_SUBSCRIBE_FORM,
  feedsPage,
  recommendedPage,
  statsPage,
  topicAnchor,
  topicName,
  type FeedsView,
  type Flash,
  type RecommendedTopic,
  SCRAPE_FIELD_NAMES,
  type ScrapeFields,
  type SubscribeForm,
} from '../views/feeds.js';
import { layout } from '../views/layout.js';
import { DAY_MS, dailySeries, dayOf } from '../views/sparkline.js';
import { field, notFound, pageData, requireUser, sendHtml, type SignedIn } from './page.js';

/** Days of posting the feed list and the statistics show. */
const ACTIVITY_DAYS = 30;
/** Days of reading the statistics show. */
const READING_DAYS = 90;
/** A feed without an entry for this long "went quiet". */
const QUIET_DAYS = 30;
const MAX_FOLDER_NAME = 100;
const MAX_TITLE = 200;

interface FeedsQuery {
  done?: string;
  error?: string;
  feed?: string;
  added?: string;
  failed?: string;
  topic?: string;
}

/** A positive integer id from a path or a field, else null. */
function idOf(value: string | undefined): number | null {
  if (!value || !/^\d{1,15}$/.test(value)) return null;
  const id = Number(value);
  return id > 0 ? id : null;
}

function countOf(value: string | undefined): number {
  return value && /^\d{1,9}$/.test(value) ? Number(value) : 0;
}

function withParams(path: string, params: Record<string, string | number | undefined>, hash = ''): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') search.set(k, String(v));
  const s = search.toString();
  return `${path}${s ? `?${s}` : ''}${hash}`;
}

/** The HTTP status of a GleanerError shown on a form: the input's fault (400) or the remote site's (502). */
function errorStatus(err: GleanerError): number {
  if (err.code === 'FETCH_INVALID_URL' || err.code === 'FETCH_BLOCKED_ADDRESS') return 400;
  if (err.code.startsWith('FETCH_') || err.code === 'DECODE_FAILED') return 502;
  return 400;
}

/** The page selectors of a feed form, as typed. */
function scrapeForm(req: FastifyRequest): ScrapeFields {
  const value = (part: keyof ScrapeFields) => field(req, SCRAPE_FIELD_NAMES[part]).trim();
  return {
    items: value('items'),
    title: value('title'),
    link: value('link'),
    content: value('content'),
    date: value('date'),
    author: value('author'),
    categories: value('categories'),
  };
}

/** The page reading a form's selectors ask for; a USAGE error for parts given without the entries'. */
function scrapeOfForm(fields: ScrapeFields): PageScrape | null {
  const scrape = pageScrapeOf(fields);
  if (scrape === null && Object.values(fields).some(Boolean))
    throw new GleanerError('USAGE', 'say where each entry is on the page, and then where its parts are');
  return scrape;
}

/** Whether rewrite rules as typed cannot be read. */
function rewriteProblem(text: string): boolean {
  try {
    rewriteRulesText(text);
    return false;
  } catch {
    return true;
  }
}

/** The certificate pasted into a feed form, in its stored form; null for none. */
function pastedCertificate(req: FastifyRequest): string | null {
  const text = field(req, 'trustedCertificate').trim();
  return text ? parseTrustedCertificate(text).pem : null;
}

/** True for a checkbox that is on, sent by a form ("1", "on") or as JSON (true). */
/** Whether a request's body is a form's fields (or a JSON object's): not raw bytes, a list or null. */
function isFormBody(body: unknown): body is Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && !Buffer.isBuffer(body);
}

function checked(req: FastifyRequest, name: string): boolean {
  const value = isFormBody(req.body) ? req.body[name] : undefined;
  return value === true || value === '1' || value === 'on' || value === 'true';
}

/** How many feeds an OPML file listed that were skipped, from the parser's warnings. */
function skippedCount(warnings: string[]): number {
  let n = 0;
  for (const w of warnings) {
    const more = /^(\d+) more feeds skipped/.exec(w);
    if (more) n += Number(more[1]);
    else if (w.startsWith('skipped feed')) n++;
  }
  return n;
}

export function registerFeedRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store, clock, log } = ctx.deps;
  const subscribeDeps = (): SubscribeDeps => ({ store, fetcher: ctx.deps.fetcher, clock });

  let directory: RecommendedFeed[] | null = null;
  const recommended = (): RecommendedFeed[] => (directory ??= loadRecommended());

  async function subscriptionOf(userId: number, feedId: number): Promise<SubscriptionView | undefined> {
    return (await store.listSubscriptions(userId)).find((s) => s.feed.id === feedId);
  }

  /**
   * The folder a form chose: a new name, one of the user's folders, or none. A new folder is
   * created only with `create` (subscribing creates it once the feed is found).
   */
  async function chosenFolder(
    viewer: SignedIn,
    req: FastifyRequest,
    create: boolean,
  ): Promise<{ folderId: number | null; name: string | null } | { problem: string }> {
    const t = viewer.t;
    const newName = field(req, 'newFolder').trim();
    if (newName) {
      if (newName.length > MAX_FOLDER_NAME)
        return { problem: t('A folder name is 1 to {n} characters.', { n: MAX_FOLDER_NAME }) };
      if (!create) return { folderId: null, name: newName };
      const folder = await store.ensureFolder(viewer.user.id, newName);
      return { folderId: folder.id, name: folder.name };
    }
    const raw = field(req, 'folderId');
    if (!raw) return { folderId: null, name: null };
    const id = idOf(raw);
    const folder = (await store.listFolders(viewer.user.id)).find((f) => f.id === id);
    if (!folder) return { problem: t('Choose one of your folders.') };
    return { folderId: folder.id, name: folder.name };
  }

  function feedsFlash(viewer: SignedIn, q: FeedsQuery, subs: readonly SubscriptionView[]): Flash | null {
    const t = viewer.t;
    const id = idOf(q.feed);
    const sub = id === null ? undefined : subs.find((s) => s.feed.id === id);
    const name = sub ? feedName(sub) : '';
    const added = countOf(q.added);
    switch (q.error) {
      case 'folder-name':
        return { kind: 'error', message: t('A folder name is 1 to {n} characters.', { n: MAX_FOLDER_NAME }) };
      case 'folder-taken':
        return { kind: 'error', message: t('You already have a folder with that name.') };
      case 'folder':
        return { kind: 'error', message: t('Choose one of your folders.') };
      case 'rules':
        return {
          kind: 'error',
          message: t(
            'That rule is not a pattern Gleaner can run: check its brackets; backreferences and lookaround are not allowed, as in Miniflux.',
          ),
        };
      case 'selector':
        return {
          kind: 'error',
          message: t(
            'That article selector is not one Gleaner can use: a CSS selector such as article .post-body, at most {n} characters, without :has() or :contains().',
            { n: MAX_SELECTOR_LENGTH.toLocaleString('en') },
          ),
        };
      case 'check':
        return { kind: 'error', message: t('Choose how often to check it from the list.') };
      case 'remove-selector':
        return {
          kind: 'error',
          message: t(
            'Those elements to remove are not a selector Gleaner can use: a CSS selector such as .share-buttons, at most {n} characters, without :has() or :contains().',
            { n: MAX_SELECTOR_LENGTH.toLocaleString('en') },
          ),
        };
      case 'rewrite':
        return {
          kind: 'error',
          message: t(
            'Those rewrite rules are not ones Gleaner runs: add_image_title, add_dynamic_image, add_youtube_video, remove_tables, nl2br, convert_text_link and replace("pattern"|"replacement"), separated by commas.',
          ),
        };
      case 'scrape':
        return {
          kind: 'error',
          message: t(
            'Those page selectors are not ones Gleaner can use: CSS selectors such as article.post, at most {n} characters each, without :has() or :contains().',
            { n: MAX_SELECTOR_LENGTH.toLocaleString('en') },
          ),
        };
      case 'certificate':
        return {
          kind: 'error',
          message: t(
            'That is not a certificate Gleaner can trust: paste one certificate in PEM form, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----, never a private key.',
          ),
        };
      case 'fetch-options':
        return {
          kind: 'error',
          message: t(
            'Those fetch options cannot go into a request: no line breaks, no colon in the user name, at most 4,096 characters each.',
          ),
        };
    }
    switch (q.done) {
      case 'already':
        return sub ? { kind: 'status', message: t('You already follow {name}.', { name }) } : null;
      case 'subscribed':
        if (!sub) return null;
        if (sub.feed.errorCount > 0)
          return {
            kind: 'error',
            message: t('Subscribed to {name}, but fetching it failed: {error}', {
              name,
              error: sub.feed.lastError ?? t('unknown error'),
            }),
          };
        if (sub.feed.lastCheckedAt === null)
          return {
            kind: 'status',
            message: t('Subscribed to {name}; it is fetched in the next refresh.', { name }),
          };
        return {
          kind: 'status',
          message: subscribedWith(t, name, sub.entryCount),
        };
      case 'refreshed':
        if (!sub) return null;
        if (sub.feed.errorCount > 0)
          return {
            kind: 'error',
            message: t('Refreshing {name} failed: {error}', {
              name,
              error: sub.feed.lastError ?? t('unknown error'),
            }),
          };
        return {
          kind: 'status',
          message:
            added > 1
              ? t('Refreshed {name}: {n} new entries.', { name, n: added })
              : added === 1
                ? t('Refreshed {name}: 1 new entry.', { name })
                : t('Refreshed {name}: no new entries.', { name }),
        };
      case 'edited':
        return sub ? { kind: 'status', message: t('Saved {name}.', { name }) } : null;
      case 'unsubscribed':
        return { kind: 'status', message: t('Unsubscribed; your starred entries of the feed are kept.') };
      case 'folder-renamed':
        return { kind: 'status', message: t('Folder renamed.') };
      case 'folder-deleted':
        return { kind: 'status', message: t('Folder deleted; its feeds are now outside any folder.') };
      default:
        return null;
    }
  }

  async function showFeeds(
    req: FastifyRequest,
    reply: FastifyReply,
    viewer: SignedIn,
    view: Partial<FeedsView>,
    status = 200,
  ): Promise<FastifyReply> {
    const page = await pageData(ctx, viewer, 'feeds');
    const since = (dayOf(page.now) - ACTIVITY_DAYS + 1) * DAY_MS;
    const rows = await store.feedActivity(viewer.user.id, since);
    const activity = new Map(
      page.subs.map((s) => [s.feed.id, dailySeries(rows.get(s.feed.id) ?? [], ACTIVITY_DAYS, page.now)]),
    );
    const full: FeedsView = {
      flash: null,
      form: EMPTY_SUBSCRIBE_FORM,
      subscribeError: null,
      choose: null,
      importText: '',
      importError: null,
      importResult: null,
      ...view,
      activity,
      noRepublish: await store.noRepublishFeeds(viewer.user.id),
    };
    if (view.flash === undefined) full.flash = feedsFlash(viewer, req.query as FeedsQuery, page.subs);
    return sendHtml(reply, layout(page, viewer.t('Manage feeds'), feedsPage(page, full)), status);
  }

  app.get<{ Querystring: FeedsQuery }>('/feeds', async (req, reply) => {
    const viewer = await requireUser(ctx, req, reply);
    if (!viewer) return reply;
    return showFeeds(req, reply, viewer, {});
  });

  // Subscribe: a feed's URL, or a site's page that declares feeds. Answers JSON when asked:
  // {feedId} once subscribed, {candidates} when the page offers several feeds, {error} otherwise.
  app.post('/feeds/subscribe', async (req, reply) => {
    const viewer = await requireUser(ctx, req, reply);
    if (!viewer) return reply;
    const t = viewer.t;
    const form: SubscribeForm = {
      url: field(req, 'url').trim(),
      folderId: field(req, 'folderId'),
      newFolder: field(req, 'newFolder').trim(),
      title: field(req, 'title').trim(),
      fullArticle: checked(req, 'fullArticle'),
      articleSelector: field(req, 'articleSelector').trim(),
      removeSelector: field(req, 'removeSelector').trim(),
      rewriteRules: field(req, 'rewriteRules').trim(),
      ignoreHttpCache: checked(req, 'ignoreHttpCache'),
      viaProxy: checked(req, 'viaProxy'),
      trustedCertificate: field(req, 'trustedCertificate').trim(),
      scrape: scrapeForm(req),
      userAgent: field(req, 'userAgent').trim(),
      cookie: field(req, 'cookie').trim(),
      username: field(req, 'username'),
      password: field(req, 'password'),
    };
    const json = wantsJson(req);
    const fail = async (message: string, status: number): Promise<FastifyReply> =>
      json
        ? reply.code(status).send({ error: message })
        : showFeeds(req, reply, viewer, { form, subscribeError: message, flash: null }, status);
    if (!form.url) return fail(t('Give the address of a feed or a site.'), 400);
    if (form.url.length > 4096) return fail(t('This address is too long to be a feed’s.'), 400);
    if (form.title.length > MAX_TITLE)
      return fail(t('A title is at most {n} characters.', { n: MAX_TITLE }), 400);
    const folder = await chosenFolder(viewer, req, false);
    if ('problem' in folder) return fail(folder.problem, 400);
    let outcome;
    try {
      // Credentials typed into the URL fill the form's fields (the form comes back to choose a
      // feed with them), and are stored as the feed's options, never in its URL.
      const typed = moveUrlCredentials(normalizeInputUrl(form.url), {
        userAgent: form.userAgent || null,
        cookie: form.cookie || null,
        username: form.username || null,
        password: form.password || null,
        fetchFullArticle: form.fullArticle,
        articleSelector: form.articleSelector || null,
        ignoreHttpCache: form.ignoreHttpCache,
        removeSelector: form.removeSelector || null,
        fetchViaProxy: form.viaProxy,
        trustedCertificate: pastedCertificate(req),
        scrape: scrapeOfForm(form.scrape),
        rewriteRules: rewriteRulesText(form.rewriteRules),
      });
      form.url = typed.url;
      form.username = typed.options.username ?? '';
      form.password = typed.options.password ?? '';
      outcome = await subscribeToUrl(subscribeDeps(), {
        userId: viewer.user.id,
        url: typed.url,
        folder: folder.name,
        title: form.title || null,
        options: typed.options,
      });
    } catch (err) {
      if (!(err instanceof GleanerError)) throw err;
      // A private key pasted by mistake is not written back into the page.
      if (form.trustedCertificate.includes('PRIVATE KEY')) form.trustedCertificate = '';
      // A page without a feed: where the selectors that read it as one are asked for, open.
      form.noFeed = err.code === 'PARSE_NOT_A_FEED' && !form.scrape.items;
      const reason = t('Could not subscribe: {reason}', { reason: err.message });
      // A server of the user's own: the certificate it shows, filled in for them to check and trust.
      if (err instanceof FetchError && err.certificateRefused && !form.trustedCertificate) {
        const shown = await ctx.deps.fetcher
          .presentedCertificate(form.url, { viaProxy: form.viaProxy })
          .catch(() => null);
        if (shown) {
          form.trustedCertificate = shown.pem;
          const offer = t(
            'It shows the certificate below (SHA-256 {fingerprint}, made for {names}). If it is your own server’s, check that fingerprint on the server, then subscribe again to trust it for this feed.',
            { fingerprint: shown.fingerprint, names: shown.names ?? shown.subject },
          );
          return fail(`${reason} ${offer}`, errorStatus(err));
        }
      }
      return fail(reason, errorStatus(err));
    }
    if (outcome.status === 'choose') {
      if (json) return { page: outcome.page, candidates: outcome.candidates };
      return showFeeds(req, reply, viewer, {
        form,
        choose: { page: outcome.page, candidates: outcome.candidates },
        flash: null,
      });
    }
    const feedId = outcome.feed.id;
    await ctx.refreshWaiting(viewer.user.id, [feedId], fetchedOf(outcome));
    if (json) {
      const fresh = await store.getFeed(feedId);
      return {
        feedId,
        already: outcome.already,
        entries: await store.countEntries(feedId),
        error: fresh && fresh.errorCount > 0 ? fresh.lastError : null,
      };
    }
    const done = outcome.already ? 'already' : 'subscribed';
    return reply.redirect(withParams('/feeds', { done, feed: feedId }, `#feed-${feedId}`), 303);
  });

  app.post<{ Params: { id: string } }>('/feeds/:id/edit', async (req, reply) => {
    const viewer = await requireUser(ctx, req, reply);
    if (!viewer) return reply;
    const id = idOf(req.params.id);
    const sub = id === null ? undefined : await subscriptionOf(viewer.user.id, id);
    if (id === null || !sub) return notFound(reply);
    // Read as a form, a body that is none (raw bytes, a JSON array or null) has every field empty,
    // and would clear the subscription's title, folder and the rest.
    if (!isFormBody(req.body))
      return reply.code(400).send({ error: 'the body is not a form: send it as a form or a JSON object' });
    const title = field(req, 'title').trim().slice(0, MAX_TITLE);
    const folder = await chosenFolder(viewer, req, true);
    if ('problem' in folder) {
      if (wantsJson(req)) return reply.code(400).send({ error: folder.problem });
      const error = field(req, 'newFolder').trim() ? 'folder-name' : 'folder';
      return reply.redirect(withParams('/feeds', { error }, `#feed-${id}`), 303);
    }
    // The form carries fetchOptionsField when it holds the fetch options: a password left empty
    // is kept, as long as there is a user name; no user name is no credentials.
    const username = field(req, 'username');
    const articleSelector = field(req, 'articleSelector').trim() || null;
    const scrapeFields = scrapeForm(req);
    const rewriteText = field(req, 'rewriteRules').trim();
    const removeSelector = field(req, 'removeSelector').trim() || null;
    let options: FetchOptions | null = null;
    try {
      options = field(req, 'fetchOptionsField')
        ? {
            userAgent: field(req, 'userAgent').trim() || null,
            cookie: field(req, 'cookie').trim() || null,
            username: username || null,
            password: username ? field(req, 'password') || sub.feed.options.password : null,
            fetchFullArticle: checked(req, 'fullArticle'),
            articleSelector,
            ignoreHttpCache: checked(req, 'ignoreHttpCache'),
            removeSelector,
            fetchViaProxy: checked(req, 'viaProxy'),
            trustedCertificate: pastedCertificate(req),
            scrape: scrapeOfForm(scrapeFields),
            rewriteRules: rewriteRulesText(rewriteText),
          }
        : null;
      if (options) checkFetchOptions(options);
    } catch (err) {
      if (!(err instanceof GleanerError)) throw err;
      if (wantsJson(req)) return reply.code(400).send({ error: err.message });
      const error =
        options === null
          ? pageScrapeOf(scrapeFields) === null && Object.values(scrapeFields).some(Boolean)
            ? 'scrape'
            : rewriteProblem(rewriteText)
              ? 'rewrite'
              : 'certificate'
          : articleSelector && selectorProblem(articleSelector)
            ? 'selector'
            : removeSelector && selectorProblem(removeSelector, 'remove selector')
              ? 'remove-selector'
              : options.scrape && scrapeProblem(options.scrape)
                ? 'scrape'
                : 'fetch-options';
      return reply.redirect(withParams('/feeds', { error }, `#feed-${id}`), 303);
    }
    // The form carries checkField when it holds how often at most to check the feed: empty for its pace.
    let minCheckMinutes: number | null | undefined;
    if (field(req, 'checkField')) {
      // A form sends the choice as text; a JSON client may send a number.
      const given = (req.body as Record<string, unknown>).minCheckMinutes;
      // Neither text nor a number (an object, a list): no choice at all, not "its pace".
      const raw =
        typeof given === 'number'
          ? String(given)
          : given === undefined || typeof given === 'string' || Array.isArray(given)
            ? field(req, 'minCheckMinutes').trim()
            : 'not a number';
      minCheckMinutes = raw === '' ? null : Number(raw);
      if (minCheckMinutes !== null && checkIntervalProblem(minCheckMinutes) !== null) {
        if (wantsJson(req)) return reply.code(400).send({ error: checkIntervalProblem(minCheckMinutes) });
        return reply.redirect(withParams('/feeds', { error: 'check' }, `#feed-${id}`), 303);
      }
    }
    // The form carries rulesField when it holds the rules: an empty one is none.
    const rules = field(req, 'rulesField')
      ? { blockRules: field(req, 'blockRules').trim(), keepRules: field(req, 'keepRules').trim() }
      : {};
    try {
      compileRule(rules.blockRules, 'block rule');
      compileRule(rules.keepRules, 'keep rule');
    } catch (err) {
      if (!(err instanceof GleanerError)) throw err;
      if (wantsJson(req)) return reply.code(400).send({ error: err.message });
      return reply.redirect(withParams('/feeds', { error: 'rules' }, `#feed-${id}`), 303);
    }
    // A new URL first, and nothing else changes when it fails: the rest applies to the feed there.
    let feedId = id;
    let move: FeedUrlChange | null = null;
    const newUrl = field(req, 'url').trim();
    if (newUrl && newUrl !== sub.feed.url) {
      try {
        // Checked with the fetch options the form gives it, when they change too.
        move = await changeFeedUrl(subscribeDeps(), viewer.user.id, id, newUrl, options ?? undefined);
      } catch (err) {
        if (!(err instanceof GleanerError)) throw err;
        if (wantsJson(req)) return reply.code(errorStatus(err)).send({ error: err.message });
        const message = viewer.t('Could not move it to that URL: {reason}', { reason: err.message });
        return showFeeds(req, reply, viewer, { flash: { kind: 'error', message } }, errorStatus(err));
      }
      feedId = move.feed.id;
    }
    await store.updateSubscription(viewer.user.id, feedId, {
      title: title || null,
      folderId: folder.folderId,
      // The form carries pausedField so that an unchecked box (sent as nothing) means "fetch it".
      ...(field(req, 'pausedField') ? { paused: checked(req, 'paused') } : {}),
      ...rules,
      ...(minCheckMinutes !== undefined ? { minCheckMinutes } : {}),
    });
    // The form carries republishField so that an unchecked box (sent as nothing) means "allowed".
    if (field(req, 'republishField'))
      await store.setRepublish(viewer.user.id, feedId, field(req, 'noRepublish') === '');
    const refetched = options && (await changeFetchOptions(subscribeDeps(), viewer.user.id, feedId, options));
    if (refetched) {
      feedId = refetched.id;
      await ctx.refreshWaiting(viewer.user.id, [feedId]);
    } else if (move && move.status !== 'unchanged') {
      // The document the move fetched is the feed's: the site is asked for it once.
      const fetched = move.fetched ? new Map([[feedId, move.fetched]]) : undefined;
      await ctx.refreshWaiting(viewer.user.id, [feedId], fetched);
    }
    if (wantsJson(req)) return { feedId, title: title || null, folderId: folder.folderId };
    return reply.redirect(withParams('/feeds', { done: 'edited', feed: feedId }, `#feed-${feedId}`), 303);
  });

  // The certificate a feed's https server presents (a renewed one, say), from its edit form: shown
  // in the form, for the user to check and save; nothing is trusted here.
  app.post<{ Params: { id: string } }>('/feeds/:id/certificate', async (req, reply) => {
    const viewer = await requireUser(ctx, req, reply);
    if (!viewer) return reply;
    const id = idOf(req.params.id);
    const sub = id === null ? undefined : await subscriptionOf(viewer.user.id, id);
    if (id === null || !sub) return notFound(reply);
    const t = viewer.t;
    let shown;
    try {
      shown = await ctx.deps.fetcher.presentedCertificate(sub.feed.url, {
        viaProxy: sub.feed.options.fetchViaProxy,
      });
    } catch (err) {
      if (!(err instanceof GleanerError)) throw err;
      if (wantsJson(req)) return reply.code(errorStatus(err)).send({ error: err.message });
      const message = t('Could not read the certificate: {reason}', { reason: err.message });
      return showFeeds(req, reply, viewer, { flash: { kind: 'error', message } }, errorStatus(err));
    }
    if (wantsJson(req)) return shown;
    const message = t(
      '{host} presents the certificate now in this feed’s form (SHA-256 {fingerprint}, made for {names}). If it is your own server’s, check that fingerprint on the server, then save to trust it for this feed.',
      {
        host: new URL(sub.feed.url).host,
        fingerprint: shown.fingerprint,
        names: shown.names ?? shown.subject,
      },
    );
    return showFeeds(req, reply, viewer, {
      flash: { kind: 'status', message },
      offered: { feedId: id, pem: shown.pem },
    });
  });

  app.post<{ Params: { id: string } }>('/feeds/:id/refresh', async (req, reply) => {
    const viewer = await requireUser(ctx, req, reply);
    if (!viewer) return reply;
    const id = idOf(req.params.id);
    if (id === null || !(await subscriptionOf(viewer.user.id, id))) return notFound(reply);
    const before = await store.countEntries(id);
    await ctx.refreshWaiting(viewer.user.id, [id]);
    const added = Math.max(0, (await store.countEntries(id)) - before);
    if (wantsJson(req)) {
      const feed = await store.getFeed(id);
      return { feedId: id, added, error: feed && feed.errorCount > 0 ? feed.lastError : null };
    }
    return reply.redirect(withParams('/feeds', { done: 'refreshed', feed: id, added }, `#feed-${id}`), 303);
  });

  app.post<{ Params: { id: string } }>('/feeds/:id/unsubscribe', async (req, reply) => {
    const viewer = await requireUser(ctx, req, reply);
    if (!viewer) return reply;
    const id = idOf(req.params.id);
    if (id === null || !(await store.unsubscribe(viewer.user.id, id))) return notFound(reply);
    if (wantsJson(req)) return { feedId: id, unsubscribed: true };
    return reply.redirect(withParams('/feeds', { done: 'unsubscribed' }), 303);
  });

  app.post<{ Params: { id: string } }>('/folders/:id/rename', async (req, reply) => {
    const viewer = await requireUser(ctx, req, reply);
    if (!viewer) return reply;
    const id = idOf(req.params.id);
    const folders = await store.listFolders(viewer.user.id);
    if (id === null || !folders.some((f) => f.id === id)) return notFound(reply);
    const name = field(req, 'name').trim();
    let error: string | null = null;
    if (!name || name.length > MAX_FOLDER_NAME) error = 'folder-name';
    else if (!(await store.renameFolder(viewer.user.id, id, name))) error = 'folder-taken';
    if (wantsJson(req)) {
      return error
        ? reply.code(error === 'folder-taken' ? 409 : 400).send({ error })
        : { folderId: id, name };
    }
    return reply.redirect(
      withParams('/feeds', error ? { error } : { done: 'folder-renamed' }, `#folder-${id}`),
      303,
    );
  });

  app.post<{ Params: { id: string } }>('/folders/:id/delete', async (req, reply) => {
    const viewer = await requireUser(ctx, req, reply);
    if (!viewer) return reply;
    const id = idOf(req.params.id);
    if (id === null || !(await store.deleteFolder(viewer.user.id, id))) return notFound(reply);
    if (wantsJson(req)) return { folderId: id, deleted: true };
    return reply.redirect(withParams('/feeds', { done: 'folder-deleted' }), 303);
  });

  app.get('/opml', async (req, reply) => {
    const viewer = await requireUser(ctx, req, reply);
    if (!viewer) return reply;
    const opml = buildOpml(
      `Gleaner subscriptions of ${viewer.user.username}`,
      await exportFeeds(store, viewer.user.id),
      new Date(clock()),
    );
    return reply
      .code(200)
      .type('text/x-opml; charset=utf-8')
      .header('Content-Disposition', 'attachment; filename="gleaner-subscriptions.opml"')
      .header('Cache-Control', 'no-store')
      .send(opml);
  });

  // An OPML file pasted in the form (field `opml`), or sent as the raw body (text/xml and the like,
  // with the CSRF token in the x-csrf-token header).
  app.post('/opml/import', async (req, reply) => {
    const viewer = await requireUser(ctx, req, reply);
    if (!viewer) return reply;
    const t = viewer.t;
    const raw = Buffer.isBuffer(req.body) ? req.body : null;
    const text = raw ? '' : field(req, 'opml');
    const json = wantsJson(req);
    const fail = async (message: string): Promise<FastifyReply> =>
      json
        ? reply.code(400).send({ error: message })
        : showFeeds(req, reply, viewer, { importText: text, importError: message, flash: null }, 400);
    const bytes = raw ?? Buffer.from(text, 'utf8');
    if (bytes.length === 0 || (!raw && text.trim() === ''))
      return fail(t('Paste the contents of an OPML file.'));
    let parsed;
    try {
      parsed = parseOpml(bytes);
    } catch (err) {
      if (!(err instanceof GleanerError)) throw err;
      return fail(t('Could not import: {reason}', { reason: err.message }));
    }
    const skipped = skippedCount(parsed.warnings);
    if (parsed.outlines.length === 0) {
      return fail(
        skipped > 1
          ? t('Could not import: none of the {n} feeds in the file has a usable address.', { n: skipped })
          : skipped === 1
            ? t('Could not import: the one feed in the file has no usable address.')
            : t('Could not import: the file lists no feeds.'),
      );
    }
    const result = await importFeeds(subscribeDeps(), viewer.user.id, parsed.outlines);
    await ctx.fetchNewFeeds(viewer.user.id);
    log.info('opml imported', {
      user: viewer.user.username,
      feeds: parsed.outlines.length,
      added: result.added,
    });
    // A feed the file lists twice (Feedly's "Must Read") is one feed, followed in its first folder.
    const repeated =
      result.repeated === 0
        ? []
        : [
            result.repeated === 1
              ? t('1 feed the file lists more than once is followed once, in the first folder that lists it.')
              : t(
                  '{n} feeds the file lists more than once are followed once, in the first folder that lists them.',
                  {
                    n: result.repeated,
                  },
                ),
          ];
    const importResult = {
      feeds: result.added + result.existing,
      added: result.added,
      existing: result.existing,
      skipped,
      warnings: [...repeated, ...parsed.warnings].slice(0, 50),
    };
    if (json) return importResult;
    return showFeeds(req, reply, viewer, { importResult, flash: null });
  });

  function recommendedFlash(
    viewer: SignedIn,
    q: FeedsQuery,
    subs: readonly SubscriptionView[],
  ): Flash | null {
    const t = viewer.t;
    if (q.done === 'subscribed') {
      const id = idOf(q.feed);
      const sub = subs.find((s) => s.feed.id === id);
      if (!sub) return null;
      const name = feedName(sub);
      return sub.feed.errorCount > 0
        ? {
            kind: 'error',
            message: t('Subscribed to {name}, but fetching it failed: {error}', {
              name,
              error: sub.feed.lastError ?? t('unknown error'),
            }),
          }
        : { kind: 'status', message: subscribedWith(t, name, sub.entryCount) };
    }
    if (q.done === 'topic' && q.topic && recommended().some((f) => f.topic === q.topic)) {
      const added = countOf(q.added);
      const failed = countOf(q.failed);
      const message = topicSubscribedText(t, topicName(t, q.topic), added, failed);
      return { kind: failed > 0 && added === 0 ? 'error' : 'status', message };
    }
    return null;
  }

  /** What subscribing to a topic did: `added` feeds newly followed, `failed` that could not be. */
  function topicSubscribedText(t: Translate, topic: string, added: number, failed: number): string {
    if (added === 0)
      return failed > 0
        ? t('No feed of {topic} was added: {failed} could not be.', { topic, failed })
        : t('You already follow every feed of {topic}.', { topic });
    if (failed > 0)
      return added === 1
        ? t('Subscribed to 1 feed of {topic}; {failed} could not be added. It is being fetched now.', {
            topic,
            failed,
          })
        : t('Subscribed to {n} feeds of {topic}; {failed} could not be added. They are being fetched now.', {
            n: added,
            topic,
            failed,
          });
    return added === 1
      ? t('Subscribed to 1 feed of {topic}; it is being fetched now.', { topic })
      : t('Subscribed to {n} feeds of {topic}; they are being fetched now.', { n: added, topic });
  }

  async function showRecommended(
    req: FastifyRequest,
    reply: FastifyReply,
    viewer: SignedIn,
    flash: Flash | null | undefined,
    status = 200,
  ): Promise<FastifyReply> {
    const page = await pageData(ctx, viewer, 'recommended');
    const subscribed = new Set(page.subs.map((s) => s.feed.url));
    const byTopic = new Map<string, RecommendedTopic>();
    for (const feed of recommended()) {
      let topic = byTopic.get(feed.topic);
      if (!topic) byTopic.set(feed.topic, (topic = { topic: feed.topic, feeds: [] }));
      topic.feeds.push({ feed, subscribed: subscribed.has(feed.url) });
    }
    const topics = [...byTopic.values()].sort((a, b) => a.topic.localeCompare(b.topic));
    for (const topic of topics) topic.feeds.sort((a, b) => a.feed.name.localeCompare(b.feed.name));
    const shown = flash === undefined ? recommendedFlash(viewer, req.query as FeedsQuery, page.subs) : flash;
    return sendHtml(
      reply,
      layout(page, viewer.t('Recommended feeds'), recommendedPage(page, { flash: shown, topics })),
      status,
    );
  }

  app.get<{ Querystring: FeedsQuery }>('/recommended', async (req, reply) => {
    const viewer = await requireUser(ctx, req, reply);
    if (!viewer) return reply;
    return showRecommended(req, reply, viewer, undefined);
  });

  // One feed of the directory (field `url`), or every feed of a topic not yet subscribed (`topic`).
  // Each topic becomes a folder, as `gleaner recommended --subscribe` does.
  app.post('/recommended/subscribe', async (req, reply) => {
    const viewer = await requireUser(ctx, req, reply);
    if (!viewer) return reply;
    const t = viewer.t;
    const json = wantsJson(req);
    const userId = viewer.user.id;
    const url = field(req, 'url');
    const topic = field(req, 'topic');
    if (url) {
      const feed = recommended().find((f) => f.url === url);
      if (!feed) return notFound(reply);
      let outcome;
      try {
        outcome = await subscribeToUrl(subscribeDeps(), {
          userId,
          url: feed.url,
          folder: feed.topic,
          title: feed.name,
          pickFirst: true,
        });
      } catch (err) {
        if (!(err instanceof GleanerError)) throw err;
        const message = t('Could not subscribe to {name}: {reason}', {
          name: feed.name,
          reason: err.message,
        });
        if (json) return reply.code(errorStatus(err)).send({ error: message });
        return showRecommended(req, reply, viewer, { kind: 'error', message }, errorStatus(err));
      }
      if (outcome.status !== 'subscribed') {
        // pickFirst never asks; kept for the type.
        return reply.code(502).send({ error: 'the site offers several feeds' });
      }
      const feedId = outcome.feed.id;
      await ctx.refreshWaiting(userId, [feedId], fetchedOf(outcome));
      if (json) return { feedId };
      return reply.redirect(
        withParams('/recommended', { done: 'subscribed', feed: feedId }, `#${topicAnchor(feed.topic)}`),
        303,
      );
    }
    const feeds = recommended().filter((f) => f.topic === topic);
    if (!topic || feeds.length === 0) return notFound(reply);
    const done = await subscribeToRecommended(subscribeDeps(), userId, feeds);
    for (const { recommended: f, error } of done.failed)
      log.warn('recommended feed not added', { url: f.url, error });
    // Fetched now rather than by the refresh loop, which may be a while: the page after shows them.
    await ctx.fetchNewFeeds(userId, done.fetched);
    const added = done.added.length;
    const failed = done.failed.length;
    if (json) return { topic, added, failed };
    return reply.redirect(
      withParams('/recommended', { done: 'topic', topic, added, failed }, `#${topicAnchor(topic)}`),
      303,
    );
  });

  app.get('/stats', async (req, reply) => {
    const viewer = await requireUser(ctx, req, reply);
    if (!viewer) return reply;
    const page = await pageData(ctx, viewer, 'stats');
    const userId = viewer.user.id;
    const today = dayOf(page.now);
    const [readingRows, postingRows] = await Promise.all([
      store.readingActivity(userId, (today - READING_DAYS + 1) * DAY_MS),
      store.feedActivity(userId, (today - ACTIVITY_DAYS + 1) * DAY_MS),
    ]);
    const feeds = page.subs
      .map((sub) => {
        const series = dailySeries(postingRows.get(sub.feed.id) ?? [], ACTIVITY_DAYS, page.now);
        return { sub, series, total: series.reduce((a, b) => a + b, 0) };
      })
      .sort((a, b) => b.total - a.total || feedName(a.sub).localeCompare(feedName(b.sub)));
    const quietSince = page.now - QUIET_DAYS * DAY_MS;
    const quiet: { sub: SubscriptionView; lastEntryAt: number | null }[] = [];
    for (const sub of page.subs) {
      const [last] = await store.recentPublishTimes(sub.feed.id, 1);
      if (last === undefined || last < quietSince) quiet.push({ sub, lastEntryAt: last ?? null });
    }
    quiet.sort((a, b) => (a.lastEntryAt ?? 0) - (b.lastEntryAt ?? 0));
    const failing = page.subs
      .filter((s) => s.feed.errorCount > 0)
      .sort((a, b) => b.feed.errorCount - a.feed.errorCount);
    return sendHtml(
      reply,
      layout(
        page,
        viewer.t('Statistics'),
        statsPage(page, {
          reading: dailySeries(readingRows, READING_DAYS, page.now),
          feeds,
          feedDays: ACTIVITY_DAYS,
          quiet,
          quietDays: QUIET_DAYS,
          failing,
        }),
      ),
    );
  });
}

/** "Subscribed to X: 3 entries.", in the reader's language. */
function subscribedWith(t: Translate, name: string, entries: number): string {
  return entries === 1
    ? t('Subscribed to {name}: 1 entry.', { name })
    : t('Subscribed to {name}: {n} entries.', { name, n: entries });
}
