// The UI's languages. Messages are written in English in the code; other languages map each
// English message to its translation, falling back to English. `{name}` placeholders are filled
// from the parameters.
import type { Language } from './settings.js';
import { ZH } from './i18n-zh.js';

export type Translate = (message: string, params?: Record<string, string | number>) => string;

const DICTIONARIES: Record<Language, Record<string, string>> = { en: {}, zh: ZH };

export function translator(language: Language): Translate {
  const dictionary = DICTIONARIES[language];
  return (message, params) => {
    const text = dictionary[message] ?? message;
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
      params[name] === undefined ? whole : String(params[name]),
    );
  };
}
