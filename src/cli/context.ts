// What most commands need, built once from the configuration: the store, the fetcher, the log,
// and the user they act for.
import { loadConfig, type Config } from '../config/index.js';
import {
  createFetcher,
  parseNetworkPolicy,
  parseProxyUrl,
  parseTrustedCertificate,
  type Fetcher,
} from '../feed/fetch/index.js';
import { readFileSync } from 'node:fs';
import { createLogger, type Logger } from '../log/index.js';
import { compileRule } from '../ingest/rules.js';
import { GleanerError } from '../model/errors.js';
import type { PageScrape, User } from '../model/index.js';
import { pageScrapeOf, scrapeProblem } from '../feed/scrape/index.js';
import { rewriteRulesText } from '../content/rewrite.js';
import { checkIntervalProblem, DEFAULT_SCHEDULE_POLICY, type SchedulePolicy } from '../refresh/schedule.js';
import type { RefreshDeps } from '../refresh/refresh.js';
import { resanitizeStored } from '../refresh/resanitize.js';
import { idleMaintenance, retentionPolicy } from '../refresh/retention.js';
import {
  openStore,
  storageError,
  type Store,
  type SubscriptionChange,
  type SubscriptionView,
} from '../store/index.js';
import { normalizeInputUrl } from '../subscribe/index.js';
import type { SqliteOptions } from '../store/sqlite.js';
import { writeAbove } from './progress.js';

export interface Context {
  config: Config;
  store: Store;
  log: Logger;
  fetcher: Fetcher;
  close(): Promise<void>;
}

/** Flags every command accepts, for node:util parseArgs. */
export const COMMON_FLAGS = {
  db: { type: 'string' },
  user: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/**
 * A title or folder name as `--title` and `--folder` give it: on one line, without the spaces
 * around it, as an OPML import takes names, so that "Tech " is the folder "Tech"; null when that
 * leaves nothing (a title of the feed's own, no folder); undefined when the flag is not given.
 */
export function nameOfFlag(value: string | undefined): string | null | undefined {
  if (value === undefined) return undefined;
  const name = value.replace(/\s+/g, ' ').trim();
  return name === '' ? null : name;
}

/**
 * A text option as a flag of `gleaner add` or `gleaner edit` gives it: `was` (the feed's, or none)
 * when the flag is not given, none for "" (as the web form and the Miniflux API take an empty field).
 */
export function optionOfFlag(value: string | undefined, was: string | null = null): string | null {
  return value === undefined ? was : value || null;
}

/** A subscription's rules for new entries, as `gleaner add` and `gleaner edit` take them. */
export const RULE_FLAGS = {
  'block-rules': { type: 'string' },
  'keep-rules': { type: 'string' },
} as const;

/**
 * The rules RULE_FLAGS gave, trimmed (only those given; '' for none), or a USAGE error naming the
 * flag whose rule Gleaner cannot run.
 */
export function rulesOfFlags(values: {
  'block-rules'?: string;
  'keep-rules'?: string;
}): Pick<SubscriptionChange, 'blockRules' | 'keepRules'> {
  const block = values['block-rules']?.trim();
  const keep = values['keep-rules']?.trim();
  compileRule(block, 'block rule (--block-rules)');
  compileRule(keep, 'keep rule (--keep-rules)');
  return {
    ...(block !== undefined ? { blockRules: block } : {}),
    ...(keep !== undefined ? { keepRules: keep } : {}),
  };
}

/** A web page read as a feed (FetchOptions.scrape), as `gleaner add` and `gleaner edit` take it. */
export const SCRAPE_FLAGS = {
  'scrape-items': { type: 'string' },
  'scrape-title': { type: 'string' },
  'scrape-link': { type: 'string' },
  'scrape-content': { type: 'string' },
  'scrape-date': { type: 'string' },
  'scrape-author': { type: 'string' },
  'scrape-categories': { type: 'string' },
} as const;

type ScrapeFlags = { [K in keyof typeof SCRAPE_FLAGS]?: string };

/**
 * The page reading SCRAPE_FLAGS give, over `current` (the feed's, for gleaner edit): undefined when
 * none is given, null for `--scrape-items ""` (a feed again). A USAGE error for a field given
 * without the entries' selector, or a selector Gleaner cannot use.
 */
export function scrapeOfFlags(
  values: ScrapeFlags,
  current: PageScrape | null = null,
): PageScrape | null | undefined {
  if ((Object.keys(SCRAPE_FLAGS) as (keyof ScrapeFlags)[]).every((flag) => values[flag] === undefined))
    return undefined;
  if (values['scrape-items']?.trim() === '') return null;
  const scrape = pageScrapeOf({
    items: values['scrape-items'] ?? current?.items,
    title: values['scrape-title'] ?? current?.title,
    link: values['scrape-link'] ?? current?.link,
    content: values['scrape-content'] ?? current?.content,
    date: values['scrape-date'] ?? current?.date,
    author: values['scrape-author'] ?? current?.author,
    categories: values['scrape-categories'] ?? current?.categories,
  });
  if (scrape === null)
    throw new GleanerError(
      'USAGE',
      '--scrape-items says where the entries are on the page: give it with the other --scrape-… flags',
    );
  const problem = scrapeProblem(scrape);
  if (problem !== null) throw new GleanerError('USAGE', problem);
  return scrape;
}

/** The rewrite rules `--rewrite-rules` gives, as Gleaner writes them; null for "" (none). */
export function rewriteRulesOf(text: string): string | null {
  try {
    return rewriteRulesText(text);
  } catch (error) {
    throw new GleanerError('USAGE', `--rewrite-rules: ${(error as Error).message}`);
  }
}

/** The minutes `--check-every` gives ("90", "30m", "6h", "1d"), or null for "default" (or ""). */
export function checkEveryOf(text: string): number | null {
  const value = text.trim().toLowerCase();
  if (value === '' || value === 'default') return null;
  const match = /^(\d{1,6})\s*(m|min|h|d)?$/.exec(value);
  const unit = match?.[2] === 'h' ? 60 : match?.[2] === 'd' ? 1440 : 1;
  const minutes = match ? Number(match[1]) * unit : NaN;
  const problem = checkIntervalProblem(minutes);
  if (problem !== null)
    throw new GleanerError('USAGE', `--check-every ${JSON.stringify(text)}: ${problem}; e.g. 30m, 6h, 1d`);
  return minutes;
}

/** The certificate in the PEM file `--trust-certificate` names, or null for "" (none). */
export function trustedCertificateOf(file: string): string | null {
  if (file.trim() === '') return null;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new GleanerError('USAGE', `--trust-certificate ${file}: cannot read it (${code})`);
  }
  try {
    return parseTrustedCertificate(text).pem;
  } catch (error) {
    throw new GleanerError('USAGE', `--trust-certificate ${file}: ${(error as Error).message}`);
  }
}

