// RSS 0.9x / 2.0 and RSS 1.0 (RDF): the channel and item vocabulary, adapted to the model.
import type { FeedFormat, ParsedEntry, ParsedFeed } from '../../model/index.js';
import {
  applyAtomLink,
  applyExtension,
  dateOf,
  emptyEntry,
  emptyExtensionState,
  nonEmpty,
  ownText,
  parseLength,
  personName,
  pushCategory,
  pushEnclosure,
} from './extensions.js';
import { constructHtml, elementHtml, elementText } from './textconstruct.js';
import { attr, httpUrl, resolveReference, textContent, type XmlElement } from './xml.js';

/** Builds a feed from an `<rss>`, `<rdf:RDF>` or bare `<channel>` root. */
export function adaptRss(root: XmlElement, format: FeedFormat, feed: ParsedFeed): void {
  feed.format = format;
  // The channel, wherever it is; RDF puts items beside the channel, RSS inside it.
  const channel = findChannel(root);
  const itemHolders = channel && channel !== root ? [root, channel] : [root];
  if (channel) adaptChannel(channel, feed);
  for (const holder of itemHolders) {
    for (const c of holder.children) {
      if (typeof c !== 'string' && c.local === 'item' && (c.ns === '' || c.ns === 'rdf')) {
        feed.items.push(adaptItem(c, format));
      }
    }
  }
}

function findChannel(root: XmlElement): XmlElement | null {
  if (root.local === 'channel') return root;
  for (const c of root.children) {
    if (typeof c !== 'string' && c.local === 'channel' && c.ns === '') return c;
  }
  return null;
}

function adaptChannel(channel: XmlElement, feed: ParsedFeed): void {
  let dcTitle: string | null = null;
  let atomTitle: string | null = null;
  for (const el of channel.children) {
    if (typeof el === 'string') continue;
    if (el.ns === '') {
      switch (el.local) {
        case 'title':
          feed.title ??= elementText(el);
          break;
        case 'link': {
          const href = nonEmpty(textContent(el)) ?? attr(el, 'href');
          if (href && feed.link == null) feed.link = resolveReference(href, el);
          break;
        }
        case 'description':
          feed.description ??= nonEmpty(elementText(el));
          break;
        case 'language':
          feed.language ??= nonEmpty(textContent(el));
          break;
        case 'ttl': {
          const ttl = Number.parseInt(textContent(el).trim(), 10);
          if (Number.isFinite(ttl) && ttl > 0) feed.ttlMinutes = ttl;
          break;
        }
        case 'image': {
          const url = el.children.find((c): c is XmlElement => typeof c !== 'string' && c.local === 'url');
          const href = url ? nonEmpty(textContent(url)) : null;
          if (href) feed.iconUrl ??= resolveReference(href, url ?? el);
          break;
        }
      }
    } else if (el.ns === 'atom') {
      if (el.local === 'link') {
        const rel = (attr(el, 'rel') ?? 'alternate').toLowerCase();
        const href = nonEmpty(attr(el, 'href'));
        if (!href) continue;
        const url = resolveReference(href, el);
        if (rel === 'self') feed.selfUrl ??= url;
        else if (rel === 'hub') feed.hubUrl ??= url;
        else if (rel === 'alternate') feed.link ??= url;
      } else if (el.local === 'title') atomTitle ??= elementText(el);
    } else if (el.ns === 'dc') {
      if (el.local === 'title') dcTitle ??= elementText(el);
      else if (el.local === 'language') feed.language ??= nonEmpty(textContent(el));
    } else if (el.ns === 'itunes' && el.local === 'image') {
      const href = nonEmpty(attr(el, 'href'));
      if (href) feed.iconUrl ??= resolveReference(href, el);
    }
  }
  feed.title ??= dcTitle ?? atomTitle;
  feed.language ??= channel.lang;
}

