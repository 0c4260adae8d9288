// The progress bar on a terminal, and lines written while it shows (log lines): they go above it,
// and it is drawn again below them.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createProgress, printable, writeAbove } from './progress.js';

/** A stream that keeps what is written to it, a terminal or not. */
function sink(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const stream = {
    isTTY,
    text: '',
    write(chunk: string): boolean {
      stream.text += chunk;
      return true;
    },
  };
  return stream as unknown as NodeJS.WriteStream & { text: string };
}

const CLEAR = '\r\x1b[2K';

describe('progress', () => {
  it('puts a line written while the bar shows above it, then draws the bar again', () => {
    const term = sink(true);
    const progress = createProgress('refresh', 2, term);
    progress.update(1, '0 errors');
    const bar = term.text.slice(CLEAR.length);
    assert.match(bar, /^refresh █{12}░{12} 1\/2 · [\d.]+\/s · 0 errors$/);
    term.text = '';
    writeAbove(term, '{"level":"warn"}\n');
    assert.equal(term.text, `${CLEAR}{"level":"warn"}\n${bar}`);
    progress.finish('refreshed 2 feeds');
    term.text = '';
    writeAbove(term, 'after\n');
    assert.equal(term.text, 'after\n', 'no bar to draw again once finished');
  });

  it('writes lines as they come where there is no terminal', () => {
    const log = sink(false);
    const progress = createProgress('import', 3, log);
    progress.update(3, 'done');
    writeAbove(log, 'a line\n');
    progress.finish('imported 3 feeds');
    assert.match(log.text, /^import █{24} 3\/3 · [\d.]+\/s · done\na line\nimported 3 feeds\n$/);
  });

  it('ends the line at the rate when there is nothing more to say', () => {
    const log = sink(false);
    createProgress('import', 2, log).update(2, '');
    assert.match(log.text, /^import █{24} 2\/2 · [\d.]+\/s\n$/);
  });

  it('writes to a stream no bar was drawn on as it is', () => {
    const other = sink(true);
    createProgress('wiki', 1, sink(true)).update(1, 'x');
    writeAbove(other, 'plain\n');
    assert.equal(other.text, 'plain\n');
  });
});

describe('printable', () => {
  it('turns every control character but the newline and the tab into a space', () => {
    assert.equal(
      printable('a\u001b[2J\u001b]0;x\u0007b\u009b31m\u007fc\u0000d\n\te\r'),
      'a [2J ]0;x b 31m c d\n\te ',
    );
  });
});
