import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createLogger, printableJson } from './index.js';

function logged(
  level: string,
  write: (log: ReturnType<typeof createLogger>) => void,
): Record<string, unknown>[] {
  const lines: string[] = [];
  write(createLogger(level, (line) => lines.push(line)));
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('createLogger', () => {
  it('writes one JSON object a line, at the level asked for and above', () => {
    const records = logged('info', (log) => {
      log.debug('hidden');
      log.info('shown', { feedId: 3, ok: true });
      log.error('also shown');
    });
    assert.deepEqual(
      records.map((r) => [r.level, r.msg, r.feedId]),
      [
        ['info', 'shown', 3],
        ['error', 'also shown', undefined],
      ],
    );
  });

  it('writes no control character, DEL and C1 included, which JSON leaves as they are', () => {
    const lines: string[] = [];
    const error = 'a\u009b31m\u007fb\u001b]0;x\u0007c';
    createLogger('info', (line) => lines.push(line)).warn('feed refresh failed', { error });
    assert.equal(lines.length, 1);
    // eslint-disable-next-line no-control-regex -- the test: no control character but the line's end
    assert.doesNotMatch(lines[0] ?? '', /[\0-\x09\x0b-\x1f\x7f-\x9f]/);
    assert.equal((JSON.parse(lines[0] ?? '') as { error: string }).error, error, 'read back as sent');
    const value = { title: 'a\u009b31m\u007fb\u001bc', n: 1 };
    assert.deepEqual(JSON.parse(printableJson(JSON.stringify(value))), value);
  });

  it('masks fields named like secrets, and credentials written into URLs in any field', () => {
    const [record] = logged('debug', (log) =>
      log.info('moved', {
        password: 'hunter2',
        apiKey: 'k-123',
        cookie: 'session=abc',
        from: 'http://alice:s3cret@feeds.example/a.xml',
        error: 'https://bob:pw@x.example/ refused; try https://carol@y.example/ instead',
        to: 'https://feeds.example/b.xml?user=me@example.com',
        count: 2,
      }),
    );
    assert.ok(record);
    assert.equal(record.password, '********');
    assert.equal(record.apiKey, '********');
    assert.equal(record.cookie, '********');
    assert.equal(record.from, 'http://********@feeds.example/a.xml');
    assert.equal(
      record.error,
      'https://********@x.example/ refused; try https://********@y.example/ instead',
    );
    assert.equal(
      record.to,
      'https://feeds.example/b.xml?user=me@example.com',
      'an @ in the query is no credential',
    );
    assert.equal(record.count, 2);
    const text = JSON.stringify(record);
    for (const secret of ['hunter2', 'k-123', 'abc', 's3cret', 'bob:pw', 'carol'])
      assert.ok(!text.includes(secret), secret);
  });
});
