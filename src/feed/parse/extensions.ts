// Namespace extensions shared by RSS, RDF and Atom: Dublin Core, Media RSS, iTunes, atom:link.
import type { Enclosure, ParsedEntry } from '../../model/index.js';
import { parseDate } from './date.js';
import { elementText } from './textconstruct.js';
import { collapseWhitespace } from './text.js';
import { attr, resolveReference, textContent, type XmlElement } from './xml.js';

export function emptyEntry(): ParsedEntry {
  return {
    id: null,
    title: null,
    link: null,
    published: null,
    updated: null,
    author: null,
    categories: [],
    summaryHtml: null,
    contentHtml: null,
    enclosures: [],
    commentsUrl: null,
    imageUrl: null,
    language: null,
    durationSeconds: null,
    explicit: null,
  };
}

/** itunes:duration: seconds, or H:MM:SS / MM:SS. */
export function parseDuration(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,7}(?::\d{1,2}){0,2}(?:\.\d+)?$/.test(t)) return null;
  let seconds = 0;
  for (const part of t.split(':')) seconds = seconds * 60 + Number.parseFloat(part);
  return Number.isFinite(seconds) ? Math.round(seconds) : null;
}

/** Trimmed text, or null when empty. */
export function nonEmpty(text: string | null | undefined): string | null {
  if (text == null) return null;
  const t = text.trim();
  return t === '' ? null : t;
}

/**
 * A person from RSS's `email (Name)` / `Name <email>` forms, or a plain name. Read with indexOf,
 * not the regular expressions it once was: their backtracking took a hostile author of 8,000 "<@"
 * four minutes.
 */
export function personName(value: string): string | null {
  const text = collapseWhitespace(value);
  if (text === '') return null;
  return nameAfterAddress(text) ?? nameBeforeAddress(text) ?? text;
}

/** `email (Name)`: an address (no space, an @ with something either side), the name in parentheses last. */
function nameAfterAddress(text: string): string | null {
  if (!text.endsWith(')')) return null;
  const open = text.indexOf('(');
  if (open <= 0) return null;
  const address = text.slice(0, open).trimEnd();
  const at = address.indexOf('@', 1);
  if (at === -1 || at === address.length - 1 || /\s/.test(address)) return null;
  return nonEmpty(text.slice(open + 1, -1));
}

/** `Name <email>`: a name, then an address with an @ in angle brackets last. */
function nameBeforeAddress(text: string): string | null {
  if (!text.endsWith('>')) return null;
  // The brackets hold no other >: they open after the one before the last, if any.
  const open = text.indexOf('<', Math.max(1, text.lastIndexOf('>', text.length - 2) + 1));
  if (open === -1 || !text.slice(open + 1, -1).includes('@')) return null;
  return nonEmpty(text.slice(0, open));
}

/** The name of an Atom person construct (author/contributor), falling back to its email. */
export function atomPersonName(person: XmlElement): string | null {
  let name: string | null = null;
  let email: string | null = null;
  for (const c of person.children) {
    if (typeof c === 'string') continue;
    if (c.local === 'name') name = nonEmpty(elementText(c));
    else if (c.local === 'email') email = nonEmpty(textContent(c));
  }
  if (name) return name;
  if (email) return email;
  // Atom 0.3 feeds and broken ones sometimes put the name straight in <author>.
  const text = nonEmpty(elementText(person));
  return text ? personName(text) : null;
}

/**
 * The most categories and enclosures an entry keeps. Real entries carry a few, a gallery a few
 * dozen; each one added is checked against those before it, so a hostile item with 100,000
 * categories (2.7 MB) kept the parser busy for 15 s, and one of the 16 MB a fetch allows, minutes.
 */
export const MAX_CATEGORIES = 100;
export const MAX_ENCLOSURES = 100;

export function pushEnclosure(entry: ParsedEntry, enclosure: Enclosure): void {
  if (entry.enclosures.length >= MAX_ENCLOSURES) return;
  if (!entry.enclosures.some((e) => e.url === enclosure.url)) entry.enclosures.push(enclosure);
}

