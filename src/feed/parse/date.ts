// STUB: replaced by the date parser.
export function parseDate(text: string): string | null {
  const t = Date.parse(text);
  return Number.isNaN(t) ? null : new Date(t).toISOString().slice(0, 19) + 'Z';
}
