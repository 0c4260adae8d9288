// The sidebar: the folder being read (or holding the feed being read) lists its feeds, the page's
// own item highlighted, with the counts and names of the subscriptions it was given.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Feed } from '../../model/index.js';
import type { SubscriptionView } from '../../store/index.js';
import { html } from '../html.js';
import { translator } from '../i18n.js';
import { DEFAULT_SETTINGS } from '../settings.js';
import { layout, type PageData } from './layout.js';

function sub(
  id: number,
  folderId: number | null,
  unreadCount: number,
  title: string | null = null,
): SubscriptionView {
  const feed: Feed = {
    id,
    url: `https://blog-${id}.example/feed`,
    siteUrl: null,
    title: `Blog ${id}`,
    description: null,
    iconUrl: null,
    language: null,
    hubUrl: null,
    format: null,
    options: { userAgent: null } as Feed['options'],
    etag: null,
    lastModified: null,
    nextCheckAt: 0,
    lastCheckedAt: null,
    lastSuccessAt: null,
    errorCount: 0,
    lastError: null,
    createdAt: 0,
    webSubUntil: null,
    minCheckMinutes: null,
    itemCount: 0,
    ttlMinutes: null,
  };
  return {
    subscription: {
      id,
      userId: 1,
      feedId: id,
      folderId,
      title,
      paused: false,
      blockRules: null,
      keepRules: null,
      minCheckMinutes: null,
      createdAt: 0,
    },
    feed,
    folderName: null,
    unreadCount,
    entryCount: unreadCount,
    hasIcon: false,
  };
}

const FOLDERS = [
  { id: 10, userId: 1, name: 'Databases' },
  { id: 20, userId: 1, name: 'Security' },
  { id: 30, userId: 1, name: 'Empty' },
];

function sidebarOf(subs: readonly SubscriptionView[], active: string): string {
  const page: PageData = {
    viewer: {
      user: { id: 1, username: 'ann', isAdmin: false, createdAt: 0 },
      csrf: 'token',
      settings: DEFAULT_SETTINGS,
      t: translator('en'),
    },
    subs,
    folders: FOLDERS,
    active,
    now: 0,
    proxy: (url) => url,
  };
  const page1 = layout(page, 'Title', html`<p>main</p>`).value;
  const nav = /<nav class="sidebar"[^>]*>([\s\S]*?)<\/nav>/.exec(page1)?.[1];
  assert.ok(nav, 'the page has a sidebar');
  return nav;
}

/** The feeds listed, each as `id` (`id*` when highlighted) and its count when it has one. */
function listedFeeds(nav: string): string[] {
  return [...nav.matchAll(/<a\s+href="\/feed\/(\d+)"\s+class="([^"]*)"[\s\S]*?<\/a\s*>/g)].map((m) => {
    const count = /data-count="feed:\d+">(\d+)</.exec(m[0])?.[1];
    const name = /<span class="label">([^<]*)</.exec(m[0])?.[1];
    return `${m[1]}${m[2]?.includes('active') ? '*' : ''} ${name}${count ? ` (${count})` : ''}`;
  });
}

describe('sidebar', () => {
  const subs = [sub(1, 10, 3), sub(2, 10, 0), sub(3, 20, 5), sub(4, null, 1)];

  it("lists the feeds of the folder being read, and of the feed being read's folder", () => {
    assert.deepEqual(listedFeeds(sidebarOf(subs, 'unread')), ['4 Blog 4 (1)']);
    assert.deepEqual(listedFeeds(sidebarOf(subs, 'folder:10')), ['1 Blog 1 (3)', '2 Blog 2', '4 Blog 4 (1)']);
    assert.deepEqual(listedFeeds(sidebarOf(subs, 'feed:1')), ['1* Blog 1 (3)', '2 Blog 2', '4 Blog 4 (1)']);
    assert.deepEqual(listedFeeds(sidebarOf(subs, 'feed:2')), ['1 Blog 1 (3)', '2* Blog 2', '4 Blog 4 (1)']);
    assert.deepEqual(listedFeeds(sidebarOf(subs, 'feed:3')), ['3* Blog 3 (5)', '4 Blog 4 (1)']);
    assert.deepEqual(listedFeeds(sidebarOf(subs, 'feed:1')), ['1* Blog 1 (3)', '2 Blog 2', '4 Blog 4 (1)']);
    const empty = sidebarOf(subs, 'folder:30');
    assert.deepEqual(listedFeeds(empty), ['4 Blog 4 (1)']);
    assert.match(
      empty,
      /<li class="folder open">\s*<a href="\/folder\/30" class="active"[\s\S]*?<ul>\s*<\/ul>/,
    );
    assert.doesNotMatch(empty, /undefined/);
  });

  it('shows the counts and names of the subscriptions it is given, not those of an earlier page', () => {
    assert.deepEqual(listedFeeds(sidebarOf(subs, 'feed:2')), ['1 Blog 1 (3)', '2* Blog 2', '4 Blog 4 (1)']);
    const later = [sub(1, 10, 2, 'My blog'), sub(2, 10, 7), sub(3, 20, 5), sub(4, null, 1)];
    assert.deepEqual(listedFeeds(sidebarOf(later, 'feed:2')), [
      '1 My blog (2)',
      '2* Blog 2 (7)',
      '4 Blog 4 (1)',
    ]);
    assert.match(sidebarOf(later, 'feed:2'), /data-count="folder:10">9</);
  });
});
