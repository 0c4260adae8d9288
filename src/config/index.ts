// Every option in one table: environment variable, type, default, documentation, and whether it is
// secret. Parsed once at start-up (environment, then command-line flags), then passed down as plain
// values. `gleaner config` prints the effective values with secrets masked.
import { GleanerError } from '../model/errors.js';

type Kind = 'string' | 'int' | 'bool';

interface OptionSpec<K extends Kind> {
  env: string;
  /** The command-line flag that overrides the variable, if any. */
  flag?: string;
  kind: K;
  default: K extends 'int' ? number : K extends 'bool' ? boolean : string | null;
  doc: string;
  secret?: boolean;
  min?: number;
  max?: number;
}

const spec = <K extends Kind>(s: OptionSpec<K>): OptionSpec<K> => s;

export const OPTIONS: Record<keyof Config, OptionSpec<Kind>> = {
  dbPath: spec({
    env: 'GLEANER_DB',
    flag: 'db',
    kind: 'string',
    default: './data/gleaner.db',
    doc: 'SQLite database file',
  }),
  dbMaxMiB: spec({
    env: 'GLEANER_DB_MAX_MB',
    kind: 'int',
    default: 0,
    min: 0,
    doc: 'MiB the SQLite file may grow to (0: as much as the disk holds); past it, writes wait as on a full disk',
  }),
  databaseUrl: spec({
    env: 'DATABASE_URL',
    kind: 'string',
    default: null,
    doc: 'PostgreSQL URL (postgres://user:pass@host/db); when set, used instead of SQLite',
    secret: true,
  }),
  allowPrivateNetworks: spec({
    env: 'GLEANER_ALLOW_PRIVATE_NETWORKS',
    kind: 'string',
    default: null,
    doc: '1 to let feeds be fetched from private, loopback and link-local addresses, or a comma list of CIDRs to allow',
  }),
  fetchProxy: spec({
    env: 'GLEANER_FETCH_PROXY',
    kind: 'string',
    default: null,
    doc: 'proxy every fetch goes through: http://[user:password@]host:port or https://…',
    secret: true,
  }),
  feedProxy: spec({
    env: 'GLEANER_FEED_PROXY',
    kind: 'string',
    default: null,
    doc: 'proxy for the feeds whose options say "fetch via proxy" (Tor\'s HTTPTunnelPort, say); they fail while it is unset',
    secret: true,
  }),
  userAgent: spec({
    env: 'GLEANER_USER_AGENT',
    kind: 'string',
    default: 'Gleaner/0.1 (self-hosted feed reader)',
    doc: 'User-Agent sent with every fetch (a subscription may override it)',
  }),
  fetchTimeoutSeconds: spec({
    env: 'GLEANER_FETCH_TIMEOUT',
    kind: 'int',
    default: 30,
    min: 1,
    doc: 'seconds a fetch may take to connect and answer (the body gets twice that)',
  }),
  maxFeedBytes: spec({
    env: 'GLEANER_MAX_FEED_BYTES',
    kind: 'int',
    default: 16 * 1024 * 1024,
    min: 1024,
    doc: 'largest feed document accepted, after decompression',
  }),
  concurrency: spec({
    env: 'GLEANER_REFRESH_CONCURRENCY',
    flag: 'concurrency',
    kind: 'int',
    default: 16,
    min: 1,
    doc: 'feeds fetched at once',
  }),
  perHost: spec({
    env: 'GLEANER_REFRESH_PER_HOST',
    flag: 'per-host',
    kind: 'int',
    default: 2,
    min: 1,
    doc: 'feeds fetched at once from one host',
  }),
  minIntervalMinutes: spec({
    env: 'GLEANER_MIN_INTERVAL',
    kind: 'int',
    default: 15,
    min: 1,
    doc: 'shortest time between two checks of a feed, in minutes',
  }),
  maxIntervalMinutes: spec({
    env: 'GLEANER_MAX_INTERVAL',
    kind: 'int',
    default: 24 * 60,
    min: 1,
    doc: 'longest time between two checks of a feed (and the longest backoff), in minutes',
  }),
  keepReadDays: spec({
    env: 'GLEANER_KEEP_READ_DAYS',
    kind: 'int',
    default: 0,
    min: 0,
    max: 100_000,
    doc: 'days a read entry is kept after it was read (0, the default: for good, since what was read feeds the wiki and skills); starred, read-later and labelled entries are always kept',
  }),
  keepUnreadDays: spec({
    env: 'GLEANER_KEEP_UNREAD_DAYS',
    kind: 'int',
    default: 180,
    min: 0,
    max: 100_000,
    doc: 'days an unread entry is kept after it arrived (0: for good)',
  }),
  keepPerFeed: spec({
    env: 'GLEANER_KEEP_PER_FEED',
    kind: 'int',
    default: 50,
    min: 0,
    max: 1_000_000_000,
    doc: "newest entries of each feed kept whatever their age, so that a quiet feed's page is never empty",
  }),
  maxPerFeed: spec({
    env: 'GLEANER_MAX_PER_FEED',
    kind: 'int',
    default: 10_000,
    min: 0,
    max: 1_000_000_000,
    doc: 'most entries a feed keeps, read or not: the oldest past it go, but for starred, read-later and labelled ones (0: no limit)',
  }),
  host: spec({
    env: 'GLEANER_HOST',
    flag: 'host',
    kind: 'string',
    default: '127.0.0.1',
    doc: 'address the web reader listens on (0.0.0.0 for every interface)',
  }),
  port: spec({
    env: 'GLEANER_PORT',
    flag: 'port',
    kind: 'int',
    default: 8080,
    min: 0,
    max: 65535,
    doc: 'port the web reader listens on (0 picks a free one)',
  }),
  baseUrl: spec({
    env: 'GLEANER_BASE_URL',
    flag: 'base-url',
    kind: 'string',
    default: null,
    doc: 'public address of the reader behind a proxy (https://… makes cookies Secure)',
  }),
  cacheMiB: spec({
    env: 'GLEANER_CACHE_MB',
    kind: 'int',
    default: 0,
    min: 0,
    max: 1 << 20,
    doc: "MiB of database pages (and, an eighth, of entries ready for the client APIs) `gleaner serve` keeps in memory, shared by its processes (0: 1/16 of the machine's memory or the container's limit, from 64 MiB to 1 GiB)",
  }),
  workers: spec({
    env: 'GLEANER_WORKERS',
    flag: 'workers',
    kind: 'int',
    default: 1,
    min: 1,
    max: 256,
    doc: 'processes `gleaner serve` answers requests with (1 = a single process; try the number of cores)',
  }),
  proxyImages: spec({
    env: 'GLEANER_PROXY_IMAGES',
    kind: 'bool',
    default: false,
    doc: "load feed images through Gleaner, so publishers do not see readers' addresses",
  }),
  webSub: spec({
    env: 'GLEANER_WEBSUB',
    kind: 'bool',
    default: true,
    doc: 'subscribe to the WebSub hubs feeds name, so that their new entries arrive as they are published (`gleaner serve` with GLEANER_BASE_URL, which the hubs must reach)',
  }),
  refreshInServer: spec({
    env: 'GLEANER_SERVE_REFRESH',
    kind: 'bool',
    default: true,
    doc: 'whether `gleaner serve` also refreshes feeds as they fall due',
  }),
  wikiDir: spec({
    env: 'GLEANER_WIKI_DIR',
    flag: 'wiki-dir',
    kind: 'string',
    default: './data/wiki',
    doc: 'folder the knowledge wiki is built into (opens as an Obsidian vault) and served from',
  }),
  llmUrl: spec({
    env: 'GLEANER_LLM_URL',
    kind: 'string',
    default: null,
    doc: 'OpenAI-compatible API base (e.g. http://127.0.0.1:11434/v1); unset keeps the wiki fully offline',
  }),
  llmModel: spec({
    env: 'GLEANER_LLM_MODEL',
    kind: 'string',
    default: null,
    doc: 'model name sent to the language model endpoint',
  }),
  llmApiKey: spec({
    env: 'GLEANER_LLM_API_KEY',
    kind: 'string',
    default: null,
    doc: 'bearer key for the language model endpoint, if it needs one',
    secret: true,
  }),
  logLevel: spec({
    env: 'GLEANER_LOG_LEVEL',
    kind: 'string',
    default: 'info',
    doc: 'debug, info, warn or error',
  }),
};

