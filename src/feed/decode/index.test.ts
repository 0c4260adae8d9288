import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CHUNK_BYTES, countUtf8Sequences, decodeDocument } from './index.js';
import { prng } from '../../testing/random.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const corpusDir = process.env.GLEANER_CORPUS_DIR ?? resolve(repoRoot, '../shared/corpus/feeds');
const testdataDir = fileURLToPath(new URL('testdata/', import.meta.url));

const utf8 = (text: string): number[] => [...new TextEncoder().encode(text)];
const utf16le = (text: string): number[] => [...Buffer.from(text, 'utf16le')];
const utf16be = (text: string): number[] => {
  const le = utf16le(text);
  return le.map((_, i) => le[i ^ 1] ?? 0);
};
const utf32 = (text: string, littleEndian: boolean): number[] =>
  [...text].flatMap((c) => {
    const cp = c.codePointAt(0) ?? 0;
    const be = [cp >>> 24, (cp >>> 16) & 0xff, (cp >>> 8) & 0xff, cp & 0xff];
    return littleEndian ? be.reverse() : be;
  });

/** Joins ASCII/UTF-8 strings and raw byte arrays into one document. */
function doc(...parts: (string | number[])[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((part) => (typeof part === 'string' ? utf8(part) : part)));
}

const PRIVET_1251 = [0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2]; // "Привет" in windows-1251
const CAFE_LATIN1 = [0x63, 0x61, 0x66, 0xe9]; // "café" in ISO-8859-1
const xmlDecl = (encoding: string): string => `<?xml version="1.0" encoding="${encoding}"?>\n`;

interface CorpusDocument {
  file: string;
  charset: string;
}

// Every non-UTF-8 document of the corpus, the documents that declare the wrong charset, and the BOM one.
const corpusDocuments: CorpusDocument[] = [
  { file: 'edge-illformed/big5.xml', charset: 'big5' },
  { file: 'edge-illformed/euckr.xml', charset: 'euc-kr' },
  { file: 'edge-illformed/shiftjis.xml', charset: 'shift_jis' },
  { file: 'edge-illformed/tis620.xml', charset: 'windows-874' },
  { file: 'real-miniflux/encoding_ISO-8859-1.xml', charset: 'windows-1252' },
  { file: 'real-miniflux/encoding_WINDOWS-1251.xml', charset: 'windows-1251' },
  { file: 'real-miniflux/no_encoding_ISO-8859-1.xml', charset: 'windows-1252' },
  { file: 'real-miniflux/windows-1252.xml', charset: 'windows-1252' },
  { file: 'real-miniflux/windows-1252-incorrect-prolog.xml', charset: 'utf-8' },
  { file: 'real-miniflux/utf8-incorrect-prolog.xml', charset: 'utf-8' },
  { file: 'real-miniflux/invalid-prolog.xml', charset: 'utf-8' },
  { file: 'real-rssparser/encoding.rss.xml', charset: 'windows-1252' },
  { file: 'real-rssparser/uolNoticias.rss.xml', charset: 'windows-1252' },
  { file: 'real-gofeed/rss_feed_bom.xml', charset: 'utf-8' },
];

// The corpus has no undeclared GB2312, EUC-JP, KOI8-R, windows-1251 or windows-1255 document: these are ours.
const testdataDocuments: (CorpusDocument & { title: string })[] = [
  { file: 'gb2312.xml', charset: 'gb18030', title: '中国科学家发布新一代量子计算机原型' },
  { file: 'euc-jp.xml', charset: 'euc-jp', title: '新しいプログラミング言語の紹介' },
  { file: 'koi8-r.xml', charset: 'koi8-r', title: 'Российские учёные представили новый суперкомпьютер' },
  {
    file: 'windows-1251.xml',
    charset: 'windows-1251',
    title: 'Российские учёные представили новый суперкомпьютер',
  },
  { file: 'windows-1255.xml', charset: 'windows-1255', title: 'חוקרים ישראלים פיתחו שבב חדש לבינה מלאכותית' },
];

