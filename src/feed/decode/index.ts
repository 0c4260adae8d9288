// The charset stage: document bytes in, text out, with a warning for every guess or correction.
// Precedence (RFC 3023 as feedparser applies it, with Miniflux's distrust of declarations):
// byte order mark > Content-Type charset > XML declaration > HTML <meta> > JSON is UTF-8 > detection.
import { isAscii, isUtf8 } from 'node:buffer';
import { analyse, type EncodingName } from 'chardet';
import { quotedText } from '../parse/text.js';

/** How a document's bytes become text: bytes known to be valid UTF-8, UTF-32, or a TextDecoder charset. */
type Decoding = 'valid-utf-8' | 'utf-32le' | 'utf-32be' | { charset: string };

/**
 * A document's charset, what was guessed or corrected to find it, and its text, decoded when asked
 * for: whole (`text`), or in pieces (`chunks()`) for a reader that can take them one after another.
 */
export class DecodedDocument {
  private decoded: string | undefined;
  private pieces: string[] | undefined;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly decoding: Decoding,
    /** The WHATWG name of the encoding actually used, e.g. 'utf-8', 'gbk', 'windows-1252'. */
    readonly charset: string,
    readonly warnings: string[],
  ) {}

  /** The whole text. */
  get text(): string {
    if (this.decoded !== undefined) return this.decoded;
    const { bytes, decoding } = this;
    if (this.pieces !== undefined) this.decoded = this.pieces.join('');
    else if (decoding === 'valid-utf-8') this.decoded = asBuffer(bytes).toString('utf8');
    else if (typeof decoding === 'string')
      this.decoded = decodeUtf32(bytes, decoding === 'utf-32le').join('');
    else this.decoded = fixWindows1252(decoding.charset, decoderFor(decoding.charset).decode(bytes));
    return this.decoded;
  }

  /**
   * The text in pieces of at most CHUNK_BYTES bytes each, none splitting a character. V8 gives a
   * string above 128 KiB (64 Ki characters beyond Latin-1) a memory mapping of its own, every page
   * of which the kernel faults in, and the mapping is gone once the string is: a 170-KB feed decoded
   * whole at ~150 MB/s on the benchmark machine, in 32-KB pieces at ~850 MB/s. The feed parser reads
   * XML in pieces; JSON.parse cannot.
   */
  chunks(): readonly string[] {
    this.pieces ??= this.decodePieces();
    return this.pieces;
  }

  private decodePieces(): string[] {
    const { bytes, decoding } = this;
    if (this.decoded !== undefined || bytes.length <= CHUNK_BYTES) return [this.text];
    const out: string[] = [];
    if (decoding === 'valid-utf-8') {
      const buffer = asBuffer(bytes);
      for (let at = 0; at < bytes.length;) {
        let end = Math.min(bytes.length, at + CHUNK_BYTES);
        // Back to the first byte of the character the cut would fall into (valid UTF-8: at most 3 back).
        while (end < bytes.length && ((bytes[end] as number) & 0xc0) === 0x80) end--;
        out.push(buffer.toString('utf8', at, end));
        at = end;
      }
    } else if (typeof decoding === 'string') {
      out.push(...decodeUtf32(bytes, decoding === 'utf-32le'));
    } else {
      // A decoder of its own: streaming keeps a character cut between two pieces whole.
      const decoder = new TextDecoder(decoding.charset, { ignoreBOM: true });
      for (let at = 0; at < bytes.length; at += CHUNK_BYTES) {
        const piece = decoder.decode(bytes.subarray(at, at + CHUNK_BYTES), { stream: true });
        if (piece !== '') out.push(fixWindows1252(decoding.charset, piece));
      }
      const rest = decoder.decode();
      if (rest !== '') out.push(fixWindows1252(decoding.charset, rest));
    }
    return out;
  }
}

/** The most bytes a piece of chunks() is decoded from: its text stays below V8's large-object size. */
export const CHUNK_BYTES = 32 * 1024;

interface Declaration {
  charset: string;
  source: string;
}

