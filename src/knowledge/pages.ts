// Analyses rendered to the wiki's Markdown pages. Every page has YAML front matter (title, kind);
// links between pages are relative paths to .md files, so the folder opens as an Obsidian vault.
// Pure: paths in, text out.
import { posix } from 'node:path';
import type { ArticleAnalysis, EntityMention, EntityRef } from './analyze.js';

const DIRS: Record<EntityRef['kind'], string> = {
  company: 'companies',
  system: 'systems',
  concept: 'concepts',
  pattern: 'patterns',
};

export function entityPath(e: Pick<EntityRef, 'kind' | 'slug'>): string {
  return `${DIRS[e.kind]}/${e.slug}.md`;
}

/** A link from the page at `from` to the page at `to`, both relative to the wiki's root. */
export function link(from: string, to: string, text: string): string {
  const href = posix.relative(posix.dirname(from), to);
  return `[${escapeMarkdown(text)}](${encodeURI(href)})`;
}

/** Text safe inside Markdown: no emphasis, links, HTML or table breaks of its own. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<|]/g, '\\$&').replace(/\n+/g, ' ');
}

/** YAML front matter; strings as JSON, which YAML reads as double-quoted scalars. */
export function frontMatter(fields: Record<string, string | number | string[] | null | undefined>): string {
  const lines = ['---'];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) lines.push(`${key}: [${value.map((v) => JSON.stringify(v)).join(', ')}]`);
    else if (typeof value === 'number') lines.push(`${key}: ${value}`);
    else lines.push(`${key}: ${JSON.stringify(value)}`);
  }
  lines.push('---', '');
  return lines.join('\n');
}

export function sourceTitle(a: ArticleAnalysis): string {
  return `${a.company.title} — ${a.title}`;
}

export function renderRaw(a: ArticleAnalysis, markdown: string): string {
  return (
    frontMatter({
      title: a.title,
      kind: 'raw',
      url: a.url,
      author: a.author,
      published: a.published,
      feed: a.feedTitle,
      tags: a.tags,
      source: a.source,
    }) + `# ${escapeMarkdown(a.title)}\n\n${markdown}\n`
  );
}

export interface CrossReference {
  source: ArticleAnalysis;
  shared: EntityRef[];
}

export function renderSource(a: ArticleAnalysis, crossRefs: CrossReference[]): string {
  const here = a.source;
  const out: string[] = [
    frontMatter({
      title: sourceTitle(a),
      kind: 'source',
      url: a.url,
      company: a.company.slug,
      published: a.published,
      author: a.author,
      feed: a.feedTitle,
      tags: a.tags,
      raw: a.raw,
      entry_id: a.entryId,
      generated: a.model ? `model ${a.model.name}` : 'offline',
    }),
    `# ${escapeMarkdown(sourceTitle(a))}`,
    '',
  ];
  if (a.fallback)
    out.push(`> Written offline: the language model could not be used (${escapeMarkdown(a.fallback)}).`, '');
  if (a.model) {
    out.push(
      `> Summary and takeaways written by the language model ${escapeMarkdown(a.model.name)}; figures and quotes checked against the article.`,
    );
    if (a.model.dropped.length > 0)
      out.push(
        `> Dropped because the article does not state them: ${a.model.dropped.map(escapeMarkdown).join('; ')}.`,
      );
    out.push('');
  }
  out.push(
    '## Summary',
    '',
    a.summary.map(escapeMarkdown).join(' ') || '_The article has no text to summarize._',
    '',
  );

  out.push('## Key takeaways', '');
  if (a.takeaways.length === 0) out.push('_None found._');
  for (const t of a.takeaways) {
    const refs = t.entities.map((e) => link(here, entityPath(e), e.title));
    const evidence = t.evidence.map(escapeMarkdown).join(' ');
    out.push(
      `- **${escapeMarkdown(t.lead)}**${evidence ? ` ${evidence}` : ''}${refs.length ? ` (${refs.join(', ')})` : ''}`,
    );
  }
  out.push('');

  out.push('## Operational numbers', '');
  if (a.figures.length === 0 && a.tables.length === 0) out.push('_The article states no figures._');
  for (const f of a.figures)
    out.push(
      `- ${f.figures.map((x) => `**${escapeMarkdown(x)}**`).join(', ')} — ${escapeMarkdown(f.context)}`,
    );
  for (const t of a.tables) {
    out.push('');
    const width = Math.max(t.header.length, ...t.rows.map((r) => r.length));
    const header = Array.from({ length: width }, (_, i) => escapeMarkdown(t.header[i] ?? ''));
    out.push(`| ${header.join(' | ')} |`, `|${' --- |'.repeat(width)}`);
    for (const r of t.rows)
      out.push(`| ${Array.from({ length: width }, (_, i) => escapeMarkdown(r[i] ?? '')).join(' | ')} |`);
    out.push('');
  }
  out.push(`- Published ${a.published}${a.author ? ` by ${escapeMarkdown(a.author)}` : ''}.`, '');

  out.push('## Caveats', '');
  if (a.caveats.length === 0)
    out.push('_The article states no limits or conditions that the offline reader found._');
  for (const c of a.caveats) out.push(`- ${escapeMarkdown(c)}`);
  out.push('');

  out.push('## Links', '');
  out.push(`- Original: <${a.url}>`);
  out.push(`- Raw: ${link(here, a.raw, a.raw)}`);
  out.push(`- Company: ${link(here, entityPath(a.company), a.company.title)}`);
  const listed = (label: string, urls: string[]) => {
    for (const u of urls) out.push(`- ${label}: <${u}>`);
  };
  listed('Repository', a.links.repositories);
  listed('Package', a.links.packages);
  listed('Discussion', a.links.discussions);
  listed('Reference', a.links.references.slice(0, 15));
  out.push('');

  out.push('## Cross-references', '');
  if (crossRefs.length === 0) out.push('_No other source shares its concepts or systems yet._');
  for (const x of crossRefs) {
    const why = x.shared.map((e) => link(here, entityPath(e), e.title)).join(', ');
    out.push(
      `- ${link(here, x.source.source, sourceTitle(x.source))} (${x.source.published}) — shares ${why}`,
    );
  }
  out.push('');
  return out.join('\n');
}

