// The optional language model: any OpenAI-compatible chat completions endpoint (Ollama, vLLM,
// llama.cpp server, hosted APIs). The reply is asked for as JSON matching a schema, validated here,
// and checked against the article: every figure must appear in it and every quote word for word,
// or it is dropped and the page says so. Replies are cached by (prompt version, model, article
// hash). Requests are bounded in number at once, time and tokens; any failure gives the offline
// page, which says why.
import { join } from 'node:path';
import type { Config } from '../config/index.js';
import type { Logger } from '../log/index.js';
import { readArticle } from './document.js';
import { sha1, type ArticleAnalysis, type ArticleInput, type Takeaway } from './analyze.js';
import type { Enricher } from './build.js';
import { readText, writeAtomic } from './wiki.js';

export const PROMPT_VERSION = 1;

export interface LlmOptions {
  /** The API base, e.g. http://127.0.0.1:11434/v1 */
  url: string;
  model: string;
  apiKey: string | null;
  /** Where replies are cached: the wiki folder. */
  dir: string;
  timeoutMs?: number;
  concurrency?: number;
  /** Estimated tokens (prompt + reply) one build may spend; past it, pages are written offline. */
  tokenBudget?: number;
  maxReplyTokens?: number;
  /** Characters of article text sent at most. */
  maxInputChars?: number;
  log?: Logger;
}

interface SourceReply {
  summary: string;
  takeaways: { lead: string; evidence: string }[];
  figures: { figure: string; measures: string }[];
  caveats: string[];
  quotes: string[];
}

export const SOURCE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['summary', 'takeaways', 'figures', 'caveats', 'quotes'],
  properties: {
    summary: { type: 'string' },
    takeaways: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['lead', 'evidence'],
        properties: { lead: { type: 'string' }, evidence: { type: 'string' } },
      },
    },
    figures: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['figure', 'measures'],
        properties: { figure: { type: 'string' }, measures: { type: 'string' } },
      },
    },
    caveats: { type: 'array', items: { type: 'string' } },
    quotes: { type: 'array', items: { type: 'string' } },
  },
} as const;

const SUMMARY_ZH_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['summary_zh'],
  properties: { summary_zh: { type: 'string' } },
} as const;

const SOURCE_PROMPT =
  'You distill one engineering article into a wiki source page. Reply with JSON only, matching the schema: ' +
  'summary (3-5 sentences); takeaways (4-8, each a one-sentence lead and its evidence from the article); ' +
  'figures (every number the article states, as written, with what it measures); caveats (limits and conditions ' +
  'the article states or implies); quotes (1-3 sentences copied word for word from the article). Never invent numbers.';

const SUMMARY_ZH_PROMPT =
  'Summarize this engineering skill document in Chinese in two or three sentences: what it is for and when to use it. ' +
  'Reply with JSON only: {"summary_zh": "..."}.';

class ModelError extends Error {}

/** A check of a reply against SOURCE_SCHEMA: the shape, with sane lengths. */
export function validateSourceReply(value: unknown): SourceReply {
  const fail = (what: string): never => {
    throw new ModelError(`the reply does not match the schema (${what})`);
  };
  const str = (v: unknown, what: string, max = 2000): string =>
    typeof v === 'string' && v.trim() && v.length <= max ? v.trim() : fail(what);
  const arr = (v: unknown, what: string, max = 60): unknown[] =>
    Array.isArray(v) && v.length <= max ? v : fail(what);
  const obj = (v: unknown, what: string): Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : fail(what);
  const o = obj(value, 'not an object');
  return {
    summary: str(o.summary, 'summary', 4000),
    takeaways: arr(o.takeaways, 'takeaways', 12).map((t) => {
      const x = obj(t, 'takeaway');
      return {
        lead: str(x.lead, 'takeaway lead'),
        evidence: typeof x.evidence === 'string' ? x.evidence.trim() : '',
      };
    }),
    figures: arr(o.figures, 'figures', 200).map((f) => {
      const x = obj(f, 'figure');
      return {
        figure: str(x.figure, 'figure', 200),
        measures: str(x.measures, 'what a figure measures', 500),
      };
    }),
    caveats: arr(o.caveats, 'caveats', 12).map((c) => str(c, 'caveat')),
    quotes: arr(o.quotes, 'quotes', 6).map((q) => str(q, 'quote')),
  };
}

