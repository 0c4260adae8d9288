// Atom 1.0 (RFC 4287) and Atom 0.3: the feed and entry vocabulary, adapted to the model.
import type { ParsedEntry, ParsedFeed } from '../../model/index.js';
import {
  applyAtomLink,
  applyExtension,
  atomPersonName,
  dateOf,
  emptyEntry,
  emptyExtensionState,
  nonEmpty,
  pushCategory,
} from './extensions.js';
import { constructHtml, constructText, elementText } from './textconstruct.js';
import { attr, httpUrl, resolveReference, textContent, type XmlElement } from './xml.js';

/** Atom elements may come without a namespace (Atom 0.3 and broken 1.0 feeds). */
function isAtom(el: XmlElement): boolean {
  return el.ns === 'atom' || el.ns === '';
}

export function adaptAtom(root: XmlElement, feed: ParsedFeed): void {
  feed.format = 'atom';
  let feedAuthor: string | null = null;
  for (const el of root.children) {
    if (typeof el === 'string') continue;
    if (!isAtom(el)) {
      if (el.ns === 'dc' && el.local === 'title') feed.title ??= elementText(el);
      continue;
    }
    switch (el.local) {
      case 'title':
        feed.title ??= constructText(el);
        break;
      case 'subtitle':
      case 'tagline':
        feed.description ??= nonEmpty(constructText(el));
        break;
      case 'link': {
        const href = nonEmpty(attr(el, 'href'));
        if (!href) break;
        const url = resolveReference(href, el);
        const rel = (attr(el, 'rel') ?? 'alternate').trim().toLowerCase();
        if (rel === 'alternate') {
          const type = (attr(el, 'type') ?? '').toLowerCase();
          if (feed.link == null && (type === '' || type.includes('html'))) feed.link = url;
        } else if (rel === 'self') feed.selfUrl ??= url;
        else if (rel === 'hub') feed.hubUrl ??= url;
        break;
      }
      case 'icon':
      case 'logo': {
        const href = nonEmpty(textContent(el));
        if (href) feed.iconUrl ??= resolveReference(href, el);
        break;
      }
      case 'author':
        feedAuthor ??= atomPersonName(el);
        break;
      case 'entry':
      case 'item': // feedparser reads a stray RSS <item> in an Atom feed as an entry.
        feed.items.push(adaptEntry(el));
        break;
    }
  }
  feed.language ??= root.lang;
  // RFC 4287 §4.2.1: an entry without an author inherits the feed's.
  if (feedAuthor) for (const item of feed.items) item.author ??= feedAuthor;
}

function adaptEntry(entry: XmlElement): ParsedEntry {
  const out = emptyEntry();
  const ext = emptyExtensionState();
  let published: string | null = null;
  let updated: string | null = null;
  let created: string | null = null;
  let summary: XmlElement | null = null;
  let content: XmlElement | null = null;
  let sourceAuthor: string | null = null;
  for (const el of entry.children) {
    if (typeof el === 'string') continue;
    if (!isAtom(el)) {
      applyExtension(out, el, ext);
      continue;
    }
    switch (el.local) {
      case 'id':
        out.id ??= nonEmpty(textContent(el));
        break;
      case 'title':
        out.title ??= constructText(el);
        break;
      case 'link':
        applyAtomLink(out, el);
        break;
      case 'published':
      case 'issued':
        published ??= dateOf(el);
        break;
      case 'updated':
      case 'modified':
        updated ??= dateOf(el);
        break;
      case 'created':
        created ??= dateOf(el);
        break;
      case 'author':
        out.author ??= atomPersonName(el);
        break;
      case 'category': {
        const term = attr(el, 'term') ?? attr(el, 'label') ?? textContent(el);
        pushCategory(out, term);
        break;
      }
      case 'summary':
        summary ??= el;
        break;
      case 'content':
        content ??= el;
        break;
      case 'source':
        for (const c of el.children) {
          if (typeof c !== 'string' && c.local === 'author') sourceAuthor ??= atomPersonName(c);
        }
        break;
    }
  }
  // Atom ids are often the entry's URL: use one when there is no alternate link (as feedparser does).
  if (out.link == null && out.id) out.link = httpUrl(out.id, entry);
  out.title ??= ext.dcTitle ?? ext.mediaTitle;
  out.id ??= ext.dcIdentifier;
  out.published = published ?? created ?? ext.dcDate ?? ext.dctermsIssued ?? updated ?? ext.dctermsModified;
  out.updated = updated ?? ext.dctermsModified;
  out.author ??= sourceAuthor ?? ext.dcCreator ?? ext.itunesAuthor;
  if (summary) out.summaryHtml = constructHtml(summary);
  else if (ext.mediaDescription) out.summaryHtml = constructHtml(ext.mediaDescription);
  if (content) {
    // Content by reference (src) is not fetched here.
    if (!nonEmpty(attr(content, 'src'))) out.contentHtml = constructHtml(content);
  } else if (ext.contentEncoded) out.contentHtml = constructHtml(ext.contentEncoded);
  out.language ??= entry.lang;
  return out;
}
