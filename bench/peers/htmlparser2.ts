// The floor: htmlparser2's XML tokenizer with empty callbacks, fed the decoded text in the pieces
// Gleaner's parser reads (DecodedDocument.chunks(): no string of V8's large-object space). No parser
// that reads the document through a tokenizer like it can be faster.
import { Parser } from 'htmlparser2';
import { decodeDocument } from '../../src/feed/decode/index.js';
import type { Peer } from '../lib.js';

export const tokenizeFloor: Peer<Uint8Array, number> = {
  name: 'htmlparser2 tokenize (floor)',
  run: (bytes) => {
    const parser = new Parser({}, { xmlMode: true });
    for (const chunk of decodeDocument(bytes).chunks()) parser.write(chunk);
    parser.end();
    return 0;
  },
};
