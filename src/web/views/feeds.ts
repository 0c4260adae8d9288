// Feed management (subscribe, edit, refresh, unsubscribe, folders, OPML), the recommended-feed
// directory, and the statistics page.
import { MAX_SELECTOR_LENGTH } from '../../content/selector.js';
import type { DiscoveredFeed } from '../../feed/discover/index.js';
import { MAX_CERTIFICATE_CHARS, parseTrustedCertificate } from '../../feed/fetch/index.js';
import { MAX_REWRITE_RULES_LENGTH } from '../../content/rewrite.js';
import { MAX_RULE_LENGTH } from '../../ingest/rules.js';
import type { RecommendedFeed } from '../../feed/recommended/index.js';
import type { Feed, Folder, PageScrape } from '../../model/index.js';
import { isoTime, minutesText } from '../../model/time.js';
import type { SubscriptionView } from '../../store/index.js';
import { html, type Html } from '../html.js';
import type { Translate } from '../i18n.js';
import { actionButton, csrfField, feedIcon, feedName, formatDate, hostOf, timeTag } from './common.js';
import type { PageData } from './layout.js';
import { barChart, DAY_MS, sparkline } from './sparkline.js';

/** A message after a change: `status` for news, `error` for what went wrong. */
export interface Flash {
  kind: 'status' | 'error';
  message: string;
}

export function flashView(flash: Flash | null): Html {
  if (!flash) return html``;
  return flash.kind === 'error'
    ? html`<p class="error" role="alert">${flash.message}</p>`
    : html`<div class="flash" role="status">${flash.message}</div>`;
}

/** What the subscribe form holds, kept when the form comes back with an error. */
export interface SubscribeForm {
  url: string;
  folderId: string;
  newFolder: string;
  title: string;
  fullArticle: boolean;
  /** Where the article is on an entry's page (CSS); empty for Readability's choice. */
  articleSelector: string;
  /** What to take out of its entries and articles (CSS); empty for nothing. */
  removeSelector: string;
  /** Miniflux's rewrite rules for its entries; empty for none. */
  rewriteRules: string;
  ignoreHttpCache: boolean;
  viaProxy: boolean;
  /** A certificate (PEM) to trust besides the usual authorities, as pasted: empty for none. */
  trustedCertificate: string;
  /** A web page read as a feed (PageScrape): its selectors as typed, empty for a feed. */
  scrape: ScrapeFields;
  /** The page has no feed: the fetch options open, where its entries' selectors are asked for. */
  noFeed?: boolean;
  /** How the feed is fetched, for sites that want them: empty for the defaults. */
  userAgent: string;
  cookie: string;
  username: string;
  password: string;
}

export const EMPTY_SUBSCRIBE_FORM: SubscribeForm = {
  url: '',
  folderId: '',
  newFolder: '',
  title: '',
  fullArticle: false,
  articleSelector: '',
  removeSelector: '',
  rewriteRules: '',
  ignoreHttpCache: false,
  viaProxy: false,
  trustedCertificate: '',
  scrape: { items: '', title: '', link: '', content: '', date: '', author: '', categories: '' },
  userAgent: '',
  cookie: '',
  username: '',
  password: '',
};