/** `sqlite`: options for the SQLite store, or a function giving them from the configuration. */
export async function openContext(
  flags: Record<string, string | boolean | undefined>,
  sqlite: SqliteOptions | ((config: Config) => SqliteOptions) = {},
): Promise<Context> {
  const stringFlags: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(flags)) if (typeof v === 'string') stringFlags[k] = v;
  const config = loadConfig(process.env, stringFlags);
  // Above a command's progress bar, not onto its end.
  const log = createLogger(config.logLevel, (line) => writeAbove(process.stderr, line));
  // Made before the store is opened: a setting it refuses must not leave an open store (and its
  // checkpoint thread) keeping the process alive after the error.
  const fetcher = createFetcher({
    policy: parseNetworkPolicy(config.allowPrivateNetworks ?? undefined),
    proxy: config.fetchProxy === null ? null : parseProxyUrl(config.fetchProxy),
    feedProxy: config.feedProxy === null ? null : parseProxyUrl(config.feedProxy, 'GLEANER_FEED_PROXY'),
    userAgent: config.userAgent,
    maxBodyBytes: config.maxFeedBytes,
    perHostConnections: config.perHost,
    timeouts: {
      connectMs: config.fetchTimeoutSeconds * 1000,
      headersMs: config.fetchTimeoutSeconds * 1000,
      bodyMs: config.fetchTimeoutSeconds * 2000,
    },
  });
  let store: Store;
  try {
    store = await openStore({
      dbPath: config.dbPath,
      databaseUrl: config.databaseUrl,
      sqlite: {
        maxMiB: config.dbMaxMiB,
        onCheckpointError: (error) => log.warn('WAL checkpoint failed', { error }),
        onMigration: (version, of) => log.info('upgrading the database', { migration: version, of }),
        ...(typeof sqlite === 'function' ? sqlite(config) : sqlite),
      },
    });
  } catch (error) {
    await fetcher.close();
    throw error;
  }
  return {
    config,
    store,
    log,
    fetcher,
    async close() {
      await fetcher.close();
      await store.close();
    },
  };
}

