import { describe, expect, it } from 'vitest';
import { chartSummary, columnColour, csvFileName, maxShown, rowName, type Chart } from './insights';

function chart(rows: { code: string; label: string; group?: string; values: (number | null)[] }[], columns: string[], suppressed: number): Chart {
  return {
    code: 'estimates',
    title: 'Issued estimates by area and academic year',
    unit: 'issued reviews',
    note: '',
    columns: columns.map((c) => ({ code: c.toLowerCase(), label: c })),
    rows: rows.map((r) => ({ ...r, group: r.group ?? '' })),
    suppressed,
    csv: '',
  };
}

describe('chart summaries', () => {
  it('sums what is shown and names the largest count with its row and column', () => {
    const c = chart(
      [
        { code: '2024/25:leadership', label: 'Leadership at all levels', group: '2024/25', values: [6, 12, 0, 0] },
        { code: '2024/25:provision_outcomes', label: 'The quality of provision and outcomes', group: '2024/25', values: [5, 13, 0, 0] },
      ],
      ['Leading', 'Effective', 'Working Towards Effective', 'Ineffective'],
      0,
    );
    expect(chartSummary(c, 5)).toBe(
      'Issued estimates by area and academic year: 36 issued reviews in all. The largest count is 2024/25, The quality of provision and outcomes: Effective, 13.',
    );
  });

  it('says how many counts are hidden and never claims a total', () => {
    const c = chart([{ code: 'x', label: 'Leadership at all levels', group: '2024/25', values: [null, 7, null, 0] }], ['Leading', 'Effective', 'WTE', 'Ineffective'], 2);
    const text = chartSummary(c, 5);
    expect(text).toContain('Issued estimates by area and academic year: 7 issued reviews shown. The largest count is 2024/25, Leadership at all levels: Effective, 7.');
    expect(text).toContain('2 counts are hidden because fewer than 5 schools stand behind them, or they would reveal one that does.');
  });

  it('a one-column chart names the row alone', () => {
    const c = { ...chart([{ code: 'issued', label: 'Issued', values: [9] }, { code: 'drafting', label: 'Drafting', values: [null] }], ['Reviews'], 1), unit: 'reviews', title: 'Reviews by state' };
    expect(chartSummary(c, 5)).toContain('The largest count is Issued, 9. 1 count is hidden because fewer than 5 schools stand behind it, or it would reveal one that does.');
  });

  it('an empty or fully hidden chart says so', () => {
    expect(chartSummary(chart([{ code: 'a', label: 'A', values: [0, 0] }], ['X', 'Y'], 0), 5)).toBe('Issued estimates by area and academic year: nothing to show yet.');
    expect(chartSummary(chart([{ code: 'a', label: 'A', values: [null, null] }], ['X', 'Y'], 2), 5)).toContain('every count that is not zero is hidden (2 counts rest on fewer than 5 schools');
  });

  it('names files, rows, colours and the scale plainly', () => {
    const c = chart([{ code: 'a', label: 'A', values: [null, 3] }], ['X', 'Y'], 1);
    expect(csvFileName('North Hub', '2024/25', c)).toBe('insights-north-hub-2024-25-estimates.csv');
    expect(rowName({ label: 'Leadership', group: '2023/24' })).toBe('2023/24, Leadership');
    expect(rowName({ label: 'Drafting', group: '' })).toBe('Drafting');
    expect(columnColour(0)).toBe('#0072B2');
    expect(columnColour(7)).toBe('#0072B2');
    expect(maxShown(c)).toBe(3);
    expect(maxShown(chart([{ code: 'a', label: 'A', values: [null] }], ['X'], 1))).toBe(1);
  });
});
