// Times as text. Epoch milliseconds as ISO 8601 text, the one way Gleaner writes a time (pages, APIs,
// feeds, logs): the same text as Date#toISOString, made with arithmetic: a list of fifty entries, or
// a client API's hundred with three times each, spent ~0.6 µs a time allocating a Date and
// formatting it. And durations and times from now as a person reads them ("in 2 h", "3 min ago").

const MS_PER_DAY = 86_400_000;
/** 9999-12-31T23:59:59.999Z: the last time with a four-digit year. */
const LAST_FOUR_DIGIT_YEAR_MS = 253_402_300_799_999;
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/**
 * `ms` as `YYYY-MM-DDTHH:MM:SS.sssZ`, exactly as `new Date(ms).toISOString()` writes it, which it
 * defers to outside 1970–9999 (and which throws a RangeError for NaN and infinities).
 */
export function isoTime(ms: number): string {
  if (!(ms >= 0 && ms <= LAST_FOUR_DIGIT_YEAR_MS) || !Number.isInteger(ms)) return new Date(ms).toISOString();
  const days = Math.floor(ms / MS_PER_DAY);
  let rest = ms - days * MS_PER_DAY;
  // The civil date of a day count (H. Hinnant's days-to-civil), in 400-year eras from 0000-03-01.
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  return `${year}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}T${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[millis]}Z`;
}

const UNITS: [number, string][] = [
  [86_400_000, 'd'],
  [3_600_000, 'h'],
  [60_000, 'min'],
  [1000, 's'],
];

/**
 * A duration as a person reads it at a glance: its largest whole unit, rounded down as the web
 * reader's times are, so 23.6 hours is "23 h" and never "24 h" beside another's "1 d". Empty under
 * a second.
 */
export function durationText(ms: number): string {
  for (const [unitMs, unit] of UNITS) if (ms >= unitMs) return `${Math.floor(ms / unitMs)} ${unit}`;
  return '';
}

/** Whole minutes as set, in the largest unit that holds them exactly: "90 min", "6 h", "7 d". */
export function minutesText(minutes: number): string {
  const ms = minutes * 60_000;
  for (const [unitMs, unit] of UNITS) if (ms % unitMs === 0) return `${ms / unitMs} ${unit}`;
  return `${minutes} min`;
}

/** "3 min ago", "in 2 h", "now"; "never" for no time (or one that will never come). */
export function relativeTime(at: number | null, now: number): string {
  if (at === null || !Number.isFinite(at)) return 'never';
  const text = durationText(Math.abs(at - now));
  if (text === '') return 'now';
  return at < now ? `${text} ago` : `in ${text}`;
}
