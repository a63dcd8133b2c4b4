// The one visit-day rule (qar_core::visit_days in crates/core/src/visit_days.rs), which the
// server applies both when a hub schedules a review and when its days move: the form says what
// is wrong before sending, and the in-memory backend refuses the same requests with the same
// words. visitDays.test.ts checks this file against every golden case Rust exports
// (generated/visit-day-cases.json), the constants included.

/** The days can move only before the visit starts. */
export const VISIT_EDITABLE_STATES = ['scheduled', 'preparing'];
/** A visit is this many school days. */
export const VISIT_DAYS = 3;
/** First to last visit day at most this many days apart. */
export const MAX_VISIT_SPAN_DAYS = 14;
/** The earliest year a date may have (qar_core::calendar::EARLIEST_YEAR). */
const EARLIEST_YEAR = 1900;

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a date written exactly YYYY-MM-DD (a real day, from 1900), else null. */
function dayNumber(date: string): number | null {
  if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(date) || Number(date.slice(0, 4)) < EARLIEST_YEAR) return null;
  const ms = Date.parse(`${date}T00:00:00Z`);
  // Date.parse rolls 2027-02-30 over to March; a real date round-trips.
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) return null;
  return ms / DAY_MS;
}

/** A date as a message quotes it: at most 40 characters (code points) of whatever was typed. */
function quoted(date: string): string {
  return Array.from(date).slice(0, 40).join('');
}

/** Why these visit days cannot be used from `today` (YYYY-MM-DD), or null when they can. */
export function visitDaysProblem(dates: string[], today: string): string | null {
  if (dates.length !== VISIT_DAYS || dates.some((d) => !d)) return `Give the ${VISIT_DAYS} visit days.`;
  const todayN = dayNumber(today) ?? 0;
  const days: number[] = [];
  for (const d of dates) {
    const n = dayNumber(d);
    if (n === null) return `${quoted(d)} is not a date written as YYYY-MM-DD.`;
    const weekday = new Date(n * DAY_MS).getUTCDay();
    if (weekday === 0 || weekday === 6) return `${d} is a ${WEEKDAYS[weekday]}: visit days are school days, Monday to Friday.`;
    if (n < todayN) return `${d} has passed: visit days cannot be in the past (today is ${today}).`;
    days.push(n);
  }
  if (!days.every((n, i) => i === 0 || days[i - 1] < n)) return 'The visit days must be different and in order.';
  if (days[days.length - 1] - days[0] > MAX_VISIT_SPAN_DAYS) return `The visit days must fall within ${MAX_VISIT_SPAN_DAYS} days of each other.`;
  return null;
}

/** The next `count` school days from `first` (itself included when it is one). */
export function schoolDaysFrom(first: string, count = 3): string[] {
  let n = dayNumber(first);
  if (n === null) return [];
  const out: string[] = [];
  while (out.length < count) {
    const weekday = new Date(n * DAY_MS).getUTCDay();
    if (weekday !== 0 && weekday !== 6) out.push(new Date(n * DAY_MS).toISOString().slice(0, 10));
    n += 1;
  }
  return out;
}