function adaptItem(item: XmlElement, format: FeedFormat): ParsedEntry {
  const entry = emptyEntry();
  const ext = emptyExtensionState();
  let guid: string | null = null;
  let guidIsPermalink = false;
  let description: XmlElement | null = null;
  let pubDate: string | null = null;
  let author: string | null = null;
  let atomUpdated: string | null = null;
  let atomPublished: string | null = null;
  let atomId: string | null = null;
  let atomContent: XmlElement | null = null;
  let atomSummary: XmlElement | null = null;
  for (const el of item.children) {
    if (typeof el === 'string') continue;
    if (el.ns === '') {
      switch (el.local) {
        case 'title':
          entry.title ??= elementText(el);
          break;
        case 'link': {
          // Some feeds write <link href="..."/> (Atom style) in RSS.
          const href = nonEmpty(textContent(el)) ?? nonEmpty(attr(el, 'href'));
          if (href && entry.link == null) entry.link = resolveReference(href, el);
          break;
        }
        case 'guid':
          if (guid == null) {
            guid = nonEmpty(textContent(el));
            // RSS 2.0: isPermaLink defaults to true.
            guidIsPermalink =
              (attr(el, 'ispermalink') ?? attr(el, 'isPermaLink') ?? 'true').trim().toLowerCase() !== 'false';
          }
          break;
        case 'description':
          description ??= el;
          break;
        case 'pubdate':
          pubDate ??= dateOf(el);
          break;
        case 'author':
          author ??= nonEmpty(elementText(el));
          break;
        case 'category':
          pushCategory(entry, ownText(el));
          break;
        case 'enclosure': {
          const url = nonEmpty(attr(el, 'url'));
          const abs = url ? resolveReference(url, el) : null;
          if (abs)
            pushEnclosure(entry, {
              url: abs,
              type: nonEmpty(attr(el, 'type')),
              length: parseLength(attr(el, 'length')),
            });
          break;
        }
        case 'comments': {
          const href = nonEmpty(textContent(el));
          if (href) entry.commentsUrl ??= resolveReference(href, el);
          break;
        }
        case 'source':
          break;
      }
    } else if (el.ns === 'atom') {
      switch (el.local) {
        case 'link':
          applyAtomLink(entry, el);
          break;
        case 'updated':
        case 'modified':
          atomUpdated ??= dateOf(el);
          break;
        case 'published':
        case 'issued':
          atomPublished ??= dateOf(el);
          break;
        case 'id':
          atomId ??= nonEmpty(textContent(el));
          break;
        case 'content':
          atomContent ??= el;
          break;
        case 'summary':
          atomSummary ??= el;
          break;
        case 'title':
          entry.title ??= elementText(el);
          break;
      }
    } else {
      applyExtension(entry, el, ext);
    }
  }

  entry.title ??= ext.dcTitle ?? ext.mediaTitle;
  const about = format === 'rdf' ? nonEmpty(attr(item, 'rdf:about')) : null;
  entry.id = guid ?? atomId ?? about ?? ext.dcIdentifier;
  // RSS 2.0: a guid that is a permalink is the item's URL when it has no <link>.
  if (entry.link == null && guid && guidIsPermalink) entry.link = httpUrl(guid, item);
  entry.published =
    pubDate ?? ext.dcDate ?? ext.dctermsIssued ?? atomPublished ?? atomUpdated ?? ext.dctermsModified;
  entry.updated = atomUpdated ?? ext.dctermsModified ?? null;
  entry.author = (author && personName(author)) ?? ext.dcCreator ?? ext.itunesAuthor;
  const summary = description ?? ext.dcDescription ?? ext.itunesSummary ?? ext.mediaDescription;
  if (summary) entry.summaryHtml = elementHtml(summary);
  else if (atomSummary) entry.summaryHtml = constructHtml(atomSummary);
  if (ext.contentEncoded) entry.contentHtml = elementHtml(ext.contentEncoded);
  else if (ext.xhtmlBody) entry.contentHtml = constructHtml(ext.xhtmlBody);
  else if (atomContent) entry.contentHtml = constructHtml(atomContent);
  entry.language = entry.language ?? item.lang;
  return entry;
}
