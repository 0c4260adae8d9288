import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { cellFigure, extractFigures, groupThousands } from './numbers.js';

const figures = (s: string) => extractFigures(s).map((f) => f.text);

describe('extractFigures', () => {
  const cases: [string, string[]][] = [
    ['The runtime improves from 3.65µs to 1.53µs.', ['3.65 µs → 1.53 µs']],
    ['That’s a 2.39x speed improvement.', ['2.39×']],
    ['The rate is 35 million requests per second.', ['35 M req/s']],
    ['It handles over 60 million per second on average.', ['> 60 M/s']],
    ['Think of 40,000 saturated CPU cores.', ['40,000 cores']],
    ['A little (50 ns) slower.', ['50 ns']],
    ['It takes about twice as long as the hashmap.', ['~2×']],
    ['It clocked in at a full microsecond slower.', ['1 µs']],
    ['It reduced the runtime to under a microsecond (0.93µs).', ['< 1 µs', '0.93 µs']],
    ['Samples: 19 / 1111 of them.', ['19 / 1,111']],
    ['Saving 1.71% - 0.717% = 0.993% of the CPU.', ['1.71% - 0.717% = 0.993%']],
    ['Running in production since July 2024.', ['July 2024']],
    ['Requests carry 10-30 headers, so 100+ times.', ['10-30 headers', '100+ times']],
    ['p99 went 120 ms -> 80 ms with 3.5 GB of RAM.', ['120 ms → 80 ms', '3.5 GB']],
    ['Pingora handles 35M+ requests per second.', ['35 M+ req/s']],
    ['延迟从 3.65 微秒降到 1.53 微秒，快了 2.4 倍。', ['3.65 µs → 1.53 µs', '2.4×']],
  ];
  for (const [sentence, expected] of cases) it(sentence, () => assert.deepEqual(figures(sentence), expected));

  it('leaves out years, list numbers, versions and identifiers', () => {
    assert.deepEqual(figures('In 2024 we shipped HTTP/2 and v1.2.3 to 3 teams on H100 GPUs.'), []);
  });
  it('keeps a bare decimal only beside a real quantity', () => {
    assert.deepEqual(figures('Version 0.93 was out.'), []);
    assert.deepEqual(figures('It took 2 ms, then 0.5.'), ['2 ms', '0.5']);
  });
  it('survives hostile text', () => {
    assert.deepEqual(figures(''), []);
    assert.equal(figures(`${'9'.repeat(3_000)} ms`).length, 1);
    assert.deepEqual(figures('9'.repeat(50_000)), []);
    assert.ok(figures('1 / '.repeat(10_000)).length > 0);
    assert.deepEqual(figures('\u202e12\u202c ms'), []);
    assert.deepEqual(figures('ＡＢＣ１２３ ms'), []);
  });
});

describe('cellFigure', () => {
  it('gives a bare number its column unit', () => {
    assert.equal(cellFigure('1.71', 'Actual CPU Usage (%)'), '1.71%');
    assert.equal(cellFigure('19 / 1111', 'Samples'), '19 / 1,111');
    assert.equal(cellFigure('n/a', 'Predicted CPU Usage (%)'), null);
    assert.equal(cellFigure('Original', 'Implementation'), null);
    assert.equal(cellFigure('3.65µs', 'Runtime'), '3.65 µs');
  });
});

describe('groupThousands', () => {
  it('groups long integers only', () => {
    assert.equal(groupThousands('1111'), '1,111');
    assert.equal(groupThousands('1234567'), '1,234,567');
    assert.equal(groupThousands('999'), '999');
    assert.equal(groupThousands('1.5'), '1.5');
  });
});
