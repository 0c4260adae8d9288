// The harness every benchmark shares: peers behind one small interface, timing with a warm-up and
// the median of N runs, percentiles for latency, and a table that puts our figure next to each peer's.
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';

/** One contender in a benchmark: ours, a peer library, or a floor. */
export interface Peer<In, Out = unknown> {
  name: string;
  run: (input: In) => Out | Promise<Out>;
}

export interface Timing {
  /** Milliseconds per run. */
  median: number;
  min: number;
  max: number;
  samples: number[];
}

export interface MeasureOptions {
  /** Untimed runs first, so the JIT settles. */
  warmup?: number;
  /** Timed runs. */
  runs?: number;
}

/** Runs `fn` `warmup` times untimed, then `runs` times timed: the median, min and max of those. */
export async function measure(fn: () => unknown, options: MeasureOptions = {}): Promise<Timing> {
  const [timing] = await measureSideBySide([fn], options);
  return timing as Timing;
}

/**
 * `measure` for several contenders at once, in rounds: each timed round runs every one of them once,
 * so a slow spell of the machine (another process, GC of a neighbour) falls on all of them alike.
 */
export async function measureSideBySide(
  fns: (() => unknown)[],
  { warmup = 2, runs = 7 }: MeasureOptions = {},
): Promise<Timing[]> {
  for (const fn of fns) for (let i = 0; i < warmup; i++) await fn();
  const samples = fns.map((): number[] => []);
  for (let round = 0; round < runs; round++) {
    for (const [i, fn] of fns.entries()) {
      const start = performance.now();
      await fn();
      samples[i]?.push(performance.now() - start);
    }
  }
  return samples.map((list) => {
    const sorted = [...list].sort((a, b) => a - b);
    return { median: quantile(sorted, 0.5), min: sorted[0] ?? NaN, max: sorted.at(-1) ?? NaN, samples: list };
  });
}

/** The machine a run happened on, for the reader of its figures. */
export function describeMachine(): string {
  const load = loadavg()[0] ?? 0;
  const cpus = availableParallelism();
  const busy = load > cpus / 2 ? ' (busy: figures are noisier than usual)' : '';
  return `Node ${process.version}, ${cpus} CPUs, load average ${load.toFixed(2)}${busy}`;
}

/** p50, p99 and p99.9 of latency samples (any unit), by nearest rank. */
export function percentiles(samples: number[]): { p50: number; p99: number; p999: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), p999: quantile(sorted, 0.999) };
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  if (q === 0.5 && sorted.length % 2 === 0) {
    const mid = sorted.length / 2;
    return ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
  }
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}

export interface Figure {
  name: string;
  value: number;
  /** Further columns printed after the value (counts, errors...). */
  extra?: string[];
  /** Printed instead of the comparison, for a row that is there for reference only. */
  note?: string;
}

export interface VersusOptions {
  unit: string;
  /** Whether a higher value is the better one (throughput) or a lower one (latency). */
  better: 'higher' | 'lower';
  /** The words for better and worse, e.g. ['faster', 'slower']. */
  words?: [string, string];
  /** Headers of the `extra` columns. */
  extraHeaders?: string[];
}

/** "1.40× faster" / "2.10× slower": how `ours` compares with `theirs`. */
export function versus(ours: number, theirs: number, options: VersusOptions): string {
  const [good, bad] = options.words ?? ['better', 'worse'];
  const ratio = options.better === 'higher' ? ours / theirs : theirs / ours;
  if (!Number.isFinite(ratio) || ratio === 0) return 'n/a';
  return ratio >= 1 ? `${fmt(ratio)}× ${good}` : `${fmt(1 / ratio)}× ${bad}`;
}

/** Prints our figure, then each peer's with the ratio ours ÷ peer and which is better ("1.40× faster"). */
export function printVersus(title: string, ours: Figure, peers: Figure[], options: VersusOptions): void {
  const header = ['', options.unit, ...(options.extraHeaders ?? []), `${ours.name} ÷ peer`, ''];
  const row = (f: Figure, ratio: string, words: string): string[] => [
    f.name,
    fmt(f.value),
    ...(f.extra ?? []),
    ratio,
    words,
  ];
  const rows = [
    header,
    row(ours, '', ''),
    ...peers.map((p) => {
      const ratio = ours.value / p.value;
      const words = p.note ?? versus(ours.value, p.value, options);
      return row(p, Number.isFinite(ratio) && ratio > 0 ? `${fmt(ratio)}×` : 'n/a', words);
    }),
  ];
  console.log(`\n${title}`);
  printTable(rows, [0, header.length - 1]);
}

/** Prints rows as aligned columns: figures right-aligned, the `left` columns (names, words) left-aligned. */
export function printTable(rows: string[][], left: number[] = [0]): void {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  for (const row of rows) {
    const cells = row.map((cell, i) =>
      left.includes(i) ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0),
    );
    console.log('  ' + cells.join('  ').trimEnd());
  }
}

/** A number with 3 significant digits (2 decimals below 10), no exponent. */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  return abs >= 100 ? n.toFixed(0) : abs >= 10 ? n.toFixed(1) : n.toFixed(2);
}
