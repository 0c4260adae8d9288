import { strict as assert } from 'node:assert';
import * as strictExports from 'node:assert/strict';
import { it } from 'node:test';
// Loaded for every test file by the test script; imported here too, so this file passes alone.
import './assert-messages.js';

it('gives a failing assert.ok without a message the value, whichever way assert was imported', () => {
  for (const ok of [assert.ok, strictExports.ok]) {
    assert.throws(() => ok(0), { name: 'AssertionError', message: 'expected a truthy value, got 0' });
    assert.throws(() => ok(undefined), { message: 'expected a truthy value, got undefined' });
    assert.throws(() => ok(false, 'a message of its own'), { message: 'a message of its own' });
    assert.doesNotThrow(() => ok('yes'));
  }
  // The stack starts at the failing call.
  const err = (() => {
    try {
      assert.ok(null);
    } catch (e) {
      return e as Error;
    }
  })();
  assert.match(err?.stack?.split('\n')[1] ?? '', /assert-messages\.test\.ts/);
});
