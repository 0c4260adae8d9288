import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { nameOfFlag } from './context.js';

describe('nameOfFlag', () => {
  const cases: [string | undefined, string | null | undefined][] = [
    [undefined, undefined],
    ['Tech', 'Tech'],
    ['  Tech  ', 'Tech'],
    ['Tech\n', 'Tech'],
    ['Tech \t News', 'Tech News'],
    ['', null],
    ['   ', null],
    ['\n', null],
  ];
  for (const [given, name] of cases) {
    it(`${JSON.stringify(given)}: ${JSON.stringify(name)}`, () => assert.equal(nameOfFlag(given), name));
  }
});