/** The fetch options a subscribe form names, as hidden fields (the form comes back to choose a feed). */
function hiddenFetchFields(form: SubscribeForm): Html {
  const fields = {
    articleSelector: form.articleSelector,
    removeSelector: form.removeSelector,
    rewriteRules: form.rewriteRules,
    ignoreHttpCache: form.ignoreHttpCache ? '1' : '',
    viaProxy: form.viaProxy ? '1' : '',
    trustedCertificate: form.trustedCertificate,
    ...scrapeFieldValues(form.scrape),
    userAgent: form.userAgent,
    cookie: form.cookie,
    username: form.username,
    password: form.password,
  };
  return html`${Object.entries(fields)
    .filter(([, value]) => value !== '')
    .map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`)}`;
}

export interface ImportResult {
  /** Feeds the file lists, each once (new and already subscribed). */
  feeds: number;
  added: number;
  existing: number;
  /** Outlines the file listed that could not be imported. */
  skipped: number;
  /** What was skipped or repaired, in words. */
  warnings: string[];
}

export interface FeedsView {
  flash: Flash | null;
  /** Feeds whose owners do not allow republishing (left out of every publication). */
  noRepublish: Set<number>;
  form: SubscribeForm;
  subscribeError: string | null;
  /** A page offering several feeds: the user picks one. */
  choose: { page: string; candidates: DiscoveredFeed[] } | null;
  importText: string;
  importError: string | null;
  importResult: ImportResult | null;
  /** Posts per day of each feed over the last days, oldest first, by feed id. */
  activity: Map<number, number[]>;
  /** The certificate a feed's server presents, asked for from its edit form: shown there, not yet trusted. */
  offered?: { feedId: number; pem: string } | null;
}

/** Only http(s) links from feeds become hrefs. */
function httpUrl(url: string | null): string | null {
  return url && /^https?:\/\//i.test(url) ? url : null;
}

/** "in 20 min", "in 3 h", "in 2 d", or "due now". */
function untilTime(t: Translate, at: number, now: number): string {
  const wait = at - now;
  if (wait <= 60_000) return t('next check due now');
  if (wait < 3_600_000) return t('next check in {n} min', { n: Math.ceil(wait / 60_000) });
  if (wait < DAY_MS) return t('next check in {n} h', { n: Math.round(wait / 3_600_000) });
  return t('next check in {n} d', { n: Math.round(wait / DAY_MS) });
}

/** "Failing for 3 checks: <error>", in the visible error style. */
export function failingText(t: Translate, feed: Feed): Html {
  const error = feed.lastError ?? t('unknown error');
  return html`<span class="error"
    >${
      feed.errorCount === 1
        ? t('Failing at the last check: {error}', { error })
        : t('Failing for {n} checks: {error}', { n: feed.errorCount, error })
    }</span
  >`;
}

/** The feed's health in plain words. */
export function feedStatus(t: Translate, feed: Feed, now: number): Html {
  const next = untilTime(t, feed.nextCheckAt, now);
  if (feed.errorCount > 0) {
    return html`${failingText(t, feed)} ·
    ${
      feed.lastSuccessAt !== null
        ? html`${t('last success')} ${timeTag(t, feed.lastSuccessAt, now)}`
        : t('never fetched')
    }
    · ${next}`;
  }
  if (feed.lastCheckedAt === null) return html`${t('Not checked yet')} · ${next}`;
  const pushed = feed.webSubUntil !== null && feed.webSubUntil > now;
  return html`<span class="ok">${t('OK')}</span> · ${t('checked')} ${timeTag(t, feed.lastCheckedAt, now)} ·
    ${next}${pushed ? html` · ${t('new entries sent by its WebSub hub')}` : ''}`;
}

function folderOptions(t: Translate, folders: readonly Folder[], selected: string): Html {
  return html`<option value="" ${selected === '' ? html` selected` : ''}>${t('(no folder)')}</option>
    ${folders.map(
      (f) =>
        html`<option value="${f.id}" ${String(f.id) === selected ? html` selected` : ''}>${f.name}</option>`,
    )}`;
}

function subscribeSection(page: PageData, view: FeedsView): Html {
  const t = page.viewer.t;
  const form = view.form;
  const keep = (url: string): Html =>
    html`${csrfField(page.viewer)}<input type="hidden" name="url" value="${url}" /><input
        type="hidden"
        name="folderId"
        value="${form.folderId}"
      /><input type="hidden" name="newFolder" value="${form.newFolder}" /><input
        type="hidden"
        name="title"
        value="${form.title}"
      />${form.fullArticle ? html`<input type="hidden" name="fullArticle" value="1" />` : ''}${hiddenFetchFields(form)}`;
  const choose = view.choose
    ? html`<div class="candidates" role="status">
        <p>
          ${t('{page} offers {n} feeds; choose one:', { page: view.choose.page, n: view.choose.candidates.length })}
        </p>
        <ul class="candidate-list">
          ${view.choose.candidates.map(
            (c) =>
              html`<li class="candidate">
                <span class="candidate-title">${c.title ?? hostOf(c.url)}</span>
                <span class="muted small candidate-url"
                  >${c.url}${c.type !== 'unknown' ? ` · ${c.type.toUpperCase()}` : ''}</span
                >
                <form method="post" action="/feeds/subscribe" class="inline">
                  ${keep(c.url)}<button type="submit" class="button">${t('Subscribe')}</button>
                </form>
              </li>`,
          )}
        </ul>
      </div>`
    : '';
  return html`<section class="card feeds-subscribe" id="subscribe" aria-labelledby="subscribe-heading">
    <h2 id="subscribe-heading">${t('Add a feed')}</h2>
    ${view.subscribeError ? html`<p class="error" role="alert">${view.subscribeError}</p>` : ''}
    <form method="post" action="/feeds/subscribe" class="stack subscribe-form">
      ${csrfField(page.viewer)}
      <label
        >${t('Address of a feed or a site')}
        <input
          name="url"
          value="${form.url}"
          required
          inputmode="url"
          autocomplete="url"
          maxlength="4096"
          placeholder="https://example.com/feed.xml"
      /></label>
      <div class="field-row">
        <label
          >${t('Folder')}
          <select name="folderId">
            ${folderOptions(t, page.folders, form.folderId)}
          </select></label
        >
        <label
          >${t('or a new folder')} <input name="newFolder" value="${form.newFolder}" maxlength="100"
        /></label>
      </div>
      <label
        >${t('Title (optional)')}
        <input name="title" value="${form.title}" maxlength="200" placeholder="${t('the feed’s own title')}"
      /></label>
      ${fetchOptionsFields(t, { ...form, passwordSet: false }, t('Sent to the feed’s own site only, never across a redirect to another.'))}
      <button type="submit" class="button primary">${t('Subscribe')}</button>
    </form>
    ${choose}
    <p class="muted small">
      ${t('Looking for something to read?')} <a href="/recommended">${t('Browse recommended feeds')}</a>
    </p>
  </section>`;
}

/** The fetch options a form shows: the subscribe form's as typed, a feed's as it is fetched. */
interface FetchFields {
  fullArticle: boolean;
  articleSelector: string;
  removeSelector: string;
  rewriteRules: string;
  ignoreHttpCache: boolean;
  viaProxy: boolean;
  trustedCertificate: string;
  /** Open the fetch options whatever they hold (FeedsView: a page without a feed). */
  noFeed?: boolean;
  /** Where the form asks for the certificate its https server presents; null where it cannot. */
  certificateAction?: string | null;
  scrape: ScrapeFields;
  userAgent: string;
  cookie: string;
  username: string;
  /** As typed in the subscribe form; never a stored one, which is written into no page. */
  password: string;
  /** A stored password stands behind the empty field. */
  passwordSet: boolean;
}

/** The full-article box and the fetch options (folded away unless some are set), with a hint. */
function fetchOptionsFields(t: Translate, v: FetchFields, hint: string): Html {
  const custom = !!(
    v.noFeed ||
    v.articleSelector ||
    v.removeSelector ||
    v.rewriteRules ||
    v.ignoreHttpCache ||
    v.viaProxy ||
    v.trustedCertificate ||
    v.scrape.items ||
    v.userAgent ||
    v.cookie ||
    v.username ||
    v.password ||
    v.passwordSet
  );
  return html`<label class="checkbox"
      ><input type="checkbox" name="fullArticle" value="1" ${v.fullArticle ? html` checked` : ''} />
      ${t('Fetch the full article (for feeds that send only summaries)')}</label
    >
    <details class="fetch-options" ${custom ? html` open` : ''}>
      <summary class="link">${t('Fetch options (for sites that ask for them)')}</summary>
      <div class="stack">
        ${textField(
          t('Article selector (CSS, for full articles)'),
          'articleSelector',
          v.articleSelector,
          MAX_SELECTOR_LENGTH,
          t('Readability’s guess; for example article .post-body'),
        )}
        ${textField(
          t('Elements to remove (CSS, from every entry and article)'),
          'removeSelector',
          v.removeSelector,
          MAX_SELECTOR_LENGTH,
          t('For example .share-buttons, aside.related'),
        )}
        ${textField(
          t('Rewrite rules (as in Miniflux)'),
          'rewriteRules',
          v.rewriteRules,
          MAX_REWRITE_RULES_LENGTH,
          'add_image_title, add_youtube_video, remove_tables, nl2br, replace("x"|"y")',
        )}
        <label class="checkbox"
          ><input
            type="checkbox"
            name="ignoreHttpCache"
            value="1"
            ${v.ignoreHttpCache ? html` checked` : ''}
          />
          ${t('Fetch it whole each time (for a site whose ETag or Last-Modified lies)')}</label
        >
        <label class="checkbox"
          ><input type="checkbox" name="viaProxy" value="1" ${v.viaProxy ? html` checked` : ''} />
          ${t('Fetch it through the feed proxy (GLEANER_FEED_PROXY), never another way')}</label
        >
        ${certificateField(t, v.trustedCertificate, v.certificateAction ?? null)} ${scrapeFields(t, v.scrape)}
        <label
          >${t('User agent')}
          <input name="userAgent" value="${v.userAgent}" maxlength="4096" placeholder="${t('Gleaner’s own')}"
        /></label>
        <label
          >${t('Cookie')} <input name="cookie" value="${v.cookie}" maxlength="4096" autocomplete="off"
        /></label>
        <div class="field-row">
          <label
            >${t('User name')}
            <input name="username" value="${v.username}" maxlength="4096" autocomplete="off"
          /></label>
          <label
            >${t('Password')}
            <input
              type="password"
              name="password"
              value="${v.password}"
              maxlength="4096"
              autocomplete="new-password"
              placeholder="${v.passwordSet ? t('(unchanged)') : ''}"
          /></label>
        </div>
        <p class="muted small">${hint}</p>
      </div>
    </details>`;
}

/** A feed's fetch options in its edit form. */
function feedFetchFields(t: Translate, feed: Feed, offered: string | null): Html {
  const o = feed.options;
  const fields = {
    fullArticle: o.fetchFullArticle,
    articleSelector: o.articleSelector ?? '',
    removeSelector: o.removeSelector ?? '',
    rewriteRules: o.rewriteRules ?? '',
    ignoreHttpCache: o.ignoreHttpCache,
    viaProxy: o.fetchViaProxy,
    trustedCertificate: offered ?? o.trustedCertificate ?? '',
    certificateAction: feed.url.startsWith('https://') ? `/feeds/${feed.id}/certificate` : null,
    scrape: {
      items: o.scrape?.items ?? '',
      title: o.scrape?.title ?? '',
      link: o.scrape?.link ?? '',
      content: o.scrape?.content ?? '',
      date: o.scrape?.date ?? '',
      author: o.scrape?.author ?? '',
      categories: o.scrape?.categories ?? '',
    },
    userAgent: o.userAgent ?? '',
    cookie: o.cookie ?? '',
    username: o.username ?? '',
    password: '',
    passwordSet: o.password !== null,
  };
  return html`<input type="hidden" name="fetchOptionsField" value="1" />
    ${fetchOptionsFields(t, fields, t('An empty password keeps the one set; no user name sends no credentials.'))}`;
}

/** A web page read as a feed: its selectors, as the forms hold them ('' for none, or the default). */
export type ScrapeFields = Record<keyof PageScrape, string>;

/** The form fields that hold ScrapeFields, by their part. */
export const SCRAPE_FIELD_NAMES: Record<keyof PageScrape, string> = {
  items: 'scrapeItems',
  title: 'scrapeTitle',
  link: 'scrapeLink',
  content: 'scrapeContent',
  date: 'scrapeDate',
  author: 'scrapeAuthor',
  categories: 'scrapeCategories',
};

function scrapeFieldValues(scrape: ScrapeFields): Record<string, string> {
  return Object.fromEntries(
    (Object.keys(SCRAPE_FIELD_NAMES) as (keyof PageScrape)[]).map((k) => [SCRAPE_FIELD_NAMES[k], scrape[k]]),
  );
}

/** Where a web page without a feed has its entries, for reading it as one (PageScrape). */
function scrapeFields(t: Translate, v: ScrapeFields): Html {
  return html`<fieldset class="stack">
    <legend>${t('A web page without a feed: where its entries are (CSS selectors)')}</legend>
    ${textField(t('Each entry'), SCRAPE_FIELD_NAMES.items, v.items, MAX_SELECTOR_LENGTH, t('For example article.post, or .advisories tr'))}
    <div class="field-row">
      ${textField(t('Its title'), SCRAPE_FIELD_NAMES.title, v.title, MAX_SELECTOR_LENGTH, t('its first heading'))}
      ${textField(t('Its link'), SCRAPE_FIELD_NAMES.link, v.link, MAX_SELECTOR_LENGTH, t('its first link'))}
    </div>
    <div class="field-row">
      ${textField(t('Its content'), SCRAPE_FIELD_NAMES.content, v.content, MAX_SELECTOR_LENGTH, t('all of it'))}
      ${textField(t('Its date'), SCRAPE_FIELD_NAMES.date, v.date, MAX_SELECTOR_LENGTH, t('a time element'))}
    </div>
    <div class="field-row">
      ${textField(t('Its author'), SCRAPE_FIELD_NAMES.author, v.author, MAX_SELECTOR_LENGTH, t('none'))}
      ${textField(t('Its categories'), SCRAPE_FIELD_NAMES.categories, v.categories, MAX_SELECTOR_LENGTH, t('none'))}
    </div>
  </fieldset>`;
}

/**
 * The certificate a feed trusts besides the usual authorities (FetchOptions.trustedCertificate),
 * with the fingerprint of the one stored or typed, to check against the server's.
 */
function certificateField(t: Translate, pem: string, action: string | null): Html {
  let fingerprint: string | null = null;
  try {
    fingerprint = pem ? parseTrustedCertificate(pem).fingerprint : null;
  } catch {
    // As typed, and refused: the form says why above.
  }
  return html`<label
      >${t('A certificate to trust for this feed (PEM: your own server’s self-signed one, or its private CA’s)')}
      <textarea
        name="trustedCertificate"
        class="pem"
        maxlength="${MAX_CERTIFICATE_CHARS}"
        spellcheck="false"
        placeholder="-----BEGIN CERTIFICATE-----"
      >
