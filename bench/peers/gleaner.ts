// Ours: the parser's single entry point, bytes in.
import { CORPUS_BASE_URL, toCorpusResult } from '../../src/feed/parse/conformance.js';
import { parseFeed } from '../../src/feed/parse/index.js';
import type { ParserPeer } from './corpus.js';

export const gleaner: ParserPeer = {
  name: 'Gleaner',
  run: (bytes) => parseFeed(bytes, { url: CORPUS_BASE_URL }).items.length,
  toCorpus: (bytes, baseUrl) => toCorpusResult(parseFeed(bytes, { url: baseUrl })),
};