function articleText(html: string): string {
  return readArticle(html)
    .blocks.map((b) => b.text)
    .join('\n');
}

function normalized(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[‘’]/g, "'")
    .replace(/[“”]/g, '"')
    .replace(/(\d),(?=\d{3})/g, '$1')
    .replace(/\s+/g, ' ')
    .toLowerCase();
}

/** The numbers in a figure ("3.65 µs → 1.53 µs" → 3.65, 1.53), thousands separators removed. */
function numbersIn(text: string): string[] {
  return [...normalized(text).matchAll(/\d+(?:\.\d+)?/g)].map((m) => m[0]);
}

/** True when every number of `claim` is stated in the article. */
export function figureIsGrounded(claim: string, source: string): boolean {
  const nums = numbersIn(claim);
  if (nums.length === 0) return true;
  const stated = new Set(numbersIn(source));
  return nums.every((n) => stated.has(n));
}

/** The model's reply merged into the offline analysis: offline figures stay, grounded ones join them. */
export function mergeReply(
  offline: ArticleAnalysis,
  reply: SourceReply,
  source: string,
  model: string,
): ArticleAnalysis {
  const dropped: string[] = [];
  const text = normalized(source);
  const grounded = (claim: string, label: string): boolean => {
    if (figureIsGrounded(claim, source)) return true;
    dropped.push(`${label} “${claim}”`);
    return false;
  };
  const entitiesIn = (t: string): Takeaway['entities'] =>
    offline.entities
      .filter((e) => e.kind !== 'company' && normalized(t).includes(e.title.toLowerCase()))
      .slice(0, 5)
      .map((e) => ({ kind: e.kind, slug: e.slug, title: e.title }));
  const takeaways = reply.takeaways
    .filter((t) => grounded(`${t.lead} ${t.evidence}`, 'takeaway'))
    .map((t) => ({
      lead: t.lead,
      evidence: t.evidence ? [t.evidence] : [],
      entities: entitiesIn(`${t.lead} ${t.evidence}`),
    }));
  const known = new Set(offline.figures.flatMap((f) => f.figures));
  const figures = [...offline.figures];
  for (const f of reply.figures) {
    if (!grounded(f.figure, 'figure') || known.has(f.figure)) continue;
    figures.push({ figures: [f.figure], context: f.measures, section: '' });
  }
  const quotes = reply.quotes.filter((q) => {
    const ok = text.includes(normalized(q).replace(/^"|"$/g, ''));
    if (!ok) dropped.push(`quote “${q}”`);
    return ok;
  });
  const summaryOk = grounded(reply.summary, 'summary');
  return {
    ...offline,
    summary: summaryOk ? [reply.summary] : offline.summary,
    takeaways: takeaways.length > 0 ? takeaways : offline.takeaways,
    figures,
    caveats: reply.caveats.filter((c) => grounded(c, 'caveat')),
    quotes: quotes.length > 0 ? quotes : offline.quotes,
    model: { name: model, dropped },
  };
}

export interface LlmClient {
  enrich: Enricher;
  summarizeChinese(text: string): Promise<string | null>;
  /** Estimated tokens spent so far. */
  spent(): number;
}

