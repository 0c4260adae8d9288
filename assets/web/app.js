// Gleaner's page script: keyboard shortcuts, in-place read/star updates, marking read while
// scrolling, and live unread counts. Every action it speeds up also works without it (plain forms
// and links), so it only ever enhances.
'use strict';

(() => {
  const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';

  async function post(url, body) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify(body),
      credentials: 'same-origin',
    });
    if (!response.ok) throw new Error(`${url}: ${response.status}`);
    return response.json();
  }

  // ---- Unread counts -------------------------------------------------------------------------

  function setCount(key, n) {
    for (const el of document.querySelectorAll(`[data-count="${CSS.escape(key)}"]`)) {
      el.textContent = n > 0 ? String(n) : '';
      el.hidden = n <= 0;
    }
  }

  async function refreshCounts() {
    try {
      const response = await fetch('/api/counts', { headers: { Accept: 'application/json' } });
      if (!response.ok) return;
      const counts = await response.json();
      setCount('unread', counts.total);
      for (const [id, n] of Object.entries(counts.feeds)) setCount(`feed:${id}`, n);
      for (const [id, n] of Object.entries(counts.folders)) setCount(`folder:${id}`, n);
      const base = document.title.replace(/^\(\d+\) /, '');
      document.title = counts.total > 0 ? `(${counts.total}) ${base}` : base;
    } catch {
      // Offline or signed out: the counts stay as they were.
    }
  }

  // ---- Entry state in place ------------------------------------------------------------------

  function entryOf(el) {
    return el.closest('[data-entry-id]');
  }

  // Labels in the page's language, learnt from the buttons as rendered.
  const labels = {
    markRead: 'Mark read',
    markUnread: 'Mark unread',
    later: 'Read later',
    removeLater: 'Remove from read later',
  };
  for (const button of document.querySelectorAll('button[data-action="read"], button[data-action="later"]')) {
    const on = button.value === '1';
    if (button.dataset.action === 'read') labels[on ? 'markRead' : 'markUnread'] = button.textContent.trim();
    else labels[on ? 'later' : 'removeLater'] = button.textContent.trim();
  }
  for (const button of document.querySelectorAll('button[data-action="star"]')) {
    if (button.value === '1') labels.star = button.title;
    else labels.unstar = button.title;
  }

  function applyState(entry, state) {
    entry.classList.toggle('read', state.read);
    entry.classList.toggle('unread', !state.read);
    entry.classList.toggle('starred', state.starred);
    for (const button of entry.querySelectorAll('button[data-action]')) {
      const kind = button.dataset.action;
      if (kind === 'star') {
        button.value = state.starred ? '0' : '1';
        button.textContent = state.starred ? '★' : '☆';
        button.classList.toggle('on', state.starred);
        button.title = (state.starred ? labels.unstar : labels.star) ?? button.title;
      } else if (kind === 'read') {
        button.value = state.read ? '0' : '1';
        button.textContent = state.read ? labels.markUnread : labels.markRead;
      } else if (kind === 'later') {
        button.value = state.readLater ? '0' : '1';
        button.textContent = state.readLater ? labels.removeLater : labels.later;
      }
    }
  }

  async function submitState(button) {
    const entry = entryOf(button);
    if (!entry) return false;
    const response = await fetch(button.formAction, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, [button.name]: button.value }),
      credentials: 'same-origin',
    });
    if (!response.ok) return false;
    applyState(entry, await response.json());
    refreshCounts();
    return true;
  }

  document.addEventListener('submit', async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    const kind = form.dataset.action;
    if (kind === 'refresh') {
      event.preventDefault();
      form.classList.add('busy');
      try {
        await post(form.getAttribute('action'), {});
      } catch {
        form.submit();
        return;
      }
      // Fetches take a while; the counts catch up as they land.
      for (const delay of [2_000, 6_000, 15_000, 30_000]) window.setTimeout(refreshCounts, delay);
      window.setTimeout(() => form.classList.remove('busy'), 15_000);
      return;
    }
    const button = event.submitter;
    if (form.id === 'entry-state' && button instanceof HTMLButtonElement && button.dataset.action) {
      event.preventDefault();
      // Without the script's help (an error, an expired session), the plain form post still works.
      if (!(await submitState(button))) {
        const field = document.createElement('input');
        field.type = 'hidden';
        field.name = button.name;
        field.value = button.value;
        form.append(field);
        form.action = button.formAction;
        form.submit();
      }
    }
  });

  function clickAction(entry, kind) {
    entry?.querySelector(`button[data-action="${kind}"]`)?.click();
  }

  // ---- Mark read as entries scroll past ------------------------------------------------------

  if (document.body.dataset.markOnScroll === '1' && 'IntersectionObserver' in window) {
    const pending = new Set();
    let timer = 0;
    const flush = async () => {
      timer = 0;
      const ids = [...pending];
      pending.clear();
      if (ids.length === 0) return;
      try {
        await post('/entries/state', { ids, read: true });
        for (const id of ids) {
          const entry = document.querySelector(`.entry-item[data-entry-id="${id}"]`);
          if (entry)
            applyState(entry, { read: true, starred: entry.classList.contains('starred'), readLater: false });
        }
        refreshCounts();
      } catch {
        for (const id of ids) pending.add(id);
      }
    };
    const observer = new IntersectionObserver(
      (records) => {
        for (const record of records) {
          // Gone above the top of the window: read past.
          if (!record.isIntersecting && record.boundingClientRect.bottom < 0) {
            const entry = record.target;
            if (entry.classList.contains('unread')) pending.add(Number(entry.dataset.entryId));
            observer.unobserve(entry);
          }
        }
        if (pending.size > 0 && !timer) timer = window.setTimeout(flush, 800);
      },
      { threshold: 0 },
    );
    for (const entry of document.querySelectorAll('.entry-item.unread')) observer.observe(entry);
  }

  // ---- Keyboard shortcuts --------------------------------------------------------------------

  const items = () => [...document.querySelectorAll('.entry-item')];
  let selected = -1;

  function select(index) {
    const list = items();
    if (list.length === 0) return;
    selected = Math.max(0, Math.min(list.length - 1, index));
    for (const [i, el] of list.entries()) el.classList.toggle('selected', i === selected);
    const el = list[selected];
    el.scrollIntoView({ block: 'nearest' });
    el.querySelector('.entry-title a')?.focus({ preventScroll: true });
  }

  function current() {
    return items()[selected] ?? document.querySelector('article.article');
  }

  function follow(rel) {
    const link = document.querySelector(`a[data-page="${rel}"]`);
    if (link) window.location.href = link.href;
  }

  function toggleHelp(show) {
    const help = document.getElementById('help');
    if (help) help.hidden = show === undefined ? !help.hidden : !show;
  }

  let pendingG = false;

  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (
      target instanceof HTMLElement &&
      (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))
    ) {
      if (event.key === 'Escape') target.blur();
      return;
    }
    const key = event.key;
    if (pendingG) {
      pendingG = false;
      const to = { u: '/unread', s: '/starred', a: '/all', l: '/later' }[key];
      if (to) {
        event.preventDefault();
        window.location.href = to;
      }
      return;
    }
    const article = document.querySelector('article.article');
    switch (key) {
      case 'j':
        if (article) follow('next');
        else select(selected + 1);
        break;
      case 'k':
        if (article) follow('prev');
        else select(selected - 1);
        break;
      case 'n':
        follow('next');
        break;
      case 'p':
        follow('prev');
        break;
      case 'o':
      case 'Enter': {
        // The entry's own page is its title's link.
        const link = items()[selected]?.querySelector('.entry-title a');
        if (!link) return;
        window.location.href = link.href;
        break;
      }
      case 'v': {
        // An article names its original; a list's entry has a link to it.
        const el = current();
        const url = el?.dataset.original || el?.querySelector('a[data-original]')?.href;
        if (url) window.open(url, '_blank', 'noopener,noreferrer');
        break;
      }
      case 'd':
        // On an article: its full text from its page (a form post; the page comes back with it).
        article?.querySelector('button[data-full-article]')?.click();
        break;
      case 'm':
        clickAction(current(), 'read');
        break;
      case 's':
        clickAction(current(), 'star');
        break;
      case 'l':
        clickAction(current(), 'later');
        break;
      case 'r':
        document.querySelector('form[data-action="refresh"]')?.requestSubmit();
        break;
      case '/':
        document.querySelector('[data-search]')?.focus();
        break;
      case 'g':
        pendingG = true;
        window.setTimeout(() => (pendingG = false), 1500);
        break;
      case '?':
        toggleHelp();
        break;
      case 'Escape':
        toggleHelp(false);
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  // ---- Share ---------------------------------------------------------------------------------

  document.addEventListener('click', async (event) => {
    const link = event.target instanceof Element ? event.target.closest('[data-share]') : null;
    if (!link) return;
    event.preventDefault();
    const url = link.dataset.share;
    try {
      if (navigator.share) await navigator.share({ url, title: link.dataset.title });
      else {
        await navigator.clipboard.writeText(url);
        link.classList.add('copied');
      }
    } catch {
      window.open(url, '_blank', 'noopener,noreferrer');
    }
  });

  // ---- The wiki's source page beside an article ------------------------------------------------

  // On a phone the panel sits below the article: folded, so the article comes first.
  const wikiPanel = document.querySelector('[data-wiki-panel]');
  if (wikiPanel && window.matchMedia('(max-width: 1179px)').matches) wikiPanel.open = false;

  // ---- Live counts and the installable app ---------------------------------------------------

  if (document.querySelector('.sidebar')) {
    window.setInterval(refreshCounts, 60_000);
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') refreshCounts();
    });
  }
  if ('serviceWorker' in navigator && window.isSecureContext) {
    navigator.serviceWorker.register('/sw.js').catch(() => {});
  }
})();
