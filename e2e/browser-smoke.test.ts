// The browser harness itself: headless Chromium loads a page from a local server, runs its external
// script, and enforces the page's Content-Security-Policy. If this passes, browser tests can check what
// our pages do, including that CSP blocks what it should.
import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { browserSkipReason, collectPageProblems, launchBrowser, newPage, screenshot } from './browser.js';

const CSP = "script-src 'self'";

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Harness smoke test</title>
<link rel="icon" href="data:,">
<script>window.inlineRan = true;</script>
<script src="/app.js" defer></script>
</head>
<body>
<h1>Harness smoke test</h1>
<button id="go" type="button">Not clicked</button>
<p id="ready">waiting for script</p>
</body>
</html>
`;

const SCRIPT = `window.externalRan = true;
document.getElementById('ready').textContent = 'script loaded';
document.getElementById('go').addEventListener('click', (event) => {
  event.currentTarget.textContent = 'Clicked';
});
`;

// Records CSP violations from the first moment of each document. Injected by the harness, so the
// page's own CSP does not apply to it.
const RECORD_VIOLATIONS = `window.cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.cspViolations.push(event.effectiveDirective + ' ' + event.blockedURI);
});
`;

function startServer(): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': CSP });
      response.end(PAGE);
    } else if (path === '/app.js') {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      response.end(SCRIPT);
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, origin: `http://127.0.0.1:${port}` });
    });
  });
}

describe('browser harness', { skip: browserSkipReason() }, () => {
  let server: Server | undefined;
  let origin = '';
  let browser: Browser | undefined;
  let page: Page;

  before(async () => {
    ({ server, origin } = await startServer());
    browser = await launchBrowser();
    page = await newPage(browser);
  });

  after(async () => {
    await browser?.close();
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server?.close(() => resolve()));
    }
  });

  it('runs the external script, blocks the inline one under CSP, and takes a screenshot', async () => {
    const problems = collectPageProblems(page);
    await page.addInitScript(RECORD_VIOLATIONS);

    const response = await page.goto(`${origin}/`);
    assert.equal(response?.status(), 200);
    assert.equal(response?.headers()['content-security-policy'], CSP);

    // The external script ran: it marks the page ready, and wires the button.
    await page.locator('#ready', { hasText: 'script loaded' }).waitFor();
    assert.equal(await page.evaluate<unknown>('window.externalRan'), true);
    assert.equal(await page.locator('#go').textContent(), 'Not clicked');
    await page.locator('#go').click();
    await page.locator('#go', { hasText: 'Clicked' }).waitFor();
    assert.equal(await page.locator('#go').textContent(), 'Clicked');

    // The inline script did not run, and the browser says CSP is why.
    assert.equal(await page.evaluate<unknown>('typeof window.inlineRan'), 'undefined');
    await page.waitForFunction('window.cspViolations.length > 0');
    const violations = await page.evaluate<string[]>('window.cspViolations');
    assert.equal(violations.length, 1, JSON.stringify(violations));
    assert.match(violations[0] ?? '', /^script-src(-elem)? inline$/);
    assert.ok(
      problems.consoleErrors.some((message) => /Content Security Policy/i.test(message)),
      `expected a CSP console error, got: ${JSON.stringify(problems.consoleErrors)}`,
    );

    // Nothing else went wrong.
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.failedRequests, []);
    assert.deepEqual(problems.httpErrors, []);

    const file = await screenshot(page, 'browser-smoke');
    assert.match(file, /browser-smoke\.png$/);
  });
});
