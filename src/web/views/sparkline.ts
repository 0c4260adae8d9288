// Small charts drawn on the server as inline SVG: a sparkline for a feed's posts per day, and a bar
// chart for reading activity. The page's Content-Security-Policy forbids inline styles, so the
// charts use class names and SVG presentation attributes only; the stylesheet colours them.
import { html, type Html } from '../html.js';

export const DAY_MS = 86_400_000;

/** Days since the epoch (UTC) of a time. */
export function dayOf(at: number): number {
  return Math.floor(at / DAY_MS);
}

/**
 * Counts per day for the `days` days ending with the day of `now` (oldest first), from sparse
 * `{day, count}` rows; days without a row count zero.
 */
export function dailySeries(
  rows: readonly { day: number; count: number }[],
  days: number,
  now: number,
): number[] {
  const last = dayOf(now);
  const first = last - days + 1;
  const series = new Array<number>(days).fill(0);
  for (const row of rows) {
    if (row.day < first || row.day > last) continue;
    series[row.day - first] = (series[row.day - first] ?? 0) + row.count;
  }
  return series;
}

const round = (n: number): string => String(Math.round(n * 10) / 10);

export interface SparklineOptions {
  /** What the chart shows, in words: the accessible name and the tooltip. */
  label: string;
  width?: number;
  height?: number;
  className?: string;
}

/** A line over the values (oldest first), scaled to the largest; a flat line on the baseline when all are zero. */
export function sparkline(values: readonly number[], options: SparklineOptions): Html {
  const width = options.width ?? 120;
  const height = options.height ?? 24;
  const pad = 2;
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? (width - 2 * pad) / (values.length - 1) : 0;
  const points = values.map((v, i) => {
    const x = values.length > 1 ? pad + i * step : width / 2;
    const y = height - pad - (Math.max(0, v) / max) * (height - 2 * pad);
    return [x, y] as const;
  });
  const line = points.map(([x, y]) => `${round(x)},${round(y)}`).join(' ');
  const first = points[0];
  const lastPoint = points[points.length - 1];
  const area =
    first && lastPoint
      ? `${round(first[0])},${height - pad} ${line} ${round(lastPoint[0])},${height - pad}`
      : '';
  const className = `sparkline${options.className ? ` ${options.className}` : ''}`;
  return html`<svg
    class="${className}"
    xmlns="http://www.w3.org/2000/svg"
    viewBox="0 0 ${width} ${height}"
    width="${width}"
    height="${height}"
    role="img"
    aria-label="${options.label}"
    focusable="false"
  >
    <title>${options.label}</title>
    ${
      area
        ? html`<polygon
            class="sparkline-area"
            points="${area}"
            fill="currentColor"
            fill-opacity="0.15"
            stroke="none"
          />`
        : ''
    }${
      line
        ? html`<polyline
            class="sparkline-line"
            points="${line}"
            fill="none"
            stroke="currentColor"
            stroke-width="1.5"
            stroke-linejoin="round"
            stroke-linecap="round"
          />`
        : ''
    }${
      lastPoint
        ? html`<circle
            class="sparkline-dot"
            cx="${round(lastPoint[0])}"
            cy="${round(lastPoint[1])}"
            r="2"
            fill="currentColor"
          />`
        : ''
    }
  </svg>`;
}

export interface Bar {
  value: number;
  /** The bar's own tooltip ("2024-05-01: 12 entries read"). */
  title: string;
}

export interface BarChartOptions {
  /** What the chart shows, in words: the accessible name. */
  label: string;
  /** Text under the first and the last bar (usually their dates). */
  startLabel?: string;
  endLabel?: string;
  /** Text by the top of the scale, e.g. the largest value; the largest value itself when omitted. */
  maxLabel?: string;
  height?: number;
  barWidth?: number;
  gap?: number;
  className?: string;
}

/** Vertical bars, oldest first, scaled to the largest; each bar has its own tooltip. */
export function barChart(bars: readonly Bar[], options: BarChartOptions): Html {
  const barWidth = options.barWidth ?? 6;
  const gap = options.gap ?? 1;
  const plotHeight = options.height ?? 100;
  const top = 12;
  const bottom = 16;
  const width = Math.max(1, bars.length * (barWidth + gap) - gap);
  const height = top + plotHeight + bottom;
  const baseline = top + plotHeight;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const rects = bars.map((bar, i) => {
    const value = Math.max(0, bar.value);
    // Empty days keep a sliver, so the time axis stays readable.
    const h = value === 0 ? 1 : Math.max(2, (value / max) * plotHeight);
    return html`<rect
      class="${value === 0 ? 'chart-bar chart-bar-empty' : 'chart-bar'}"
      x="${i * (barWidth + gap)}"
      y="${round(baseline - h)}"
      width="${barWidth}"
      height="${round(h)}"
      fill="currentColor"
      ><title>${bar.title}</title></rect
    >`;
  });
  const className = `chart${options.className ? ` ${options.className}` : ''}`;
  return html`<svg
    class="${className}"
    xmlns="http://www.w3.org/2000/svg"
    viewBox="0 0 ${width} ${height}"
    width="${width}"
    height="${height}"
    role="img"
    aria-label="${options.label}"
    preserveAspectRatio="xMinYMin meet"
  >
    <title>${options.label}</title>
    <line
      class="chart-axis"
      x1="0"
      y1="${baseline + 0.5}"
      x2="${width}"
      y2="${baseline + 0.5}"
      stroke="currentColor"
      stroke-width="1"
    />
    <text class="chart-label" x="0" y="9" font-size="10" fill="currentColor">
      ${options.maxLabel ?? String(max)}
    </text>
    ${rects}${
      options.startLabel
        ? html`<text class="chart-label" x="0" y="${height - 3}" font-size="10" fill="currentColor"
            >${options.startLabel}</text
          >`
        : ''
    }${
      options.endLabel
        ? html`<text
            class="chart-label"
            x="${width}"
            y="${height - 3}"
            font-size="10"
            fill="currentColor"
            text-anchor="end"
            >${options.endLabel}</text
          >`
        : ''
    }
  </svg>`;
}
