import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Parser } from 'htmlparser2';
import { DOMParser } from 'linkedom';
import { extractArticle } from './extract.js';

const PAGE_URL = 'https://eng.example.com/2024/03/build-times/';
const page = readFileSync(new URL('./testdata/article.html', import.meta.url), 'utf8');

/** Every tag name and attribute name in `html`. */
function markupNames(html: string): { tags: Set<string>; attributes: Set<string> } {
  const tags = new Set<string>();
  const attributes = new Set<string>();
  const parser = new Parser({
    onopentag(name, attribs) {
      tags.add(name);
      for (const attribute of Object.keys(attribs)) attributes.add(attribute);
    },
  });
  parser.end(html);
  return { tags, attributes };
}

describe('extractArticle', () => {
  const article = extractArticle(page, PAGE_URL);

  it('finds the title and byline', () => {
    assert.ok(article);
    assert.equal(article.title, 'How we cut our build times in half');
    assert.equal(article.byline, 'Dana Whitfield');
  });

  it('keeps the body text', () => {
    assert.ok(article);
    for (const sentence of [
      'For most of last year our continuous integration pipeline took forty minutes from push to green.',
      'The average hid the real problem',
      'Balancing the shards',
      'Keying it on the lockfile',
      'the same loop we ask of every performance investigation.',
    ]) {
      assert.ok(article.text.includes(sentence), `missing: ${sentence}`);
    }
    assert.ok(article.text.includes('Median and p99 build time per week'), 'figure caption');
  });

  it('drops the navigation, ads, comments, sidebar and footer', () => {
    assert.ok(article);
    for (const boilerplate of [
      'Careers',
      'Subscribe to the newsletter',
      'CloudWidgets',
      'Sponsored',
      'MegaCI',
      'Comments',
      'randomreader99',
      'remote execution',
      'Leave a comment',
      'Popular posts',
      'Privacy policy',
      'All rights reserved',
      'dataLayer',
    ]) {
      assert.ok(!article.text.includes(boilerplate), `kept: ${boilerplate}`);
      assert.ok(!article.contentHtml.includes(boilerplate), `kept in HTML: ${boilerplate}`);
    }
  });

  it('returns sanitized HTML with absolute, cleaned URLs', () => {
    assert.ok(article);
    const { tags, attributes } = markupNames(article.contentHtml);
    for (const tag of ['script', 'style', 'form', 'textarea', 'button', 'nav', 'meta', 'link']) {
      assert.ok(!tags.has(tag), `<${tag}> survived`);
    }
    for (const attribute of ['class', 'id', 'style'])
      assert.ok(!attributes.has(attribute), `${attribute} survived`);
    assert.ok(
      article.contentHtml.includes(
        '<img src="https://eng.example.com/2024/03/build-times/images/build-times.png" alt="Chart of build times before and after" width="800" height="400" loading="lazy" />',
      ),
    );
    assert.ok(
      article.contentHtml.includes(
        '<a href="https://eng.example.com/2023/11/caching-guide/" rel="noopener noreferrer" target="_blank">',
      ),
    );
  });

  it('resolves URLs against the page’s <base href>', () => {
    const withBase = page.replace(
      '<meta charset="utf-8">',
      '<meta charset="utf-8"><base href="https://cdn.example.org/blog/">',
    );
    const extracted = extractArticle(withBase, PAGE_URL);
    assert.ok(extracted);
    assert.ok(extracted.contentHtml.includes('src="https://cdn.example.org/blog/images/build-times.png"'));
  });

  it('takes what an article selector picks, in place of Readability’s choice', () => {
    const comments = extractArticle(page, PAGE_URL, { articleSelector: '.comments .comment' });
    assert.ok(comments);
    assert.match(comments.text, /randomreader99/, 'the comments Readability drops');
    assert.doesNotMatch(comments.text, /For most of last year/, 'the article it keeps');
    assert.equal(comments.title, null);
  });

  it('takes out what a remove selector matches before Readability, or the article selector, sees the page', () => {
    const promo = '<p class="promo">Subscribe to our newsletter for more posts like this one.</p>';
    const withPromo = page.replace('<p>For most of last year', `${promo}<p>For most of last year`);
    assert.match(extractArticle(withPromo, PAGE_URL)?.text ?? '', /Subscribe to our newsletter/);
    const removed = extractArticle(withPromo, PAGE_URL, { removeSelector: '.promo' });
    assert.ok(removed);
    assert.doesNotMatch(removed.text, /Subscribe to our newsletter/);
    assert.match(removed.text, /For most of last year/);
    const picked = extractArticle(withPromo, PAGE_URL, {
      articleSelector: '.comments .comment',
      removeSelector: '.comment:first-of-type',
    });
    assert.ok(picked);
    assert.match(picked.text, /buildnerd/);
    assert.doesNotMatch(picked.text, /randomreader99/);
  });

  it('runs the feed’s rewrite rules on the article, whoever picked it, before sanitizing', () => {
    const rules = 'replace("(?i)for most of last year"|"All of last year"), add_image_title';
    const readability = extractArticle(page, PAGE_URL, { rewriteRules: rules });
    assert.match(readability?.text ?? '', /All of last year/);
    assert.doesNotMatch(readability?.text ?? '', /For most of last year/);
    const picked = extractArticle(page, PAGE_URL, {
      articleSelector: '.comments .comment',
      rewriteRules: 'replace("randomreader(\\d+)"|"reader #$1")',
    });
    assert.match(picked?.text ?? '', /reader #99/);
  });

  it('reads a page that omits <html> and <body>', () => {
    const extracted = extractArticle(
      '<title>T</title><article><p>Just a paragraph of text.</p></article>',
      PAGE_URL,
    );
    assert.equal(extracted?.text, 'Just a paragraph of text.');
  });

  it('strips what is executable from the page', () => {
    const extracted = extractArticle(
      '<html><body><article><p onclick="alert(1)">Text with a <a href="javascript:alert(1)">bad link</a>.</p><script>alert(2)</script></article></body></html>',
      PAGE_URL,
    );
    assert.equal(extracted?.contentHtml, '<div><article><p>Text with a bad link.</p></article></div>');
  });

  const empty = [
    '',
    '   ',
    '<html><head><title>Only a title</title></head><body></body></html>',
    '<script>alert(1)</script>',
  ];
  for (const html of empty) {
    it(`returns null for ${JSON.stringify(html)}`, () => assert.equal(extractArticle(html, PAGE_URL), null));
  }

  it('gives up on pages with too many elements', () => {
    const huge = `<html><body><article>${'<p>Paragraph.</p>'.repeat(60_000)}</article></body></html>`;
    assert.equal(extractArticle(huge, PAGE_URL), null);
  });

  it('reads deeply nested pages without stalling and keeps their text', () => {
    const deep =
      '<html><body>' +
      '<div>'.repeat(20_000) +
      '<p>Deep text.</p>' +
      '</div>'.repeat(20_000) +
      '</body></html>';
    assert.equal(extractArticle(deep, PAGE_URL)?.text, 'Deep text.');
  });

  // Markup htmlparser2 10 (linkedom's own) read otherwise than the nesting cut's htmlparser2 12: to
  // it, an <iframe>'s content was markup, and a <style> in <svg> text that hid the </b> closing it,
  // so the DOM nested thousands deep and the page was given up. linkedom now parses with the cut's.
  const misread = [
    '<iframe>' + '<div>'.repeat(2_000) + '</iframe>',
    '<b><svg><style></b></style>'.repeat(1_000),
  ];
  for (const html of misread) {
    it(`reads a page as the nesting cut does: ${html.slice(0, 40)}…`, () => {
      const page = `<html><body>${html}<p>Text.</p></body></html>`;
      assert.equal(extractArticle(page, PAGE_URL)?.text, 'Text.');
      // The DOM holds what htmlparser2 12 makes of it: no element inside the <iframe> or <style>.
      const dom = new DOMParser().parseFromString(page, 'text/html');
      const inside = dom.querySelectorAll('iframe div, svg style b') as ArrayLike<unknown>;
      assert.equal(inside.length, 0);
    });
  }
});
