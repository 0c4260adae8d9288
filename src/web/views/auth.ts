import { html, type Html } from '../html.js';
import type { Viewer } from '../server.js';
import { shell } from './layout.js';

function card(viewer: Viewer, title: string, body: Html): Html {
  return shell(
    viewer,
    title,
    html`<main class="card-page">
      <div class="card">
        <h1 class="brand-title">Gleaner</h1>
        <h2>${title}</h2>
        ${body}
      </div>
    </main>`,
    'plain',
  );
}

export function setupPage(viewer: Viewer, csrf: string, username: string, problem: string | null): Html {
  const t = viewer.t;
  return card(
    viewer,
    t('Create the administrator'),
    html`<p class="muted">
        ${t('This is the first start: choose the name and password of the administrator.')}
      </p>
      ${problem ? html`<p class="error" role="alert">${problem}</p>` : ''}
      <form method="post" action="/setup" class="stack">
        <input type="hidden" name="_csrf" value="${csrf}" />
        <label
          >${t('User name')}
          <input name="username" value="${username}" required autocomplete="username" maxlength="64"
        /></label>
        <label
          >${t('Password')}
          <input name="password" type="password" required minlength="8" autocomplete="new-password"
        /></label>
        <label
          >${t('Password again')}
          <input name="confirm" type="password" required minlength="8" autocomplete="new-password"
        /></label>
        <button type="submit" class="button primary">${t('Create and sign in')}</button>
      </form>`,
  );
}

export function loginPage(
  viewer: Viewer,
  csrf: string,
  username: string,
  next: string,
  problem: string | null,
): Html {
  const t = viewer.t;
  return card(
    viewer,
    t('Sign in'),
    html`${problem ? html`<p class="error" role="alert">${problem}</p>` : ''}
      <form method="post" action="/login" class="stack">
        <input type="hidden" name="_csrf" value="${csrf}" />
        <input type="hidden" name="next" value="${next}" />
        <label
          >${t('User name')}
          <input name="username" value="${username}" required autocomplete="username" autofocus
        /></label>
        <label
          >${t('Password')} <input name="password" type="password" required autocomplete="current-password"
        /></label>
        <button type="submit" class="button primary">${t('Sign in')}</button>
      </form>`,
  );
}