interface Expected {
  title: string | null;
  items: { title: string | null; summary_text: string | null }[];
}

/** The texts a right decoding must contain: the non-ASCII titles, else any title, else the summaries. */
function expectedTexts(expected: Expected): string[] {
  const titles = [expected.title, ...expected.items.map((item) => item.title)].filter((t) => t !== null);
  const telling = titles.filter((t) => /[^\p{ASCII}]/u.test(t));
  if (telling.length > 0) return telling;
  if (titles.length > 0) return titles;
  return expected.items.map((item) => item.summary_text).filter((t) => t !== null);
}

/** Expected texts are plain text; the document may write quotes and ampersands as entities. */
function assertContains(text: string, expected: string, file: string): void {
  const collapsed = text.replace(/\s+/g, ' ');
  for (const part of expected.split(/[“”‘’"'&<>]/)) {
    assert.ok(collapsed.includes(part.trim()), `${file}: decoded text lacks ${JSON.stringify(part)}`);
  }
}

describe('decodeDocument on the corpus', () => {
  for (const { file, charset } of corpusDocuments) {
    test(file, () => {
      const path = resolve(corpusDir, file);
      const expected = JSON.parse(readFileSync(`${path}.expected.json`, 'utf8')) as Expected;
      const result = decodeDocument(readFileSync(path));
      assert.equal(result.charset, charset);
      assert.ok(!result.text.startsWith('\ufeff'), 'byte order mark left in the text');
      const texts = expectedTexts(expected);
      assert.ok(texts.length > 0, 'nothing to compare with');
      for (const text of texts) assertContains(result.text, text, file);
    });
  }

  for (const { file, charset, title } of testdataDocuments) {
    test(`testdata/${file}`, () => {
      const result = decodeDocument(readFileSync(resolve(testdataDir, file)));
      assert.equal(result.charset, charset);
      assert.ok(result.text.includes(`<title>${title}</title>`));
      assert.match(
        result.warnings.join('\n'),
        new RegExp(`not valid UTF-8; decoded as ${charset} \\(detected\\)`),
      );
    });
  }
});

interface Case {
  name: string;
  bytes: Uint8Array;
  contentType?: string;
  charset: string;
  contains?: string;
  /** One pattern per expected warning, in order. */
  warnings?: RegExp[];
}

const cases: Case[] = [
  // Where the charset comes from
  {
    name: 'Content-Type charset wins over the XML declaration',
    bytes: doc(xmlDecl('iso-8859-1'), '<t>', PRIVET_1251, '</t>'),
    contentType: 'application/rss+xml; charset=windows-1251',
    charset: 'windows-1251',
    contains: '<t>Привет</t>',
  },
  {
    name: 'quoted, upper-case Content-Type charset',
    bytes: doc('<t>', PRIVET_1251, '</t>'),
    contentType: 'Application/RSS+XML; Charset="WINDOWS-1251"',
    charset: 'windows-1251',
    contains: 'Привет',
  },
  {
    name: 'single-quoted Content-Type charset among other parameters',
    bytes: doc('<t>', PRIVET_1251, '</t>'),
    contentType: "text/xml; q=1; charset='cp1251'; x=y",
    charset: 'windows-1251',
    contains: 'Привет',
  },
  {
    name: 'XML declaration when the header has no charset',
    bytes: doc(xmlDecl('windows-1251'), '<t>', PRIVET_1251, '</t>'),
    contentType: 'application/xml',
    charset: 'windows-1251',
    contains: 'Привет',
  },
  {
    name: 'XML declaration in single quotes with spaces',
    bytes: doc("<?xml version='1.0' encoding = 'Windows-1251' ?><t>", PRIVET_1251, '</t>'),
    charset: 'windows-1251',
    contains: 'Привет',
  },
  {
    name: 'HTML <meta charset>',
    bytes: doc('<!DOCTYPE html><html><head><meta charset="windows-1251"><title>', PRIVET_1251, '</title>'),
    contentType: 'text/html',
    charset: 'windows-1251',
    contains: '<title>Привет</title>',
  },
  {
    name: 'HTML http-equiv meta, sniffed as HTML without a header',
    bytes: doc(
      '<!-- page --><html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251">',
      PRIVET_1251,
    ),
    charset: 'windows-1251',
    contains: 'Привет',
  },
  {
    name: '<meta> in a feed is not a declaration',
    bytes: doc('<rss><channel><description><meta charset="koi8-r">Привет</description>'),
    charset: 'utf-8',
    contains: 'Привет',
  },
  {
    name: 'JSON is UTF-8',
    bytes: doc('{"title": "Café Привет"}'),
    charset: 'utf-8',
    contains: 'Café Привет',
  },
  {
    name: 'JSON with a header charset uses it',
    bytes: doc('{"title": "', PRIVET_1251, '"}'),
    contentType: 'application/feed+json; charset=windows-1251',
    charset: 'windows-1251',
    contains: '"Привет"',
  },
  {
    name: 'windows-1252 maps 0x80-0x9F as WHATWG does',
    bytes: doc(xmlDecl('windows-1252'), [0x80, 0x93, 0x94, 0x99, 0x9f]),
    charset: 'windows-1252',
    contains: '€“”™Ÿ',
  },
  {
    name: 'declared ISO-2022-JP',
    bytes: doc(xmlDecl('iso-2022-jp'), [0x1b, 0x24, 0x42, 0x46, 0x7c, 0x4b, 0x5c, 0x1b, 0x28, 0x42]),
    charset: 'iso-2022-jp',
    contains: '日本',
  },

  // Byte order marks
  {
    name: 'UTF-8 BOM wins over header and declaration, and is stripped',
    bytes: doc([0xef, 0xbb, 0xbf], xmlDecl('windows-1251'), '<t>Привет</t>'),
    contentType: 'text/xml; charset=windows-1251',
    charset: 'utf-8',
    contains: '<t>Привет</t>',
  },
  {
    name: 'UTF-16LE BOM',
    bytes: doc([0xff, 0xfe], utf16le('<t>Привет 😀</t>')),
    charset: 'utf-16le',
    contains: '<t>Привет 😀</t>',
  },
  {
    name: 'UTF-16BE BOM',
    bytes: doc([0xfe, 0xff], utf16be('<t>Привет 😀</t>')),
    charset: 'utf-16be',
    contains: '<t>Привет 😀</t>',
  },
  {
    name: 'UTF-32LE BOM (not mistaken for UTF-16LE)',
    bytes: doc([0xff, 0xfe, 0, 0], utf32('<t>Привет 😀</t>', true)),
    charset: 'utf-32le',
    contains: '<t>Привет 😀</t>',
  },
  {
    name: 'UTF-32BE BOM',
    bytes: doc([0, 0, 0xfe, 0xff], utf32('<t>Привет 😀</t>', false)),
    charset: 'utf-32be',
    contains: '<t>Привет 😀</t>',
  },
  {
    name: 'UTF-16LE without a BOM, from the "<" pattern',
    bytes: doc(utf16le('<?xml version="1.0"?><t>Привет</t>')),
    charset: 'utf-16le',
    contains: '<t>Привет</t>',
    warnings: [/no byte order mark .*decoded as utf-16le/],
  },
  {
    name: 'UTF-8 BOM on invalid bytes: replacement characters',
    bytes: doc([0xef, 0xbb, 0xbf], '<t>', CAFE_LATIN1, '</t>'),
    charset: 'utf-8',
    contains: '<t>caf\ufffd</t>',
    warnings: [/UTF-8 byte order mark but bytes are not valid UTF-8/],
  },

  // Wrong declarations
  {
    name: 'single-byte declaration on UTF-8 bytes',
    bytes: doc(xmlDecl('ISO-8859-1'), '<t>Café</t>'),
    charset: 'utf-8',
    contains: 'Café',
    warnings: [
      /declared charset windows-1252 \(XML declaration\) but bytes are valid UTF-8.*decoded as utf-8/,
    ],
  },
  {
    name: 'single-byte header charset on UTF-8 bytes',
    bytes: doc('<t>Привет</t>'),
    contentType: 'text/xml; charset=koi8-r',
    charset: 'utf-8',
    contains: 'Привет',
    warnings: [/declared charset koi8-r \(Content-Type header\) but bytes are valid UTF-8/],
  },
  {
    name: 'ASCII bytes keep the declared charset',
    bytes: doc(xmlDecl('ISO-8859-1'), '<t>Cafe</t>'),
    charset: 'windows-1252',
    contains: 'Cafe',
  },
  {
    name: 'UTF-8 declaration on Latin-1 bytes',
    bytes: doc(xmlDecl('utf-8'), '<t>Un ', CAFE_LATIN1, ' au lait</t>'),
    charset: 'windows-1252',
    contains: 'Un café au lait',
    warnings: [
      /declared charset utf-8 \(XML declaration\) but bytes are not valid UTF-8; decoded as windows-1252/,
    ],
  },
  {
    name: 'UTF-8 header on windows-1251 bytes: the XML declaration is the next hint',
    bytes: doc(xmlDecl('windows-1251'), '<t>', PRIVET_1251, '</t>'),
    contentType: 'application/rss+xml; charset=utf-8',
    charset: 'windows-1251',
    contains: 'Привет',
    warnings: [
      /declared charset utf-8 \(Content-Type header\) but bytes are not valid UTF-8; decoded as windows-1251 \(XML declaration\)/,
    ],
  },
  {
    name: 'UTF-8 with a stray byte stays UTF-8',
    bytes: doc(xmlDecl('utf-8'), '<t>', 'Привет, мир! '.repeat(20), [0xff], '</t>'),
    charset: 'utf-8',
    contains: 'мир! \ufffd</t>',
    warnings: [
      /declared charset utf-8 .*decoded as utf-8 \(180 valid multi-byte sequences, 1 bad byte replaced\)/,
    ],
  },
  {
    // A few curly quotes outweigh nothing by chardet's count, and one bad byte made it all windows-1252.
    name: 'UTF-8 curly quotes and one stray Latin-1 byte stay UTF-8',
    bytes: doc(xmlDecl('utf-8'), '<t>Don’t miss “part 1”. Un ', CAFE_LATIN1, '</t>'),
    contentType: 'application/rss+xml; charset=utf-8',
    charset: 'utf-8',
    contains: 'Don’t miss “part 1”. Un caf\ufffd</t>',
    warnings: [
      /declared charset utf-8 \(Content-Type header\) but bytes are not valid UTF-8; decoded as utf-8 \(3 valid multi-byte sequences, 1 bad byte replaced\)/,
    ],
  },
  {
    // A site's template in UTF-8 around articles in Latin-1: the articles are most of the text.
    name: 'Latin-1 text with one UTF-8 character is still Latin-1',
    bytes: doc(xmlDecl('utf-8'), '<t>© ', ...Array.from({ length: 3 }, () => [...CAFE_LATIN1, 0x20]), '</t>'),
    charset: 'windows-1252',
    contains: 'café café café',
    warnings: [
      /declared charset utf-8 \(XML declaration\) but bytes are not valid UTF-8; decoded as windows-1252/,
    ],
  },
  {
    name: 'UTF-16 declaration read in ASCII means UTF-8',
    bytes: doc(xmlDecl('UTF-16'), '<t>Привет</t>'),
    charset: 'utf-8',
    contains: 'Привет',
    warnings: [/declared charset UTF-16 \(XML declaration\) but the document is not UTF-16/],
  },
  {
    name: 'undeclared Latin-1',
    bytes: doc('<t>Un ', CAFE_LATIN1, ' au lait</t>'),
    charset: 'windows-1252',
    contains: 'Un café au lait',
    warnings: [/no charset declared and bytes are not valid UTF-8; decoded as windows-1252/],
  },

  // Labels
  {
    name: 'unknown label in the XML declaration',
    bytes: doc(xmlDecl('invalid'), '<t>Café</t>'),
    charset: 'utf-8',
    contains: 'Café',
    warnings: [/unknown charset "invalid" in XML declaration; ignored/],
  },
  {
    name: 'unknown header label falls through to the XML declaration',
    bytes: doc(xmlDecl('windows-1251'), '<t>', PRIVET_1251, '</t>'),
    contentType: 'text/xml; charset=x-bogus',
    charset: 'windows-1251',
    contains: 'Привет',
    warnings: [/unknown charset "x-bogus" in Content-Type header/],
  },
  {
    name: 'a label TextDecoder cannot decode (WHATWG "replacement") is unknown',
    bytes: doc(xmlDecl('iso-2022-kr'), '<t>Cafe</t>'),
    charset: 'utf-8',
    contains: 'Cafe',
    warnings: [/unknown charset "iso-2022-kr"/],
  },
  {
    name: 'unknown label on non-UTF-8 bytes: detection',
    bytes: doc(xmlDecl('invalid'), '<t>Un ', CAFE_LATIN1, ' au lait</t>'),
    charset: 'windows-1252',
    contains: 'café',
    warnings: [/unknown charset "invalid"/, /no charset declared and bytes are not valid UTF-8/],
  },

  // Empty input
  { name: 'empty document', bytes: doc(), charset: 'utf-8', contains: '' },
  {
    name: 'empty document with a header charset',
    bytes: doc(),
    contentType: 'text/xml; charset=windows-1251',
    charset: 'windows-1251',
  },
  { name: 'a lone UTF-8 BOM', bytes: doc([0xef, 0xbb, 0xbf]), charset: 'utf-8', contains: '' },
];

describe('countUtf8Sequences', () => {
  test('counts what the WHATWG decoder reads as one character, and each byte it replaces', () => {
    const count = (...bytes: number[]) => countUtf8Sequences(Uint8Array.from(bytes));
    assert.deepEqual(count(0x41, 0xc3, 0xa9, 0xe2, 0x80, 0x99, 0xf0, 0x9f, 0x98, 0x80), {
      valid: 3,
      invalid: 0,
    });
    // Overlong forms, a surrogate, past U+10FFFF, a stray continuation byte, a sequence cut short.
    assert.deepEqual(count(0xc0, 0x80), { valid: 0, invalid: 2 });
    assert.deepEqual(count(0xe0, 0x80, 0x80), { valid: 0, invalid: 3 });
    assert.deepEqual(count(0xed, 0xa0, 0x80), { valid: 0, invalid: 3 });
    assert.deepEqual(count(0xf4, 0x90, 0x80, 0x80), { valid: 0, invalid: 4 });
    assert.deepEqual(count(0x80, 0x41), { valid: 0, invalid: 1 });
    assert.deepEqual(count(0xe2, 0x80), { valid: 0, invalid: 2 });
    // Latin-1 "café" then a space: the é starts nothing.
    assert.deepEqual(count(...CAFE_LATIN1, 0x20), { valid: 0, invalid: 1 });
  });
});

describe('decodeDocument', () => {
  for (const c of cases) {
    test(c.name, () => {
      const result = decodeDocument(c.bytes, c.contentType);
      assert.equal(result.charset, c.charset);
      if (c.contains !== undefined) assert.ok(result.text.includes(c.contains), JSON.stringify(result.text));
      if (c.contains === '') assert.equal(result.text, '');
      const patterns = c.warnings ?? [];
      assert.equal(result.warnings.length, patterns.length, JSON.stringify(result.warnings));
      patterns.forEach((pattern, i) => assert.match(result.warnings[i] ?? '', pattern));
    });
  }

  const aliases: [label: string, charset: string][] = [
    ['utf8', 'utf-8'],
    ['UTF-8', 'utf-8'],
    ['x-sjis', 'shift_jis'],
    ['Shift-JIS', 'shift_jis'],
    ['cp932', 'shift_jis'],
    ['gb_2312-80', 'gbk'],
    ['GB2312', 'gbk'],
    ['euc-cn', 'gbk'],
    ['cp949', 'euc-kr'],
    ['eucjp', 'euc-jp'],
    ['macintosh', 'macintosh'],
    ['tis-620', 'windows-874'],
    ['TIS620', 'windows-874'],
    ['cp1252', 'windows-1252'],
    ['Latin-1', 'windows-1252'],
    ['us-ascii', 'windows-1252'],
    ['win-1251', 'windows-1251'],
    ['windows1251', 'windows-1251'],
    ['koi8r', 'koi8-r'],
    ['ISO_8859-2', 'iso-8859-2'],
    ['iso8859_15', 'iso-8859-15'],
  ];
  for (const [label, charset] of aliases) {
    test(`label ${label} is ${charset}`, () => {
      const result = decodeDocument(doc('<rss/>'), `application/rss+xml; charset=${label}`);
      const { text, warnings } = result;
      assert.deepEqual(
        { text, charset: result.charset, warnings },
        { text: '<rss/>', charset, warnings: [] },
      );
    });
  }
});

describe('decodeDocument in pieces', () => {
  const random = prng(0xc4a2);
  // Characters of one to four UTF-8 bytes, so that cuts fall inside every kind of sequence.
  const alphabet = ['a', ' ', '<', 'é', '€', '中', '😀', '\n'];
  const text = (chars: number): string =>
    Array.from({ length: chars }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
  const big = text(3 * CHUNK_BYTES);
  const latin = big.replace(/[€中]|😀/gu, 'ü');
  const cases: { name: string; bytes: Uint8Array; contentType?: string; charset: string }[] = [
    { name: 'valid UTF-8', bytes: doc(big), charset: 'utf-8' },
    { name: 'UTF-8 with a byte order mark', bytes: doc([0xef, 0xbb, 0xbf], big), charset: 'utf-8' },
    {
      name: 'invalid UTF-8 declared UTF-8 (bad bytes replaced)',
      bytes: doc(xmlDecl('utf-8'), big, [0xff], big, [0xe2, 0x82]),
      contentType: 'text/xml; charset=utf-8',
      charset: 'utf-8',
    },
    {
      name: 'windows-1252 (0x80-0x9f mapped)',
      bytes: Uint8Array.from(Buffer.from(latin.replace(/ü/g, '\x80'), 'latin1')),
      contentType: 'text/xml; charset=windows-1252',
      charset: 'windows-1252',
    },
    { name: 'UTF-16LE with a mark', bytes: doc([0xff, 0xfe], utf16le(big)), charset: 'utf-16le' },
    { name: 'UTF-16BE with a mark', bytes: doc([0xfe, 0xff], utf16be(big)), charset: 'utf-16be' },
    { name: 'UTF-32LE with a mark', bytes: doc([0xff, 0xfe, 0, 0], utf32(big, true)), charset: 'utf-32le' },
    {
      name: 'Shift_JIS (two-byte characters cut between pieces)',
      bytes: Uint8Array.from(
        Buffer.concat(Array.from({ length: 40_000 }, () => Buffer.from([0x82, 0xa0, 0x41]))),
      ),
      contentType: 'text/plain; charset=shift_jis',
      charset: 'shift_jis',
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const whole = decodeDocument(c.bytes, c.contentType);
      const pieces = decodeDocument(c.bytes, c.contentType).chunks();
      assert.equal(whole.charset, c.charset);
      assert.ok(pieces.length >= 3, `${pieces.length} pieces`);
      assert.equal(pieces.join(''), whole.text);
      for (const piece of pieces) {
        assert.ok(piece.length > 0 && piece.length <= CHUNK_BYTES, `a piece of ${piece.length} characters`);
        const first = piece.charCodeAt(0);
        assert.ok(
          first < 0xdc00 || first > 0xdfff,
          'a piece starts with the second half of a surrogate pair',
        );
      }
    });
  }

  test('text asked for after the pieces is the pieces joined', () => {
    const decoded = decodeDocument(doc(big));
    const pieces = decoded.chunks();
    assert.equal(decoded.text, pieces.join(''));
    assert.equal(decoded.text, big);
  });

  test('a document of one piece or less is its text', () => {
    const small = text(100);
    assert.deepEqual(decodeDocument(doc(small)).chunks(), [small]);
    assert.deepEqual(decodeDocument(doc()).chunks(), ['']);
  });
});

describe('decodeDocument fuzz', () => {
  const random = prng(0x5eed);
  const int = (n: number): number => Math.floor(random() * n);
  const pick = <T>(values: readonly T[]): T => values[int(values.length)] as T;

  const contentTypes = [
    undefined,
    null,
    '',
    ';',
    'text/html',
    'application/json',
    'text/xml; charset=',
    'text/xml; charset="',
    'application/rss+xml; charset=utf-8',
    'application/rss+xml; charset=windows-1251',
    'text/xml; charset=bogus',
    'text/xml; charset=utf-16',
  ];
  const prefixes = [[], [0xef, 0xbb, 0xbf], [0xff, 0xfe], [0xfe, 0xff], [0xff, 0xfe, 0, 0], [0x3c, 0]];
  const interesting = [0x00, 0x1b, 0x3c, 0x3e, 0x3f, 0x22, 0x80, 0xa0, 0xbf, 0xc0, 0xe3, 0xef, 0xfe, 0xff];
  const seeds = [
    ...corpusDocuments.map(({ file }) => readFileSync(resolve(corpusDir, file))),
    ...testdataDocuments.map(({ file }) => readFileSync(resolve(testdataDir, file))),
    Buffer.from(`${xmlDecl('utf-8')}<t>Привет</t>`),
    Buffer.from('<html><head><meta charset="koi8-r"></head></html>'),
  ];

  function assertDecoded(bytes: Uint8Array, contentType: string | null | undefined): void {
    const result = decodeDocument(bytes, contentType);
    assert.equal(typeof result.text, 'string');
    assert.ok(result.warnings.every((w) => typeof w === 'string'));
    // The charset is a canonical WHATWG name (or one of the two UTF-32s TextDecoder lacks).
    if (!result.charset.startsWith('utf-32'))
      assert.equal(new TextDecoder(result.charset).encoding, result.charset);
  }

  test('random bytes never throw', () => {
    for (let i = 0; i < 500; i++) {
      const length = int(2048);
      const bytes = doc(
        pick(prefixes),
        [...Array<number>(length)].map(() => (random() < 0.5 ? pick(interesting) : int(256))),
      );
      assertDecoded(bytes, pick(contentTypes));
    }
  });

  test('mutated corpus documents never throw', () => {
    for (let i = 0; i < 300; i++) {
      const seed = pick(seeds);
      const bytes = Uint8Array.from(seed.subarray(0, int(seed.length + 1)));
      for (let flips = int(16); flips > 0 && bytes.length > 0; flips--) bytes[int(bytes.length)] = int(256);
      assertDecoded(doc(pick(prefixes), [...bytes]), pick(contentTypes));
    }
  });
});