${pem}</textarea></label
    >${
      fingerprint === null
        ? ''
        : html`<p class="muted small">
            ${t('Its SHA-256 fingerprint:')}
            <code class="fingerprint">${fingerprint}</code>
          </p>`
    }${
      action === null
        ? ''
        : html`<button type="submit" class="button" formaction="${action}" formnovalidate>
            ${t('Show the certificate the server presents')}
          </button>`
    }`;
}

/** A labelled text input of the feed forms: a rule or a selector, with an example as placeholder. */
function textField(
  label: string,
  name: string,
  value: string | null,
  maxLength: number,
  example: string,
): Html {
  return html`<label
    >${label} <input name="${name}" value="${value ?? ''}" maxlength="${maxLength}" placeholder="${example}"
  /></label>`;
}

/** What the edit form offers for how often at most to check a feed, in minutes. */
const CHECK_CHOICES = [30, 60, 180, 360, 720, 1440, 10080];

/** How often at most to check the feed (Subscription.minCheckMinutes), one set elsewhere included. */
function checkField(t: Translate, minutes: number | null): Html {
  const choices =
    minutes === null || CHECK_CHOICES.includes(minutes)
      ? CHECK_CHOICES
      : [...CHECK_CHOICES, minutes].sort((a, b) => a - b);
  const every = (m: number): string => t('every {interval}', { interval: minutesText(m) });
  const selected = (m: number | null): Html | string => (m === minutes ? html` selected` : '');
  return html`<input type="hidden" name="checkField" value="1" />
    <label
      >${t('Check it at most')}
      <select name="minCheckMinutes">
        <option value="" ${selected(null)}>${t('as often as it publishes')}</option>
        ${choices.map((m) => html`<option value="${m}" ${selected(m)}>${every(m)}</option>`)}
      </select></label
    >`;
}

/** The subscription's block and keep rules (folded away unless one is set). */
function ruleFields(t: Translate, sub: SubscriptionView): Html {
  const { blockRules, keepRules } = sub.subscription;
  return html`<input type="hidden" name="rulesField" value="1" />
    <details class="entry-rules" ${blockRules || keepRules ? html` open` : ''}>
      <summary class="link">${t('Rules for new entries')}</summary>
      <div class="stack">
        ${textField(t('Block: leave out new entries that match'), 'blockRules', blockRules, MAX_RULE_LENGTH, '(?i)sponsored|webinar')}
        ${textField(t('Keep: leave out new entries that do not match'), 'keepRules', keepRules, MAX_RULE_LENGTH, '(?i)rust|postgres')}
        <p class="muted small">
          ${t(
            'Regular expressions, as in Miniflux, matched against the title, link, author and categories; (?i) ignores case. Entries already here stay.',
          )}
        </p>
      </div>
    </details>`;
}

/** `offered`: the certificate its server presents, asked for from this form (FeedsView.offered). */
function feedRow(
  page: PageData,
  sub: SubscriptionView,
  series: number[],
  noRepublish: boolean,
  offered: string | null,
): Html {
  const t = page.viewer.t;
  const { feed } = sub;
  const name = feedName(sub);
  const site = httpUrl(feed.siteUrl) ?? httpUrl(feed.url);
  const posts = series.reduce((a, b) => a + b, 0);
  const failing = feed.errorCount > 0;
  const editForm = html`<details class="feed-edit" ${offered ? html` open` : ''}>
    <summary class="link">${t('Edit')}</summary>
    <form method="post" action="/feeds/${feed.id}/edit" class="stack">
      ${csrfField(page.viewer)}
      <label
        >${t('Title')}
        <input
          name="title"
          value="${sub.subscription.title ?? ''}"
          maxlength="200"
          placeholder="${feed.title ?? hostOf(feed.url)}"
      /></label>
      <label
        >${t('Feed URL (where it moved, when it moved without a redirect)')}
        <input name="url" value="${feed.url}" maxlength="4096" inputmode="url" spellcheck="false"
      /></label>
      <label
        >${t('Folder')}
        <select name="folderId">
          ${folderOptions(t, page.folders, sub.subscription.folderId === null ? '' : String(sub.subscription.folderId))}
        </select></label
      >
      <label>${t('or a new folder')} <input name="newFolder" maxlength="100" /></label>
      <input type="hidden" name="republishField" value="1" />
      <label class="checkbox"
        ><input type="checkbox" name="noRepublish" value="1" ${noRepublish ? html` checked` : ''} />
        ${t('Never republish (its owner does not allow it)')}</label
      >
      <input type="hidden" name="pausedField" value="1" />
      <label class="checkbox"
        ><input type="checkbox" name="paused" value="1" ${sub.subscription.paused ? html` checked` : ''} />
        ${t('Paused: do not fetch it for me')}</label
      >
      ${checkField(t, sub.subscription.minCheckMinutes)} ${feedFetchFields(t, feed, offered)}
      ${ruleFields(t, sub)}
      <button type="submit" class="button primary">${t('Save')}</button>
    </form>
  </details>`;
  const unsubscribe = html`<details class="confirm">
    <summary class="link danger">${t('Unsubscribe')}</summary>
    <p class="small">
      ${t('Unsubscribe from {name}? Its entries go, except the ones you starred.', { name })}
    </p>
    ${actionButton(page.viewer, `/feeds/${feed.id}/unsubscribe`, t('Yes, unsubscribe'), { className: 'button danger' })}
  </details>`;
  return html`<tr id="feed-${feed.id}" class="feed-row${failing ? ' failing' : ''}">
    <td class="feed-name">
      ${feedIcon(sub, name, page.proxy)} <a href="/feed/${feed.id}">${name}</a>${
        site
          ? html`<br /><a
                class="feed-site muted small"
                href="${site}"
                target="_blank"
                rel="noopener noreferrer"
                >${hostOf(site)}</a
              >`
          : ''
      }
    </td>
    <td class="feed-status">
      ${sub.subscription.paused ? html`<span class="paused">${t('Paused')}</span> · ` : ''}${feedStatus(t, feed, page.now)}
    </td>
    <td class="feed-counts">
      <span title="${t('unread')}">${sub.unreadCount}</span> /
      <span title="${t('total')}">${sub.entryCount}</span>
    </td>
    <td class="feed-activity">
      ${sparkline(series, { label: t('{name}: {n} posts in the last {days} days', { name, n: posts, days: series.length }) })}
    </td>
    <td class="feed-actions">
      ${editForm}${actionButton(page.viewer, `/feeds/${feed.id}/refresh`, t('Refresh now'), { className: 'link' })}${unsubscribe}
    </td>
  </tr>`;
}

function feedTable(page: PageData, subs: readonly SubscriptionView[], view: FeedsView): Html {
  const { activity, noRepublish, offered } = view;
  const t = page.viewer.t;
  if (subs.length === 0) return html`<p class="empty">${t('No feeds in this folder.')}</p>`;
  return html`<table class="feed-table">
    <thead>
      <tr>
        <th scope="col">${t('Feed')}</th>
        <th scope="col">${t('Status')}</th>
        <th scope="col">${t('Unread / total')}</th>
        <th scope="col">${t('Last 30 days')}</th>
        <th scope="col">${t('Actions')}</th>
      </tr>
    </thead>
    <tbody>
      ${subs.map((s) =>
        feedRow(
          page,
          s,
          activity.get(s.feed.id) ?? [],
          noRepublish.has(s.feed.id),
          offered?.feedId === s.feed.id ? offered.pem : null,
        ),
      )}
    </tbody>
  </table>`;
}

function folderTools(page: PageData, folder: Folder, count: number): Html {
  const t = page.viewer.t;
  return html`<div class="folder-tools">
    <details class="folder-rename">
      <summary class="link">${t('Rename')}</summary>
      <form method="post" action="/folders/${folder.id}/rename" class="inline">
        ${csrfField(page.viewer)}<label
          >${t('New name')} <input name="name" value="${folder.name}" required maxlength="100"
        /></label>
        <button type="submit" class="button">${t('Rename')}</button>
      </form>
    </details>
    <details class="confirm">
      <summary class="link danger">${t('Delete folder')}</summary>
      <p class="small">
        ${
          count > 1
            ? t('Delete the folder {name}? Its {n} feeds stay subscribed, outside any folder.', {
                name: folder.name,
                n: count,
              })
            : count === 1
              ? t('Delete the folder {name}? Its feed stays subscribed, outside any folder.', {
                  name: folder.name,
                })
              : t('Delete the empty folder {name}?', { name: folder.name })
        }
      </p>
      ${actionButton(page.viewer, `/folders/${folder.id}/delete`, t('Yes, delete the folder'), { className: 'button danger' })}
    </details>
  </div>`;
}

function subscriptionsSection(page: PageData, view: FeedsView): Html {
  const t = page.viewer.t;
  if (page.subs.length === 0 && page.folders.length === 0) {
    return html`<section class="feed-groups">
      <p class="empty">
        ${t('No subscriptions yet. Add a feed above, import an OPML file below, or browse the recommended feeds.')}
      </p>
    </section>`;
  }
  const byFolder = new Map<number | null, SubscriptionView[]>();
  for (const s of page.subs) {
    const list = byFolder.get(s.subscription.folderId) ?? [];
    list.push(s);
    byFolder.set(s.subscription.folderId, list);
  }
  const groups = page.folders.map((f) => {
    const subs = byFolder.get(f.id) ?? [];
    return html`<section class="feed-group" id="folder-${f.id}" aria-labelledby="folder-${f.id}-name">
      <div class="feed-group-header">
        <h2 id="folder-${f.id}-name">
          <a href="/folder/${f.id}">${f.name}</a> <span class="muted small">(${subs.length})</span>
        </h2>
        ${folderTools(page, f, subs.length)}
      </div>
      ${feedTable(page, subs, view)}
    </section>`;
  });
  const loose = byFolder.get(null) ?? [];
  return html`<section class="feed-groups" aria-label="${t('Subscriptions')}">
    ${groups}
    ${
      loose.length
        ? html`<section class="feed-group" id="folder-none" aria-labelledby="folder-none-name">
            <div class="feed-group-header">
              <h2 id="folder-none-name">
                ${t('Not in a folder')} <span class="muted small">(${loose.length})</span>
              </h2>
            </div>
            ${feedTable(page, loose, view)}
          </section>`
        : ''
    }
  </section>`;
}

function opmlSection(page: PageData, view: FeedsView): Html {
  const t = page.viewer.t;
  const r = view.importResult;
  const result = r
    ? html`<div class="flash" role="status">
        ${
          r.feeds === 1
            ? t(
                'Imported 1 feed: {added} new, {existing} already subscribed, {skipped} skipped. New feeds are being fetched now.',
                { added: r.added, existing: r.existing, skipped: r.skipped },
              )
            : t(
                'Imported {n} feeds: {added} new, {existing} already subscribed, {skipped} skipped. New feeds are being fetched now.',
                { n: r.feeds, added: r.added, existing: r.existing, skipped: r.skipped },
              )
        }${
          r.warnings.length
            ? html`<ul class="import-warnings small">
                ${r.warnings.map((w) => html`<li>${w}</li>`)}
              </ul>`
            : ''
        }
      </div>`
    : '';
  return html`<section class="card opml" id="opml" aria-labelledby="opml-heading">
    <h2 id="opml-heading">${t('Import and export')}</h2>
    <p>
      <a class="button" href="/opml" download="gleaner-subscriptions.opml"
        >${t('Export subscriptions (OPML)')}</a
      >
    </p>
    ${result} ${view.importError ? html`<p class="error" role="alert">${view.importError}</p>` : ''}
    <form method="post" action="/opml/import" class="stack opml-import">
      ${csrfField(page.viewer)}
      <label
        >${t('Paste an OPML file from another reader')}
        <textarea name="opml" rows="6" required spellcheck="false">${view.importText}</textarea>
      </label>
      <button type="submit" class="button">${t('Import')}</button>
    </form>
  </section>`;
}

export function feedsPage(page: PageData, view: FeedsView): Html {
  const t = page.viewer.t;
  return html`<div class="list-header">
      <h1>${t('Manage feeds')}</h1>
      <div class="list-tools">
        <a class="button" href="/recommended">${t('Recommended')}</a>
        <a class="button" href="/stats">${t('Statistics')}</a>
        <a class="button" href="/opml" download="gleaner-subscriptions.opml">${t('Export OPML')}</a>
      </div>
    </div>
    ${flashView(view.flash)} ${subscribeSection(page, view)} ${subscriptionsSection(page, view)}
    ${opmlSection(page, view)}`;
}

const TOPIC_NAMES: Record<string, string> = {
  ai: 'AI',
  code: 'Code',
  engineering: 'Engineering',
  indie: 'Indie',
  life: 'Life',
  privacy: 'Privacy',
  product: 'Product',
  security: 'Security',
  'tech-news': 'Tech news',
};

/** The topic's fragment id on the recommended page. */
export function topicAnchor(topic: string): string {
  return `topic-${topic.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}

