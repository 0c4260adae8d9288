import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDate } from './date.js';
import { prng } from '../../testing/random.js';

type Case = [input: string, expected: string | null];

// Expected values follow feedparser 6 (its own tests, and the corpus it produced), except where a
// comment says why we read more.
const FAMILIES: Record<string, Case[]> = {
  'RFC 822 common shape (fast path)': [
    ['Tue, 20 May 2025 13:00:00 GMT', '2025-05-20T13:00:00Z'],
    ['Thu, 01 Jan 2004 19:48:21 GMT', '2004-01-01T19:48:21Z'],
    ['Sat, 23 Jan 2016 11:31:15 +0000', '2016-01-23T11:31:15Z'],
    ['Fri, 18 Sep 2020 15:23:00 +0200', '2020-09-18T13:23:00Z'],
    ['Fri, 03 Oct 2008 17:52:27 PST', '2008-10-04T01:52:27Z'],
    ['Fri, 20 Feb 2015 09:51:15 UTC', '2015-02-20T09:51:15Z'],
    ['Seg, 24 Set 2018 19:42:40 -0300', null], // Portuguese month: feedparser reads none either
  ],
  'RFC 822 variants': [
    ['Thu, 01 Jan 04 19:48:21 GMT', '2004-01-01T19:48:21Z'], // two-digit year: < 90 is 20xx
    ['Fri, 01 Jan 99 00:00:00 GMT', '1999-01-01T00:00:00Z'], // two-digit year: >= 90 is 19xx
    ['Thu,  5 Apr 2012 10:00:00 GMT', '2012-04-05T10:00:00Z'],
    ['Fri 1 Oct 2010 01:30:00 GMT', '2010-10-01T01:30:00Z'],
    ['07 Nov 2015 12:00:00 EST', '2015-11-07T17:00:00Z'],
    ['Mon, 13 Feb, 2012 06:28:00 UTC', '2012-02-13T06:28:00Z'],
    ['Fri,24 Nov 2023 18:28:36 -0000', '2023-11-24T18:28:36Z'],
    ['  Tue,\t20   May 2025\n13:00:00   GMT  ', '2025-05-20T13:00:00Z'],
    ['Thu, 01 Jan 2004 00:00 GMT', '2004-01-01T00:00:00Z'],
    ['Thu, 01 Jan 2004', '2004-01-01T00:00:00Z'],
    ['Tue, 20 May 2025 13:00:00', '2025-05-20T13:00:00Z'], // no zone: UTC (feedparser reads none)
    ['Fri, 16 June 2006 10:30:00 GMT', '2006-06-16T10:30:00Z'],
    ['Fri, 23 December 2011 10:00:00 EST', '2011-12-23T15:00:00Z'],
    ['Tue, 20 Sept. 2025 13:00:00 GMT', '2025-09-20T13:00:00Z'],
    ['Tuesday, 20 May 2025 13:00:00 GMT', '2025-05-20T13:00:00Z'],
    ['tUESDAY, 20 MAY 2025 13:00:00 gmt', '2025-05-20T13:00:00Z'],
    ['Tues, 20 May 2025 13:00:00 GMT', '2025-05-20T13:00:00Z'],
    ['Xyz, 20 May 2025 13:00:00 GMT', '2025-05-20T13:00:00Z'], // the day name is never checked
    ['Thu Aug 30 2012 17:26:16 +0200', '2012-08-30T15:26:16Z'], // month and day swapped
    ['May 20, 2025 13:00:00 GMT', '2025-05-20T13:00:00Z'],
    ['Thu Aug 30 2012 17:26:16 GMT+0200 (Central European Summer Time)', '2012-08-30T15:26:16Z'],
    ['Tue, 20 May 2025 13:00:00 +0000 (UTC)', '2025-05-20T13:00:00Z'],
    ['Tue, 20 May 2025 13:00:00 -0700 PDT', '2025-05-20T20:00:00Z'],
    ['Tue, 20 May 2025 13:00:00+0100', '2025-05-20T12:00:00Z'],
    ['Tue, 20 May 2025 13:00:00.75 GMT', '2025-05-20T13:00:00Z'],
    ['Tue, 20 May 2025 1:30 pm EST', '2025-05-20T18:30:00Z'],
    ['Tue, 20 May 2025 12:00am GMT', '2025-05-20T00:00:00Z'],
    ['Sun, 16 Dec 2012 1:2:3 GMT', '2012-12-16T01:02:03Z'],
    ['Thu, 01 Jan 0100 00:00:01 +0100', '0099-12-31T23:00:01Z'],
    ['Sunday, 06-Nov-94 08:49:37 GMT', '1994-11-06T08:49:37Z'], // RFC 850
  ],
  'RFC 822 zones': [
    ['Tue, 20 May 2025 13:00:00 UT', '2025-05-20T13:00:00Z'],
    ['Tue, 20 May 2025 13:00:00 Z', '2025-05-20T13:00:00Z'],
    ['Tue, 20 May 2025 13:00:00 EST', '2025-05-20T18:00:00Z'],
    ['Tue, 20 May 2025 13:00:00 EDT', '2025-05-20T17:00:00Z'],
    ['Tue, 20 May 2025 13:00:00 CST', '2025-05-20T19:00:00Z'],
    ['Tue, 20 May 2025 13:00:00 CDT', '2025-05-20T18:00:00Z'],
    ['Tue, 20 May 2025 13:00:00 MST', '2025-05-20T20:00:00Z'],
    ['Tue, 20 May 2025 13:00:00 MDT', '2025-05-20T19:00:00Z'],
    ['Tue, 20 May 2025 13:00:00 PST', '2025-05-20T21:00:00Z'],
    ['Tue, 20 May 2025 13:00:00 PDT', '2025-05-20T20:00:00Z'],
    ['Mon, 26 January 2004 16:31:00 AT', '2004-01-26T20:31:00Z'],
    ['Mon, 26 January 2004 16:31:00 ET', '2004-01-26T21:31:00Z'],
    ['Mon, 26 January 2004 16:31:00 CT', '2004-01-26T22:31:00Z'],
    ['Mon, 26 January 2004 16:31:00 MT', '2004-01-26T23:31:00Z'],
    ['Mon, 26 January 2004 16:31:00 PT', '2004-01-27T00:31:00Z'],
    ['Thu, 30 Apr 2015 08:57:00 MET', '2015-04-30T07:57:00Z'],
    ['Thu, 30 Apr 2015 08:57:00 MEST', '2015-04-30T06:57:00Z'],
    ['Thu, 30 Apr 2015 08:57:00 CEST', '2015-04-30T06:57:00Z'], // feedparser would read UTC
    ['Thu, 30 Apr 2015 08:57:00 JST', '2015-04-29T23:57:00Z'],
    ['Tue, 20 May 2025 13:00:00 A', '2025-05-20T14:00:00Z'], // military, RFC 822 signs
    ['Tue, 20 May 2025 13:00:00 M', '2025-05-21T01:00:00Z'],
    ['Tue, 20 May 2025 13:00:00 N', '2025-05-20T12:00:00Z'],
    ['Tue, 20 May 2025 13:00:00 Y', '2025-05-20T01:00:00Z'],
    ['Tue, 20 May 2025 13:00:00 J', null],
    ['Tue, 20 May 2025 13:00:00 XYZ', '2025-05-20T13:00:00Z'], // unknown names read as UTC, like feedparser
    ['Wed, 19 Aug 2009 18:28:00 Etc/GMT', '2009-08-19T18:28:00Z'],
    ['Tue, 20 May 2025 13:00:00 Etc/GMT+5', null], // POSIX sign is inverted: refuse rather than guess
    ['Wed, 19 Feb 2012 22:40:00 GMT-01:01', '2012-02-19T23:41:00Z'],
    ['Wed, 19 Feb 2012 22:40:00 -01:01', '2012-02-19T23:41:00Z'],
    ['Tue, 20 May 2025 13:00:00 UTC+5:30', '2025-05-20T07:30:00Z'],
    ['Tue, 20 May 2025 13:00:00 +05', '2025-05-20T08:00:00Z'],
  ],
  'ISO 8601 / W3C-DTF': [
    ['2025-05-20T13:00:00Z', '2025-05-20T13:00:00Z'],
    ['2003-12-31T10:14:55-08:00', '2003-12-31T18:14:55Z'],
    ['2003-12-31T18:14:55+08:00', '2003-12-31T10:14:55Z'],
    ['2017-06-21T10:31:19-07:00', '2017-06-21T17:31:19Z'],
    ['2007-04-23T23:25:47.538+10:00', '2007-04-23T13:25:47Z'],
    ['2017-12-08T19:48:40.612Z', '2017-12-08T19:48:40Z'], // fractions are dropped, not rounded
    ['2003-12-31T10:14:55.1234Z', '2003-12-31T10:14:55Z'],
    ['2003-12-31T10:14:55,5Z', '2003-12-31T10:14:55Z'],
    ['2025-05-20t13:00:00z', '2025-05-20T13:00:00Z'],
    ['2025-05-20T13:00Z', '2025-05-20T13:00:00Z'],
    ['2025-05-20T13:00:00', '2025-05-20T13:00:00Z'],
    ['2025-05-20T13:00:00+0530', '2025-05-20T07:30:00Z'],
    ['2025-05-20T13:00:00+05', '2025-05-20T08:00:00Z'],
    ['2025-05-20T13:00:00 +05:30', '2025-05-20T07:30:00Z'],
    ['2004-07-08T9:15Z', '2004-07-08T09:15:00Z'],
    ['2003-12-31', '2003-12-31T00:00:00Z'],
    ['2003-12', '2003-12-01T00:00:00Z'],
    ['2003-1-5', '2003-01-05T00:00:00Z'],
    ['2003', '2003-01-01T00:00:00Z'],
    ['2004-02-28T18:14:55-08:00', '2004-02-29T02:14:55Z'],
    ['2003-02-28T18:14:55-08:00', '2003-03-01T02:14:55Z'],
    ['2000-02-28T18:14:55-08:00', '2000-02-29T02:14:55Z'],
    ['2003-012-31T10:14:55+00:00', '2003-12-31T10:14:55Z'], // Google's extra zero in the month
  ],
  'ISO 8601 basic, ordinal and two-digit years': [
    ['20031231', '2003-12-31T00:00:00Z'],
    ['20031231T101455Z', '2003-12-31T10:14:55Z'], // feedparser drops the time here
    ['20031231T1014-0800', '2003-12-31T18:14:00Z'],
    ['2003335', '2003-12-01T00:00:00Z'],
    ['2003-335', '2003-12-01T00:00:00Z'],
    ['2003-123', '2003-05-03T00:00:00Z'], // feedparser misreads this as 2003-12
    ['2004-366', '2004-12-31T00:00:00Z'],
    ['031231', '2003-12-31T00:00:00Z'],
    ['03-12-31', '2003-12-31T00:00:00Z'],
    ['03335', '2003-12-01T00:00:00Z'],
    ['-0312', '2003-12-01T00:00:00Z'],
    ['-03-12', '2003-12-01T00:00:00Z'],
  ],
  'MS SQL and Go': [
    ['2004-07-08 23:56:58', '2004-07-08T23:56:58Z'],
    ['2004-07-08 23:56:58.0', '2004-07-08T23:56:58Z'],
    ['2004-07-08 23:56:58 -00:20', '2004-07-09T00:16:58Z'],
    ['2004-07-08 23:56:58 EST', '2004-07-09T04:56:58Z'], // feedparser drops the time when the zone has a t
    ['2025-05-20 13:00:00.123456789 -0700 MST', '2025-05-20T20:00:00Z'],
  ],
  asctime: [
    ['Sun Jan  4 16:29:06 2004', '2004-01-04T16:29:06Z'],
    ['Sun Jan  4 16:29:06 PST 2004', '2004-01-05T00:29:06Z'],
    ['Sun Jul 15 01:16:00 +0000 2012', '2012-07-15T01:16:00Z'],
  ],
  Perforce: [
    ['Fri, 2006/09/15 08:19:53 EDT', '2006-09-15T12:19:53Z'],
    ['2004/01/04 16:29:06 PST', '2004-01-05T00:29:06Z'],
  ],
  'Korean (OnBlog, Nate)': [
    ['2004년 05월 28일  01:31:15', '2004-05-27T16:31:15Z'],
    ['2004-05-25 오후 11:23:17', '2004-05-25T14:23:17Z'],
    ['2004-05-25 오전 11:23:17', '2004-05-25T02:23:17Z'],
    ['2004-05-25 오후 12:23:17', '2004-05-25T03:23:17Z'], // noon; feedparser makes it hour 24, null
  ],
  'Greek and Hungarian': [
    ['Κυρ, 11 Ιούλ 2004 12:00:00 EST', '2004-07-11T17:00:00Z'],
    ['Δευ, 05 Μάι 2003 08:00:00 GMT', '2003-05-05T08:00:00Z'],
    ['2004-július-13T9:15-05:00', '2004-07-13T14:15:00Z'],
    ['2004-október-02T10:00:00Z', '2004-10-02T10:00:00Z'],
  ],
  'out of range': [
    ['2003-13-01', null],
    ['2003-12-32', null],
    ['2003-02-29', null],
    ['2003-12-31T25:14:55Z', null],
    ['2003-12-31T24:00:00Z', null],
    ['2003-12-31T10:61:55Z', null],
    ['2003-12-31T10:14:61Z', null],
    ['2003-12-31T10:14:60Z', null],
    ['2003-000', null],
    ['2003-366', null],
    ['9999-12-31T23:59:59-99:99', null],
    ['9999-12-31T23:30:00-01:00', null], // the year 10000
    ['0001-01-01T00:30:00+01:00', null], // the year 0
    ['0000-06-01T00:00:00Z', null],
    ['Sun, 31 Dec 9999 23:59:59 -9999', null],
    ['Sun, 99 Jun 2009 12:00:00 GMT', null],
    ['Thu, 29 Feb 2001 00:00:00 GMT', null],
    ['Tue, 32 May 2025 13:00:00 GMT', null],
    ['Tue, 20 May 2025 25:00:00 GMT', null],
    ['Tue, 20 May 2025 13:00 pm GMT', null],
    ['Tue, 20 May 2025 13:00:00 +2400', null],
  ],
  'not dates': [
    ['', null],
    ['   ', null],
    ['now', null],
    ['today', null],
    ['1700000000', null],
    ['013', null],
    ['20', null],
    ['Jan 4', null],
    ['May 2025', null],
    ['2013-01-27-01', null],
    ['2013-01-28T11:30:00-06:00Textra', null],
    ['2013-xx-27', null],
    ['2013-01-28T09:xx:00Z', null],
    ['2013-01-28T09:00:00+00:xx', null],
    ['2025-05-20T13Z', null],
    ['2025-05-20T13:00:00.Z', null],
    ['2025-05-20T13:00:00+05:30:00', null],
    ['2025-05-20 foo', null],
    ['Sun, 16 Dec 2012 1:2:3:4 GMT', null],
    ['Sun, 16 zzz 2012 11:47:32 GMT', null],
    ['Sun, Dec x 2012 11:47:32 GMT', null],
    ['Sun, 16 Dec zz 11:47:32 GMT', null],
    ['Sun, 16 Dec 2012 11:47:32 +zz:00', null],
    ['Sun, 16 Dec 2012 11:47:32 +00:zz', null],
    ['Sun, 16 Dec 2012 11:47:32 GMT garbage', null],
    ['Tue, 20 May 2025 13:00:00 (UTC', null],
    ['03 Apr 02 1500 GMT', null],
    ['01/04/2004', null], // day and month order unknowable
    [`Tue, 20 May 2025 13:00:00 GMT${' '.repeat(180)}(${'x'.repeat(20)})`, null], // over 200 characters
  ],
};

