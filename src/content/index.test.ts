import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { estimateReadingMinutes, prepareContent } from './index.js';

describe('prepareContent', () => {
  it('sanitizes, and takes the text from the sanitized HTML', () => {
    const prepared = prepareContent(
      '<p>Hello <a href="/w?utm_source=rss">world</a></p><script>var hidden = 1;</script><style>p{}</style><noscript>Enable JS</noscript>',
      'https://e.com/post',
    );
    assert.deepEqual(prepared, {
      html: '<p>Hello <a href="https://e.com/w" rel="noopener noreferrer" target="_blank">world</a></p>Enable JS',
      text: 'Hello world Enable JS',
      readingMinutes: 1,
    });
  });

  it('gives empty content zero minutes', () => {
    assert.deepEqual(
      prepareContent('<img src="x.png" width="1" height="1"><script>alert(1)</script>', null),
      {
        html: '',
        text: '',
        readingMinutes: 0,
      },
    );
  });

  it('decodes entities in the text', () => {
    assert.equal(prepareContent('<p>Fish &amp; chips &lt;3</p>', null).text, 'Fish & chips <3');
  });
});

describe('estimateReadingMinutes', () => {
  const words = (n: number): string => 'word '.repeat(n);
  const cases: { name: string; text: string; want: number }[] = [
    { name: 'empty', text: '', want: 0 },
    { name: 'whitespace', text: ' \n\t ', want: 0 },
    { name: 'one word', text: 'Hi', want: 1 },
    { name: 'punctuation only', text: '…!', want: 1 },
    { name: '230 words', text: words(230), want: 1 },
    { name: '1,150 words', text: words(1150), want: 5 },
    { name: '2,300 words', text: words(2300), want: 10 },
    { name: 'contractions and hyphens count once', text: "don't well-known U.S. 3.14 ".repeat(230), want: 4 },
    { name: 'accented words', text: 'café naïve façade '.repeat(230), want: 3 },
    { name: 'Cyrillic words', text: 'быстрое чтение '.repeat(230), want: 2 },
    { name: '500 Chinese characters', text: '读'.repeat(500), want: 1 },
    { name: '5,000 Chinese characters', text: '中文阅读速度'.repeat(833), want: 10 },
    { name: 'Japanese kana and kanji', text: 'ひらがなカタカナ漢字'.repeat(250), want: 5 },
    { name: 'mixed Chinese and English', text: '中'.repeat(2500) + ' ' + words(1150), want: 10 },
  ];
  for (const { name, text, want } of cases) {
    it(name, () => assert.equal(estimateReadingMinutes(text), want));
  }
});
