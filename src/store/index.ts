// Opens the configured store: PostgreSQL when a database URL is set, else the embedded SQLite file.
import { GleanerError } from '../model/errors.js';
import { openSqliteStore, type SqliteOptions } from './sqlite.js';
import type { Store } from './types.js';

export { storageError } from './errors.js';
export { MAX_ENTRY_IDS } from './queries.js';
export { fetchOptionsKey } from './rows.js';

export type {
  ApiKey,
  DuePage,
  EntryQuery,
  EntryStateChange,
  EntryView,
  FeedFetchUpdate,
  FeedIcon,
  FeedMove,
  ImportedSubscription,
  SaveResult,
  SearchHit,
  SearchQuery,
  SharedTags,
  RetentionCursor,
  RetentionPolicy,
  Store,
  StoredEntryVersion,
  NewSubscription,
  SubscriptionChange,
  SubscriptionView,
  WebSubRequest,
  WebSubState,
} from './types.js';

export interface StoreConfig {
  /** Path of the SQLite file (or ':memory:'). */
  dbPath: string;
  /** postgres://… — when set, PostgreSQL is used instead of SQLite. */
  databaseUrl: string | null;
  /** MiB of database pages SQLite keeps in memory, and who checkpoints (see SqliteOptions). */
  sqlite?: SqliteOptions;
}

export function openStore(config: StoreConfig): Promise<Store> {
  if (config.databaseUrl) {
    return Promise.reject(
      new GleanerError(
        'CONFIG_INVALID',
        'PostgreSQL support is not built yet; unset DATABASE_URL to use SQLite',
      ),
    );
  }
  return Promise.resolve(openSqliteStore(config.dbPath, config.sqlite));
}
