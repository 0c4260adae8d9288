// A skill (skills/<name>/SKILL.md) distilled from a company's or a tag's sources: front matter
// (name, description), overview, philosophy (quoted lines with their sources), principles, numbers
// to know (from the sources' operational numbers), patterns, warning signs, and the source list.
// Pure: analyses in, Markdown out.
import type { ArticleAnalysis, EntityRef, Takeaway } from './analyze.js';
import { entityPath, escapeMarkdown, frontMatter, link, sourceTitle } from './pages.js';

export interface SkillSpec {
  name: string;
  /** What the sources were chosen by: "company:cloudflare" or "tag:performance". */
  from: { kind: 'company' | 'tag'; value: string };
}

export interface SkillInput extends SkillSpec {
  analyses: ArticleAnalysis[];
  /** A short summary in Chinese, written by a language model when one is configured. */
  chineseSummary?: string;
}

const MAX_PRINCIPLES = 8;
const MAX_NUMBERS = 40;
const NUMBERS_PER_SOURCE = 12;
const LESSON =
  /\b(?:more important|lesson|always|never|should|must|matters?|the key|the goal|better than|instead of)\b/i;
const MAX_WARNINGS = 10;

export function skillPath(name: string): string {
  return `skills/${name}/SKILL.md`;
}

function subject(spec: SkillSpec, analyses: ArticleAnalysis[]): string {
  if (spec.from.kind === 'company') return analyses[0]?.company.title ?? spec.from.value;
  return `“${spec.from.value}”`;
}

/** Entities across the sources, most widely touched first. */
function themes(
  analyses: ArticleAnalysis[],
  kinds: EntityRef['kind'][],
): { e: EntityRef; sources: number }[] {
  const counts = new Map<string, { e: EntityRef; sources: number; mentions: number }>();
  for (const a of analyses)
    for (const e of a.entities) {
      if (!kinds.includes(e.kind)) continue;
      const key = `${e.kind}/${e.slug}`;
      const c = counts.get(key) ?? {
        e: { kind: e.kind, slug: e.slug, title: e.title },
        sources: 0,
        mentions: 0,
      };
      c.sources++;
      c.mentions += e.mentions;
      counts.set(key, c);
    }
  return [...counts.values()].sort(
    (a, b) => b.sources - a.sources || b.mentions - a.mentions || a.e.slug.localeCompare(b.e.slug),
  );
}