/** The effective configuration: one field per option above. */
export interface Config {
  dbPath: string;
  dbMaxMiB: number;
  databaseUrl: string | null;
  allowPrivateNetworks: string | null;
  fetchProxy: string | null;
  feedProxy: string | null;
  userAgent: string;
  fetchTimeoutSeconds: number;
  maxFeedBytes: number;
  concurrency: number;
  perHost: number;
  minIntervalMinutes: number;
  maxIntervalMinutes: number;
  keepReadDays: number;
  keepUnreadDays: number;
  keepPerFeed: number;
  maxPerFeed: number;
  host: string;
  port: number;
  baseUrl: string | null;
  cacheMiB: number;
  workers: number;
  proxyImages: boolean;
  webSub: boolean;
  refreshInServer: boolean;
  wikiDir: string;
  llmUrl: string | null;
  llmModel: string | null;
  llmApiKey: string | null;
  logLevel: string;
}

function parseValue(name: string, s: OptionSpec<Kind>, raw: string): unknown {
  switch (s.kind) {
    case 'int': {
      const n = Number(raw);
      if (!Number.isInteger(n) || (s.min !== undefined && n < s.min) || (s.max !== undefined && n > s.max)) {
        const range =
          s.max !== undefined
            ? ` from ${s.min ?? 0} to ${s.max}`
            : s.min !== undefined
              ? ` of at least ${s.min}`
              : '';
        throw new GleanerError(
          'CONFIG_INVALID',
          `${name}=${JSON.stringify(raw)} is not a whole number${range}`,
        );
      }
      return n;
    }
    case 'bool':
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off|)$/i.test(raw)) return false;
      throw new GleanerError(
        'CONFIG_INVALID',
        `${name}=${JSON.stringify(raw)} is not 1/0, true/false or yes/no`,
      );
    default:
      return raw;
  }
}

/** Reads the configuration from the environment, then from flags (`--db`, `--concurrency`…), which win. */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  flags: Record<string, string | undefined> = {},
): Config {
  const config: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(OPTIONS)) {
    const fromFlag = s.flag ? flags[s.flag] : undefined;
    const raw = fromFlag ?? env[s.env];
    const name = fromFlag !== undefined ? `--${s.flag}` : s.env;
    config[key] = raw === undefined || raw === '' ? s.default : parseValue(name, s, raw);
  }
  return config as unknown as Config;
}

/** The effective configuration as lines `NAME=value  # doc`, secrets masked. */
export function describeConfig(config: Config): string[] {
  return (Object.entries(OPTIONS) as [keyof Config, OptionSpec<Kind>][]).map(([key, s]) => {
    const value = config[key];
    const shown = value === null ? '' : s.secret ? '********' : String(value);
    return `${s.env}=${shown}  # ${s.doc}`;
  });
}
