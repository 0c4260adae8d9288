import { html, type Html } from '../html.js';
import type { Viewer } from '../server.js';
import { shell } from './layout.js';

export function errorPage(viewer: Viewer, status: number, message: string): Html {
  const t = viewer.t;
  return shell(
    viewer,
    String(status),
    html`<main class="narrow">
      <h1>${status === 404 ? t('Not found') : t('Error')} (${status})</h1>
      <p>${message}</p>
      <p><a href="/">${t('Back to the reader')}</a></p>
    </main>`,
  );
}
