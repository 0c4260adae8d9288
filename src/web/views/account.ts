// The account pages: reader settings, the password, API keys for reader apps, and (for
// administrators) the list of users. Every form works without JavaScript.
import type { User } from '../../model/index.js';
import type { ApiKey, RetentionPolicy } from '../../store/types.js';
import { html, type Html } from '../html.js';
import { PER_PAGE_CHOICES } from '../settings.js';
import { actionButton, csrfField, formatDate, timeTag } from './common.js';
import type { PageData } from './layout.js';

export interface SettingsView {
  /** A confirmation to show at the top (already translated). */
  flash: string | null;
  /** Why the password change was refused (already translated). */
  passwordError: string | null;
  /** Why the API key could not be created (already translated). */
  keyError: string | null;
  keys: ApiKey[];
  /** The key just created: shown in this one response and never again. */
  newKey: { name: string; key: string } | null;
  /** Which old entries the server removes. */
  retention: RetentionPolicy;
}

function flashBox(message: string | null): Html | string {
  return message ? html`<div class="flash" role="status">${message}</div>` : '';
}

function errorBox(message: string | null): Html | string {
  return message ? html`<p class="error" role="alert">${message}</p>` : '';
}

function option(value: string | number, label: string, selected: boolean, lang?: string): Html {
  return html`<option value="${value}" ${selected ? html`selected` : ''} ${lang ? html`lang="${lang}"` : ''}>
    ${label}
  </option>`;
}

/** A checkbox beside its label (not inside it: form rows stretch the inputs inside labels). */
function checkbox(name: string, label: string, checked: boolean): Html {
  const id = `field-${name}`;
  const state = checked ? html`checked` : '';
  return html`<div class="row">
    <input type="checkbox" id="${id}" name="${name}" value="on" ${state} /><label for="${id}">${label}</label>
  </div>`;
}

function readingForm(page: PageData): Html {
  const t = page.viewer.t;
  const s = page.viewer.settings;
  return html`<section class="card" aria-labelledby="reading-heading">
    <h2 id="reading-heading">${t('Reading')}</h2>
    <form method="post" action="/settings" class="stack">
      ${csrfField(page.viewer)}
      <label
        >${t('Theme')}
        <select name="theme">
          ${option('auto', t('Automatic (follows the system)'), s.theme === 'auto')}${option('light', t('Light'), s.theme === 'light')}${option('dark', t('Dark'), s.theme === 'dark')}
        </select></label
      >
      <label
        >${t('Text size')}
        <select name="fontSize">
          ${option('small', t('Small'), s.fontSize === 'small')}${option('medium', t('Medium'), s.fontSize === 'medium')}${option('large', t('Large'), s.fontSize === 'large')}
        </select></label
      >
      <label
        >${t('Entries per page')}
        <select name="perPage">
          ${PER_PAGE_CHOICES.map((n) => option(n, String(n), s.perPage === n))}
        </select></label
      >
      <label
        >${t('Order of entries')}
        <select name="order">
          ${option('newest', t('Newest first'), s.order === 'newest')}${option('oldest', t('Oldest first'), s.order === 'oldest')}
        </select></label
      >
      <label
        >${t('Language')}
        <select name="language">
          ${option('en', 'English', s.language === 'en', 'en')}${option('zh', '中文', s.language === 'zh', 'zh-CN')}
        </select></label
      >
      ${checkbox('unreadOnly', t('Show only unread entries by default'), s.unreadOnly)}
      ${checkbox('markReadOnOpen', t('Mark an entry read when it is opened'), s.markReadOnOpen)}
      ${checkbox('markReadOnScroll', t('Mark entries read as they scroll past'), s.markReadOnScroll)}
      <div><button type="submit" class="button primary">${t('Save settings')}</button></div>
    </form>
  </section>`;
}

