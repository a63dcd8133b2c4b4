import { describe, expect, it } from 'vitest';
import {
  areaShortLabel,
  formatActivityTime,
  formatShortDay,
  localDay,
  formatDate,
  formatDayDate,
  formatLastSynced,
  formatPending,
  formatTime,
  localDateTimeValue,
  plural,
  stateLabel,
} from './format';

// Instants are built from local times so the expectations hold in any time zone.
const local = (y: number, mo: number, d: number, h: number, mi: number) => new Date(y, mo - 1, d, h, mi).toISOString();

describe('formatDate', () => {
  it('writes a calendar date the British way', () => {
    expect(formatDate('2026-11-23')).toBe('23 Nov 2026');
    expect(formatDate('2027-09-01')).toBe('1 Sep 2027');
    expect(formatDate('2028-02-29')).toBe('29 Feb 2028');
  });

  it('shows anything that is not a date as it came', () => {
    expect(formatDate('')).toBe('');
    expect(formatDate('next week')).toBe('next week');
    expect(formatDate('2027-02-30')).toBe('2027-02-30');
  });

  it('adds the weekday when asked', () => {
    expect(formatDayDate('2026-11-23')).toBe('Mon 23 Nov 2026');
  });
});

describe('times', () => {
  it('formats an RFC 3339 instant as local HH:MM', () => {
    expect(formatTime(local(2026, 11, 23, 9, 5))).toBe('09:05');
    expect(formatTime(local(2026, 11, 23, 14, 32))).toBe('14:32');
  });

  it('formats the time a reviewer typed without shifting it', () => {
    expect(formatActivityTime('2026-11-24T09:15')).toBe('Tue 24 Nov, 09:15');
    expect(formatActivityTime(null)).toBe('No time given');
  });

  it('gives the value a datetime-local input expects', () => {
    expect(localDateTimeValue(new Date(2026, 10, 23, 7, 4))).toBe('2026-11-23T07:04');
  });
});

describe('formatLastSynced', () => {
  const now = new Date(2026, 10, 23, 16, 0);

  it('says when nothing has synced yet', () => {
    expect(formatLastSynced(null, now)).toBe('Never synced');
  });

  it('gives only the time for today', () => {
    expect(formatLastSynced(local(2026, 11, 23, 14, 32), now)).toBe('Last synced 14:32');
  });

  it('says yesterday, then the date, for older syncs', () => {
    expect(formatLastSynced(local(2026, 11, 22, 18, 5), now)).toBe('Last synced yesterday at 18:05');
    expect(formatLastSynced(local(2026, 11, 2, 8, 0), now)).toBe('Last synced 2 Nov at 08:00');
    expect(formatLastSynced(local(2025, 7, 14, 8, 0), now)).toBe('Last synced 14 Jul 2025 at 08:00');
  });
});

describe('words', () => {
  it('counts pending changes', () => {
    expect(formatPending(0)).toBe('All changes synced');
    expect(formatPending(1)).toBe('1 change waiting to sync');
    expect(formatPending(3)).toBe('3 changes waiting to sync');
  });

  it('labels review states', () => {
    expect(stateLabel('in_visit')).toBe('In visit');
    expect(stateLabel('scheduled')).toBe('Scheduled');
    expect(stateLabel('something_new')).toBe('Something new');
  });

  it('pluralises', () => {
    expect(plural(1, 'note')).toBe('1 note');
    expect(plural(0, 'note')).toBe('0 notes');
  });
});

describe('days and areas', () => {
  it('gives the local day of an instant and a short day of the visit', () => {
    expect(localDay(local(2026, 11, 23, 23, 59))).toBe('2026-11-23');
    expect(localDay('not a time')).toBe('');
    expect(formatShortDay('2026-11-24')).toBe('Tue 24 Nov');
  });

  it('shortens the framework area labels for chips', () => {
    expect(areaShortLabel({ code: 'leadership', label: 'Leadership at all levels' })).toBe('Leadership');
    expect(
      areaShortLabel({
        code: 'disadvantaged_additional_needs',
        label: 'The quality of provision and outcomes for disadvantaged pupils and pupils with additional needs',
      }),
    ).toBe('Disadvantaged and additional needs');
    // An area this build has no short name for: short labels stay, long ones are cut at a word.
    expect(areaShortLabel({ code: 'personal_development', label: 'Personal development' })).toBe('Personal development');
    expect(areaShortLabel({ code: 'x', label: 'The effectiveness of the curriculum, across all key stages' })).toBe(
      'The effectiveness of the curriculum…',
    );
  });
});

describe('review desk wording', () => {
  it('says roles, sync badges, visit dates and word counts in plain words', async () => {
    const { roleLabel, syncBadgeLabel, formatVisitDates, countWords, visitDays } = await import('./format');
    expect(roleLabel('lead_reviewer')).toBe('Lead Reviewer');
    expect(roleLabel(null)).toBe('Not on the team');
    expect(syncBadgeLabel('local').label).toBe('Only on this laptop');
    expect(syncBadgeLabel('acknowledged').label).toBe('Synced');
    expect(formatVisitDates('2026-11-23')).toBe('Mon 23 – Wed 25 Nov 2026');
    expect(formatVisitDates('2026-11-29')).toBe('Sun 29 Nov – Tue 1 Dec 2026');
    expect(visitDays('2027-02-27')).toEqual(['2027-02-27', '2027-02-28', '2027-03-01']);
    expect(visitDays('nope')).toEqual([]);
    expect(countWords('  Pupils  read\nwidely. ')).toBe(3);
  });
});