/** Declarations are looked for in the first kilobyte, as browsers do for <meta>. */
const HEAD_BYTES = 1024;
/** Detection reads this much from the first non-ASCII byte on: enough for chardet, bounded for big feeds. */
const DETECTION_SAMPLE_BYTES = 64 * 1024;
/** Below this chardet confidence (0-100) a Latin-script guess is no better than windows-1252. */
const MIN_CONFIDENCE = 10;
const FALLBACK_CHARSET = 'windows-1252';

const decoders = new Map<string, InstanceType<typeof TextDecoder>>();

const utf8 = (bytes: Uint8Array, warnings: string[] = []): DecodedDocument =>
  new DecodedDocument(bytes, 'valid-utf-8', 'utf-8', warnings);
const decodedAs = (bytes: Uint8Array, charset: string, warnings: string[] = []): DecodedDocument =>
  new DecodedDocument(bytes, { charset }, charset, warnings);

/** Decodes a feed (or an HTML page, for discovery) to text. Never throws: bad bytes become U+FFFD. */
export function decodeDocument(bytes: Uint8Array, contentType?: string | null): DecodedDocument {
  const bom = decodeByteOrderMark(bytes);
  if (bom) return bom;

  const warnings: string[] = [];
  const utf16 = sniffUtf16(bytes);
  if (utf16) {
    warnings.push(`no byte order mark but the document starts with '<' in ${utf16}; decoded as ${utf16}`);
    return decodedAs(bytes, utf16, warnings);
  }

  const [declared, ...others] = findDeclarations(bytes, contentType, warnings);
  // isUtf8 validates with SIMD; Buffer then decodes faster than TextDecoder.
  const validUtf8 = isUtf8(bytes);
  if (declared === undefined) {
    if (validUtf8) return utf8(bytes, warnings);
    return decodeDetected(bytes, 'no charset declared and bytes are not valid UTF-8', warnings);
  }

  const { charset, source } = declared;
  if (charset === 'utf-8') {
    if (validUtf8) return utf8(bytes, warnings);
    const problem = `declared charset utf-8 (${source}) but bytes are not valid UTF-8`;
    // A second declaration naming a legacy charset is a better hint than statistics.
    const other = others.find((d) => d.charset !== 'utf-8');
    if (other === undefined) return decodeDetected(bytes, problem, warnings);
    warnings.push(`${problem}; decoded as ${other.charset} (${other.source})`);
    return decodedAs(bytes, other.charset, warnings);
  }
  if (validUtf8) {
    // Valid UTF-8 with multi-byte sequences is almost never legacy text: the declaration is wrong.
    if (!isAscii(bytes)) {
      warnings.push(
        `declared charset ${charset} (${source}) but bytes are valid UTF-8 with non-ASCII characters; decoded as utf-8`,
      );
      return utf8(bytes, warnings);
    }
    // Pure ASCII reads the same in every ASCII-compatible charset.
    if (charset !== 'iso-2022-jp') return new DecodedDocument(bytes, 'valid-utf-8', charset, warnings);
  }
  return decodedAs(bytes, charset, warnings);
}

function decodeByteOrderMark(bytes: Uint8Array): DecodedDocument | undefined {
  const [b0, b1, b2, b3] = bytes;
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) {
    const body = bytes.subarray(3);
    if (isUtf8(body)) return utf8(body);
    const warning = 'UTF-8 byte order mark but bytes are not valid UTF-8; invalid sequences replaced';
    return decodedAs(body, 'utf-8', [warning]);
  }
  // UTF-32LE before UTF-16LE: its mark starts with the same two bytes.
  if (b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0) {
    return new DecodedDocument(bytes.subarray(4), 'utf-32le', 'utf-32le', []);
  }
  if (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff) {
    return new DecodedDocument(bytes.subarray(4), 'utf-32be', 'utf-32be', []);
  }
  if (b0 === 0xff && b1 === 0xfe) {
    return decodedAs(bytes.subarray(2), 'utf-16le');
  }
  if (b0 === 0xfe && b1 === 0xff) {
    return decodedAs(bytes.subarray(2), 'utf-16be');
  }
  return undefined;
}

