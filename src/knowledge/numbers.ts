// Figures an article states: amounts with units (µs, ms, %, cores, req/s, GB, ×…), amounts in words
// ("35 million", "twice as long", "a full microsecond"), counts ("19 / 1111"), before → after pairs,
// small equations ("1.71% - 0.43% = 1.28%"), months, and table cells read with their column's unit.
// Pure; every figure is normalized for display ("3.65µs" → "3.65 µs", "35 million" → "35 M").

export interface Figure {
  /** As shown on a page: "3.65 µs → 1.53 µs", "19 / 1,111", "2.39×". */
  text: string;
  /** Where it starts in the sentence. */
  index: number;
  end: number;
}

const PREFIXES: Record<string, string> = {
  '~': '~',
  '≈': '≈',
  about: '~',
  around: '~',
  roughly: '~',
  approximately: '~',
  nearly: '~',
  almost: '~',
  over: '>',
  'more than': '>',
  above: '>',
  under: '<',
  'less than': '<',
  below: '<',
  'up to': '≤',
  'at most': '≤',
  'at least': '≥',
};

const SCALES: Record<string, string> = {
  thousand: 'K',
  k: 'K',
  K: 'K',
  million: 'M',
  M: 'M',
  billion: 'B',
  B: 'B',
  bn: 'B',
  trillion: 'T',
  万: '万',
  亿: '亿',
};

// [pattern, display] — a display of null keeps the word as written (count nouns).
const UNITS: [string, string | null][] = [
  ['requests per second|requests/sec(?:ond)?|requests/s|req/sec|req/s|rps|RPS|qps|QPS', 'req/s'],
  ['packets per second|Mpps|pps', 'pps'],
  ['compute-seconds per second', 'compute-s/s'],
  ['µs|μs|microseconds?', 'µs'],
  ['ns|nanoseconds?', 'ns'],
  ['ms|milliseconds?', 'ms'],
  ['seconds?|secs?', 's'],
  ['minutes?|mins?', 'min'],
  ['hours?|hrs?', 'h'],
  ['days?|weeks?|months?|years?', null],
  ['%|percent|per cent|percentage points', '%'],
  ['×', '×'],
  ['times', 'times'],
  ['GiB|MiB|KiB|TiB|GB|MB|KB|kB|TB|PB|bytes|bits', null],
  ['Tbps|Gbps|Mbps|Kbps|Gb/s|Mb/s', null],
  ['GHz|MHz', null],
  ['(?:saturated )?(?:CPU )?cores?|CPUs|vCPUs', 'cores'],
  ['毫秒', 'ms'],
  ['微秒', 'µs'],
  ['纳秒', 'ns'],
  ['秒', 's'],
  ['倍', '×'],
  ['核', 'cores'],
  [
    '(?:HTTP )?headers?|samples?|requests?|servers?|machines?|nodes?|cities|countries|data cent(?:er|re)s|lines?|users?|' +
      'customers?|connections?|queries|files|rows|entries|instances|threads|characters|words|points|packets|errors|events|' +
      'messages|pages|sites|domains|websites|feeds|posts|people|engineers|services|clusters|regions|locations|PoPs|tokens|' +
      'parameters|calls|reads|writes|probes|items|objects|keys|records|transactions|jobs|tasks|builds|tests|commits|' +
      'repositories|dollars|stars|downloads|devices|languages|countries|networks|bugs|vulnerabilities|CVEs',
    null,
  ],
];

const UNIT_PATTERNS = UNITS.map(([p, display]) => ({ re: new RegExp(`^(?:${p})$`), display }));

const NUM = String.raw`\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?`;
const FIGURE = new RegExp(
  String.raw`(?<prefix>~|≈|\b(?:about|around|roughly|approximately|nearly|almost|over|more than|above|under|less than|below|up to|at most|at least) )?` +
    String.raw`(?<cur>[$€£¥])?` +
    String.raw`(?<![A-Za-z0-9_./#:\\,-])(?<num>${NUM})(?!\.\d)` +
    String.raw`(?:\s?[-–]\s?(?<num2>${NUM}))?(?<plus>\+)?` +
    String.raw`(?:\s?(?<scale>(?:thousand|million|billion|trillion|bn)\b|万|亿)|(?<ascale>[kKMB])(?![A-Za-z0-9]))?(?<plus2>\+)?` +
    String.raw`(?:\s?(?<unit>${UNITS.map(([p]) => p).join('|')})(?![A-Za-z])|(?<aunit>x|us|s)(?![A-Za-z0-9]))?` +
    String.raw`(?<rate>\s?(?:per second|/s(?:ec)?\b|a second|每秒))?`,
  'g',
);

