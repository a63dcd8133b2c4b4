// The rules for moving a review's visit days, as the server applies them
// (crates/server/src/store/visit_days.rs): the form says what is wrong before sending, and the
// in-memory backend refuses the same requests with the same words.

/** The days can move only before the visit starts. */
export const VISIT_EDITABLE_STATES = ['scheduled', 'preparing'];
/** First to last visit day at most this many days apart. */
export const MAX_VISIT_SPAN_DAYS = 14;

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const DAY_MS = 86_400_000;

function dayNumber(date: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return null;
  const ms = Date.parse(`${date}T00:00:00Z`);
  // Date.parse rolls 2027-02-30 over to March; a real date round-trips.
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) return null;
  return ms / DAY_MS;
}

/** Why these visit days cannot be used from `today` (YYYY-MM-DD), or null when they can. */
export function visitDaysProblem(dates: string[], today: string): string | null {
  if (dates.length !== 3 || dates.some((d) => !d)) return 'Give the 3 visit days.';
  const todayN = dayNumber(today) ?? 0;
  const days: number[] = [];
  for (const d of dates) {
    const n = dayNumber(d);
    if (n === null) return `${d} is not a date written as YYYY-MM-DD.`;
    const weekday = new Date(n * DAY_MS).getUTCDay();
    if (weekday === 0 || weekday === 6) return `${d} is a ${WEEKDAYS[weekday]}: visit days are school days, Monday to Friday.`;
    if (n < todayN) return `${d} has passed: visit days cannot be moved into the past (today is ${today}).`;
    days.push(n);
  }
  if (!(days[0] < days[1] && days[1] < days[2])) return 'The visit days must be different and in order.';
  if (days[2] - days[0] > MAX_VISIT_SPAN_DAYS) return `The visit days must fall within ${MAX_VISIT_SPAN_DAYS} days of each other.`;
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