export function parseLength(value: string | null): number | null {
  if (value == null) return null;
  const n = Number.parseInt(value.trim(), 10);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

/** Adds categories, split and deduplicated as feed readers show them. */
export function pushCategory(entry: { categories: string[] }, term: string | null): void {
  if (entry.categories.length >= MAX_CATEGORIES) return;
  const t = term == null ? '' : collapseWhitespace(term);
  if (t !== '' && !entry.categories.includes(t)) entry.categories.push(t);
}

/** The text directly inside an element, ignoring nested elements. */
export function ownText(element: XmlElement): string {
  let out = '';
  for (const c of element.children) if (typeof c === 'string') out += c;
  return out;
}

/** Reads a date element; unreadable dates are null, never "now". */
export function dateOf(element: XmlElement): string | null {
  return parseDate(textContent(element));
}

/**
 * Applies the elements of the common extension namespaces found directly in an item or entry.
 * Returns true when the element was consumed.
 */
export function applyExtension(entry: ParsedEntry, el: XmlElement, ext: ExtensionState): boolean {
  switch (el.ns) {
    case 'dc':
      switch (el.local) {
        case 'creator':
        case 'author':
          ext.dcCreator ??= nonEmpty(elementText(el));
          return true;
        case 'date':
          ext.dcDate ??= dateOf(el);
          return true;
        case 'subject':
          pushCategory(entry, elementText(el));
          return true;
        case 'title':
          ext.dcTitle ??= elementText(el);
          return true;
        case 'identifier':
          ext.dcIdentifier ??= nonEmpty(textContent(el));
          return true;
        case 'language':
          entry.language ??= nonEmpty(textContent(el));
          return true;
        case 'description':
          ext.dcDescription ??= el;
          return true;
      }
      return false;
    case 'dcterms':
      switch (el.local) {
        case 'issued':
        case 'created':
        case 'available':
          ext.dctermsIssued ??= dateOf(el);
          return true;
        case 'modified':
          ext.dctermsModified ??= dateOf(el);
          return true;
      }
      return false;
    case 'media':
      applyMedia(entry, el, ext);
      return true;
    case 'itunes':
      switch (el.local) {
        case 'author':
          ext.itunesAuthor ??= nonEmpty(elementText(el));
          return true;
        case 'image': {
          const href = attr(el, 'href') ?? attr(el, 'url') ?? textContent(el);
          entry.imageUrl ??= nonEmpty(href) && resolveReference(href, el);
          return true;
        }
        case 'category':
          pushCategory(entry, attr(el, 'text'));
          for (const c of el.children)
            if (typeof c !== 'string' && c.local === 'category') pushCategory(entry, attr(c, 'text'));
          return true;
        case 'keywords':
          for (const word of textContent(el).split(',')) pushCategory(entry, word);
          return true;
        case 'summary':
          ext.itunesSummary ??= el;
          return true;
        case 'duration':
          entry.durationSeconds ??= parseDuration(textContent(el));
          return true;
        case 'explicit': {
          const value = textContent(el).trim().toLowerCase();
          if (['yes', 'true', 'explicit'].includes(value)) entry.explicit = true;
          else if (['no', 'false', 'clean'].includes(value)) entry.explicit = false;
          return true;
        }
      }
      return true;
    case 'content':
      if (el.local === 'encoded') {
        ext.contentEncoded ??= el;
        return true;
      }
      return false;
    case 'xhtml':
      if (el.local === 'body' || el.local === 'div') {
        ext.xhtmlBody ??= el;
        return true;
      }
      return false;
    case 'slash':
    case 'wfw':
      // Comment counts and comment feeds: read, not kept.
      return true;
  }
  return false;
}

/** Values from extension elements, applied after the format's own elements (which take precedence). */
export interface ExtensionState {
  dcCreator: string | null;
  dcDate: string | null;
  dcTitle: string | null;
  mediaTitle: string | null;
  mediaDescription: XmlElement | null;
  dcIdentifier: string | null;
  dcDescription: XmlElement | null;
  dctermsIssued: string | null;
  dctermsModified: string | null;
  itunesAuthor: string | null;
  itunesSummary: XmlElement | null;
  contentEncoded: XmlElement | null;
  xhtmlBody: XmlElement | null;
}

export function emptyExtensionState(): ExtensionState {
  return {
    dcCreator: null,
    dcDate: null,
    dcTitle: null,
    mediaTitle: null,
    mediaDescription: null,
    dcIdentifier: null,
    dcDescription: null,
    dctermsIssued: null,
    dctermsModified: null,
    itunesAuthor: null,
    itunesSummary: null,
    contentEncoded: null,
    xhtmlBody: null,
  };
}

function applyMedia(entry: ParsedEntry, el: XmlElement, ext: ExtensionState): void {
  switch (el.local) {
    case 'group':
      for (const c of el.children) if (typeof c !== 'string') applyMedia(entry, c, ext);
      return;
    case 'content': {
      const url = attr(el, 'url');
      const type = nonEmpty(attr(el, 'type'));
      const medium = attr(el, 'medium');
      if (url && nonEmpty(url)) {
        const abs = resolveReference(url, el);
        if (abs && (medium === 'image' || type?.startsWith('image/'))) entry.imageUrl ??= abs;
      }
      for (const c of el.children) if (typeof c !== 'string') applyMedia(entry, c, ext);
      return;
    }
    case 'category':
      pushCategory(entry, ownText(el));
      return;
    case 'title':
      ext.mediaTitle ??= elementText(el);
      return;
    case 'description':
      ext.mediaDescription ??= el;
      return;
    case 'thumbnail': {
      const url = attr(el, 'url');
      if (url && nonEmpty(url)) entry.imageUrl ??= resolveReference(url, el);
      return;
    }
  }
}

/** Reads an atom:link (in Atom, or embedded in RSS) into the entry. */
export function applyAtomLink(entry: ParsedEntry, el: XmlElement): void {
  const rel = (attr(el, 'rel') ?? 'alternate').trim().toLowerCase();
  const href = nonEmpty(attr(el, 'href'));
  if (href == null) {
    // Broken feeds write the URL as the element's text; it then serves as the entry's link.
    const text = nonEmpty(textContent(el));
    const url = text && resolveReference(text, el);
    if (!url) return;
    entry.link = url; // the last such link wins, as in feedparser
    if (rel === 'enclosure')
      pushEnclosure(entry, {
        url,
        type: nonEmpty(attr(el, 'type')),
        length: parseLength(attr(el, 'length')),
      });
    return;
  }
  const url = resolveReference(href, el);
  if (!url) return;
  switch (rel) {
    case 'alternate':
    case 'http://www.iana.org/assignments/relation/alternate':
      if (entry.link == null) {
        const type = (attr(el, 'type') ?? '').toLowerCase();
        if (type === '' || type.includes('html')) entry.link = url;
      }
      return;
    case 'enclosure':
      pushEnclosure(entry, {
        url,
        type: nonEmpty(attr(el, 'type')),
        length: parseLength(attr(el, 'length')),
      });
      return;
    case 'replies':
      entry.commentsUrl ??= url;
      return;
  }
}