const COUNT = /(?<![\d.,/])(\d{1,3}(?:,\d{3})+|\d+)\s?\/\s?(\d{1,3}(?:,\d{3})+|\d+)(?![\d.,/])/g;
const MONTH =
  /\b(?:January|February|March|April|May|June|July|August|September|October|November|December) (?:\d{1,2}, )?(?:19|20)\d{2}\b/g;
const WORDS: [RegExp, (m: RegExpExecArray) => string][] = [
  [
    /\b(?:about |roughly |nearly )?twice (?:as|the)\b/gi,
    (m) => (/about|roughly|nearly/i.test(m[0]) ? '~2×' : '2×'),
  ],
  [/\b(?:three|four|five|ten) times (?:as|faster|slower|more|less|fewer)\b/gi, (m) => `${wordNumber(m[0])}×`],
  [
    /\b(?<pre>under |over |about |less than |more than )?(?:a|one) (?:full |whole )?(?<unit>microsecond|millisecond|nanosecond)\b/gi,
    (m) => `${prefixSymbol(m.groups?.pre)}1 ${unitOf(m.groups?.unit ?? '')}`,
  ],
];

function wordNumber(text: string): string {
  const w = text.toLowerCase().split(' ')[0] ?? '';
  return String({ three: 3, four: 4, five: 5, ten: 10 }[w] ?? w);
}

function prefixSymbol(prefix: string | undefined): string {
  const p = prefix?.trim().toLowerCase();
  if (!p) return '';
  const symbol = PREFIXES[p] ?? '';
  return symbol === '~' || symbol === '≈' ? symbol : `${symbol} `;
}

function unitOf(word: string): string {
  for (const { re, display } of UNIT_PATTERNS) if (re.test(word)) return display ?? word;
  return word;
}

/** "1111" → "1,111": counts read the same however the article wrote them. */
export function groupThousands(num: string): string {
  if (!/^\d+$/.test(num) || num.length < 4) return num;
  return num.replace(/\B(?=(\d{3})+$)/g, ',');
}

interface Raw extends Figure {
  /** True when the figure has a unit, scale, sign or grouping: a quantity rather than a stray number. */
  strong: boolean;
}

function figureText(g: Record<string, string | undefined>): { text: string; strong: boolean } | null {
  const num = g.num ?? '';
  let unit = '';
  if (g.unit) unit = unitOf(g.unit);
  else if (g.aunit) unit = g.aunit === 'x' ? '×' : g.aunit === 'us' ? 'µs' : 's';
  const scale = g.scale
    ? (SCALES[g.scale.toLowerCase()] ?? SCALES[g.scale])
    : g.ascale
      ? SCALES[g.ascale]
      : undefined;
  const plus = g.plus || g.plus2 ? '+' : '';
  const rate = g.rate ? '/s' : '';
  const prefix = prefixSymbol(g.prefix);
  const value = g.num2 ? `${num}-${g.num2}` : num;
  const strong = Boolean(unit || scale || plus || g.num2 || g.cur || rate || num.includes(','));
  const n = Number(num.replace(/,/g, ''));
  if (!strong) {
    // Years, list numbers and small integers are not figures; decimals are.
    if (/^\d+$/.test(num) && (n < 10 || (n >= 1900 && n <= 2100))) return null;
  }
  let text = `${g.cur ?? ''}${value}`;
  if (scale) text += ` ${scale}`;
  text += plus;
  if (unit === '%' || unit === '×') text += unit;
  else if (unit === 'req/s' || unit === 'pps') text += ` ${unit}`;
  else if (unit) text += ` ${unit}${rate}`;
  if (rate && !unit) text += '/s';
  return { text: `${prefix}${text}`, strong };
}

const JOINERS: [RegExp, (a: string, b: string) => string][] = [
  [/^\s*(?:→|->|=>|⟶)\s*$/, (a, b) => `${a} → ${b}`],
  [/^\s*to\s*$/i, (a, b) => `${a} → ${b}`],
  [/^\s*(?:降到|降至|减少到|增加到|提高到|升到|到)\s*$/, (a, b) => `${a} → ${b}`],
];

// A sentence is at most a few hundred characters; text beyond this is not one.
const MAX_SENTENCE = 4000;
const MAX_EQUATION_TERMS = 8;

