// How much memory `gleaner serve` gives SQLite's page cache: GLEANER_CACHE_MB, else a share of the
// machine's memory, divided among the processes.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { loadConfig } from '../config/index.js';
import { cacheShareMiB, cacheSplit } from './serve.js';

const GiB = 1024 ** 3;

describe('the page cache of gleaner serve', () => {
  it('takes 1/16 of the memory, from 64 MiB to 1 GiB, when not set', () => {
    const one = { cacheMiB: 0, workers: 1 };
    assert.equal(cacheShareMiB(one, 0.5 * GiB), 64);
    assert.equal(cacheShareMiB(one, 2 * GiB), 128);
    assert.equal(cacheShareMiB(one, 8 * GiB), 512);
    assert.equal(cacheShareMiB(one, 24 * GiB), 1024);
    assert.equal(cacheShareMiB(one, 512 * GiB), 1024);
  });

  it('shares the budget among the primary and its workers, never below 16 MiB each', () => {
    assert.equal(cacheShareMiB({ cacheMiB: 0, workers: 3 }, 24 * GiB), 256);
    assert.equal(cacheShareMiB({ cacheMiB: 300, workers: 2 }, 1 * GiB), 100);
    assert.equal(cacheShareMiB({ cacheMiB: 0, workers: 64 }, 24 * GiB), 16);
  });

  it('keeps an eighth of each share for entries ready for the client APIs, the rest for pages', () => {
    assert.deepEqual(cacheSplit(1024), { cacheMiB: 896, entryCacheMiB: 128 });
    assert.deepEqual(cacheSplit(100), { cacheMiB: 88, entryCacheMiB: 12 });
    assert.deepEqual(cacheSplit(16), { cacheMiB: 14, entryCacheMiB: 2 });
  });

  it('takes GLEANER_CACHE_MB as it is, whatever the memory', () => {
    const config = loadConfig({ GLEANER_CACHE_MB: '32' }, {});
    assert.equal(config.cacheMiB, 32);
    assert.equal(cacheShareMiB(config, 24 * GiB), 32);
    assert.equal(loadConfig({}, {}).cacheMiB, 0);
    assert.throws(() => loadConfig({ GLEANER_CACHE_MB: '-1' }, {}), /GLEANER_CACHE_MB/);
    assert.throws(() => loadConfig({ GLEANER_CACHE_MB: 'lots' }, {}), /GLEANER_CACHE_MB/);
  });
});
