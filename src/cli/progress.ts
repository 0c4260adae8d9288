// A one-line progress bar on standard error when it is a terminal; otherwise a line now and then,
// so logs of long runs still show that work goes on.

/** "1 feed", "2 feeds": a count and its noun, plural unless the count is one. */
export function counted(count: number, noun: string, plural = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : plural}`;
}

export interface Progress {
  update(done: number, detail: string): void;
  finish(summary: string): void;
}

const BAR_WIDTH = 24;

// C0 but the newline and the tab, DEL and C1: what starts, or takes part in, a terminal's escape
// sequences (ESC, CSI, OSC's BEL).
// eslint-disable-next-line no-control-regex -- control characters are what it matches
const CONTROL = /[\0-\x08\x0b-\x1f\x7f-\x9f]/g;

/**
 * `text` as a terminal may print it: each control character but the newline and the tab as a
 * space. For messages that may quote what a site or a file sent.
 */
export function printable(text: string): string {
  return text.replace(CONTROL, ' ');
}

// The bar each terminal shows last, so that a line written meanwhile (a log line) goes above it
// rather than onto its end.
const shown = new WeakMap<NodeJS.WritableStream, string>();

/** Writes `text` (whole lines) to `stream`, above the progress bar it shows, if any. */
export function writeAbove(stream: NodeJS.WritableStream, text: string): void {
  const bar = shown.get(stream);
  if (bar === undefined) stream.write(text);
  else stream.write(`\r\x1b[2K${text}${bar}`);
}

export function createProgress(
  label: string,
  total: number,
  stream: NodeJS.WriteStream = process.stderr,
): Progress {
  const started = Date.now();
  let lastPrint = 0;
  const tty = stream.isTTY === true;
  return {
    update(done, detail) {
      const now = Date.now();
      if (now - lastPrint < (tty ? 100 : 5000) && done < total) return;
      lastPrint = now;
      const seconds = Math.max(0.001, (now - started) / 1000);
      const rate = (done / seconds).toFixed(1);
      const ratio = total > 0 ? Math.min(1, done / total) : 1;
      const filled = Math.round(ratio * BAR_WIDTH);
      const bar = '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled);
      const line = `${label} ${bar} ${done}/${total} · ${rate}/s${detail ? ` · ${detail}` : ''}`;
      if (tty) {
        shown.set(stream, line);
        stream.write(`\r\x1b[2K${line}`);
      } else stream.write(line + '\n');
    },
    finish(summary) {
      if (tty) {
        shown.delete(stream);
        stream.write('\r\x1b[2K');
      }
      stream.write(summary + '\n');
    },
  };
}
