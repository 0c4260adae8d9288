// Loaded before every test file (package.json's test script: `--import` after tsx). A failing
// assert.ok(value) given no message makes Node quote the failed expression: it reads the test file
// at the call site and parses it with acorn, from one token after another. Run through tsx, the
// position V8 gives is in the transformed code, not in the file on disk, and in a large test file
// that parse ran on for minutes: one failing assert.ok in src/web/feeds.test.ts held a core for 19
// minutes instead of failing. Here a message a test gives stands; without one the value is shown,
// and the stack trace still names the test's line.
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { inspect } from 'node:util';

type Ok = (value: unknown, message?: string | Error) => void;

function withMessage(ok: Ok): Ok {
  const checked: Ok = (...args) => {
    if (args.length !== 1) return ok(...args);
    try {
      ok(args[0], `expected a truthy value, got ${inspect(args[0], { depth: 1 })}`);
    } catch (err) {
      // The stack starts at the test's call, not here.
      if (err instanceof Error) Error.captureStackTrace(err, checked);
      throw err;
    }
  };
  return checked;
}

// The module's own object, whose functions the imports of node:assert and node:assert/strict share.
const assert = createRequire(import.meta.url)('node:assert') as { ok: Ok; strict: { ok: Ok } };
for (const target of [assert, assert.strict]) target.ok = withMessage(target.ok);
// `import * as assert from 'node:assert/strict'` binds the exports as they were at first load.
syncBuiltinESMExports();
