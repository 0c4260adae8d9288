// The XML tree is the same whether the document comes whole or in pieces cut anywhere: inside a
// tag, an attribute, a reference, a CDATA marker or a comment.
import { strict as assert } from 'node:assert';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { decodeDocument } from '../decode/index.js';
import { corpusFeedsDir, loadCorpus } from './conformance.js';
import { parseXml, type XmlElement, type XmlNode } from './xml.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

function cut(text: string, size: number): string[] {
  const pieces: string[] = [];
  for (let at = 0; at < text.length; at += size) pieces.push(text.slice(at, at + size));
  return pieces;
}

/**
 * The document's elements (with all they hold) and the warnings. Text beside the root element is
 * left out: no feed reads it, and after a last closing tag cut short (`</rss` at the very end)
 * htmlparser2 reports the trailing characters differently depending on where its input was cut.
 */
function elementsOf(document: XmlElement): XmlNode[] {
  return document.children.filter((c) => typeof c !== 'string');
}

function assertSameTree(text: string, sizes: readonly number[], name: string): void {
  const warnings: string[] = [];
  const whole = elementsOf(parseXml(text, 'https://example.com/feed', warnings));
  for (const size of sizes) {
    const pieceWarnings: string[] = [];
    const pieces = elementsOf(parseXml(cut(text, size), 'https://example.com/feed', pieceWarnings));
    assert.deepEqual(pieces, whole, `${name}: the tree differs when cut every ${size} characters`);
    assert.deepEqual(
      pieceWarnings,
      warnings,
      `${name}: the warnings differ when cut every ${size} characters`,
    );
  }
}

describe('parseXml in pieces', () => {
  it('reads references, CDATA, comments, attributes and DTD entities cut anywhere', () => {
    const text =
      '<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY brand "Gleaner">]>\n' +
      '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>' +
      '<title>Fish &amp; chips &#233;t&#xE9; &brand; &nbsp;AT&T</title>' +
      '<link>https://example.com/?a=1&amp;b=2</link>' +
      '<item><title>A <!-- note --> title &lt;b&gt;</title>' +
      '<description><![CDATA[<p>Raw & <b>bold</b> ]] text</p>]]></description>' +
      '<content:encoded>&lt;p&gt;escaped &amp;amp; HTML&lt;/p&gt;</content:encoded>' +
      '<enclosure url="https://example.com/a.mp3?x=1&amp;y=2" length="12" type="audio/mpeg"/>' +
      '<category domain="x">one</category><category>two</category></item>' +
      '<item><title>Unclosed';
    assertSameTree(text, [1, 2, 3, 5, 7, 11, 64], 'hand-written');
    const tree = parseXml(cut(text, 1), null);
    const rss = tree.children.find((c) => typeof c !== 'string');
    assert.ok(rss && typeof rss !== 'string');
    assert.equal(rss.local, 'rss');
  });

  it('builds the same tree for every XML document of the corpus, cut at several sizes', () => {
    let checked = 0;
    for (const doc of loadCorpus(corpusFeedsDir(repoRoot))) {
      const text = decodeDocument(doc.bytes).text;
      if (!text.trimStart().startsWith('<')) continue;
      // One-character pieces on the small documents only: each write costs the tokenizer a call.
      assertSameTree(text, text.length < 20_000 ? [1, 7, 4096] : [7, 4096], doc.name);
      checked++;
    }
    assert.ok(checked > 500, `only ${checked} XML documents in the corpus`);
  });
});
