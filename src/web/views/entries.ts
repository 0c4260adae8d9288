// Entry lists and the article view.
import type { Entry } from '../../model/index.js';
import { isoTime } from '../../model/time.js';
import type { EntryView, SubscriptionView } from '../../store/index.js';
import { html, trusted, type Html } from '../html.js';
import type { Translate } from '../i18n.js';
import { proxyContentImages } from '../proxy.js';
import {
  actionButton,
  csrfField,
  feedIcon,
  feedName,
  formatDate,
  hostOf,
  subscriptionIndex,
  timeTag,
} from './common.js';
import type { PageData } from './layout.js';

/** Where a list came from, carried to the article so previous/next follow the same list. */
export type ListContext = string;

export interface ListPage {
  title: string;
  context: ListContext;
  entries: EntryView[];
  /** Links to the neighbouring pages, when there are some. */
  newerHref: string | null;
  olderHref: string | null;
  /** Scope of "mark all read", when the list has one. */
  markAllRead: Record<string, string | number> | null;
  /** Toggle links (unread only / all, newest / oldest first). */
  filters: Html;
  flash: Html | null;
  empty: string;
  /** Search results show highlighted snippets instead of excerpts. */
  snippets?: Map<number, Html>;
  /** Search results show titles with the matched terms marked. */
  titles?: Map<number, Html>;
  /** What "Publish" makes public from this list (`search:QUERY`); by default, the list's context. */
  publishTarget?: string | null;
}

/** The publication target of a list context (a feed, folder, tag, starred), or null. */
function publishTargetOf(context: ListContext): string | null {
  const [kind] = splitContext(context);
  return ['feed', 'folder', 'tag', 'starred'].includes(kind) ? context : null;
}

/**
 * Feed, author, time and reading time of a list's entry. `withFeed` false: the list is the feed's
 * own page, whose title already names it; fifty times its icon and name would say nothing more.
 */
function entryMeta(page: PageData, entry: Entry, sub: SubscriptionView | undefined, withFeed: boolean): Html {
  const t = page.viewer.t;
  const name = sub ? feedName(sub) : t('(unsubscribed feed)');
  const via = withFeed
    ? html`<span class="via"
          >${sub ? feedIcon(sub, name, page.proxy) : ''}<a href="/feed/${entry.feedId}">${name}</a></span
        >
        · `
    : '';
  return html`${via}${entry.author ? html`<span class="author">${entry.author}</span> · ` : ''}${timeTag(t, entry.publishedAt, page.now)}${entry.readingMinutes > 0 ? html` · <span class="reading-time">${t('{n} min read', { n: entry.readingMinutes })}</span>` : ''}`;
}

/**
 * Star, read and read-later of one entry: buttons that submit the page's one state form (below)
 * to the entry's own address, so a list of fifty entries carries one CSRF field, not 150 forms.
 * They differ between entries only by the entry's id: their markup is made once per state and
 * language around a mark, and each entry's id put in its place.
 */
function stateButtons(page: PageData, view: EntryView): Html {
  const t = page.viewer.t;
  const state = (view.starred ? 4 : 0) + (view.read ? 2 : 0) + (view.readLater ? 1 : 0);
  let made = stateButtonsMade.get(t);
  if (!made) {
    made = new Map();
    stateButtonsMade.set(t, made);
  }
  let pieces = made.get(state);
  if (!pieces) {
    pieces = stateButtonsFor(t, view, ID_MARK).value.split(ID_MARK);
    made.set(state, pieces);
  }
  return trusted(pieces.join(String(view.entry.id)));
}

// Never in markup the buttons make: their labels and titles are the UI's own messages.
const ID_MARK = '\u0000';
const stateButtonsMade = new WeakMap<Translate, Map<number, string[]>>();

function stateButtonsFor(
  t: Translate,
  state: { starred: boolean; read: boolean; readLater: boolean },
  id: string,
): Html {
  const action = `/entry/${id}/state`;
  const button = (
    kind: string,
    name: string,
    on: boolean,
    label: string | Html,
    className: string,
    title = String(label),
  ) =>
    html`<button
      form="entry-state"
      formaction="${action}"
      name="${name}"
      value="${on ? 0 : 1}"
      class="${className}"
      title="${title}"
      data-action="${kind}"
    >
      ${label}
    </button>`;
  return html`${button(
    'star',
    'starred',
    state.starred,
    state.starred ? html`★` : html`☆`,
    `icon-button star${state.starred ? ' on' : ''}`,
    state.starred ? t('Unstar') : t('Star'),
  )}${button('read', 'read', state.read, state.read ? t('Mark unread') : t('Mark read'), 'link toggle-read')}${button(
    'later',
    'readLater',
    state.readLater,
    state.readLater ? t('Remove from read later') : t('Read later'),
    'link toggle-later',
  )}`;
}