/** XML 1.0 appendix F: without a mark, '<' followed by a NUL byte (or the reverse) means UTF-16. */
function sniffUtf16(bytes: Uint8Array): string | undefined {
  const [b0, b1, b2, b3] = bytes;
  if (b0 === 0x3c && b1 === 0 && b2 !== 0 && b3 === 0) return 'utf-16le';
  if (b0 === 0 && b1 === 0x3c && b2 === 0 && b3 !== 0) return 'utf-16be';
  return undefined;
}

/** The charsets the document claims, most authoritative first. Unusable labels become warnings. */
function findDeclarations(
  bytes: Uint8Array,
  contentType: string | null | undefined,
  warnings: string[],
): Declaration[] {
  const head = latin1(bytes.subarray(0, HEAD_BYTES));
  const mimeType = contentType?.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  const found = [
    { label: contentType && CONTENT_TYPE_CHARSET.exec(contentType)?.[1], source: 'Content-Type header' },
    { label: XML_DECLARATION_ENCODING.exec(head)?.[1], source: 'XML declaration' },
    { label: isHtml(mimeType, head) && META_CHARSET.exec(head)?.[1], source: 'HTML meta tag' },
    { label: isJson(mimeType, head) && 'utf-8', source: 'JSON, always UTF-8' },
  ];

  const declarations: Declaration[] = [];
  for (const { label, source } of found) {
    if (!label) continue;
    const charset = resolveLabel(label);
    if (charset === undefined) {
      warnings.push(`unknown charset "${quotedText(label)}" in ${source}; ignored`);
    } else if (charset === 'utf-16le' || charset === 'utf-16be') {
      // A declaration we could read as ASCII is not in UTF-16 (the WHATWG rule for <meta>).
      warnings.push(
        `declared charset ${quotedText(label)} (${source}) but the document is not UTF-16; ignored`,
      );
      declarations.push({ charset: 'utf-8', source });
    } else {
      declarations.push({ charset, source });
    }
  }
  return declarations;
}

