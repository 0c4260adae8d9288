// The one date parser every feed format uses. It reads what Python's feedparser 6 reads (its
// `_parse_date_*` family is the reference), and a little more: RFC 822 and its real-world variants,
// ISO 8601 / W3C-DTF (with MS SQL's space-separated form), asctime, Perforce, RFC 850, and the Korean
// (OnBlog, Nate), Greek and Hungarian formats. Feed text is untrusted, so there are no regular
// expressions: the two common shapes are read by position, the rest by one linear scan.

/** Longer text is not a date; the bound keeps hostile input cheap. */
const MAX_LENGTH = 200;

const PLUS = 0x2b;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DOT = 0x2e;
const COLON = 0x3a;
const SPACE = 0x20;
const LOWER_T = 0x74;
const LOWER_Z = 0x7a;
const KOREAN_YEAR = 0xb144; // 년
const KOREAN_MONTH = 0xc6d4; // 월
const KOREAN_DAY = 0xc77c; // 일
const KOREAN_O = 0xc624; // 오, first syllable of 오전 (a.m.) and 오후 (p.m.)
const KOREAN_JEON = 0xc804; // 전
const KOREAN_HU = 0xd6c4; // 후
const KOREA_OFFSET = 9 * 60; // OnBlog and Nate write Korean local time with no zone

/**
 * The date in `text` as ISO 8601 UTC to the second (`2025-05-20T13:00:00Z`, fractions dropped), or
 * null when it is not a date this parser can read with confidence. Never throws, never guesses.
 */
export function parseDate(text: string): string | null {
  const s = text.trim();
  if (s.length === 0 || s.length > MAX_LENGTH) return null;
  return fastIso(s) ?? fastRfc822(s) ?? parseIso(s) ?? parseWords(s);
}

// ---------------------------------------------------------------------------------------------
// Fast paths: nearly every feed writes one of these two shapes.

