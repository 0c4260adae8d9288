import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { prng } from '../testing/random.js';
import { isoTime, minutesText } from './time.js';

describe('isoTime', () => {
  it('writes what Date#toISOString writes', () => {
    const edges = [
      0, 1, 999, 1000, 86_399_999, 86_400_000, 951_782_400_000 /* 2000-02-29 */, 951_868_799_999,
      4_107_542_400_000 /* 2100-03-01 */, 1_709_164_800_000 /* 2024-02-29 */, 253_402_300_799_999,
      253_402_300_800_000, -1, -62_198_755_200_000, 8.64e15, -8.64e15, 1.5, 1_700_000_000_000.7,
    ];
    for (const ms of edges) assert.equal(isoTime(ms), new Date(ms).toISOString(), String(ms));
    const random = prng(11);
    for (let i = 0; i < 20_000; i++) {
      const ms = Math.floor(random() * 253_402_300_800_000);
      assert.equal(isoTime(ms), new Date(ms).toISOString(), String(ms));
    }
  });

  it('throws for what is not a time, as toISOString does', () => {
    for (const ms of [NaN, Infinity, -Infinity, 8.64e15 + 1]) assert.throws(() => isoTime(ms), RangeError);
  });
});

describe('minutesText', () => {
  it('writes an interval as people read it', () => {
    assert.deepEqual([45, 60, 360, 1440, 10080, 90].map(minutesText), [
      '45 min',
      '1 h',
      '6 h',
      '1 d',
      '7 d',
      '90 min',
    ]);
  });
});
