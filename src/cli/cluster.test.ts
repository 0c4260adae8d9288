// What crosses the IPC channel between a worker and the primary: errors keep what callers read.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { GleanerError } from '../model/errors.js';
import { storageError } from '../store/index.js';
import { fromWireError, restartDelay, toWireError } from './cluster.js';

/** An error as the other side of the channel sees it (through structured clone, as node:cluster sends it). */
const across = (err: unknown): Error => fromWireError(structuredClone(toWireError(err)));

describe('errors across the IPC channel', () => {
  it('keeps a GleanerError its class, code and message', () => {
    const err = across(new GleanerError('NOT_FOUND', 'no such feed'));
    assert.ok(err instanceof GleanerError);
    assert.equal(err.code, 'NOT_FOUND');
    assert.equal(err.message, 'no such feed');
  });

  it("keeps a driver's code, so a full disk is still told as one", () => {
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    const err = storageError(across(full));
    assert.ok(err instanceof GleanerError);
    assert.equal(err.code, 'STORAGE_FULL');
  });

  it('gives other errors and thrown values their message, and no code', () => {
    const plain = across(new TypeError('boom'));
    assert.equal(plain.message, 'boom');
    assert.equal((plain as { code?: unknown }).code, undefined);
    assert.ok(!(plain instanceof GleanerError));
    assert.equal(across('a string').message, 'a string');
    assert.equal(across({ code: 42 }).message, '[object Object]');
  });
});

describe('restartDelay', () => {
  it('restarts at once, then backs off up to half a minute', () => {
    assert.deepEqual([1, 2, 3, 4, 7, 20].map(restartDelay), [0, 1000, 2000, 4000, 30_000, 30_000]);
  });
});