export function createLlmClient(options: LlmOptions): LlmClient {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const concurrency = Math.max(1, options.concurrency ?? 2);
  const budget = options.tokenBudget ?? 2_000_000;
  const maxReply = options.maxReplyTokens ?? 2048;
  const maxInput = options.maxInputChars ?? 24_000;
  const endpoint = `${options.url.replace(/\/+$/, '')}/chat/completions`;
  let spent = 0;
  let running = 0;
  const waiting: (() => void)[] = [];

  async function slot<T>(fn: () => Promise<T>): Promise<T> {
    if (running >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await fn();
    } finally {
      running--;
      waiting.shift()?.();
    }
  }

  async function complete(system: string, user: string, name: string, schema: object): Promise<unknown> {
    const estimate = Math.ceil((system.length + user.length) / 4) + maxReply;
    if (spent + estimate > budget) throw new ModelError('the token budget of this build is spent');
    spent += estimate;
    return slot(async () => {
      let response: Response;
      try {
        response = await fetch(endpoint, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
          },
          body: JSON.stringify({
            model: options.model,
            temperature: 0,
            max_tokens: maxReply,
            messages: [
              { role: 'system', content: system },
              { role: 'user', content: user },
            ],
            response_format: { type: 'json_schema', json_schema: { name, strict: true, schema } },
          }),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
        throw new ModelError(
          timedOut ? `no answer within ${timeoutMs / 1000}s` : `the endpoint could not be reached`,
        );
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new ModelError(`the endpoint answered HTTP ${response.status}`);
      }
      let body: unknown;
      try {
        body = await response.json();
      } catch {
        throw new ModelError('the endpoint answered something other than JSON');
      }
      const content = (body as { choices?: { message?: { content?: unknown } }[] }).choices?.[0]?.message
        ?.content;
      if (typeof content !== 'string') throw new ModelError('the reply has no message content');
      try {
        return JSON.parse(content.replace(/^```(?:json)?\s*|\s*```$/g, '')) as unknown;
      } catch {
        throw new ModelError('the reply is not JSON');
      }
    });
  }

  const cachePath = (kind: string, inputHash: string) =>
    join(
      options.dir,
      '.gleaner',
      'llm',
      `${sha1(`${PROMPT_VERSION}\u0000${options.model}\u0000${kind}\u0000${inputHash}`)}.json`,
    );

  async function cached<T>(kind: string, inputHash: string, produce: () => Promise<T>): Promise<T> {
    const path = cachePath(kind, inputHash);
    const hit = readText(path);
    if (hit !== null) return JSON.parse(hit) as T;
    const value = await produce();
    writeAtomic(path, JSON.stringify(value) + '\n');
    return value;
  }

  return {
    spent: () => spent,
    async enrich(input: ArticleInput, offline: ArticleAnalysis): Promise<ArticleAnalysis> {
      const source = articleText(input.contentHtml);
      try {
        const reply = await cached('source', offline.hash, async () => {
          const user = `Title: ${input.title}\nPublisher: ${input.feedTitle}\nURL: ${input.url}\n\n${source.slice(0, maxInput)}`;
          return validateSourceReply(await complete(SOURCE_PROMPT, user, 'source_page', SOURCE_SCHEMA));
        });
        return mergeReply(offline, validateSourceReply(reply), source, options.model);
      } catch (err) {
        if (!(err instanceof ModelError)) throw err;
        options.log?.warn('language model not used for a page; writing it offline', {
          url: input.url,
          reason: err.message,
        });
        return { ...offline, fallback: err.message };
      }
    },
    async summarizeChinese(text: string): Promise<string | null> {
      try {
        const reply = await cached('summary_zh', sha1(text), async () => {
          const value = (await complete(
            SUMMARY_ZH_PROMPT,
            text.slice(0, maxInput),
            'summary_zh',
            SUMMARY_ZH_SCHEMA,
          )) as {
            summary_zh?: unknown;
          };
          if (typeof value.summary_zh !== 'string' || !/[\u4e00-\u9fff]/.test(value.summary_zh))
            throw new ModelError('the reply is not a Chinese summary');
          return value.summary_zh.trim().slice(0, 600);
        });
        return reply;
      } catch (err) {
        if (!(err instanceof ModelError)) throw err;
        options.log?.warn('no Chinese summary for the skill', { reason: err.message });
        return null;
      }
    },
  };
}

function clientFromConfig(config: Config, dir: string, log: Logger): LlmClient | null {
  if (!config.llmUrl || !config.llmModel) return null;
  return createLlmClient({ url: config.llmUrl, model: config.llmModel, apiKey: config.llmApiKey, dir, log });
}

/** The page enricher when a model is configured (GLEANER_LLM_URL and GLEANER_LLM_MODEL), else none. */
export function enricherFromConfig(config: Config, dir: string, log: Logger): Enricher | undefined {
  return clientFromConfig(config, dir, log)?.enrich;
}

export function summarizerFromConfig(
  config: Config,
  dir: string,
  log: Logger,
): ((text: string) => Promise<string | null>) | undefined {
  const client = clientFromConfig(config, dir, log);
  return client ? (text) => client.summarizeChinese(text) : undefined;
}