export function topicName(t: Translate, topic: string): string {
  const known = TOPIC_NAMES[topic];
  if (known) return t(known);
  const words = topic.replace(/[-_]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export interface RecommendedTopic {
  topic: string;
  feeds: { feed: RecommendedFeed; subscribed: boolean }[];
}

export interface RecommendedView {
  flash: Flash | null;
  topics: RecommendedTopic[];
}

export function recommendedPage(page: PageData, view: RecommendedView): Html {
  const t = page.viewer.t;
  const topics = view.topics.map(({ topic, feeds }) => {
    const left = feeds.filter((f) => !f.subscribed).length;
    const items = feeds.map(({ feed, subscribed }) => {
      const details = [hostOf(feed.url), feed.language, feed.kind === 'site' ? t('found from the site') : '']
        .filter(Boolean)
        .join(' · ');
      return html`<li class="recommended-item">
        <div class="recommended-text">
          <span class="recommended-name">${feed.name}</span> <span class="muted small">${details}</span>
        </div>
        ${
          subscribed
            ? html`<span class="subscribed muted">✓ ${t('Subscribed')}</span>`
            : actionButton(page.viewer, '/recommended/subscribe', t('Subscribe'), {
                fields: { url: feed.url },
                className: 'button',
                title: t('Subscribe to {name}', { name: feed.name }),
              })
        }
      </li>`;
    });
    return html`<section
      class="topic"
      id="${topicAnchor(topic)}"
      aria-labelledby="${topicAnchor(topic)}-name"
    >
      <div class="topic-header">
        <h2 id="${topicAnchor(topic)}-name">
          ${topicName(t, topic)} <span class="muted small">(${feeds.length})</span>
        </h2>
        ${
          left > 0
            ? actionButton(
                page.viewer,
                '/recommended/subscribe',
                t('Subscribe to the whole topic ({n})', { n: left }),
                {
                  fields: { topic },
                  className: 'button primary',
                },
              )
            : html`<span class="subscribed muted">✓ ${t('All subscribed')}</span>`
        }
      </div>
      <ul class="recommended-list">
        ${items}
      </ul>
    </section>`;
  });
  return html`<div class="list-header">
      <h1>${t('Recommended feeds')}</h1>
      <div class="list-tools">
        <span class="chips"
          >${view.topics.map(
            ({ topic }) => html`<a class="chip" href="#${topicAnchor(topic)}">${topicName(t, topic)}</a>`,
          )}</span
        >
      </div>
    </div>
    ${flashView(view.flash)}
    <p class="muted">
      ${t('A small directory of feeds to start with. Each topic becomes a folder; you can move or rename them later.')}
    </p>
    ${topics.length ? topics : html`<p class="empty">${t('The directory is empty.')}</p>`}`;
}

export interface StatsView {
  /** Entries read per day, oldest first, the last day being today. */
  reading: number[];
  /** Posts per day over the recent days, busiest feeds first. */
  feeds: { sub: SubscriptionView; series: number[]; total: number }[];
  /** How many days the posting series cover. */
  feedDays: number;
  /** Feeds without an entry in the recent days: their newest entry, or null for none at all. */
  quiet: { sub: SubscriptionView; lastEntryAt: number | null }[];
  quietDays: number;
  failing: SubscriptionView[];
}

export function statsPage(page: PageData, view: StatsView): Html {
  const t = page.viewer.t;
  const now = page.now;
  const days = view.reading.length;
  const firstDay = Math.floor(now / DAY_MS) - days + 1;
  const dateOf = (i: number): string => formatDate((firstDay + i) * DAY_MS);
  const totalRead = view.reading.reduce((a, b) => a + b, 0);
  const peak = view.reading.reduce((best, v, i) => (v > (view.reading[best] ?? 0) ? i : best), 0);
  const chart = barChart(
    view.reading.map((v, i) => ({
      value: v,
      title:
        v === 1
          ? t('{date}: 1 entry read', { date: dateOf(i) })
          : t('{date}: {n} entries read', { date: dateOf(i), n: v }),
    })),
    {
      label: t('Entries read per day over the last {days} days: {n} in all', { days, n: totalRead }),
      startLabel: dateOf(0),
      endLabel: dateOf(days - 1),
      className: 'reading-chart',
    },
  );
  const reading = html`<section class="stats-section" id="reading" aria-labelledby="reading-heading">
    <h2 id="reading-heading">${t('Reading, last {days} days', { days })}</h2>
    <p class="muted">
      ${
        totalRead > 1
          ? t('{n} entries read, {avg} a day on average; the busiest day was {date} ({max}).', {
              n: totalRead,
              avg: (totalRead / Math.max(1, days)).toFixed(1),
              date: dateOf(peak),
              max: view.reading[peak] ?? 0,
            })
          : totalRead === 1
            ? t('1 entry read, on {date}.', { date: dateOf(peak) })
            : t('Nothing read in this time yet.')
      }
    </p>
    <figure class="chart-figure">${chart}</figure>
  </section>`;

  const posting = html`<section class="stats-section" id="posting" aria-labelledby="posting-heading">
    <h2 id="posting-heading">${t('Posts per day, last {days} days', { days: view.feedDays })}</h2>
    ${
      view.feeds.length
        ? html`<table class="stats-table">
            <thead>
              <tr>
                <th scope="col">${t('Feed')}</th>
                <th scope="col">${t('Posts per day')}</th>
                <th scope="col">${t('Posts')}</th>
                <th scope="col">${t('Per day')}</th>
              </tr>
            </thead>
            <tbody>
              ${view.feeds.map(({ sub, series, total }) => {
                const name = feedName(sub);
                return html`<tr>
                  <td class="feed-name">
                    ${feedIcon(sub, name, page.proxy)} <a href="/feed/${sub.feed.id}">${name}</a>
                  </td>
                  <td class="feed-activity">
                    ${sparkline(series, { label: t('{name}: {n} posts in the last {days} days', { name, n: total, days: view.feedDays }) })}
                  </td>
                  <td class="number">${total}</td>
                  <td class="number">${(total / Math.max(1, view.feedDays)).toFixed(1)}</td>
                </tr>`;
              })}
            </tbody>
          </table>`
        : html`<p class="empty">${t('No subscriptions yet.')} <a href="/feeds">${t('Add a feed')}</a></p>`
    }
  </section>`;

  const quiet = html`<section class="stats-section" id="quiet" aria-labelledby="quiet-heading">
    <h2 id="quiet-heading">${t('Went quiet')}</h2>
    <p class="muted small">
      ${t('Feeds without a new entry in {days} days or more.', { days: view.quietDays })}
    </p>
    ${
      view.quiet.length
        ? html`<ul class="stats-list">
            ${view.quiet.map(({ sub, lastEntryAt }) => {
              const name = feedName(sub);
              return html`<li>
                ${feedIcon(sub, name, page.proxy)} <a href="/feed/${sub.feed.id}">${name}</a>
                <span class="muted small"
                  >${
                    lastEntryAt === null
                      ? t('no entries yet')
                      : html`${t('last entry')}
                          <time datetime="${isoTime(lastEntryAt)}">${formatDate(lastEntryAt)}</time>`
                  }</span
                >
              </li>`;
            })}
          </ul>`
        : html`<p class="empty">${t('None: every feed posted recently.')}</p>`
    }
  </section>`;

  const failing = html`<section class="stats-section" id="failing" aria-labelledby="failing-heading">
    <h2 id="failing-heading">${t('Keep failing')}</h2>
    ${
      view.failing.length
        ? html`<ul class="stats-list">
            ${view.failing.map((sub) => {
              const name = feedName(sub);
              return html`<li>
                ${feedIcon(sub, name, page.proxy)}
                <a href="/feed/${sub.feed.id}">${name}</a> ${failingText(t, sub.feed)}${
                  sub.feed.lastSuccessAt !== null
                    ? html` <span class="muted small"
                        >· ${t('last success')} ${timeTag(t, sub.feed.lastSuccessAt, now)}</span
                      >`
                    : ''
                } <a class="small" href="/feeds#feed-${sub.feed.id}">${t('Manage')}</a>
              </li>`;
            })}
          </ul>`
        : html`<p class="empty">${t('No feed is failing.')}</p>`
    }
  </section>`;

  return html`<div class="list-header"><h1>${t('Statistics')}</h1></div>
    ${reading} ${posting} ${quiet} ${failing}`;
}