export interface EntityPageInput {
  entity: EntityRef & { summary: string };
  /** Every source touching it, with what it says. */
  mentions: { source: ArticleAnalysis; mention: EntityMention | null }[];
  related: EntityRef[];
}

export function renderEntity({ entity, mentions, related }: EntityPageInput): string {
  const here = entityPath(entity);
  const out = [
    frontMatter({ title: entity.title, kind: entity.kind, slug: entity.slug, sources: mentions.length }),
    `# ${escapeMarkdown(entity.title)}`,
    '',
  ];
  if (entity.summary) out.push(escapeMarkdown(entity.summary), '');
  out.push(entity.kind === 'company' ? '## Sources' : '## What the sources say', '');
  const sorted = [...mentions].sort(
    (a, b) =>
      b.source.published.localeCompare(a.source.published) || a.source.url.localeCompare(b.source.url),
  );
  for (const { source, mention } of sorted) {
    const said = mention?.evidence ? ` — “${escapeMarkdown(mention.evidence)}”` : '';
    out.push(`- ${link(here, source.source, sourceTitle(source))} (${source.published})${said}`);
  }
  out.push('');
  if (related.length > 0) {
    out.push('## Related', '');
    for (const r of related) out.push(`- ${link(here, entityPath(r), r.title)} (${r.kind})`);
    out.push('');
  }
  return out.join('\n');
}

export interface IndexInput {
  sources: ArticleAnalysis[];
  entities: EntityRef[];
  skills: { name: string; path: string }[];
}

export function renderIndex({ sources, entities, skills }: IndexInput): string {
  const out = [frontMatter({ title: 'Index', kind: 'index' }), '# Index', ''];
  out.push(`## Sources (${sources.length})`, '');
  for (const s of [...sources].sort(
    (a, b) => b.published.localeCompare(a.published) || a.source.localeCompare(b.source),
  ))
    out.push(`- ${link('index.md', s.source, sourceTitle(s))} (${s.published})`);
  out.push('');
  const kinds: [EntityRef['kind'], string][] = [
    ['company', 'Companies'],
    ['system', 'Systems'],
    ['concept', 'Concepts'],
    ['pattern', 'Patterns'],
  ];
  for (const [kind, label] of kinds) {
    const list = entities.filter((e) => e.kind === kind).sort((a, b) => a.title.localeCompare(b.title));
    out.push(`## ${label} (${list.length})`, '');
    for (const e of list) out.push(`- ${link('index.md', entityPath(e), e.title)}`);
    out.push('');
  }
  out.push(`## Skills (${skills.length})`, '');
  for (const s of skills) out.push(`- ${link('index.md', s.path, s.name)}`);
  out.push('');
  return out.join('\n');
}

export interface LogEntry {
  at: string;
  added: string[];
  changed: string[];
  removed: string[];
  notes: string[];
}

export function renderLog(entries: LogEntry[]): string {
  const out = [frontMatter({ title: 'Build log', kind: 'log' }), '# Build log', ''];
  for (const e of entries) {
    out.push(`## ${e.at}`, '');
    out.push(`${e.added.length} added, ${e.changed.length} changed, ${e.removed.length} removed.`, '');
    const list = (label: string, paths: string[]) => {
      for (const p of paths) out.push(`- ${label} ${link('log.md', p, p)}`);
    };
    list('added', e.added);
    list('changed', e.changed);
    for (const p of e.removed) out.push(`- removed ${escapeMarkdown(p)}`);
    for (const n of e.notes) out.push(`- ${escapeMarkdown(n)}`);
    out.push('');
  }
  return out.join('\n');
}
