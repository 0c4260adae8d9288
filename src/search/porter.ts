// The Porter stemmer exactly as SQLite's FTS5 `porter` tokenizer applies it (ext/fts5/fts5_tokenize.c),
// so that highlighting in JavaScript marks the words the index matched: "releases" and "released"
// for a search for "release". It works on the token's UTF-8 bytes as FTS5 does: any byte that is not
// an ASCII vowel is a consonant, and tokens under 3 or over 64 bytes pass through unchanged.

const MAX_TOKEN_BYTES = 64;

function isVowel(c: string | undefined, yIsVowel: boolean): boolean {
  return c === 'a' || c === 'e' || c === 'i' || c === 'o' || c === 'u' || (yIsVowel && c === 'y');
}

/** Skips one vowel-then-consonant sequence of z[from, from + n); the index after it, or 0 when none. */
function gobbleVC(z: string, from: number, n: number, prevConsonant: boolean): number {
  let consonant = prevConsonant;
  let i = 0;
  for (; i < n; i++) {
    consonant = !isVowel(z[from + i], consonant);
    if (!consonant) break;
  }
  for (i++; i < n; i++) {
    consonant = !isVowel(z[from + i], consonant);
    if (consonant) return i + 1;
  }
  return 0;
}

/** m > 0 for the stem z[0, n). */
function mGt0(z: string, n: number): boolean {
  return gobbleVC(z, 0, n, false) !== 0;
}

function mGt1(z: string, n: number): boolean {
  const first = gobbleVC(z, 0, n, false);
  return first !== 0 && gobbleVC(z, first, n - first, true) !== 0;
}

function mEq1(z: string, n: number): boolean {
  const first = gobbleVC(z, 0, n, false);
  return first !== 0 && gobbleVC(z, first, n - first, true) === 0;
}

/** *o: the stem ends consonant-vowel-consonant, the last not w, x or y. */
function oStar(z: string, n: number): boolean {
  const last = z[n - 1];
  if (last === 'w' || last === 'x' || last === 'y') return false;
  let mask = 0;
  let consonant = false;
  for (let i = 0; i < n; i++) {
    consonant = !isVowel(z[i], consonant);
    mask = ((mask << 1) | (consonant ? 1 : 0)) & 7;
  }
  return mask === 5;
}

/** *v*: the stem holds a vowel. */
function hasVowel(z: string, n: number): boolean {
  for (let i = 0; i < n; i++) if (isVowel(z[i], i > 0)) return true;
  return false;
}

type Condition = (z: string, n: number) => boolean;
/** [suffix, replacement, condition on the stem] */
type Rule = readonly [string, string, Condition | null];

/**
 * Applies the first rule of `rules` whose suffix the word ends with (FTS5 groups its rules by the
 * second-to-last letter and stops at the first suffix that matches, whether or not its condition holds).
 * Returns the new word, and whether a rule fired.
 */
function applyRules(z: string, rules: readonly Rule[]): [string, boolean] {
  for (const [suffix, replacement, condition] of rules) {
    if (z.length > suffix.length && z.endsWith(suffix)) {
      const stem = z.length - suffix.length;
      if (condition === null || condition(z, stem)) return [z.slice(0, stem) + replacement, true];
      return [z, false];
    }
  }
  return [z, false];
}

function mGt1AndSOrT(z: string, n: number): boolean {
  const last = z[n - 1];
  return (last === 's' || last === 't') && mGt1(z, n);
}

// Each step's rules keyed by the second-to-last letter of the word, in FTS5's order.
const STEP2: Record<string, readonly Rule[]> = {
  a: [
    ['ational', 'ate', mGt0],
    ['tional', 'tion', mGt0],
  ],
  c: [
    ['enci', 'ence', mGt0],
    ['anci', 'ance', mGt0],
  ],
  e: [['izer', 'ize', mGt0]],
  g: [['logi', 'log', mGt0]],
  l: [
    ['bli', 'ble', mGt0],
    ['alli', 'al', mGt0],
    ['entli', 'ent', mGt0],
    ['eli', 'e', mGt0],
    ['ousli', 'ous', mGt0],
  ],
  o: [
    ['ization', 'ize', mGt0],
    ['ation', 'ate', mGt0],
    ['ator', 'ate', mGt0],
  ],
  s: [
    ['alism', 'al', mGt0],
    ['iveness', 'ive', mGt0],
    ['fulness', 'ful', mGt0],
    ['ousness', 'ous', mGt0],
  ],
  t: [
    ['aliti', 'al', mGt0],
    ['iviti', 'ive', mGt0],
    ['biliti', 'ble', mGt0],
  ],
};