/** The form every state button submits: the CSRF token and the page to come back to. */
function stateForm(page: PageData, back: string): Html {
  return html`<form id="entry-state" method="post" action="/entries/state" hidden>
    ${csrfField(page.viewer)}<input type="hidden" name="back" value="${back}" />
  </form>`;
}

export function entryList(page: PageData, list: ListPage, currentUrl: string): Html {
  const t = page.viewer.t;
  const subs = subscriptionIndex(page.subs);
  const [kind, value] = splitContext(list.context);
  const ownFeed = kind === 'feed' ? Number(value) : null;
  const items = list.entries.map((view) => {
    const e = view.entry;
    const href = `/entry/${e.id}?in=${encodeURIComponent(list.context)}`;
    const snippet = list.snippets?.get(e.id);
    return html`<article
      class="entry-item ${view.read ? 'read' : 'unread'}${view.starred ? ' starred' : ''}"
      data-entry-id="${e.id}"
    >
      <h3 class="entry-title">
        <a href="${href}">${list.titles?.get(e.id) ?? (e.title || t('(untitled)'))}</a>
      </h3>
      <div class="meta">${entryMeta(page, e, subs.get(e.feedId), e.feedId !== ownFeed)}</div>
      ${snippet ? html`<p class="excerpt">${snippet}</p>` : e.summaryText ? html`<p class="excerpt">${excerpt(e.summaryText)}</p>` : ''}
      <div class="actions">
        ${stateButtons(page, view)}${e.link ? html`<a class="link" href="${e.link}" target="_blank" rel="noopener noreferrer" data-original>${t('Original')} ↗</a>` : ''}
      </div>
    </article>`;
  });
  const mark = list.markAllRead
    ? html`<form method="post" action="/mark-all-read" class="inline mark-all" data-action="mark-all">
        ${csrfField(page.viewer)}${Object.entries(list.markAllRead).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}" />`)}<input
          type="hidden"
          name="back"
          value="${currentUrl}"
        /><select name="olderThanDays" aria-label="${t('Which entries')}">
          <option value="">${t('all')}</option>
          <option value="1">${t('older than a day')}</option>
          <option value="7">${t('older than a week')}</option>
          <option value="30">${t('older than a month')}</option></select
        ><button type="submit" class="button">${t('Mark all read')}</button>
      </form>`
    : '';
  const target = list.publishTarget === undefined ? publishTargetOf(list.context) : list.publishTarget;
  const publish = target
    ? actionButton(page.viewer, '/publications', t('Publish'), {
        fields: { target, back: currentUrl },
        className: 'button',
        title: t('Make this list a public page and feed'),
      })
    : '';
  return html`<div class="list-header">
      <h1>${list.title}</h1>
      <div class="list-tools">${list.filters}${mark}${publish}</div>
    </div>
    ${list.flash ?? ''}
    <div class="entries" data-context="${list.context}">
      ${items.length ? items : html`<p class="empty">${list.empty}</p>`}
    </div>
    <nav class="pager">
      ${list.newerHref ? html`<a href="${list.newerHref}" rel="prev" data-page="prev">← ${t('Newer')}</a>` : ''}${list.olderHref ? html`<a href="${list.olderHref}" rel="next" data-page="next">${t('Older')} →</a>` : ''}
    </nav>
    ${stateForm(page, currentUrl)}`;
}

function relatedFeedName(sub: SubscriptionView | undefined): string {
  return sub ? feedName(sub) : '';
}

const EXCERPT_CHARS = 240;
const SURROGATE = /[\ud800-\udfff]/;

/** The first 240 code points of a text, never cutting a surrogate pair, with … when cut. */
export function excerpt(text: string): Html {
  if (text.length <= EXCERPT_CHARS) return html`${text}`;
  // Without a surrogate in the first 240 code units, they are the first 240 code points.
  let units = EXCERPT_CHARS;
  if (SURROGATE.test(text.slice(0, EXCERPT_CHARS))) {
    // 240 code points span 240 to 480 code units: count only as far as that.
    units = 0;
    for (let points = 0; points < EXCERPT_CHARS && units < text.length; points++) {
      const c = text.charCodeAt(units);
      const next = text.charCodeAt(units + 1);
      units += c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff ? 2 : 1;
    }
  }
  return units >= text.length ? html`${text}` : html`${text.slice(0, units).trimEnd()}…`;
}

export interface ArticlePage {
  view: EntryView;
  context: ListContext;
  tags: string[];
  previous: EntryView | null;
  next: EntryView | null;
  related: EntryView[];
  proxyImages: boolean;
  /** What the last action on the article came to (fetching its full text). */
  flash?: Html | null;
}

function neighbour(page: PageData, view: EntryView | null, context: string, rel: 'prev' | 'next'): Html {
  const t = page.viewer.t;
  if (!view)
    return html`<span class="muted">${rel === 'prev' ? `← ${t('Previous')}` : `${t('Next')} →`}</span>`;
  const label = rel === 'prev' ? `← ${t('Previous')}` : `${t('Next')} →`;
  return html`<a
    href="/entry/${view.entry.id}?in=${encodeURIComponent(context)}"
    rel="${rel}"
    data-page="${rel}"
    title="${view.entry.title}"
    >${label}</a
  >`;
}

export function articleView(page: PageData, a: ArticlePage, currentUrl: string): Html {
  const t = page.viewer.t;
  const { entry } = a.view;
  const subs = subscriptionIndex(page.subs);
  const sub = subs.get(entry.feedId);
  const name = sub ? feedName(sub) : t('(unsubscribed feed)');
  const content = a.proxyImages ? proxyContentImages(entry.contentHtml, entry.feedId) : entry.contentHtml;
  const enclosures = entry.enclosures.filter((e) => /^https?:/i.test(e.url));
  const related = a.related.map(
    (r) =>
      html`<li>
        <a href="/entry/${r.entry.id}">${r.entry.title || t('(untitled)')}</a>
        <span class="muted small"
          >${relatedFeedName(subs.get(r.entry.feedId))} · ${formatDate(r.entry.publishedAt)}</span
        >
      </li>`,
  );
  return html`<article
      class="article ${a.view.read ? 'read' : 'unread'}"
      data-entry-id="${entry.id}"
      ${entry.link ? html` data-original="${entry.link}"` : ''}
    >
      <nav class="article-nav">
        ${neighbour(page, a.previous, a.context, 'prev')}<a href="${contextHref(a.context)}" class="muted"
          >${t('Back to the list')}</a
        >${neighbour(page, a.next, a.context, 'next')}
      </nav>
      ${a.flash ?? ''}
      <header>
        <h1 class="article-title">
          ${entry.link ? html`<a href="${entry.link}" target="_blank" rel="noopener noreferrer">${entry.title || t('(untitled)')}</a>` : entry.title || t('(untitled)')}
        </h1>
        <p class="byline">
          ${entry.author ? html`<span class="author">${entry.author}</span> · ` : ''}${html`<time datetime="${isoTime(entry.publishedAt)}">${formatDate(entry.publishedAt)}</time>`}
          · ${t('via')}
          <a href="/feed/${entry.feedId}">${sub ? feedIcon(sub, name, page.proxy) : ''}${name}</a
          >${entry.readingMinutes > 0 ? html` · ${t('{n} min read', { n: entry.readingMinutes })}` : ''}
        </p>
        ${
          a.tags.length
            ? html`<ul class="tags">
                ${a.tags.map((tag) => html`<li><a href="/tag/${encodeURIComponent(tag)}">${tag}</a></li>`)}
              </ul>`
            : ''
        }
      </header>
      <div class="content" lang="${entry.language ?? ''}">${trusted(content)}</div>
      ${
        enclosures.length
          ? html`<ul class="enclosures">
              ${enclosures.map((e) => (e.type?.startsWith('audio/') ? html`<li><audio controls preload="none" src="${e.url}"></audio></li>` : e.type?.startsWith('video/') ? html`<li><video controls preload="none" src="${e.url}"></video></li>` : html`<li><a href="${e.url}" rel="noopener noreferrer">${hostOf(e.url)} (${e.type ?? t('file')})</a></li>`))}
            </ul>`
          : ''
      }
      <footer class="article-actions">
        ${entry.link ? html`<a class="button primary" href="${entry.link}" target="_blank" rel="noopener noreferrer" data-original-link>${t('Read original')} ↗</a>` : ''}
        ${stateButtons(page, a.view)}
        ${entry.link ? html`<button form="entry-state" formaction="/entry/${entry.id}/full-article" class="link" data-full-article title="${t('Replace the feed’s text with the article from its page')}">${t('Fetch full article')}</button>` : ''}
        ${entry.link ? html`<a class="link share" href="${entry.link}" data-share="${entry.link}" data-title="${entry.title}">${t('Share')}</a>` : ''}
      </footer>
      ${
        related.length
          ? html`<section class="related">
              <h2>${t('Related posts')}</h2>
              <ul>
                ${related}
              </ul>
            </section>`
          : ''
      }
    </article>
    ${stateForm(page, currentUrl)}`;
}

/** The list page a context names. */
export function contextHref(context: ListContext): string {
  const [kind, value] = splitContext(context);
  switch (kind) {
    case 'feed':
    case 'folder':
      return `/${kind}/${value}`;
    case 'tag':
      return `/tag/${encodeURIComponent(value)}`;
    case 'search':
      return `/search?q=${encodeURIComponent(value)}`;
    case 'starred':
    case 'later':
    case 'all':
      return `/${kind}`;
    default:
      return '/unread';
  }
}

export function splitContext(context: string): [string, string] {
  const colon = context.indexOf(':');
  return colon < 0 ? [context, ''] : [context.slice(0, colon), context.slice(colon + 1)];
}
