// The floor: htmlparser2's XML tokenizer with empty callbacks, fed the decoded text. No parser that
// reads the document through a tokenizer like it can be faster.
import { Parser } from 'htmlparser2';
import type { Peer } from '../lib.js';
import { decode } from './corpus.js';

export const tokenizeFloor: Peer<Uint8Array, number> = {
  name: 'htmlparser2 tokenize (floor)',
  run: (bytes) => {
    new Parser({}, { xmlMode: true }).end(decode(bytes));
    return 0;
  },
};
