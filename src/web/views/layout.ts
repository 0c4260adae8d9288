// The page shell: head, theme and font classes, the sidebar with unread counts, and the script
// that adds keyboard shortcuts and in-place updates.
import type { Folder } from '../../model/index.js';
import type { SubscriptionView } from '../../store/index.js';
import { assetUrl } from '../assets.js';
import { html, Html } from '../html.js';
import type { Viewer } from '../server.js';
import { csrfField, feedIcon, feedName, subscriptionIndex } from './common.js';

/** What every signed-in page knows. */
export interface PageData {
  viewer: Viewer & { user: NonNullable<Viewer['user']> };
  subs: readonly SubscriptionView[];
  folders: readonly Folder[];
  /** The sidebar item to highlight: 'unread', 'feed:12', 'folder:3'… */
  active: string;
  now: number;
  /**
   * Rewrites a feed image URL (through the image proxy when it is on); with the feed's id, the
   * proxy fetches it as that feed is fetched.
   */
  proxy: (url: string, feedId?: number) => string;
  query?: string;
}

/** The document around any page, signed in or not. */
export function shell(viewer: Viewer, title: string, body: Html, bodyClass = ''): Html {
  const s = viewer.settings;
  return html`<!doctype html>
    <html lang="${s.language === 'zh' ? 'zh-CN' : 'en'}" class="theme-${s.theme} font-${s.fontSize}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="csrf-token" content="${viewer.csrf}" />
        <meta name="color-scheme" content="light dark" />
        <title>${title} · Gleaner</title>
        <link rel="stylesheet" href="${assetUrl('app.css')}" />
        <link rel="icon" href="${assetUrl('icon.svg')}" type="image/svg+xml" />
        <link rel="manifest" href="/manifest.webmanifest" />
        <meta name="theme-color" content="#2f5d8a" />
        <script src="${assetUrl('app.js')}" defer></script>
      </head>
      <body class="${bodyClass}" data-mark-on-scroll="${s.markReadOnScroll ? '1' : '0'}">
        ${body}
      </body>
    </html>`;
}

export function layout(page: PageData, title: string, main: Html): Html {
  const { viewer } = page;
  const t = viewer.t;
  return shell(
    viewer,
    title,
    html`<input type="checkbox" id="nav-toggle" class="nav-toggle" aria-hidden="true" />
      <header class="topbar">
        <label for="nav-toggle" class="menu-button" title="${t('Menu')}">☰</label>
        <a class="brand" href="/unread">Gleaner</a>
        <form class="search" method="get" action="/search" role="search">
          <input
            type="search"
            name="q"
            value="${page.query ?? ''}"
            placeholder="${t('Search')}"
            aria-label="${t('Search')}"
            accesskey="/"
            data-search
          />
        </form>
        <form method="post" action="/refresh" class="inline" data-action="refresh">
          ${csrfField(viewer)}<button class="icon-button" title="${t('Refresh all feeds')} (r)" type="submit">
            ⟳
          </button>
        </form>
      </header>
      <div class="frame">
        <nav class="sidebar" aria-label="${t('Feeds')}">${sidebar(page)}</nav>
        <main id="main" tabindex="-1">${main}</main>
      </div>
      <div class="help" id="help" hidden>${shortcutHelp(page)}</div>`,
  );
}

function navItem(page: PageData, key: string, href: string, label: string, count?: number): Html {
  const active = page.active === key;
  return html`<li>
    <a href="${href}" class="${active ? 'active' : ''}" ${active ? html` aria-current="page"` : ''}
      ><span class="label">${label}</span
      >${count ? html`<span class="count" data-count="${key}">${count}</span>` : ''}</a
    >
  </li>`;
}

interface SidebarGroups {
  /** Subscriptions by folder id (null: in no folder), in the order given. */
  byFolder: Map<number | null, SubscriptionView[]>;
  /** Unread entries by folder id, and in all. */
  folderUnread: Map<number | null, number>;
  unread: number;
}

// Kept per subscriptions array: the reader hands out one array while a user's counts stand, so a
// thousand feeds are grouped and counted once, not on every page.
const groupsOf = new WeakMap<readonly SubscriptionView[], SidebarGroups>();

function sidebarGroups(subs: readonly SubscriptionView[]): SidebarGroups {
  let groups = groupsOf.get(subs);
  if (groups) return groups;
  groups = { byFolder: new Map(), folderUnread: new Map(), unread: 0 };
  for (const s of subs) {
    const folderId = s.subscription.folderId;
    const list = groups.byFolder.get(folderId);
    if (list) list.push(s);
    else groups.byFolder.set(folderId, [s]);
    groups.folderUnread.set(folderId, (groups.folderUnread.get(folderId) ?? 0) + s.unreadCount);
    groups.unread += s.unreadCount;
  }
  groupsOf.set(subs, groups);
  return groups;
}

// An open folder's feeds, made once per subscriptions array (see groupsOf) and folder, each as it
// is when not the page's own: a feed's page puts its own item in, highlighted. Making fifty feeds'
// items again took 50 µs of a feed's page (~0.9 ms in all); kept per page highlighted as well, a
// hundred feeds read in turn emptied the cache faster than it filled.
const folderFeedsMade = new WeakMap<readonly SubscriptionView[], Map<number, string[]>>();

