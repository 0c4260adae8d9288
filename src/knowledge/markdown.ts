// HTML into Markdown for the raw archive, with turndown and its GitHub-flavoured tables. Sanitized
// HTML goes in; headings, lists, fenced code, tables, links and image references come out.
import TurndownService from 'turndown';
import { gfm } from 'turndown-plugin-gfm';

// The part of a DOM node the rules read (the project compiles without the DOM library).
interface RuleNode {
  nodeName: string;
  textContent: string | null;
  parentNode: { nodeName: string } | null;
  querySelector(selector: string): unknown;
}

function rule(
  filter: (node: RuleNode) => boolean,
  replacement: (content: string) => string,
): TurndownService.Rule {
  return { filter, replacement };
}

let service: TurndownService | undefined;

function turndown(): TurndownService {
  if (service) return service;
  const td = new TurndownService({
    headingStyle: 'atx',
    codeBlockStyle: 'fenced',
    bulletListMarker: '-',
    emDelimiter: '*',
  });
  td.use(gfm);
  td.remove(['script', 'style', 'noscript', 'template', 'iframe', 'form', 'button']);
  // Heading anchors ("#motivation") and other links without text are noise in a Markdown file.
  td.addRule(
    'emptyLink',
    rule(
      (node) => node.nodeName === 'A' && !node.textContent?.trim() && !node.querySelector('img'),
      () => '',
    ),
  );
  // A table cell holds one line in Markdown: paragraphs inside a cell become spaces.
  td.addRule(
    'cellParagraph',
    rule(
      (node) => node.nodeName === 'P' && /^(TD|TH)$/.test(node.parentNode?.nodeName ?? ''),
      (content) => ` ${content.replace(/\n+/g, ' ').trim()} `,
    ),
  );
  service = td;
  return td;
}

/** Markdown for an article's (already sanitized) HTML. */
export function htmlToMarkdown(html: string): string {
  if (!html.trim()) return '';
  return turndown()
    .turndown(html)
    .replace(/\n{3,}/g, '\n\n')
    .replace(/^\|.*\|$/gm, (row) => row.replace(/ {2,}/g, ' '))
    .trim();
}
