import { describe, expect, it } from 'vitest';
import { formatDateTimeEntry, parseBritishDate, parseBritishDateTime, parseTime } from './britishDates';

describe('British dates', () => {
  it('reads the day first, however it is written', () => {
    for (const text of ['5/1/2027', '05/01/2027', '5-1-27', '5.1.2027', '5 Jan 2027', '5th January 2027', 'Tue 5 Jan 2027', '2027-01-05']) {
      expect(parseBritishDate(text), text).toBe('2027-01-05');
    }
  });

  it('refuses what is not a date rather than guess', () => {
    for (const text of ['', '31/2/2027', '13/13/2027', '1/5', 'Ju 2027', 'next Tuesday', '2027-02-29']) {
      expect(parseBritishDate(text), text).toBeNull();
    }
  });

  it('reads times in 24-hour and 12-hour forms', () => {
    expect(parseTime('09:15')).toBe('09:15');
    expect(parseTime('9.15')).toBe('09:15');
    expect(parseTime('2:05 pm')).toBe('14:05');
    expect(parseTime('12am')).toBe('00:00');
    expect(parseTime('24:00')).toBeNull();
  });

  it('reads and shows a date with a time', () => {
    expect(parseBritishDateTime('24/11/2026 09:15')).toBe('2026-11-24T09:15');
    expect(parseBritishDateTime('24 Nov 2026, 9:15')).toBe('2026-11-24T09:15');
    expect(parseBritishDateTime('Tue 24 Nov 2026 at 2pm')).toBe('2026-11-24T14:00');
    expect(parseBritishDateTime('2026-11-24T09:15')).toBe('2026-11-24T09:15');
    expect(parseBritishDateTime('24/11/2026')).toBeNull();
    expect(formatDateTimeEntry('2026-11-24T09:15')).toBe('24 Nov 2026, 09:15');
    expect(parseBritishDateTime(formatDateTimeEntry('2027-01-05T16:40'))).toBe('2027-01-05T16:40');
  });
});

describe('report dates in the preview', () => {
  it('writes them as the PDF does', async () => {
    const { formatLongDate, formatVisitDaysLine } = await import('./format');
    expect(formatLongDate('2025-03-04')).toBe('Tuesday 4 March 2025');
    expect(formatVisitDaysLine(['2025-03-04', '2025-03-05', '2025-03-06'])).toBe('Tuesday 4, Wednesday 5 and Thursday 6 March 2025');
    expect(formatVisitDaysLine(['2025-03-31', '2025-04-01'])).toBe('Monday 31 March 2025 and Tuesday 1 April 2025');
    expect(formatVisitDaysLine(['2026-11-24'])).toBe('Tuesday 24 November 2026');
  });
});

describe('waiting changes in words', () => {
  it('counts records, not writes', async () => {
    const { formatPendingRecords } = await import('./format');
    expect(formatPendingRecords([{ kind: 'evidence', records: 2 }, { kind: 'estimate', records: 1 }])).toBe('2 notes and 1 estimate waiting to sync');
    expect(formatPendingRecords([{ kind: 'review', records: 1 }, { kind: 'report_section', records: 3 }, { kind: 'evidence', records: 1 }])).toBe(
      '1 note, 3 report sections and 1 review detail waiting to sync',
    );
    expect(formatPendingRecords([])).toBe('All changes synced');
  });
});