function folderFeeds(
  page: PageData,
  folderId: number,
  subs: readonly SubscriptionView[],
  item: (s: SubscriptionView, active: boolean) => Html,
): Html {
  let made = folderFeedsMade.get(page.subs);
  if (!made) {
    made = new Map();
    folderFeedsMade.set(page.subs, made);
  }
  let each = made.get(folderId);
  if (!each) {
    each = subs.map((s) => item(s, false).value);
    made.set(folderId, each);
  }
  // In parts, each item as made: joining them again cost a page as much as it saved.
  const at = subs.findIndex((s) => page.active === `feed:${s.feed.id}`);
  const own = subs[at];
  if (!own) return new Html(each.length > 0 ? each : '');
  return new Html([...each.slice(0, at), item(own, true).value, ...each.slice(at + 1)]);
}

function sidebar(page: PageData): Html {
  const t = page.viewer.t;
  const { byFolder, folderUnread, unread } = sidebarGroups(page.subs);
  const [activeKind, activeId] = page.active.split(':');
  // The folder holding the feed being read opens, as the folder being read does.
  const openFolder =
    activeKind === 'folder'
      ? Number(activeId)
      : activeKind === 'feed'
        ? (subscriptionIndex(page.subs).get(Number(activeId))?.subscription.folderId ?? null)
        : null;
  const feedItem = (s: SubscriptionView, active = page.active === `feed:${s.feed.id}`): Html => {
    const name = feedName(s);
    const key = `feed:${s.feed.id}`;
    const failing = s.feed.errorCount > 0;
    return html`<li>
      <a
        href="/feed/${s.feed.id}"
        class="${active ? 'active' : ''}${failing ? ' failing' : ''}"
        title="${failing ? (s.feed.lastError ?? '') : name}"
        >${feedIcon(s, name, page.proxy)}<span class="label">${name}</span
        >${s.unreadCount ? html`<span class="count" data-count="${key}">${s.unreadCount}</span>` : ''}</a
      >
    </li>`;
  };
  const folders = page.folders.map((f) => {
    const subs = byFolder.get(f.id) ?? [];
    const count = folderUnread.get(f.id) ?? 0;
    const key = `folder:${f.id}`;
    const open = openFolder === f.id;
    const link = html`<a href="/folder/${f.id}" class="${page.active === key ? 'active' : ''}"
      ><span class="label">${f.name}</span
      >${count ? html`<span class="count" data-count="${key}">${count}</span>` : ''}</a
    >`;
    // Only the folder being read lists its feeds: a thousand feeds would make every page heavy.
    return open
      ? html`<li class="folder open">
          ${link}
          <ul>
            ${folderFeeds(page, f.id, subs, feedItem)}
          </ul>
        </li>`
      : html`<li class="folder">${link}</li>`;
  });
  const loose = (byFolder.get(null) ?? []).map((s) => feedItem(s));
  const admin = page.viewer.user.isAdmin;
  return html`<ul class="nav">
      ${navItem(page, 'unread', '/unread', t('Unread'), unread)}
      ${navItem(page, 'starred', '/starred', t('Starred'))}
      ${navItem(page, 'later', '/later', t('Read later'))} ${navItem(page, 'all', '/all', t('All'))}
      ${navItem(page, 'wiki', '/wiki', t('Wiki'))}
    </ul>
    <h2 class="nav-heading">${t('Feeds')}</h2>
    <ul class="nav feeds">
      ${folders}${loose}
    </ul>
    ${page.subs.length === 0 ? html`<p class="muted small">${t('No subscriptions yet.')} <a href="/feeds">${t('Add a feed')}</a> · <a href="/recommended">${t('Browse recommended feeds')}</a></p>` : ''}
    <ul class="nav secondary">
      ${navItem(page, 'feeds', '/feeds', t('Manage feeds'))}
      ${navItem(page, 'recommended', '/recommended', t('Recommended'))}
      ${navItem(page, 'stats', '/stats', t('Statistics'))}
      ${navItem(page, 'settings', '/settings', t('Settings'))}
      ${navItem(page, 'publications', '/settings/publications', t('Publications'))}
      ${admin ? navItem(page, 'admin', '/admin/users', t('Users')) : ''}
      <li>
        <form method="post" action="/logout" class="inline">
          ${csrfField(page.viewer)}<button type="submit" class="link">
            ${t('Log out')} (${page.viewer.user.username})
          </button>
        </form>
      </li>
    </ul>`;
}

export const SHORTCUTS: [string, string][] = [
  ['j / k', 'next / previous entry'],
  ['n / p', 'next / previous page'],
  ['o, Enter', 'open the selected entry'],
  ['v', 'open the original page'],
  ['d', 'fetch the full article (on an article’s page)'],
  ['m', 'toggle read'],
  ['s', 'toggle star'],
  ['l', 'toggle read later'],
  ['r', 'refresh'],
  ['/', 'search'],
  ['g u / g s / g a', 'go to unread / starred / all'],
  ['?', 'this help'],
];

function shortcutHelp(page: PageData): Html {
  const t = page.viewer.t;
  return html`<div class="help-box" role="dialog" aria-label="${t('Keyboard shortcuts')}">
    <h2>${t('Keyboard shortcuts')}</h2>
    <dl>
      ${SHORTCUTS.map(
        ([k, d]) =>
          html`<dt><kbd>${k}</kbd></dt>
            <dd>${t(d)}</dd>`,
      )}
    </dl>
    <p class="muted small">${t('Press Esc to close.')}</p>
  </div>`;
}