for (const [family, cases] of Object.entries(FAMILIES)) {
  describe(`parseDate: ${family}`, () => {
    for (const [input, expected] of cases) {
      it(`${JSON.stringify(input.length > 60 ? `${input.slice(0, 60)}…` : input)} → ${expected}`, () => {
        assert.equal(parseDate(input), expected);
      });
    }
  });
}

const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const ALPHABET =
  '0123456789 0123456789 ,:-+./()TZtzGMTUCESPDJanFebMaySepDecMonTueThuAprJul오후년월일Ιούλά\t\n';
const SEEDS = Object.values(FAMILIES)
  .flat()
  .map(([input]) => input);

function assertWellFormed(input: string): void {
  let result: string | null;
  try {
    result = parseDate(input);
  } catch (error) {
    assert.fail(`parseDate threw on ${JSON.stringify(input)}: ${String(error)}`);
  }
  if (result !== null) assert.match(result, ISO_UTC, JSON.stringify(input));
}

describe('parseDate: fuzz', () => {
  it('returns null or a UTC timestamp for random text', () => {
    const random = prng(1);
    const pick = (s: string): string => s[Math.floor(random() * s.length)] ?? '';
    for (let n = 0; n < 3000; n++) {
      let input = '';
      const length = Math.floor(random() * 40);
      for (let i = 0; i < length; i++) input += pick(ALPHABET);
      assertWellFormed(input);
    }
  });

  it('returns null or a UTC timestamp for mutated dates', () => {
    const random = prng(2);
    const below = (n: number): number => Math.floor(random() * n);
    for (let n = 0; n < 5000; n++) {
      let input = SEEDS[below(SEEDS.length)] ?? '';
      for (let edits = 1 + below(4); edits > 0; edits--) {
        const at = below(input.length + 1);
        const char = ALPHABET[below(ALPHABET.length)] ?? '';
        switch (below(5)) {
          case 0: // insert
            input = input.slice(0, at) + char + input.slice(at);
            break;
          case 1: // delete
            input = input.slice(0, at) + input.slice(at + 1);
            break;
          case 2: // replace
            input = input.slice(0, at) + char + input.slice(at + 1);
            break;
          case 3: // repeat a slice
            input =
              input.slice(0, at) + input.slice(at, at + below(8)).repeat(1 + below(4)) + input.slice(at);
            break;
          default: // bump a digit, often out of range
            input = input.slice(0, at) + String(below(100)) + input.slice(at + 1);
        }
      }
      assertWellFormed(input);
    }
  });

  it('reads any instant written in RFC 822 or ISO 8601 with any offset', () => {
    const random = prng(3);
    const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    const two = (n: number): string => String(n).padStart(2, '0');
    const start = Date.UTC(1970, 0, 1);
    const span = Date.UTC(2100, 0, 1) - start;
    for (let n = 0; n < 2000; n++) {
      const instant = start + Math.floor((random() * span) / 1000) * 1000;
      const offset = (Math.floor(random() * 105) - 48) * 15; // −12:00 … +14:00 in quarter hours
      const local = new Date(instant + offset * 60_000);
      const size = Math.abs(offset);
      const zone = `${offset < 0 ? '-' : '+'}${two(Math.trunc(size / 60))}${two(size % 60)}`;
      const date = `${local.getUTCFullYear()}-${two(local.getUTCMonth() + 1)}-${two(local.getUTCDate())}`;
      const time = `${two(local.getUTCHours())}:${two(local.getUTCMinutes())}:${two(local.getUTCSeconds())}`;
      const expected = new Date(instant).toISOString().slice(0, 19) + 'Z';
      const day = `${days[local.getUTCDay()]}, ${two(local.getUTCDate())}`;
      const rfc822 = `${day} ${months[local.getUTCMonth()]} ${local.getUTCFullYear()} ${time} ${zone}`;
      assert.equal(parseDate(rfc822), expected, rfc822);
      const iso = `${date}T${time}.${n}${zone.slice(0, 3)}:${zone.slice(3)}`;
      assert.equal(parseDate(iso), expected, iso);
    }
  });

  it('returns for hostile input far over the length bound', () => {
    assert.equal(parseDate('9'.repeat(100_000)), null);
    assert.equal(parseDate(' '.repeat(100_000)), null);
    assert.equal(parseDate('Tue, '.repeat(20_000)), null);
    assert.equal(parseDate('-:'.repeat(50_000)), null);
    // The bound applies after trimming.
    assert.equal(parseDate(`${' '.repeat(100_000)}Tue, 20 May 2025 13:00:00 GMT\n`), '2025-05-20T13:00:00Z');
  });

  it('returns for hostile input within the length bound', () => {
    for (const unit of ['9', ' 9', ':', '1:', '-', '2025-', '(', 'Tue, ', 'Jan 1 ', '오후 ']) {
      const input = unit.repeat(Math.floor(200 / unit.length));
      assertWellFormed(input);
    }
  });
});
