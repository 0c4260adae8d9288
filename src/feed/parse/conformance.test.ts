// Agreement with the corpus expectations: at least 95% of documents overall, as the corpus stands,
// and 85% in every category once the few expectations we are sure are wrong are corrected (each
// correction carries its evidence in testdata/corpus-corrections.json, and is itself checked).
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import {
  applyCorrections,
  corpusFeedsDir,
  disagreements,
  loadCorpus,
  scoreAgreement,
  toCorpusResult,
  type CorpusCorrection,
  type CorpusDocument,
} from './conformance.js';
import { parseFeed } from './index.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const corrections = JSON.parse(
  readFileSync(new URL('./testdata/corpus-corrections.json', import.meta.url), 'utf8'),
) as CorpusCorrection[];
const gleaner = (bytes: Buffer, url: string) => toCorpusResult(parseFeed(bytes, { url }));

function corpus(): CorpusDocument[] {
  const dir = corpusFeedsDir(repoRoot);
  assert.ok(existsSync(dir), `the feed corpus is missing at ${dir}; set GLEANER_CORPUS_DIR`);
  const docs = loadCorpus(dir);
  assert.ok(docs.length > 500, `expected the whole corpus, found ${docs.length} documents`);
  return docs;
}

const describeFailures = (failures: { name: string; why: string[] }[]): string =>
  failures.map((f) => `${f.name}: ${f.why.slice(0, 2).join('; ')}`).join('\n');

describe('corpus agreement', () => {
  it('agrees with at least 95% of the documents as the corpus stands', async () => {
    const report = await scoreAgreement(corpus(), gleaner);
    const overall = report.agreed / report.total;
    assert.ok(
      overall >= 0.95,
      `overall agreement ${(overall * 100).toFixed(1)}%\n${describeFailures(report.failures)}`,
    );
  });

  it('agrees with at least 85% in every category, with the documented corrections', async () => {
    const report = await scoreAgreement(applyCorrections(corpus(), corrections), gleaner);
    for (const [category, c] of report.byCategory) {
      assert.ok(
        c.agreed / c.total >= 0.85,
        `${category}: ${c.agreed}/${c.total}\n${describeFailures(report.failures)}`,
      );
    }
  });

  it('gives the corrected answer on every corrected document', () => {
    const names = new Set(corrections.map((c) => c.file));
    const docs = applyCorrections(corpus(), corrections).filter((d) => names.has(d.name));
    assert.equal(docs.length, names.size, 'every correction names a corpus document');
    for (const doc of docs)
      assert.deepEqual(
        disagreements(doc.expected, gleaner(doc.bytes, 'http://example.test/feed.xml')),
        [],
        doc.name,
      );
  });
});