const STEP3: Record<string, readonly Rule[]> = {
  a: [['ical', 'ic', mGt0]],
  s: [['ness', '', mGt0]],
  t: [
    ['icate', 'ic', mGt0],
    ['iciti', 'ic', mGt0],
  ],
  u: [['ful', '', mGt0]],
  v: [['ative', '', mGt0]],
  z: [['alize', 'al', mGt0]],
};

const STEP4: Record<string, readonly Rule[]> = {
  a: [['al', '', mGt1]],
  c: [
    ['ance', '', mGt1],
    ['ence', '', mGt1],
  ],
  e: [['er', '', mGt1]],
  i: [['ic', '', mGt1]],
  l: [
    ['able', '', mGt1],
    ['ible', '', mGt1],
  ],
  n: [
    ['ant', '', mGt1],
    ['ement', '', mGt1],
    ['ment', '', mGt1],
    ['ent', '', mGt1],
  ],
  o: [
    ['ion', '', mGt1AndSOrT],
    ['ou', '', mGt1],
  ],
  s: [['ism', '', mGt1]],
  t: [
    ['ate', '', mGt1],
    ['iti', '', mGt1],
  ],
  u: [['ous', '', mGt1]],
  v: [['ive', '', mGt1]],
  z: [['ize', '', mGt1]],
};

const STEP1B: Record<string, readonly Rule[]> = {
  e: [
    ['eed', 'ee', mGt0],
    ['ed', '', hasVowel],
  ],
  n: [['ing', '', hasVowel]],
};

const STEP1B2: Record<string, readonly Rule[]> = {
  a: [['at', 'ate', null]],
  b: [['bl', 'ble', null]],
  i: [['iz', 'ize', null]],
};

function step(z: string, table: Record<string, readonly Rule[]>): [string, boolean] {
  const rules = table[z[z.length - 2] ?? ''];
  return rules ? applyRules(z, rules) : [z, false];
}

/** Porter step 1b only reports a change for "ed" and "ing" (not "eed"). */
function step1b(z: string): [string, boolean] {
  const rules = STEP1B[z[z.length - 2] ?? ''];
  if (!rules) return [z, false];
  if (z.length > 3 && z.endsWith('eed')) return [applyRules(z, rules)[0], false];
  return applyRules(z, rules);
}

/** Stems a byte string (one char per byte, already lower-cased). */
function stemBytes(input: string): string {
  let z = input;
  // Step 1a.
  if (z.endsWith('s')) {
    const n = z.length;
    if (z[n - 2] === 'e') {
      z =
        (n > 4 && z[n - 4] === 's' && z[n - 3] === 's') || (n > 3 && z[n - 3] === 'i')
          ? z.slice(0, -2)
          : z.slice(0, -1);
    } else if (z[n - 2] !== 's') {
      z = z.slice(0, -1);
    }
  }
  // Step 1b.
  const [afterB, fired] = step1b(z);
  z = afterB;
  if (fired) {
    const [afterB2, fired2] = step(z, STEP1B2);
    z = afterB2;
    if (!fired2) {
      const c = z[z.length - 1];
      if (!isVowel(c, false) && c !== 'l' && c !== 's' && c !== 'z' && c === z[z.length - 2]) {
        z = z.slice(0, -1);
      } else if (mEq1(z, z.length) && oStar(z, z.length)) {
        z += 'e';
      }
    }
  }
  // Step 1c.
  if (z.endsWith('y') && hasVowel(z, z.length - 1)) z = z.slice(0, -1) + 'i';
  // Steps 2 to 4.
  [z] = step(z, STEP2);
  [z] = step(z, STEP3);
  [z] = step(z, STEP4);
  // Step 5a.
  const n = z.length;
  if (z.endsWith('e') && (mGt1(z, n - 1) || (mEq1(z, n - 1) && !oStar(z, n - 1)))) z = z.slice(0, -1);
  // Step 5b.
  if (z.length > 1 && z.endsWith('ll') && mGt1(z, z.length - 1)) z = z.slice(0, -1);
  return z;
}

/** The stem FTS5's porter tokenizer stores for `token` (a token already folded to lower case). */
export function porterStem(token: string): string {
  // eslint-disable-next-line no-control-regex
  const ascii = /^[\u0000-\u007f]*$/.test(token);
  const bytes = ascii ? token : Buffer.from(token, 'utf8').toString('latin1');
  if (bytes.length < 3 || bytes.length > MAX_TOKEN_BYTES) return token;
  const stem = stemBytes(bytes);
  return ascii ? stem : Buffer.from(stem, 'latin1').toString('utf8');
}
