// Structured logs: one JSON object per line on standard error. Callers pass facts as fields; a
// field named like a secret is masked, as are credentials written into a URL, so a password or
// token never reaches the log.
import { isoTime } from '../model/time.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_FIELD = /pass(word)?|secret|token|cookie|authorization|api_?key/i;
// A username and password written into a URL (`https://user:pass@host/`), in any field. A scheme
// is short: bounded, a long run of letters and dots is not searched from each of its letters.
const URL_CREDENTIALS = /(\b[a-z][a-z\d+.-]{0,31}:\/\/)[^\s/?#@]*@/gi;

const JSON_RAW_CONTROL = /[\x7f-\x9f]/g;

/**
 * JSON as a terminal may print it: DEL and the C1 controls, which JSON.stringify leaves as they
 * are (it escapes C0 only), written as \u escapes, which read back as the same characters. Log
 * lines and the commands' JSON quote what sites sent (a feed's error, its title).
 */
export function printableJson(json: string): string {
  return json.replace(JSON_RAW_CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function createLogger(
  level: string,
  write: (line: string) => void = (l) => process.stderr.write(l),
): Logger {
  const threshold = RANK[level as LogLevel] ?? RANK.info;
  const emit = (lvl: LogLevel, message: string, fields?: LogFields): void => {
    if (RANK[lvl] < threshold) return;
    const record: LogFields = { time: isoTime(Date.now()), level: lvl, msg: message };
    if (fields)
      for (const [k, v] of Object.entries(fields))
        record[k] =
          SECRET_FIELD.test(k) && v != null
            ? '********'
            : typeof v === 'string'
              ? v.replace(URL_CREDENTIALS, '$1********@')
              : v;
    write(printableJson(JSON.stringify(record)) + '\n');
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: Logger = createLogger('error', () => {});