export function renderSkill(input: SkillInput): string {
  const here = skillPath(input.name);
  const analyses = [...input.analyses].sort(
    (a, b) => b.published.localeCompare(a.published) || a.url.localeCompare(b.url),
  );
  const who = subject(input, analyses);
  const concepts = themes(analyses, ['concept', 'system']).slice(0, 6);
  const patterns = themes(analyses, ['pattern']);
  const themeTitles = concepts.map((c) => c.e.title.toLowerCase());
  const dates = analyses.map((a) => a.published).sort();
  const span = dates.length ? `${dates[0]} to ${dates.at(-1)}` : 'no dates';
  const cite = (a: ArticleAnalysis) => link(here, a.source, sourceTitle(a));

  const description =
    `Engineer in the style of ${who}'s engineering writing, distilled from ${analyses.length} article(s) (${span}). ` +
    `Emphasizes ${themeTitles.slice(0, 4).join(', ') || 'what its sources measure'}` +
    `${
      patterns.length
        ? ` and ${patterns
            .slice(0, 2)
            .map((p) => p.e.title.toLowerCase())
            .join(', ')}`
        : ''
    }. ` +
    `Use when working on ${themeTitles.slice(0, 3).join(', ') || 'the same problems'}, or reviewing a design against ${who}'s published practice.`;

  const out: string[] = [
    frontMatter({
      name: input.name,
      description,
      kind: 'skill',
      title: input.name,
      sources: analyses.length,
    }),
  ];
  if (input.chineseSummary) out.push(`> ${escapeMarkdown(input.chineseSummary)}`, '');
  out.push(`# ${escapeMarkdown(`${who} engineering: ${input.name}`)}`, '');

  out.push('## Overview', '');
  out.push(
    `Distilled offline from ${analyses.length} source page(s) of ${who} (${span}). ` +
      `Recurring themes: ${concepts.map((c) => link(here, entityPath(c.e), c.e.title)).join(', ') || 'none yet'}.`,
    '',
  );
  for (const a of analyses) if (a.summary[0]) out.push(`- ${escapeMarkdown(a.summary[0])} (${cite(a)})`);
  out.push('');

  out.push('## Core philosophy', '');
  const quotes = analyses.flatMap((a) => a.quotes.map((q) => ({ q, a })));
  if (quotes.length === 0) out.push('_The sources state no lesson in so many words._');
  for (const { q, a } of quotes.slice(0, 6)) out.push(`> “${escapeMarkdown(q)}”`, `> — ${cite(a)}`, '');
  out.push('');

  out.push('## Principles', '');
  // A principle states a lesson or names the ideas it rests on; sources take turns.
  const principleScore = (t: Takeaway) =>
    (LESSON.test(t.lead) ? 2 : 0) + t.entities.filter((e) => e.kind !== 'system').length;
  const leads = analyses.flatMap((a) =>
    [...a.takeaways].sort((x, y) => principleScore(y) - principleScore(x)).map((t, i) => ({ t, a, i })),
  );
  leads.sort((x, y) => x.i - y.i);
  leads.slice(0, MAX_PRINCIPLES).forEach(({ t, a }, n) => {
    const refs = t.entities.slice(0, 3).map((e) => link(here, entityPath(e), e.title));
    out.push(`${n + 1}. **${escapeMarkdown(t.lead)}** (${[cite(a), ...refs].join(', ')})`);
  });
  out.push('');

  out.push('## Numbers to know', '');
  out.push('| Figure | What it measures | Source |', '| --- | --- | --- |');
  // From each source, the lines with the most figures that carry a unit, in the article's order.
  const withUnit = (f: string) => /[^\d\s,.+\-~<>≈≤≥/]/.test(f);
  const numbers = analyses.flatMap((a) => [
    ...a.figures
      .map((f, i) => ({ f, i, score: f.figures.filter(withUnit).length }))
      .filter((x) => x.score > 0)
      .sort((x, y) => y.score - x.score || x.i - y.i)
      .slice(0, NUMBERS_PER_SOURCE)
      .sort((x, y) => x.i - y.i)
      .map(({ f }) => ({ figure: f.figures.join(', '), context: f.context, a })),
    ...a.tables.flatMap((t) =>
      t.rows.map((r) => ({
        figure: r.slice(1).join(' · '),
        context: `${r[0] ?? ''}: ${t.header.slice(1).join(' · ')}`,
        a,
      })),
    ),
  ]);
  for (const n of numbers.slice(0, MAX_NUMBERS))
    out.push(`| ${escapeMarkdown(n.figure)} | ${escapeMarkdown(trim(n.context, 160))} | ${cite(n.a)} |`);
  out.push('');

  out.push('## Patterns', '');
  if (patterns.length === 0) out.push('_No recurring engineering move recognized yet._');
  for (const p of patterns) {
    const where = analyses.filter((a) => a.entities.some((e) => e.kind === 'pattern' && e.slug === p.e.slug));
    const evidence =
      where[0]?.entities.find((e) => e.kind === 'pattern' && e.slug === p.e.slug)?.evidence ?? '';
    out.push(
      `- ${link(here, entityPath(p.e), p.e.title)} — in ${where.length} source(s)${evidence ? `: “${escapeMarkdown(trim(evidence, 200))}”` : ''}`,
    );
  }
  out.push('');

  out.push('## Warning signs', '');
  const warnings = analyses.flatMap((a) => a.caveats.map((c) => ({ c, a }))).slice(0, MAX_WARNINGS);
  if (warnings.length === 0) out.push('_The sources state no limits._');
  for (const { c, a } of warnings) out.push(`- ${escapeMarkdown(c)} (${cite(a)})`);
  out.push('');

  out.push('## Sources', '');
  for (const a of analyses) out.push(`- ${cite(a)} (${a.published}) — <${a.url}>`);
  out.push('');
  return out.join('\n');
}

function trim(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).replace(/\s+\S*$/, '')}…`;
}
