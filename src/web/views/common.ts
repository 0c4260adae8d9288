// Small pieces every page uses: times, avatars, feed names, hidden CSRF fields.
import { isoTime } from '../../model/time.js';
import type { SubscriptionView } from '../../store/index.js';
import { html, type Html } from '../html.js';
import type { Translate } from '../i18n.js';
import type { Viewer } from '../server.js';

export function csrfField(viewer: Viewer): Html {
  return html`<input type="hidden" name="_csrf" value="${viewer.csrf}" />`;
}

/** A POST form that is one button (star, mark read…), working without JavaScript. */
export function actionButton(
  viewer: Viewer,
  action: string,
  label: string,
  options: {
    fields?: Record<string, string | number>;
    className?: string;
    title?: string;
    data?: string;
  } = {},
): Html {
  const fields = Object.entries(options.fields ?? {}).map(
    ([k, v]) => html`<input type="hidden" name="${k}" value="${v}" />`,
  );
  return html`<form
    method="post"
    action="${action}"
    class="inline"
    ${options.data ? html` data-action="${options.data}"` : ''}
  >
    ${csrfField(viewer)}${fields}<button
      type="submit"
      class="${options.className ?? 'button'}"
      title="${options.title ?? label}"
    >
      ${label}
    </button>
  </form>`;
}

export function feedName(view: Pick<SubscriptionView, 'subscription' | 'feed'>): string {
  return view.subscription.title ?? view.feed.title ?? hostOf(view.feed.url);
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** FNV-1a: a stable small hash for colours. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

// Kept per subscriptions array: the reader hands out one array while a user's counts stand.
const indexes = new WeakMap<readonly SubscriptionView[], Map<number, SubscriptionView>>();

/** The subscriptions by feed id. */
export function subscriptionIndex(subs: readonly SubscriptionView[]): ReadonlyMap<number, SubscriptionView> {
  let index = indexes.get(subs);
  if (!index) {
    index = new Map(subs.map((s) => [s.feed.id, s]));
    indexes.set(subs, index);
  }
  return index;
}

export const AVATAR_COLOURS = 12;

/**
 * A feed's icon: the one Gleaner keeps, else the icon's address (through the image proxy when it
 * is on, fetched as the feed is: a feed fetched through the feed proxy has its icon fetched so
 * too), else the first letter of its name on a colour derived from the name.
 */
export function feedIcon(
  sub: Pick<SubscriptionView, 'feed' | 'hasIcon'>,
  name: string,
  proxy: (url: string, feedId?: number) => string,
): Html {
  if (sub.hasIcon) {
    return html`<img
      class="feed-icon"
      src="/icons/${sub.feed.id}"
      alt=""
      loading="lazy"
      width="16"
      height="16"
    />`;
  }
  const iconUrl = sub.feed.iconUrl;
  if (iconUrl && /^https?:/i.test(iconUrl)) {
    return html`<img
      class="feed-icon"
      src="${proxy(iconUrl, sub.feed.id)}"
      alt=""
      loading="lazy"
      width="16"
      height="16"
    />`;
  }
  const letter = Array.from(name.trim())[0]?.toUpperCase() ?? '?';
  // The letter is drawn by CSS from data-letter, so it is not part of the text around it.
  return html`<span
    class="avatar avatar-${hash(name) % AVATAR_COLOURS}"
    data-letter="${letter}"
    aria-hidden="true"
  ></span>`;
}

export function relativeTime(t: Translate, at: number, now: number): string {
  const age = Math.max(0, now - at);
  if (age < 60_000) return t('just now');
  if (age < 3_600_000) return t('{n} min ago', { n: Math.floor(age / 60_000) });
  if (age < 86_400_000) return t('{n} h ago', { n: Math.floor(age / 3_600_000) });
  if (age < 30 * 86_400_000) return t('{n} d ago', { n: Math.floor(age / 86_400_000) });
  return formatDate(at);
}

export function formatDate(at: number): string {
  return isoTime(at).slice(0, 10);
}

export function timeTag(t: Translate, at: number, now: number): Html {
  // One date format per entry: a list page formats fifty of them.
  const iso = isoTime(at);
  return html`<time datetime="${iso}" title="${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC"
    >${relativeTime(t, at, now)}</time
  >`;
}
