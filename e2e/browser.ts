// Browser end-to-end helpers: the system's Chromium driven through playwright-core (which downloads no
// browser of its own). `npm test` installs Chromium first when it can (scripts/system-deps.sh); where it
// could not, tests skip with `{ skip: browserSkipReason() }` instead of failing.
//
// Timeouts are generous on purpose: test machines may be small and busy. Tests wait for states (text,
// selectors, events), never for durations, and never assert on how long something took.
import { accessSync, constants, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  chromium,
  type Browser,
  type BrowserContextOptions,
  type LaunchOptions,
  type Page,
} from 'playwright-core';

/** Where Debian's chromium package puts the browser. */
export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/** Default for every action and wait on pages from `newPage` (click, fill, waitForSelector, expect-like polls). */
export const ACTION_TIMEOUT_MS = 60_000;
/** Default for `goto`, `reload`, `waitForURL` and friends on pages from `newPage`. */
export const NAVIGATION_TIMEOUT_MS = 90_000;
/** How long `launchBrowser` waits for the browser to come up. */
export const LAUNCH_TIMEOUT_MS = 180_000;

/** Screenshots land here (ignored by git). */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../test-artifacts/screenshots/', import.meta.url));

/**
 * Flags for running in a container as root: Chromium refuses to start as root with its sandbox, and a
 * container's small /dev/shm (64 MB by default) makes it crash under load.
 */
export const CHROMIUM_ARGS: readonly string[] = ['--no-sandbox', '--disable-dev-shm-usage'];

/** The browser executable: `GLEANER_CHROMIUM` when set, otherwise Debian's. */
export function chromiumPath(): string {
  const override = process.env.GLEANER_CHROMIUM;
  return override !== undefined && override !== '' ? override : DEFAULT_CHROMIUM_PATH;
}

/** Why browser tests cannot run here, or `false` when they can. Pass it as node:test's `skip`. */
export function browserSkipReason(): string | false {
  const path = chromiumPath();
  try {
    accessSync(path, constants.X_OK);
    return false;
  } catch {
    const hint =
      process.env.GLEANER_CHROMIUM !== undefined && process.env.GLEANER_CHROMIUM !== ''
        ? 'GLEANER_CHROMIUM points at a missing or non-executable file'
        : 'install the chromium package (apt-get install chromium) or set GLEANER_CHROMIUM';
    return `no browser at ${path}: ${hint}`;
  }
}

/** Whether a Chromium executable is present (it may still fail to launch; `launchBrowser` says why). */
export function browserAvailable(): boolean {
  return browserSkipReason() === false;
}

/** Launches headless Chromium. Extra `args` are appended to `CHROMIUM_ARGS`. Close it in `after`. */
export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  const reason = browserSkipReason();
  if (reason !== false) throw new Error(`cannot launch the browser: ${reason}`);
  return chromium.launch({
    timeout: LAUNCH_TIMEOUT_MS,
    ...options,
    executablePath: options.executablePath ?? chromiumPath(),
    headless: options.headless ?? true,
    args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
  });
}

/** A page in a fresh context (its own cookies and storage) with the generous default timeouts. */
export async function newPage(browser: Browser, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
  return context.newPage();
}

/**
 * Saves a full-page PNG as `SCREENSHOT_DIR/<name>.png` (characters other than letters, digits, `.`, `_`
 * and `-` become `-`) and returns its path.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  const safe = name.replace(/\.png$/i, '').replace(/[^A-Za-z0-9._-]+/g, '-') || 'screenshot';
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${safe}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** What went wrong on a page since `collectPageProblems` started watching it. Arrays fill as it happens. */
export interface PageProblems {
  /** `console.error` calls and browser-reported errors, e.g. CSP violations: `message (url:line)`. */
  readonly consoleErrors: string[];
  /** Uncaught exceptions and unhandled rejections in the page. */
  readonly pageErrors: string[];
  /** Requests that got no response (refused, aborted, blocked): `METHOD url: reason`. */
  readonly failedRequests: string[];
  /** Responses with status 400 or above: `status METHOD url`. */
  readonly httpErrors: string[];
  /** Everything above, one line each, for `assert.deepEqual(problems.all(), [])`. */
  all(): string[];
}

/** Starts recording console errors, page exceptions, failed requests and HTTP errors on `page`. */
export function collectPageProblems(page: Page): PageProblems {
  const problems: PageProblems = {
    consoleErrors: [],
    pageErrors: [],
    failedRequests: [],
    httpErrors: [],
    all() {
      return [
        ...this.consoleErrors.map((m) => `console: ${m}`),
        ...this.pageErrors.map((m) => `exception: ${m}`),
        ...this.failedRequests.map((m) => `request failed: ${m}`),
        ...this.httpErrors.map((m) => `http: ${m}`),
      ];
    },
  };
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const { url, lineNumber } = message.location();
    problems.consoleErrors.push(url ? `${message.text()} (${url}:${lineNumber})` : message.text());
  });
  page.on('pageerror', (error) => {
    problems.pageErrors.push(error.stack ?? error.message);
  });
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText ?? 'unknown error';
    // What a page was still loading when a click took the browser elsewhere is cancelled, not
    // failed (blocked requests say ERR_BLOCKED_BY_…, refused ones ERR_CONNECTION_…).
    if (reason === 'net::ERR_ABORTED') return;
    problems.failedRequests.push(`${request.method()} ${request.url()}: ${reason}`);
  });
  page.on('response', (response) => {
    if (response.status() < 400) return;
    problems.httpErrors.push(`${response.status()} ${response.request().method()} ${response.url()}`);
  });
  return problems;
}
