import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { loadRecommended, parseRecommended } from './index.js';

describe('recommended feeds', () => {
  it('parses rows, skips comments, blank lines and rows without an http(s) URL', () => {
    const rows = parseRecommended(
      '# name\ttopic\tlanguage\turl\turl_kind\n' +
        'A Blog\tsecurity\ten\thttps://a.example/feed\tfeed\n\n' +
        'B 站\tengineering\tzh\thttps://b.example/\tsite\n' +
        'Broken\tai\ten\tjavascript:alert(1)\tfeed\n' +
        'Short\n',
    );
    assert.deepEqual(rows, [
      { name: 'A Blog', topic: 'security', language: 'en', url: 'https://a.example/feed', kind: 'feed' },
      { name: 'B 站', topic: 'engineering', language: 'zh', url: 'https://b.example/', kind: 'site' },
    ]);
  });

  it('ships the directory with every topic of the seed reader', () => {
    const rows = loadRecommended();
    assert.ok(rows.length >= 50, `${rows.length} feeds`);
    const topics = new Set(rows.map((r) => r.topic));
    for (const topic of ['security', 'ai', 'engineering', 'tech-news']) assert.ok(topics.has(topic), topic);
    assert.ok(rows.some((r) => r.language === 'zh'));
  });
});
