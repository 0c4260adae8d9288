// A small XML writer (the output feeds, OPML). Every text and attribute value goes through xmlText or
// xmlAttr, which escape markup and drop what XML 1.0 forbids (control characters, lone surrogates
// left by broken UTF-8, U+FFFE/U+FFFF): one bad character in a source would otherwise make the
// whole document unreadable. No CDATA: escaped text has no `]]>` to break out of.

// Everything outside XML 1.0's Char production (tab, newline and carriage return are allowed), and
// the DEL and C1 control characters it allows but discourages (section 2.2): no text needs them.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\u007E\u00A0-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** The text XML 1.0 can carry: forbidden characters dropped. */
export function xmlChars(value: string): string {
  return value.replace(NOT_XML_CHAR, '');
}

export function xmlText(value: string): string {
  return xmlChars(value).replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

const ATTR_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/** Safe inside double quotes; whitespace escaped so parsers keep it as it was. */
export function xmlAttr(value: string): string {
  return xmlChars(value).replace(/[&<>"\t\n\r]/g, (c) => ATTR_ESCAPES[c] ?? '');
}

export type Attrs = Record<string, string | number | null | undefined>;

function attrs(a: Attrs): string {
  let out = '';
  for (const [name, value] of Object.entries(a)) {
    if (value !== null && value !== undefined) out += ` ${name}="${xmlAttr(String(value))}"`;
  }
  return out;
}

/** An element holding text (escaped here); omitted when the text is null. */
export function textElement(name: string, text: string | null | undefined, a: Attrs = {}): string {
  if (text === null || text === undefined) return '';
  return `<${name}${attrs(a)}>${xmlText(text)}</${name}>`;
}

/** An element around children already written by this module. */
export function element(name: string, a: Attrs, children: string[]): string {
  return `<${name}${attrs(a)}>${children.join('')}</${name}>`;
}

export function emptyElement(name: string, a: Attrs): string {
  return `<${name}${attrs(a)}/>`;
}
