import { describe, expect, it } from 'vitest';
import { MAX_VISIT_SPAN_DAYS, schoolDaysFrom, VISIT_DAYS, VISIT_EDITABLE_STATES, visitDaysProblem } from './visitDays';
import golden from './generated/visit-day-cases.json';

// 2027-05-10 is a Monday.
const TODAY = '2027-05-10';

describe('visit day rules (as the server applies them)', () => {
  it('answers every golden case exported from the Rust rule exactly as Rust does', () => {
    expect(golden.cases.length).toBeGreaterThan(100);
    for (const c of golden.cases) {
      expect({ dates: c.dates, today: c.today, problem: visitDaysProblem(c.dates, c.today) }).toEqual(c);
    }
  });

  it('has the constants of the Rust rule', () => {
    expect(VISIT_DAYS).toBe(golden.visit_days);
    expect(MAX_VISIT_SPAN_DAYS).toBe(golden.max_span_days);
    expect(VISIT_EDITABLE_STATES).toEqual(golden.editable_states);
  });

  it('accepts three school days from today on, across a weekend too', () => {
    expect(visitDaysProblem(['2027-05-10', '2027-05-11', '2027-05-12'], TODAY)).toBeNull();
    expect(visitDaysProblem(['2027-05-13', '2027-05-14', '2027-05-17'], TODAY)).toBeNull();
  });

  it('says what is wrong with each kind of bad date', () => {
    const cases: [string[], string][] = [
      [['2027-05-11', '2027-05-12'], 'Give the 3 visit days.'],
      [['2027-05-11', '', '2027-05-13'], 'Give the 3 visit days.'],
      [['2027-02-30', '2027-05-12', '2027-05-13'], '2027-02-30 is not a date written as YYYY-MM-DD.'],
      [['2027-05-14', '2027-05-15', '2027-05-17'], '2027-05-15 is a Saturday: visit days are school days, Monday to Friday.'],
      [['2027-05-07', '2027-05-10', '2027-05-11'], '2027-05-07 has passed: visit days cannot be in the past (today is 2027-05-10).'],
      [['2027-05-12', '2027-05-11', '2027-05-13'], 'The visit days must be different and in order.'],
      [['2027-05-11', '2027-05-11', '2027-05-12'], 'The visit days must be different and in order.'],
      [['2027-05-10', '2027-05-11', '2027-05-31'], 'The visit days must fall within 14 days of each other.'],
    ];
    for (const [dates, message] of cases) expect(visitDaysProblem(dates, TODAY)).toBe(message);
  });

  it('suggests the next school days after a chosen first day', () => {
    expect(schoolDaysFrom('2027-05-13')).toEqual(['2027-05-13', '2027-05-14', '2027-05-17']);
    expect(schoolDaysFrom('2027-05-15')).toEqual(['2027-05-17', '2027-05-18', '2027-05-19']);
    expect(schoolDaysFrom('not a date')).toEqual([]);
  });
});