/** `2025-05-20T13:00:00Z`, `2025-05-20T13:00:00.123+02:00`: read by position. */
function fastIso(s: string): string | null {
  if (
    s.length < 20 ||
    s.charCodeAt(4) !== MINUS ||
    s.charCodeAt(7) !== MINUS ||
    (s.charCodeAt(10) | 0x20) !== LOWER_T ||
    s.charCodeAt(13) !== COLON ||
    s.charCodeAt(16) !== COLON
  ) {
    return null;
  }
  let i = 19;
  if (s.charCodeAt(i) === DOT) {
    if (!isDigit(s.charCodeAt(++i))) return null;
    while (isDigit(s.charCodeAt(i))) i++;
  }
  let offset: number;
  if (i === s.length - 1 && (s.charCodeAt(i) | 0x20) === LOWER_Z) offset = 0;
  else if (i === s.length - 6 && s.charCodeAt(i + 3) === COLON) {
    const sign = signOf(s.charCodeAt(i));
    const hours = digitsAt(s, i + 1, 2);
    const minutes = digitsAt(s, i + 4, 2);
    if (sign === 0 || hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return null;
    offset = sign * (hours * 60 + minutes);
  } else return null;
  return toUtc(
    digitsAt(s, 0, 4),
    digitsAt(s, 5, 2),
    digitsAt(s, 8, 2),
    digitsAt(s, 11, 2),
    digitsAt(s, 14, 2),
    digitsAt(s, 17, 2),
    offset,
  );
}

/** `Tue, 20 May 2025 13:00:00 GMT`, `… +0000`: read by position. */
function fastRfc822(s: string): string | null {
  if (
    s.length < 27 ||
    !isAsciiLetters(s.slice(0, 3)) ||
    s.charCodeAt(3) !== COMMA ||
    s.charCodeAt(4) !== SPACE ||
    s.charCodeAt(7) !== SPACE ||
    s.charCodeAt(11) !== SPACE ||
    s.charCodeAt(16) !== SPACE ||
    s.charCodeAt(19) !== COLON ||
    s.charCodeAt(22) !== COLON ||
    s.charCodeAt(25) !== SPACE
  ) {
    return null;
  }
  const month = ENGLISH_MONTHS.get(s.slice(8, 11).toLowerCase());
  const offset = zoneOffset(s.slice(26).toLowerCase());
  if (month === undefined || offset === undefined) return null;
  return toUtc(
    digitsAt(s, 12, 4),
    month,
    digitsAt(s, 5, 2),
    digitsAt(s, 17, 2),
    digitsAt(s, 20, 2),
    digitsAt(s, 23, 2),
    offset,
  );
}

// ---------------------------------------------------------------------------------------------
// ISO 8601 and the formats that start like it.

interface CalendarDate {
  year: number;
  month: number;
  day: number;
  /** False for `2003` and `2003-12`, which cannot take a time. */
  complete: boolean;
}

interface Clock {
  hour: number;
  minute: number;
  second: number;
}

/**
 * ISO 8601 and W3C-DTF in every variant feedparser reads (extended and basic, ordinal, year-month,
 * year, fractions, `T`, `t` or spaces, `Z` or offsets), MS SQL's `2004-07-08 23:56:58` and Go's
 * `… -0700 MST`, Hungarian month names, Korean OnBlog and Nate.
 */
function parseIso(s: string): string | null {
  const c = new Cursor(s);
  if (c.digitRun() === 4 && s.charCodeAt(4) === KOREAN_YEAR) return parseOnBlog(c);
  const date = readIsoDate(c);
  if (date === null) return null;
  if (c.atEnd()) return toUtc(date.year, date.month, date.day, 0, 0, 0, 0);
  if (!date.complete) return null;
  let clock: Clock | null;
  if ((c.peek() | 0x20) === LOWER_T) {
    c.pos++;
    clock = readClock(c, true);
  } else if (c.skipSpaces()) {
    if (c.peek() === KOREAN_O) return parseNateTime(c, date);
    clock = readClock(c, false);
  } else return null;
  if (clock === null) return null;
  const zone = tokenize(s.slice(c.pos).toLowerCase());
  const offset = zoneOf(zone, 0, zone.length);
  if (offset === undefined) return null;
  return toUtc(date.year, date.month, date.day, clock.hour, clock.minute, clock.second, offset);
}

/**
 * The date part of an ISO 8601 text. Two-digit years are 20YY: feedparser reads them in the current
 * century, and a parser must not depend on the clock.
 */
function readIsoDate(c: Cursor): CalendarDate | null {
  if (c.eat(MINUS)) {
    // `-YY-MM` or `-YYMM`: a year and a month.
    const year = c.number(2);
    c.eat(MINUS);
    const month = c.number(2);
    return year < 0 || month < 0 ? null : { year: 2000 + year, month, day: 1, complete: false };
  }
  switch (c.digitRun()) {
    case 4:
      return readExtendedDate(c, c.number(4));
    case 8: // YYYYMMDD
      return { year: c.number(4), month: c.number(2), day: c.number(2), complete: true };
    case 7: // YYYYDDD
      return fromOrdinal(c.number(4), c.number(3));
    case 6: // YYMMDD
      return { year: 2000 + c.number(2), month: c.number(2), day: c.number(2), complete: true };
    case 5: // YYDDD
      return fromOrdinal(2000 + c.number(2), c.number(3));
    case 2: {
      // YY-MM-DD or YY-DDD
      const year = 2000 + c.number(2);
      if (!c.eat(MINUS)) return null;
      if (c.digitRun() === 3) return fromOrdinal(year, c.number(3));
      const month = c.number(2);
      if (!c.eat(MINUS)) return null;
      const day = c.number(2);
      return month < 0 || day < 0 ? null : { year, month, day, complete: true };
    }
    default:
      return null;
  }
}

/**
 * What follows a four-digit year: nothing, `-MM`, `-MM-DD` (or `-M-D`, as feedparser allows), `-DDD`,
 * or a month name (`2004-július-13`).
 */
function readExtendedDate(c: Cursor, year: number): CalendarDate | null {
  if (c.atEnd()) return { year, month: 1, day: 1, complete: false };
  if (!c.eat(MINUS)) return null;
  let month: number;
  const run = c.digitRun();
  if (run === 1 || run === 2) {
    month = c.number(run);
    if (!c.eat(MINUS)) return { year, month, day: 1, complete: false };
  } else if (run === 3 && c.peek() === 0x30 && c.peekAt(3) === MINUS) {
    month = c.number(3); // `2003-012-31`: Google's extra zero in the month
    c.eat(MINUS);
  } else if (run === 3) {
    return fromOrdinal(year, c.number(3));
  } else if (run === 0) {
    const start = c.pos;
    while (!c.atEnd() && c.peek() !== MINUS) c.pos++;
    month = monthNumber(c.s.slice(start, c.pos).toLowerCase());
    if (month === 0 || !c.eat(MINUS)) return null;
  } else return null;
  const day = c.smallNumber();
  return day < 0 ? null : { year, month, day, complete: true };
}

/** `2004년 05월 28일 01:31:15`: OnBlog, Korean local time. */
function parseOnBlog(c: Cursor): string | null {
  const year = c.number(4);
  c.pos++;
  c.skipSpaces();
  const month = c.smallNumber();
  if (!c.eat(KOREAN_MONTH)) return null;
  c.skipSpaces();
  const day = c.smallNumber();
  if (!c.eat(KOREAN_DAY)) return null;
  c.skipSpaces();
  const clock = readClock(c, false);
  if (clock === null || !c.atEnd()) return null;
  return toUtc(year, month, day, clock.hour, clock.minute, clock.second, KOREA_OFFSET);
}

/** `2004-05-25 오후 11:23:17`: Nate, Korean local time with a.m. or p.m. before the clock. */
function parseNateTime(c: Cursor, date: CalendarDate): string | null {
  c.pos++;
  const pm = c.eat(KOREAN_HU);
  if (!pm && !c.eat(KOREAN_JEON)) return null;
  c.skipSpaces();
  const clock = readClock(c, false);
  if (clock === null || !c.atEnd()) return null;
  const hour = to24Hour(clock.hour, pm);
  return toUtc(date.year, date.month, date.day, hour, clock.minute, clock.second, KOREA_OFFSET);
}

/** `13:00`, `1:2:3`, `13:00:00.123`, and after a `T` also `1300`, `130000,5`. Fractions are dropped. */
function readClock(c: Cursor, basicAllowed: boolean): Clock | null {
  const run = c.digitRun();
  let hour: number;
  let minute: number;
  let second = 0;
  if (run === 1 || run === 2) {
    hour = c.number(run);
    if (!c.eat(COLON)) return null;
    minute = c.smallNumber();
    if (minute < 0) return null;
    if (c.eat(COLON)) {
      second = c.smallNumber();
      if (second < 0) return null;
    }
  } else if (basicAllowed && (run === 4 || run === 6)) {
    hour = c.number(2);
    minute = c.number(2);
    if (run === 6) second = c.number(2);
  } else return null;
  if (c.peek() === DOT || c.peek() === COMMA) {
    c.pos++;
    if (c.digitRun() === 0) return null;
    c.pos += c.digitRun();
  }
  return { hour, minute, second };
}

// ---------------------------------------------------------------------------------------------
// RFC 822 and the other formats written as words.

/**
 * RFC 822/1123/2822 and their real-world variants (any day name or none, day and month swapped, two-
 * digit years, full month names, no seconds, no zone, a trailing comment), asctime, Perforce
 * (`2004/01/04 16:29:06 PST`), RFC 850 (`06-Nov-94`) and Greek month names.
 */
function parseWords(s: string): string | null {
  const tokens = tokenize(s.toLowerCase());
  let i = 0;
  // A leading day name is ignored, whatever its spelling, case or language (feedparser's test).
  const first = tokens[0] ?? '';
  if (tokens.length > 1 && !hasDigit(first) && monthNumber(first) === 0) i = 1;
  // RFC 850 writes the date as one token: `Sunday, 06-Nov-94 08:49:37 GMT`.
  const dashed = tokens[i] ?? '';
  if (isDigit(dashed.charCodeAt(0)) && dashed.includes('-')) tokens.splice(i, 1, ...dashed.split('-'));

  let year: number;
  let month: number;
  let day: number;
  let yearLast = false; // asctime: `Sun Jan  4 16:29:06 PST 2004`
  const a = tokens[i] ?? '';
  const b = tokens[i + 1] ?? '';
  const slashed = a.split('/');
  if (slashed.length === 3) {
    // Perforce: `2004/01/04`
    year = wholeNumber(slashed[0], 4, 4);
    month = wholeNumber(slashed[1], 1, 2);
    day = wholeNumber(slashed[2], 1, 2);
    i += 1;
  } else if (wholeNumber(a, 1, 2) >= 0 && monthNumber(b) > 0) {
    day = wholeNumber(a, 1, 2);
    month = monthNumber(b);
    year = wordYear(tokens[i + 2]);
    i += 3;
  } else if (monthNumber(a) > 0 && wholeNumber(b, 1, 2) >= 0) {
    month = monthNumber(a);
    day = wholeNumber(b, 1, 2);
    year = wordYear(tokens[i + 2]);
    if (year >= 0) i += 3;
    else {
      yearLast = true;
      i += 2;
    }
  } else return null;

  let clock: Clock = { hour: 0, minute: 0, second: 0 };
  const time = tokens[i] ?? '';
  if (time.includes(':')) {
    const c = new Cursor(time);
    const read = readClock(c, false);
    if (read === null) return null;
    clock = read;
    i++;
    // What follows the clock, in the same token or the next: `1:30pm`, `1:30 p.m.`, `13:30+0100`.
    let rest = time.slice(c.pos);
    if (rest === '' && isMeridiem(tokens[i])) rest = tokens[i++] ?? '';
    if (isMeridiem(rest)) {
      if (clock.hour < 1 || clock.hour > 12) return null;
      clock.hour = to24Hour(clock.hour, rest.startsWith('p'));
    } else if (rest !== '') tokens[--i] = rest; // a zone written against the clock
  }

  let end = tokens.length;
  if (yearLast) {
    if (end - 1 < i) return null;
    year = wordYear(tokens[--end]);
  }
  const offset = zoneOf(tokens, i, end);
  if (offset === undefined) return null;
  return toUtc(year, month, day, clock.hour, clock.minute, clock.second, offset);
}

function isMeridiem(token: string | undefined): boolean {
  return token === 'am' || token === 'pm' || token === 'a.m.' || token === 'p.m.';
}

/** A year written in words: four digits, or one or two read as 1990–2089 (feedparser's rule). */
function wordYear(token: string | undefined): number {
  const year = wholeNumber(token, 1, 4);
  if (token === undefined || year < 0 || token.length === 3) return -1;
  if (token.length > 2) return year;
  return year < 90 ? 2000 + year : 1900 + year;
}

// ---------------------------------------------------------------------------------------------
// Names: months and zones.

const ENGLISH_MONTHS = new Map(
  'jan feb mar apr may jun jul aug sep oct nov dec'.split(' ').map((name, i) => [name, i + 1] as const),
);

/** Month names from feedparser's Greek and Hungarian handlers that do not start like English ones. */
const OTHER_MONTHS = new Map([
  ['ιαν', 1],
  ['φεβ', 2],
  ['μάρ', 3],
  ['μαρ', 3],
  ['μάώ', 3],
  ['μαώ', 3],
  ['απρ', 4],
  ['μάι', 5],
  ['μαϊ', 5],
  ['μαι', 5],
  ['ιούν', 6],
  ['ιον', 6],
  ['ιούλ', 7],
  ['ιολ', 7],
  ['αύγ', 8],
  ['αυγ', 8],
  ['σεπ', 9],
  ['οκτ', 10],
  ['νοέ', 11],
  ['νοε', 11],
  ['δεκ', 12],
  ['március', 3],
  ['április', 4],
  ['május', 5],
  ['máujus', 5], // sic, as feedparser spells it
  ['június', 6],
  ['július', 7],
  ['szeptember', 9],
  ['október', 10],
]);

/**
 * The month (1–12) a lowercase word names, or 0. Like feedparser, only the first three letters of an
 * English name count, so `June`, `Sept.` and `January` are read too.
 */
function monthNumber(word: string): number {
  if (word.length >= 3 && !hasDigit(word)) {
    const english = ENGLISH_MONTHS.get(word.slice(0, 3));
    if (english !== undefined) return english;
  }
  return OTHER_MONTHS.get(word) ?? 0;
}

/** Hours east of UTC. */
const ZONE_HOURS: Record<string, number> = {
  z: 0,
  ut: 0,
  utc: 0,
  gmt: 0,
  uct: 0,
  wet: 0,
  // North America: feedparser's names, plus Alaska and Hawaii
  at: -4,
  ast: -4,
  adt: -3,
  et: -5,
  est: -5,
  edt: -4,
  ct: -6,
  cst: -6,
  cdt: -5,
  mt: -7,
  mst: -7,
  mdt: -6,
  pt: -8,
  pst: -8,
  pdt: -7,
  akst: -9,
  akdt: -8,
  hst: -10,
  // Europe: feedparser's met and mest, and the other common abbreviations
  west: 1,
  bst: 1,
  cet: 1,
  met: 1,
  cest: 2,
  mest: 2,
  eet: 2,
  eest: 3,
  msk: 3,
  // Asia and Oceania
  hkt: 8,
  sgt: 8,
  awst: 8,
  jst: 9,
  kst: 9,
  acst: 9.5,
  acdt: 10.5,
  aest: 10,
  aedt: 11,
  nzst: 12,
  nzdt: 13,
};

/** Offsets in minutes, and RFC 822's military letters: A–I are −1…−9 h, K–M −10…−12, N–Y +1…+12. */
const ZONES = new Map<string, number>(Object.entries(ZONE_HOURS).map(([name, hours]) => [name, hours * 60]));
for (let i = 0; i < 24; i++) {
  const letter = String.fromCharCode(0x61 + (i < 9 ? i : i + 1)); // a–i, k–y (there is no J zone)
  ZONES.set(letter, (i < 12 ? -(i + 1) : i - 11) * 60);
}

/**
 * The zone in `tokens[from..to]` in minutes east of UTC (none: UTC), or undefined when it is not one.
 * Allows a comment after it (`+0000 (UTC)`) and a name after an offset (Go's `-0700 MST`).
 */
function zoneOf(tokens: string[], from: number, to: number): number | undefined {
  let end = to;
  for (let k = from; k < end; k++) {
    if ((tokens[k] ?? '').startsWith('(')) {
      if (!(tokens[end - 1] ?? '').endsWith(')')) return undefined;
      end = k;
    }
  }
  const zone = tokens[from] ?? '';
  if (end === from) return 0;
  if (end === from + 1) return zoneOffset(zone);
  const name = tokens[from + 1] ?? '';
  const sign = signOf(zone.charCodeAt(0));
  return end === from + 2 && sign !== 0 && isAsciiLetters(name) ? zoneOffset(zone) : undefined;
}

/** A lowercase zone token in minutes east of UTC: `gmt`, `est`, `z`, `+0100`, `-05:00`, `gmt+1`. */
function zoneOffset(token: string): number | undefined {
  if (token.startsWith('etc/')) return ZONES.get(token.slice(4)); // `Etc/GMT+5` means UTC−5: refuse it
  const named = ZONES.get(token);
  if (named !== undefined) return named;
  const prefix = token.startsWith('utc') || token.startsWith('gmt') ? 3 : token.startsWith('ut') ? 2 : 0;
  const sign = signOf(token.charCodeAt(prefix));
  if (sign !== 0) {
    const c = new Cursor(token);
    c.pos = prefix + 1;
    const run = c.digitRun();
    let hours: number;
    let minutes = 0;
    if (run === 4) {
      hours = c.number(2);
      minutes = c.number(2);
    } else if (run === 1 || run === 2) {
      hours = c.number(run);
      if (c.eat(COLON)) minutes = c.digitRun() === 2 ? c.number(2) : -1;
    } else return undefined;
    if (!c.atEnd() || hours > 23 || minutes < 0 || minutes > 59) return undefined;
    return sign * (hours * 60 + minutes);
  }
  // feedparser reads a zone name it does not know as UTC; so do we, if it is shaped like one.
  return token.length >= 2 && token.length <= 5 && isAsciiLetters(token) ? 0 : undefined;
}

// ---------------------------------------------------------------------------------------------
// The calendar, and the characters.

/** Validates the fields, applies the offset, and formats `YYYY-MM-DDTHH:MM:SSZ`; null if out of range. */
function toUtc(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  offsetMinutes: number,
): string | null {
  if (
    year < 1 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59
  ) {
    return null;
  }
  let minutes = hour * 60 + minute - offsetMinutes;
  if (minutes < 0 || minutes >= 24 * 60) {
    // The offset moves the time to another day: let Date do the calendar arithmetic.
    const shifted = new Date(0);
    shifted.setUTCFullYear(year, month - 1, day);
    shifted.setUTCHours(0, minutes, 0, 0);
    year = shifted.getUTCFullYear();
    month = shifted.getUTCMonth() + 1;
    day = shifted.getUTCDate();
    minutes = shifted.getUTCHours() * 60 + shifted.getUTCMinutes();
  }
  if (year < 1 || year > 9999) return null;
  const date = `${String(year).padStart(4, '0')}-${twoDigits(month)}-${twoDigits(day)}`;
  return `${date}T${twoDigits(Math.floor(minutes / 60))}:${twoDigits(minutes % 60)}:${twoDigits(second)}Z`;
}

function fromOrdinal(year: number, ordinal: number): CalendarDate | null {
  let day = ordinal;
  for (let month = 1; month <= 12 && day >= 1; month++) {
    const length = daysInMonth(year, month);
    if (day <= length) return { year, month, day, complete: true };
    day -= length;
  }
  return null;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** 12-hour clock to 24-hour: 12 a.m. is 0, 12 p.m. is 12 (feedparser's Nate handler makes it 24). */
function to24Hour(hour: number, pm: boolean): number {
  return (hour % 12) + (pm ? 12 : 0);
}

/** `00` to `99`: formatting is on the hot path. */
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

function twoDigits(value: number): string {
  return TWO_DIGITS[value] ?? String(value);
}

/** Splits on whitespace and commas. */
function tokenize(s: string): string[] {
  const tokens: string[] = [];
  let start = -1;
  for (let i = 0; i <= s.length; i++) {
    const code = s.charCodeAt(i);
    if (i === s.length || code === COMMA || isSpace(code)) {
      if (start >= 0) tokens.push(s.slice(start, i));
      start = -1;
    } else if (start < 0) start = i;
  }
  return tokens;
}

/** The value of `token` if it is `min`–`max` ASCII digits, else −1. */
function wholeNumber(token: string | undefined, min: number, max: number): number {
  if (token === undefined || token.length < min || token.length > max) return -1;
  return digitsAt(token, 0, token.length);
}

/** The value of the `count` ASCII digits at `start`, or −1. */
function digitsAt(s: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const code = s.charCodeAt(i);
    if (!isDigit(code)) return -1;
    value = value * 10 + code - 0x30;
  }
  return value;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function hasDigit(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (isDigit(s.charCodeAt(i))) return true;
  return false;
}

function isAsciiLetters(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i) | 0x20;
    if (code < 0x61 || code > 0x7a) return false;
  }
  return true;
}

/** The characters String.prototype.trim removes. */
function isSpace(code: number): boolean {
  return (
    code === SPACE ||
    (code >= 0x09 && code <= 0x0d) ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

function signOf(code: number): number {
  return code === PLUS ? 1 : code === MINUS ? -1 : 0;
}

/** A read position in a string. */
class Cursor {
  pos = 0;
  constructor(readonly s: string) {}

  atEnd(): boolean {
    return this.pos >= this.s.length;
  }

  /** The character code here (NaN at the end). */
  peek(): number {
    return this.s.charCodeAt(this.pos);
  }

  peekAt(ahead: number): number {
    return this.s.charCodeAt(this.pos + ahead);
  }

  eat(code: number): boolean {
    if (this.s.charCodeAt(this.pos) !== code) return false;
    this.pos++;
    return true;
  }

  /** How many ASCII digits start here. */
  digitRun(): number {
    let end = this.pos;
    while (isDigit(this.s.charCodeAt(end))) end++;
    return end - this.pos;
  }

  /** Consumes `count` digits and returns their value; −1 (consuming nothing) if there are not as many. */
  number(count: number): number {
    if (count === 0) return -1;
    const value = digitsAt(this.s, this.pos, count);
    if (value >= 0) this.pos += count;
    return value;
  }

  /** Consumes one or two digits and returns their value, or −1. */
  smallNumber(): number {
    const run = this.digitRun();
    return run === 1 || run === 2 ? this.number(run) : -1;
  }

  /** Skips whitespace; true if there was some. */
  skipSpaces(): boolean {
    const start = this.pos;
    while (isSpace(this.s.charCodeAt(this.pos))) this.pos++;
    return this.pos > start;
  }
}
