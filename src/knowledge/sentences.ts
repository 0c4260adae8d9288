// Sentences of English and Chinese text. Intl.Segmenter's cost grows faster than linearly on long
// unbroken text, so it only ever sees paragraph-sized chunks.

const CHUNK = 1200;
const MAX_SENTENCE = 600;

let segmenter: Intl.Segmenter | undefined;

/** Cuts text into pieces of at most `size` characters, at a sentence mark or space when there is one. */
export function chunkText(text: string, size = CHUNK): string[] {
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > size) {
    const window = rest.slice(0, size);
    let cut = Math.max(
      window.lastIndexOf('. '),
      window.lastIndexOf('。'),
      window.lastIndexOf('！'),
      window.lastIndexOf('？'),
    );
    if (cut < size / 3) cut = window.lastIndexOf(' ');
    if (cut < size / 3) cut = size - 1;
    chunks.push(rest.slice(0, cut + 1));
    rest = rest.slice(cut + 1);
  }
  if (rest) chunks.push(rest);
  return chunks;
}

/** The sentences of a paragraph, trimmed; overlong runs without punctuation are cut. */
export function splitSentences(text: string): string[] {
  segmenter ??= new Intl.Segmenter('en', { granularity: 'sentence' });
  const out: string[] = [];
  for (const chunk of chunkText(text)) {
    for (const { segment } of segmenter.segment(chunk)) {
      for (const piece of chunkText(segment.trim(), MAX_SENTENCE)) {
        const s = piece.trim();
        if (s) out.push(s);
      }
    }
  }
  return mergeAbbreviations(out);
}

// "e.g." and "vs." end no sentence; the segmenter sometimes thinks they do.
const ABBREVIATION = /\b(?:e\.g|i\.e|vs|etc|approx|Mr|Dr|No|Fig)\.$/i;

function mergeAbbreviations(sentences: string[]): string[] {
  const out: string[] = [];
  for (const s of sentences) {
    const last = out.at(-1);
    if (last !== undefined && ABBREVIATION.test(last)) out[out.length - 1] = `${last} ${s}`;
    else out.push(s);
  }
  return out;
}

/** True when most letters are CJK: Chinese text gets character-based words. */
export function isMostlyCjk(text: string): boolean {
  const cjk = text.match(/[\u3400-\u9fff\uf900-\ufaff]/g)?.length ?? 0;
  const latin = text.match(/[A-Za-z]/g)?.length ?? 0;
  return cjk > latin;
}

const STOPWORDS = new Set(
  (
    'a about above after again against all also am an and any are as at be because been before being below between both but by ' +
    'can could did do does doing down during each few for from further had has have having he her here hers him his how i if in ' +
    'into is it its itself just let me more most my no nor not now of off on once only or other our ours out over own same she ' +
    'should so some such than that the their theirs them then there these they this those through to too under until up very was ' +
    'we were what when where which while who whom why will with would you your yours us one two get got make made like use used ' +
    'using way even still much many well really may might must shall per via within without across every'
  ).split(' '),
);

/** Content words for ranking: lower-cased English words without stopwords, or CJK character bigrams. */
export function contentWords(sentence: string): string[] {
  const words: string[] = [];
  for (const m of sentence.toLowerCase().matchAll(/[\p{L}\p{N}][\p{L}\p{N}_'-]*/gu)) {
    const w = m[0];
    if (/[\u3400-\u9fff]/.test(w)) {
      const chars = Array.from(w.replace(/[^\u3400-\u9fff]/g, ''));
      if (chars.length === 1 && chars[0]) words.push(chars[0]);
      for (let i = 0; i + 1 < chars.length; i++) words.push(`${chars[i]}${chars[i + 1]}`);
    } else if (w.length > 1 && !STOPWORDS.has(w)) words.push(w.replace(/'s$/, ''));
  }
  return words;
}