const CONTENT_TYPE_CHARSET = /;\s*charset\s*=\s*["']?([^"';\s]*)/i;
const XML_DECLARATION_ENCODING = /<\?xml\s[^>]*?\bencoding\s*=\s*["']\s*([^"'\s>]*)/i;
// Both <meta charset="x"> and <meta http-equiv="Content-Type" content="text/html; charset=x">.
const META_CHARSET = /<meta\s[^>]*?\bcharset\s*=\s*["']?\s*([^"'\s;/>]*)/i;

function isHtml(mimeType: string, head: string): boolean {
  if (mimeType === 'text/html' || mimeType === 'application/xhtml+xml') return true;
  return /^\s*(?:<!--[\s\S]*?-->\s*)*<(?:!doctype\s+html|html)\b/i.test(head);
}

function isJson(mimeType: string, head: string): boolean {
  return mimeType.endsWith('json') || /^\s*[{[]/.test(head);
}

/** Labels seen on real feeds that the WHATWG table lacks (Python, Java and Windows code page names). */
const LABEL_ALIASES: Record<string, string> = {
  cp932: 'shift_jis',
  'windows-932': 'shift_jis',
  'shift-jisx0213': 'shift_jis',
  eucjp: 'euc-jp',
  ujis: 'euc-jp',
  cp949: 'euc-kr',
  'windows-949': 'euc-kr',
  uhc: 'euc-kr',
  euckr: 'euc-kr',
  cp936: 'gbk',
  'windows-936': 'gbk',
  'euc-cn': 'gbk',
  euccn: 'gbk',
  cp950: 'big5',
  'windows-950': 'big5',
  big5hkscs: 'big5',
  koi8r: 'koi8-r',
  koi8u: 'koi8-u',
  tis620: 'windows-874',
  'tis-620-2533': 'windows-874',
  macroman: 'macintosh',
  'mac-roman': 'macintosh',
  'latin-1': 'windows-1252',
};

/** The WHATWG name for a charset label, or undefined when no decoder here can read it. */
function resolveLabel(label: string): string | undefined {
  const key = label.trim().toLowerCase();
  const dashed = key.replace(/[\s_]+/g, '-');
  const spelled = dashed
    .replace(/^(?:windows|win|cp|ms|x-cp)-?(874|125\d)$/, 'windows-$1')
    .replace(/^iso-?8859-?(\d{1,2})$/, 'iso-8859-$1');
  for (const name of [key, LABEL_ALIASES[dashed] ?? spelled]) {
    try {
      return new TextDecoder(name).encoding;
    } catch {
      // not a label TextDecoder knows (or the WHATWG 'replacement' encoding): try the next spelling
    }
  }
  return undefined;
}

function decodeDetected(bytes: Uint8Array, problem: string, warnings: string[]): DecodedDocument {
  const { valid, invalid } = countUtf8Sequences(bytes);
  // Legacy text almost never forms a valid multi-byte sequence (a lead byte, then as many
  // continuation bytes as it calls for; "Ã©" is mojibake), so as many valid ones as bad bytes
  // means UTF-8 with bytes gone wrong: curly quotes and one stray Latin-1 "é" read as
  // windows-1252 would garble every quote, and every entry holding one would be rewritten.
  if (valid > 0 && valid >= invalid) {
    warnings.push(
      `${problem}; decoded as utf-8 (${valid} valid multi-byte sequences, ${invalid} bad byte${invalid === 1 ? '' : 's'} replaced)`,
    );
    return decodedAs(bytes, 'utf-8', warnings);
  }
  const detected = detectCharset(bytes);
  const charset = detected ?? FALLBACK_CHARSET;
  let how = 'detected';
  if (detected === undefined) how = 'detection unsure; fallback';
  else if (detected === 'utf-8') how = 'detected: mostly valid, bad bytes replaced';
  warnings.push(`${problem}; decoded as ${charset} (${how})`);
  return decodedAs(bytes, charset, warnings);
}

/** chardet's names for the encodings we accept from it; ISO names map to their WHATWG supersets. */
const DETECTABLE: Partial<Record<EncodingName, string>> = {
  'UTF-8': 'utf-8',
  Big5: 'big5',
  'EUC-JP': 'euc-jp',
  'EUC-KR': 'euc-kr',
  GB18030: 'gb18030',
  Shift_JIS: 'shift_jis',
  'ISO-8859-1': 'windows-1252',
  'ISO-8859-2': 'iso-8859-2',
  'ISO-8859-5': 'iso-8859-5',
  'ISO-8859-6': 'iso-8859-6',
  'ISO-8859-7': 'iso-8859-7',
  'ISO-8859-8': 'windows-1255',
  'ISO-8859-9': 'windows-1254',
  'KOI8-R': 'koi8-r',
  'windows-874': 'windows-874',
  'windows-1250': 'windows-1250',
  'windows-1251': 'windows-1251',
  'windows-1252': 'windows-1252',
  'windows-1253': 'windows-1253',
  'windows-1254': 'windows-1254',
  'windows-1255': 'windows-1255',
  'windows-1256': 'windows-1256',
  'windows-1257': 'windows-1257',
  'windows-1258': 'windows-1258',
};
const LATIN_SCRIPT = new Set([
  'windows-1250',
  'windows-1252',
  'windows-1254',
  'windows-1257',
  'windows-1258',
  'iso-8859-2',
]);

/** The best chardet guess that fits the script and decodes cleanly, or undefined when unsure. */
function detectCharset(bytes: Uint8Array): string | undefined {
  // Invalid UTF-8 always has a byte above 0x7f; start near it so long ASCII preambles do not crowd it out.
  const start = Math.max(0, bytes.findIndex((b) => b >= 0x80) - HEAD_BYTES);
  const sample = bytes.subarray(start, start + DETECTION_SAMPLE_BYTES);
  const { highBytes, runs } = countHighByteRuns(sample);
  // Latin scripts put accented letters inside ASCII words (runs of about 1 byte); Cyrillic, Greek,
  // Hebrew, Thai and CJK write whole words above 0x7f. chardet alone calls Thai ISO-8859-1.
  const latin = highBytes < 2 * runs;
  for (const match of analyse(sample)) {
    const charset = DETECTABLE[match.name];
    if (charset === undefined || LATIN_SCRIPT.has(charset) !== latin) continue;
    if (latin && match.confidence < MIN_CONFIDENCE) return undefined;
    if (countReplacements(sample, charset) * 50 <= highBytes) return charset;
  }
  return undefined;
}

/**
 * The valid multi-byte UTF-8 sequences in `bytes`, and the bytes above 0x7f that start none (the
 * WHATWG decoder's rules: no overlong forms, surrogates or code points past U+10FFFF).
 */
export function countUtf8Sequences(bytes: Uint8Array): { valid: number; invalid: number } {
  let valid = 0;
  let invalid = 0;
  for (let i = 0; i < bytes.length;) {
    const lead = bytes[i] as number;
    if (lead < 0x80) {
      i++;
      continue;
    }
    const length =
      lead >= 0xc2 && lead <= 0xdf
        ? 2
        : lead >= 0xe0 && lead <= 0xef
          ? 3
          : lead >= 0xf0 && lead <= 0xf4
            ? 4
            : 0;
    // The second byte's range narrows after E0, ED, F0 and F4.
    const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
    let ok = length > 0 && i + length <= bytes.length;
    for (let k = 1; ok && k < length; k++) {
      const b = bytes[i + k] as number;
      ok = k === 1 ? b >= low && b <= high : b >= 0x80 && b <= 0xbf;
    }
    if (ok) {
      valid++;
      i += length;
    } else {
      invalid++;
      i++;
    }
  }
  return { valid, invalid };
}

function countHighByteRuns(bytes: Uint8Array): { highBytes: number; runs: number } {
  let highBytes = 0;
  let runs = 0;
  let inRun = false;
  for (const b of bytes) {
    const high = b >= 0x80;
    if (high) {
      highBytes++;
      if (!inRun) runs++;
    }
    inRun = high;
  }
  return { highBytes, runs };
}

function countReplacements(sample: Uint8Array, charset: string): number {
  // Streaming, so a character cut at the end of the sample is not counted.
  const text = new TextDecoder(charset).decode(sample, { stream: true });
  let count = 0;
  for (let i = text.indexOf('\ufffd'); i !== -1; i = text.indexOf('\ufffd', i + 1)) count++;
  return count;
}

function decoderFor(charset: string): InstanceType<typeof TextDecoder> {
  let decoder = decoders.get(charset);
  if (decoder === undefined) {
    decoder = new TextDecoder(charset, { ignoreBOM: true });
    decoders.set(charset, decoder);
  }
  return decoder;
}

function fixWindows1252(charset: string, text: string): string {
  return charset === 'windows-1252' ? text.replace(/[\x80-\x9f]/g, windows1252Char) : text;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

// Node >= 20.18.3 decodes windows-1252 as ISO-8859-1 (nodejs/node#60888): map 0x80-0x9F as WHATWG does.
const WINDOWS_1252_80_TO_9F = '€\x81‚ƒ„…†‡ˆ‰Š‹Œ\x8dŽ\x8f\x90‘’“”•–—˜™š›œ\x9džŸ';

function windows1252Char(c: string): string {
  return WINDOWS_1252_80_TO_9F.charAt(c.charCodeAt(0) - 0x80);
}

function latin1(bytes: Uint8Array): string {
  return asBuffer(bytes).toString('latin1');
}

/** TextDecoder has no UTF-32; only a byte order mark leads here. In pieces of 8,192 characters. */
function decodeUtf32(bytes: Uint8Array, littleEndian: boolean): string[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: string[] = [];
  let codePoints: number[] = [];
  for (let i = 0; i + 4 <= bytes.length; i += 4) {
    const cp = view.getUint32(i, littleEndian);
    codePoints.push(cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? 0xfffd : cp);
    if (codePoints.length === 8192) {
      chunks.push(String.fromCodePoint(...codePoints));
      codePoints = [];
    }
  }
  if (bytes.length % 4 !== 0) codePoints.push(0xfffd);
  if (codePoints.length > 0 || chunks.length === 0) chunks.push(String.fromCodePoint(...codePoints));
  return chunks;
}