function passwordForm(page: PageData, error: string | null): Html {
  const t = page.viewer.t;
  return html`<section class="card" id="password" aria-labelledby="password-heading">
    <h2 id="password-heading">${t('Change password')}</h2>
    <p class="muted small">${t('Changing the password signs you out on every other device.')}</p>
    ${errorBox(error)}
    <form method="post" action="/settings/password" class="stack">
      ${csrfField(page.viewer)}
      <input
        type="text"
        name="username"
        value="${page.viewer.user.username}"
        autocomplete="username"
        hidden
      />
      <label
        >${t('Current password')}
        <input name="current" type="password" required autocomplete="current-password"
      /></label>
      <label
        >${t('New password')}
        <input name="password" type="password" required minlength="8" autocomplete="new-password"
      /></label>
      <label
        >${t('New password again')}
        <input name="confirm" type="password" required minlength="8" autocomplete="new-password"
      /></label>
      <div><button type="submit" class="button primary">${t('Change password')}</button></div>
    </form>
  </section>`;
}

function apiKeySection(page: PageData, view: SettingsView): Html {
  const t = page.viewer.t;
  const rows = view.keys.map(
    (k) =>
      html`<tr>
        <td>${k.name}</td>
        <td>${formatDate(k.createdAt)}</td>
        <td>
          ${k.lastUsedAt === null ? html`<span class="muted">${t('never')}</span>` : timeTag(t, k.lastUsedAt, page.now)}
        </td>
        <td>
          ${actionButton(page.viewer, `/settings/api-keys/${k.id}/delete`, t('Revoke'), { className: 'link danger', title: t('Revoke the key “{name}”', { name: k.name }) })}
        </td>
      </tr>`,
  );
  const created = view.newKey
    ? html`<div class="flash" role="status">
        <p>
          ${t('The key “{name}” was created. Copy it now: it will not be shown again.', { name: view.newKey.name })}
        </p>
        <p><code class="api-key">${view.newKey.key}</code></p>
        <p class="small">
          ${t('Your user name for reader apps is {name}.', { name: page.viewer.user.username })}
        </p>
      </div>`
    : '';
  return html`<section class="card" id="api-keys" aria-labelledby="keys-heading">
    <h2 id="keys-heading">${t('API keys')}</h2>
    <p class="muted small">
      ${t('Reader apps that speak the Google Reader, Fever or Miniflux API sign in with your user name and an API key instead of your password. Give each app its own key, so that you can revoke it alone.')}
    </p>
    ${created}
    ${
      rows.length
        ? html`<table class="grid">
            <thead>
              <tr>
                <th scope="col">${t('Name')}</th>
                <th scope="col">${t('Created')}</th>
                <th scope="col">${t('Last used')}</th>
                <th scope="col">${t('Actions')}</th>
              </tr>
            </thead>
            <tbody>
              ${rows}
            </tbody>
          </table>`
        : html`<p class="muted">${t('No API keys yet.')}</p>`
    }
    ${errorBox(view.keyError)}
    <form method="post" action="/settings/api-keys" class="stack">
      ${csrfField(page.viewer)}
      <label
        >${t('Name of the new key')}
        <input name="name" required maxlength="100" placeholder="${t('e.g. phone')}"
      /></label>
      <div><button type="submit" class="button">${t('Create an API key')}</button></div>
    </form>
  </section>`;
}

export function settingsPage(page: PageData, view: SettingsView): Html {
  const t = page.viewer.t;
  return html`<div class="list-header"><h1>${t('Settings')}</h1></div>
    ${flashBox(view.flash)}
    <div class="stack">
      ${readingForm(page)} ${keepingSection(page, view.retention)} ${passwordForm(page, view.passwordError)}
      ${apiKeySection(page, view)}
    </div>`;
}

