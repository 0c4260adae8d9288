// The user's publications: what they made public, its public URL and feeds, full content or
// excerpts, withdrawal; and a form to publish a tag, folder, feed, the starred entries or a search.
import type { Publication } from '../../store/types.js';
import { html, type Html } from '../html.js';
import { actionButton, csrfField, formatDate } from './common.js';
import type { PageData } from './layout.js';

export interface PublicationRow {
  publication: Publication;
  /** The archive's absolute URL. */
  url: string;
  /** What it covers, for the user ("tag: optimization", "folder: Work"…), already translated. */
  covers: string;
}

export interface PublicationsView {
  rows: PublicationRow[];
  flash: string | null;
  error: string | null;
}

function row(page: PageData, r: PublicationRow): Html {
  const t = page.viewer.t;
  const p = r.publication;
  const live = p.withdrawnAt === null;
  const base = `/publications/${p.id}`;
  return html`<tr id="publication-${p.id}" class="${live ? '' : 'withdrawn'}" data-publication="${p.slug}">
    <td><strong>${p.title}</strong><br /><span class="muted small">${r.covers}</span></td>
    <td>
      ${live ? html`<a href="${r.url}" class="public-url">${r.url}</a><br /><span class="small"><a href="${r.url}feed.xml">RSS</a> · <a href="${r.url}atom.xml">Atom</a> · <a href="${r.url}feed.json">JSON Feed</a></span>` : html`<span class="muted">${t('Withdrawn')}</span>`}
    </td>
    <td>${formatDate(p.createdAt)}</td>
    <td>
      ${actionButton(page.viewer, `${base}/content`, p.fullContent ? t('Show excerpts') : t('Show full content'), { fields: { full: p.fullContent ? '0' : '1' }, className: 'link' })}
      ${live ? actionButton(page.viewer, `${base}/withdraw`, t('Withdraw'), { className: 'link danger' }) : actionButton(page.viewer, `${base}/restore`, t('Publish again'), { className: 'link' })}
    </td>
  </tr>`;
}

export function publicationsPage(page: PageData, view: PublicationsView): Html {
  const t = page.viewer.t;
  return html`<div class="list-header"><h1>${t('Publications')}</h1></div>
    ${view.flash ? html`<div class="flash" role="status">${view.flash}</div>` : ''}
    ${view.error ? html`<p class="error" role="alert">${view.error}</p>` : ''}
    <div class="stack">
      <p class="muted small">
        ${t('Nothing is public unless you publish it here. Each publication has a public page, RSS, Atom and JSON feeds, and links every post to its original. Feeds marked “never republish” are left out.')}
        <a href="/p/">${t('All public pages')}</a>
      </p>
      ${
        view.rows.length
          ? html`<table class="grid">
              <thead>
                <tr>
                  <th scope="col">${t('Publication')}</th>
                  <th scope="col">${t('Public URL')}</th>
                  <th scope="col">${t('Created')}</th>
                  <th scope="col">${t('Actions')}</th>
                </tr>
              </thead>
              <tbody>
                ${view.rows.map((r) => row(page, r))}
              </tbody>
            </table>`
          : html`<p class="muted">${t('You have published nothing yet.')}</p>`
      }
      <section class="card" aria-labelledby="publish-heading">
        <h2 id="publish-heading">${t('Publish')}</h2>
        <form method="post" action="/publications" class="stack">
          ${csrfField(page.viewer)}
          <label
            >${t('What to publish')}
            <input name="target" required maxlength="520" placeholder="tag:performance" />
          </label>
          <p class="muted small">${t('tag:NAME, folder:NAME, feed:URL, starred or search:QUERY')}</p>
          <div class="row">
            <input type="checkbox" id="field-excerpt" name="excerpt" value="1" /><label for="field-excerpt"
              >${t('Show excerpts instead of the full content')}</label
            >
          </div>
          <div><button type="submit" class="button primary">${t('Publish')}</button></div>
        </form>
      </section>
    </div>`;
}
