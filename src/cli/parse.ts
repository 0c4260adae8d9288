// `gleaner parse FILE... [--base URL] [--ndjson] [--content-type TYPE]`: prints the normalized result
// of each document, in the corpus's shape (see the README), so any feed can be checked by hand.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { GleanerError } from '../model/errors.js';
import { toCorpusResult } from '../feed/parse/conformance.js';
import { DEFAULT_MAX_DOCUMENT_BYTES, parseFeed } from '../feed/parse/index.js';
import { scrapePage } from '../feed/scrape/index.js';
import { SCRAPE_FLAGS, scrapeOfFlags } from './context.js';
import { sanitizeHtml } from '../content/index.js';
import { printableJson } from '../log/index.js';

const HELP = `usage: gleaner parse FILE... [--base URL] [--content-type TYPE] [--ndjson] [--warnings] [--content]
                     [--scrape-items CSS [--scrape-title CSS] [--scrape-link CSS] [--scrape-content CSS]
                     [--scrape-date CSS]]

Parses each feed document (RSS, RDF, Atom, JSON Feed) and prints its normalized result as JSON.
With --scrape-items, each is a saved web page, read as gleaner add reads one (to try selectors).
  --base URL           the URL the documents were fetched from (base for relative links)
  --content-type TYPE  the HTTP Content-Type they were served with (its charset wins)
  --ndjson             one line per file: {"file","result"} or {"file","error"}
  --warnings           include the parser's warnings in each result
  --content            add each item's content_html as Gleaner stores it (sanitized)`;

export function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      base: { type: 'string' },
      'content-type': { type: 'string' },
      ndjson: { type: 'boolean', default: false },
      warnings: { type: 'boolean', default: false },
      content: { type: 'boolean', default: false },
      ...SCRAPE_FLAGS,
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return Promise.resolve(0);
  }
  if (positionals.length === 0) throw new GleanerError('USAGE', `no file given\n\n${HELP}`);
  const scrape = scrapeOfFlags(values) ?? null;
  let failures = 0;
  const out: string[] = [];
  for (const file of positionals) {
    let line: Record<string, unknown>;
    try {
      const feed = scrape
        ? scrapePage(readFileSync(file), scrape, {
            url: values.base ?? file,
            contentType: values['content-type'] ?? null,
            maxBytes: DEFAULT_MAX_DOCUMENT_BYTES,
          })
        : parseFeed(readFileSync(file), {
            url: values.base ?? null,
            contentType: values['content-type'] ?? null,
          });
      const result: Record<string, unknown> = { ...toCorpusResult(feed) };
      if (values.warnings) result.warnings = feed.warnings;
      if (values.content) {
        // The stored form: each item's HTML through the sanitizer, URLs resolved against its link.
        const base = values.base ?? null;
        result.items = toCorpusResult(feed).items.map((item, i) => {
          const parsed = feed.items[i];
          const html = parsed?.contentHtml ?? parsed?.summaryHtml ?? '';
          return { ...item, content_html: sanitizeHtml(html, parsed?.link ?? base) };
        });
      }
      line = { file, result };
    } catch (err) {
      failures++;
      line = { file, error: err instanceof Error ? err.message : String(err) };
    }
    out.push(printableJson(values.ndjson ? JSON.stringify(line) : JSON.stringify(line, null, 2)));
    // Flush in batches so a large run does not hold every result in memory.
    if (out.length >= 256) process.stdout.write(out.splice(0).join('\n') + '\n');
  }
  if (out.length) process.stdout.write(out.join('\n') + '\n');
  return Promise.resolve(failures > 0 && !values.ndjson ? 1 : 0);
}