/** How long entries are kept: the server's policy (refresh/retention.ts), said plainly. */
function keepingSection(page: PageData, policy: RetentionPolicy): Html {
  const t = page.viewer.t;
  const days = (ms: number): number => Math.round(ms / 86_400_000);
  const lines = [
    policy.readMs === null
      ? t('Read entries are kept for good.')
      : t('Read entries are removed {n} days after you read them.', { n: days(policy.readMs) }),
    policy.unreadMs === null
      ? t('Unread entries are kept for good.')
      : t('Unread entries are removed {n} days after they arrive.', { n: days(policy.unreadMs) }),
    policy.keepPerFeed > 0
      ? t(
          'Starred, read-later and labelled entries are always kept, and so are the {n} newest of each feed.',
          {
            n: policy.keepPerFeed,
          },
        )
      : t('Starred, read-later and labelled entries are always kept.'),
    t('So is what a public page shows (a published feed, folder, tag or search) while it is published.'),
    ...(policy.maxPerFeed === null
      ? []
      : [t('A feed keeps at most {n} entries: past that, its oldest go.', { n: policy.maxPerFeed })]),
  ];
  return html`<section class="card" aria-labelledby="keeping-heading">
    <h2 id="keeping-heading">${t('Keeping entries')}</h2>
    <ul>
      ${lines.map((line) => html`<li>${line}</li>`)}
    </ul>
    <p class="muted small">${t('The administrator of this server sets these (GLEANER_KEEP_* settings).')}</p>
  </section>`;
}

export interface UserRow {
  user: User;
  hasPassword: boolean;
}

export interface UsersView {
  users: UserRow[];
  flash: string | null;
  /** Why the last change was refused (already translated). */
  error: string | null;
  /** The new-user form as submitted, kept after an error. */
  form: { username: string; isAdmin: boolean };
}

function userRow(page: PageData, row: UserRow): Html {
  const t = page.viewer.t;
  const { user } = row;
  const self = user.id === page.viewer.user.id;
  const role = user.isAdmin ? t('Administrator') : t('User');
  const actions = self
    ? html`<span class="muted small">${t('(you)')}</span>`
    : html`${actionButton(page.viewer, `/admin/users/${user.id}/admin`, user.isAdmin ? t('Remove administrator rights') : t('Make administrator'), { fields: { admin: user.isAdmin ? 0 : 1 }, className: 'link' })}
        <details class="confirm">
          <summary>${t('Delete…')}</summary>
          <form method="post" action="/admin/users/${user.id}/delete" class="inline">
            ${csrfField(page.viewer)}
            <p class="small">
              ${t('Delete {name} with their subscriptions, reading state and API keys? This cannot be undone.', { name: user.username })}
            </p>
            <button type="submit" class="button danger">
              ${t('Delete {name}', { name: user.username })}
            </button>
          </form>
        </details>`;
  return html`<tr>
    <td>${user.username}</td>
    <td>
      ${role}${row.hasPassword ? '' : html` <span class="muted small">(${t('no password yet')})</span>`}
    </td>
    <td>${formatDate(user.createdAt)}</td>
    <td>${actions}</td>
  </tr>`;
}

export function usersPage(page: PageData, view: UsersView): Html {
  const t = page.viewer.t;
  return html`<div class="list-header"><h1>${t('Users')}</h1></div>
    ${flashBox(view.flash)} ${errorBox(view.error)}
    <div class="stack">
      <table class="grid">
        <thead>
          <tr>
            <th scope="col">${t('Name')}</th>
            <th scope="col">${t('Role')}</th>
            <th scope="col">${t('Created')}</th>
            <th scope="col">${t('Actions')}</th>
          </tr>
        </thead>
        <tbody>
          ${view.users.map((row) => userRow(page, row))}
        </tbody>
      </table>
      <section class="card" aria-labelledby="new-user-heading">
        <h2 id="new-user-heading">${t('Add a user')}</h2>
        <form method="post" action="/admin/users" class="stack">
          ${csrfField(page.viewer)}
          <label
            >${t('User name')}
            <input name="username" value="${view.form.username}" required maxlength="64" autocomplete="off"
          /></label>
          <label
            >${t('Password')}
            <input name="password" type="password" required minlength="8" autocomplete="new-password"
          /></label>
          ${checkbox('admin', t('Administrator (may manage users)'), view.form.isAdmin)}
          <div><button type="submit" class="button primary">${t('Create the user')}</button></div>
        </form>
      </section>
    </div>`;
}
