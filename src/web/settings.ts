// A user's reader settings: stored as JSON, read back through normalize() so that a missing,
// old or tampered value always yields a valid setting.
export type Theme = 'auto' | 'light' | 'dark';
export type FontSize = 'small' | 'medium' | 'large';
export type Language = 'en' | 'zh';

export interface UserSettings {
  theme: Theme;
  fontSize: FontSize;
  perPage: number;
  order: 'newest' | 'oldest';
  /** Lists show only unread entries unless asked for all. */
  unreadOnly: boolean;
  language: Language;
  /** Opening an article marks it read. */
  markReadOnOpen: boolean;
  /** Marking entries read as they scroll past in a list. */
  markReadOnScroll: boolean;
}

export const DEFAULT_SETTINGS: UserSettings = {
  theme: 'auto',
  fontSize: 'medium',
  perPage: 50,
  order: 'newest',
  unreadOnly: true,
  language: 'en',
  markReadOnOpen: true,
  markReadOnScroll: false,
};

export const PER_PAGE_CHOICES = [20, 50, 100, 200];

const oneOf = <T extends string>(value: unknown, choices: readonly T[], fallback: T): T =>
  choices.includes(value as T) ? (value as T) : fallback;

const bool = (value: unknown, fallback: boolean): boolean =>
  typeof value === 'boolean' ? value : value === 'on' || value === '1' || value === 'true' ? true : fallback;

/** Valid settings from anything: stored JSON or a submitted form (missing checkboxes mean off there). */
export function normalizeSettings(
  input: Record<string, unknown>,
  base: UserSettings = DEFAULT_SETTINGS,
): UserSettings {
  const perPage = Number(input.perPage);
  return {
    theme: oneOf(input.theme, ['auto', 'light', 'dark'], base.theme),
    fontSize: oneOf(input.fontSize, ['small', 'medium', 'large'], base.fontSize),
    perPage: PER_PAGE_CHOICES.includes(perPage) ? perPage : base.perPage,
    order: oneOf(input.order, ['newest', 'oldest'], base.order),
    unreadOnly: bool(input.unreadOnly, base.unreadOnly),
    language: oneOf(input.language, ['en', 'zh'], base.language),
    markReadOnOpen: bool(input.markReadOnOpen, base.markReadOnOpen),
    markReadOnScroll: bool(input.markReadOnScroll, base.markReadOnScroll),
  };
}

/** The language a visitor without settings gets, from Accept-Language. */
export function languageFromHeader(header: string | undefined): Language {
  if (!header) return 'en';
  for (const part of header.split(',')) {
    const tag = part.split(';')[0]?.trim().toLowerCase() ?? '';
    if (tag.startsWith('zh')) return 'zh';
    if (tag.startsWith('en')) return 'en';
  }
  return 'en';
}
