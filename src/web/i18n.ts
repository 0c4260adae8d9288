// The UI's languages. Messages are written in English in the code; other languages map each
// English message to its translation, falling back to English. `{name}` placeholders are filled
// from the parameters.
import type { Language } from './settings.js';
import { ZH } from './i18n-zh.js';

export type Translate = (message: string, params?: Record<string, string | number>) => string;

const DICTIONARIES: Record<Language, Record<string, string>> = { en: {}, zh: ZH };

export function translator(language: Language): Translate {
  return TRANSLATORS[language];
}

/** A message as literal text and parameter names, alternating: 'Show all {n}' is ['Show all ', 'n', '']. */
type Compiled = string[];

function makeTranslator(dictionary: Record<string, string>): Translate {
  // Split once per message: a list page fills '{n} min read' fifty times.
  const compiled = new Map<string, Compiled>();
  return (message, params) => {
    const text = dictionary[message] ?? message;
    if (!params) return text;
    let parts = compiled.get(text);
    if (!parts) {
      parts = text.split(/\{(\w+)\}/);
      compiled.set(text, parts);
    }
    let out = parts[0] as string;
    for (let i = 1; i < parts.length; i += 2) {
      const name = parts[i] as string;
      const value = params[name];
      out += (value === undefined ? `{${name}}` : String(value)) + (parts[i + 1] as string);
    }
    return out;
  };
}

const TRANSLATORS: Record<Language, Translate> = {
  en: makeTranslator(DICTIONARIES.en),
  zh: makeTranslator(DICTIONARIES.zh),
};