export function schedulePolicy(config: Config): SchedulePolicy {
  return {
    ...DEFAULT_SCHEDULE_POLICY,
    minIntervalMs: config.minIntervalMinutes * 60_000,
    maxIntervalMs: Math.max(config.minIntervalMinutes, config.maxIntervalMinutes) * 60_000,
  };
}

export function refreshDeps(ctx: Context): RefreshDeps {
  const { maxPerFeed } = ctx.config;
  return {
    ...(maxPerFeed > 0 ? { maxEntriesPerFeed: maxPerFeed } : {}),
    store: ctx.store,
    fetcher: ctx.fetcher,
    clock: Date.now,
    random: Math.random,
    log: ctx.log,
    policy: schedulePolicy(ctx.config),
    maxFeedBytes: ctx.config.maxFeedBytes,
  };
}

/** What the refresh loop says when a pass fails as a whole: the error, and when it tries again. */
export function passFailed(ctx: Context): (error: unknown, retryInMs: number) => void {
  return (error, retryInMs) => {
    const err = storageError(error);
    ctx.log.error('refresh pass failed; trying again', {
      error: err instanceof Error ? err.message : String(err),
      retryInSeconds: Math.round(retryInMs / 1000),
    });
  };
}

/**
 * The refresh loop's idle work: stored bodies sanitized again after a change of the sanitizer
 * (resanitizeStored) first, then old entries removed and the search index merged (idleMaintenance).
 */
export function maintenance(ctx: Context): () => Promise<boolean> {
  const { keepReadDays, keepUnreadDays, keepPerFeed, maxPerFeed } = ctx.config;
  // Said once at start, so that no one learns of it from entries gone missing.
  ctx.log.info('old entries are removed (0: kept for good)', {
    keepReadDays,
    keepUnreadDays,
    keepPerFeed,
    maxPerFeed,
  });
  const resanitize = resanitizeStored(ctx.store, Date.now, (rewritten) => {
    if (rewritten > 0) ctx.log.info('stored bodies the sanitizer now changes rewritten', { rewritten });
  });
  const retention = idleMaintenance(ctx.store, Date.now, retentionPolicy(ctx.config), (removed) =>
    ctx.log.info('old entries removed', { pastFeedLimit: removed.trim, byAge: removed.age }),
  );
  return async () => (await resanitize()) || (await retention());
}

/** What the idle work says when a step fails (it is tried again later). */
export function maintenanceFailed(ctx: Context): (error: unknown) => void {
  return (error) =>
    ctx.log.error('sanitizing stored bodies again, removing old entries or merging the search index failed', {
      error: String(storageError(error)),
    });
}

/**
 * The user a command acts for: `--user NAME`, else the only user. Before any user exists, a local
 * user "admin" is created (the web reader asks for its password on first start).
 */
export async function resolveUser(store: Store, name: string | undefined): Promise<User> {
  if (name) {
    const user = await store.findUserByName(name);
    if (!user) throw new GleanerError('NOT_FOUND', `no user named "${name}"; see gleaner user list`);
    return user;
  }
  const users = await store.listUsers();
  if (users.length === 1 && users[0]) return users[0];
  if (users.length === 0) return store.createUser('admin', { isAdmin: true }, Date.now());
  throw new GleanerError('USAGE', `there are ${users.length} users; say which with --user NAME`);
}

/**
 * Of a user's subscriptions, the one to a feed given by the id `gleaner feeds` shows or its URL, as
 * stored or as typed to `gleaner add` ("blog.example.com/feed").
 */
export function findSubscription(subs: readonly SubscriptionView[], target: string): SubscriptionView {
  let typed: string | null = null;
  try {
    typed = normalizeInputUrl(target);
  } catch {
    // Not a URL: an id, or nothing the user follows.
  }
  const match = subs.find(
    (s) => String(s.feed.id) === target || s.feed.url === target || s.feed.url === typed,
  );
  if (!match) throw new GleanerError('NOT_FOUND', `you are not subscribed to ${target}; see gleaner feeds`);
  return match;
}
