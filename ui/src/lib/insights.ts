// Hub insights (issue 23, point 2): what the screen says about a chart in words, and the colours
// it draws with. The numbers and which of them are hidden come from the server (decision 68):
// nothing here adds a total the server did not publish except sums of the numbers shown.

import type { Chart } from './generated';
export type { Chart, ChartColumn, ChartRow, HubInsights } from './generated';

/**
 * Okabe and Ito's colour-blind-safe palette, without its yellow (too pale on white). Bars also
 * carry their number as text, so colour is never the only way to tell them apart.
 */
export const PALETTE = ['#0072B2', '#56B4E9', '#E69F00', '#D55E00', '#009E73', '#CC79A7', '#000000'] as const;

/** The colour of a chart's n-th column. */
export function columnColour(index: number): string {
  return PALETTE[index % PALETTE.length];
}

/** A row's name as a reader needs it: with its academic year where the chart groups by year. */
export function rowName(row: { label: string; group: string }): string {
  return row.group ? `${row.group}, ${row.label}` : row.label;
}

function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;
}

/**
 * The chart in one or two sentences: how many are shown, the largest count, and how many counts
 * are hidden and why. Sums only what is shown, and says so when something is hidden.
 */
export function chartSummary(chart: Chart, minSchools: number): string {
  const shown: { row: string; column: string; value: number }[] = [];
  chart.rows.forEach((row) =>
    row.values.forEach((value, i) => {
      if (value !== null) shown.push({ row: rowName(row), column: chart.columns[i]?.label ?? '', value });
    }),
  );
  const hidden = chart.suppressed;
  const sum = shown.reduce((acc, c) => acc + c.value, 0);
  if (sum === 0) {
    return hidden === 0
      ? `${chart.title}: nothing to show yet.`
      : `${chart.title}: every count that is not zero is hidden (${plural(hidden, 'count rests', 'counts rest')} on fewer than ${minSchools} schools, or would reveal one that does).`;
  }
  const top = shown.reduce((best, c) => (c.value > best.value ? c : best));
  const where = chart.columns.length > 1 ? `${top.row}: ${top.column}` : top.row;
  const count = `${sum.toLocaleString('en-GB')} ${chart.unit}`;
  let text = `${chart.title}: ${hidden === 0 ? `${count} in all` : `${count} shown`}. The largest count is ${where}, ${top.value.toLocaleString('en-GB')}.`;
  if (hidden > 0) {
    text += ` ${plural(hidden, 'count is', 'counts are')} hidden because fewer than ${minSchools} schools stand behind ${hidden === 1 ? 'it' : 'them'}, or ${hidden === 1 ? 'it' : 'they'} would reveal one that does.`;
  }
  return text;
}

/** The file name a chart's CSV is saved under, e.g. `insights-north-hub-2024-25-estimates.csv`. */
export function csvFileName(scope: string, academicYear: string, chart: Chart): string {
  const slug = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '');
  return `insights-${slug(scope) || 'hub'}-${slug(academicYear)}-${slug(chart.code)}.csv`;
}

/** A `data:` address of the CSV (already UTF-8 with its byte-order mark from the server). */
export function csvHref(chart: Chart): string {
  return `data:text/csv;charset=utf-8,${encodeURIComponent(chart.csv)}`;
}

/** The largest shown count, for a chart's scale (at least 1 so an empty chart still draws). */
export function maxShown(chart: Chart): number {
  return Math.max(1, ...chart.rows.flatMap((r) => r.values.filter((v): v is number => v !== null)));
}