/** The figures of one sentence, in order (of its first MAX_SENTENCE characters). */
export function extractFigures(text: string): Figure[] {
  const sentence = text.length > MAX_SENTENCE ? text.slice(0, MAX_SENTENCE) : text;
  const raws: Raw[] = [];
  const taken: [number, number][] = [];
  const free = (start: number, end: number) => taken.every(([s, e]) => end <= s || start >= e);
  const add = (index: number, end: number, text: string, strong: boolean) => {
    if (!free(index, end)) return;
    taken.push([index, end]);
    raws.push({ index, end, text, strong });
  };
  for (const m of sentence.matchAll(COUNT)) {
    const [a, b] = [m[1] ?? '', m[2] ?? ''];
    if (Number(a.replace(/,/g, '')) <= Number(b.replace(/,/g, '')))
      add(m.index, m.index + m[0].length, `${groupThousands(a)} / ${groupThousands(b)}`, true);
  }
  for (const m of sentence.matchAll(MONTH)) add(m.index, m.index + m[0].length, m[0], true);
  for (const [re, show] of WORDS) {
    for (const m of sentence.matchAll(re)) add(m.index, m.index + m[0].length, show(m), true);
  }
  for (const m of sentence.matchAll(FIGURE)) {
    if (!m[0] || !m.groups?.num) continue;
    // "99th", "3rd", "4K60": a number glued to letters is a word, unless they were its unit.
    if (
      !m.groups.unit &&
      !m.groups.aunit &&
      !m.groups.ascale &&
      /[A-Za-z]/.test(sentence[m.index + m[0].length] ?? '')
    )
      continue;
    const shown = figureText(m.groups);
    if (!shown) continue;
    const end = m.index + m[0].trimEnd().length;
    add(m.index, end, shown.text, shown.strong);
  }
  raws.sort((a, b) => a.index - b.index);
  return joinFigures(sentence, raws);
}

/** Merges "from A to B" and "A → B" into a change, and "A - B = C" into one equation. */
function joinFigures(sentence: string, raws: Raw[]): Figure[] {
  const out: Raw[] = [];
  for (let i = 0; i < raws.length; i++) {
    const a = raws[i] as Raw;
    // An equation: figures joined by operators, ending in "= figure".
    let j = i;
    let eq = a.text;
    let sawEquals = false;
    while (j + 1 < raws.length && j - i < MAX_EQUATION_TERMS) {
      const next = raws[j + 1] as Raw;
      const between = sentence.slice((raws[j] as Raw).end, next.index);
      const op = /^\s*([-+*/×÷=])\s*$/.exec(between)?.[1];
      if (!op) break;
      eq += ` ${op === '*' ? '×' : op} ${next.text}`;
      if (op === '=') sawEquals = true;
      j++;
    }
    if (sawEquals && j > i) {
      out.push({ index: a.index, end: (raws[j] as Raw).end, text: eq, strong: true });
      i = j;
      continue;
    }
    const b = raws[i + 1];
    if (b) {
      const between = sentence.slice(a.end, b.index);
      const joiner = JOINERS.find(([re]) => re.test(between));
      const from = /(?:\bfrom|从)\s*$/i.test(sentence.slice(Math.max(0, a.index - 6), a.index));
      if (joiner && (/to|到|至/.test(between) ? from : true)) {
        out.push({ index: a.index, end: b.end, text: joiner[1](a.text, b.text), strong: true });
        i++;
        continue;
      }
    }
    out.push(a);
  }
  // A lone unitless number is kept only beside a real quantity in the same sentence.
  const anyStrong = out.some((r) => r.strong);
  return out.filter((r) => r.strong || anyStrong).map(({ index, end, text }) => ({ index, end, text }));
}

/** A table cell as a figure: its column's unit, "(%)" or "%" in the header, applied to a bare number. */
export function cellFigure(cell: string, header: string | undefined): string | null {
  const figures = extractFigures(cell);
  if (figures.length === 0) {
    const bare = /^\s*([<>~≈]?\d[\d,]*(?:\.\d+)?)\s*$/.exec(cell)?.[1];
    if (!bare) return null;
    const unit = /\(%\)|%|percent/i.test(header ?? '') ? '%' : '';
    return `${groupThousands(bare)}${unit}`;
  }
  if (figures.length === 1 && /^\s*[\d.,]+\s*$/.test(cell) && /\(%\)|%|percent/i.test(header ?? ''))
    return `${cell.trim()}%`;
  return figures.map((f) => f.text).join(', ');
}
