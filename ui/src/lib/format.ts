import { withoutCitations } from './citations';
import { teamRoleLabel } from './tables';

// Dates are formatted by hand, not with Intl: British reviewers expect "23 Nov 2026", and ICU
// versions disagree on details such as "Sep" versus "Sept".

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** A calendar date from 'YYYY-MM-DD' (no time zone involved), or null if it isn't one. */
function parseDay(value: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!m) return null;
  const date = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return date.getMonth() === Number(m[2]) - 1 ? date : null;
}

function parseInstant(value: string): Date | null {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** '2026-11-23' → '23 Nov 2026'. Anything unparseable is shown as it came. */
export function formatDate(value: string): string {
  const d = parseDay(value);
  return d ? `${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()}` : value;
}

const LONG_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const LONG_WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** '2025-03-04' → 'Tuesday 4 March 2025', as the PDF and Word report write it (qar-report's wording.rs). */
export function formatLongDate(value: string): string {
  const d = parseDay(value);
  return d ? `${LONG_WEEKDAYS[d.getDay()]} ${d.getDate()} ${LONG_MONTHS[d.getMonth()]} ${d.getFullYear()}` : value;
}

/** The visit days in one phrase, as the report writes them: 'Tuesday 4, Wednesday 5 and Thursday 6 March 2025'. */
export function formatVisitDaysLine(days: string[]): string {
  const parsed = days.map(parseDay);
  const sameMonth =
    parsed.length > 1 &&
    parsed.every((d) => d !== null && d.getFullYear() === parsed[0]!.getFullYear() && d.getMonth() === parsed[0]!.getMonth());
  const parts = sameMonth
    ? parsed.map((d, i) => (i === parsed.length - 1 ? formatLongDate(days[i]) : `${LONG_WEEKDAYS[d!.getDay()]} ${d!.getDate()}`))
    : days.map(formatLongDate);
  return parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** '2026-11-23' → 'Mon 23 Nov 2026'. */
export function formatDayDate(value: string): string {
  const d = parseDay(value);
  return d ? `${WEEKDAYS[d.getDay()]} ${formatDate(value)}` : value;
}

/** An RFC 3339 instant → local 'HH:MM'. */
export function formatTime(value: string): string {
  const d = parseInstant(value);
  return d ? `${pad(d.getHours())}:${pad(d.getMinutes())}` : value;
}

/** When an activity happened, from the 'YYYY-MM-DDTHH:MM' a reviewer typed: 'Tue 24 Nov, 09:15'. */
export function formatActivityTime(value: string | null): string {
  if (!value) return 'No time given';
  const d = parseDay(value);
  const time = /T(\d{2}:\d{2})/.exec(value)?.[1];
  if (!d || !time) return value;
  return `${WEEKDAYS[d.getDay()]} ${d.getDate()} ${MONTHS[d.getMonth()]}, ${time}`;
}

/** 'Last synced 14:32', 'Last synced yesterday at 14:32', 'Last synced 21 Nov at 14:32' or 'Never synced'. */
export function formatLastSynced(value: string | null, now: Date = new Date()): string {
  const d = value ? parseInstant(value) : null;
  if (!d) return 'Never synced';
  const time = formatTime(value!);
  if (sameDay(d, now)) return `Last synced ${time}`;
  const yesterday = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1);
  if (sameDay(d, yesterday)) return `Last synced yesterday at ${time}`;
  const year = d.getFullYear() === now.getFullYear() ? '' : ` ${d.getFullYear()}`;
  return `Last synced ${d.getDate()} ${MONTHS[d.getMonth()]}${year} at ${time}`;
}

/** Each kind of record as a person names it, singular and plural. */
const RECORD_NOUNS: Record<string, [string, string]> = {
  evidence: ['note', 'notes'],
  estimate: ['estimate', 'estimates'],
  report_section: ['report section', 'report sections'],
  comment: ['comment', 'comments'],
  plan_activity: ['planned activity', 'planned activities'],
  review: ['review detail', 'review details'],
};
const RECORD_ORDER = ['evidence', 'estimate', 'report_section', 'comment', 'plan_activity', 'review'];
const rank = (kind: string) => (RECORD_ORDER.includes(kind) ? RECORD_ORDER.indexOf(kind) : RECORD_ORDER.length);

/** What waits to sync, counted as a person would: '2 notes and 1 estimate waiting to sync'. */
export function formatPendingRecords(records: { kind: string; records: number }[]): string {
  const parts = [...records]
    .filter((r) => r.records > 0)
    .sort((a, b) => rank(a.kind) - rank(b.kind))
    .map((r) => {
      const [one, many] = RECORD_NOUNS[r.kind] ?? ['change', 'changes'];
      return `${r.records} ${r.records === 1 ? one : many}`;
    });
  if (parts.length === 0) return 'All changes synced';
  const list = parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
  return `${list} waiting to sync`;
}

/** Pending outbox ops in words: '3 changes waiting to sync', '1 change waiting to sync'. */
export function formatPending(count: number): string {
  if (count === 0) return 'All changes synced';
  return `${count} ${count === 1 ? 'change' : 'changes'} waiting to sync`;
}

const STATE_LABELS: Record<string, string> = {
  scheduled: 'Scheduled',
  preparing: 'Preparing',
  in_visit: 'In visit',
  estimates_agreed: 'Estimates agreed',
  drafting: 'Drafting report',
  submitted: 'Submitted',
  returned: 'Returned for changes',
  approved: 'Approved',
  issued: 'Report issued',
  archived: 'Archived',
  cancelled: 'Cancelled',
};

/** A review state code as a person would say it: 'in_visit' → 'In visit'. */
export function stateLabel(code: string): string {
  if (STATE_LABELS[code]) return STATE_LABELS[code];
  const words = code.replace(/_/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The current local time in the 'YYYY-MM-DDTHH:MM' form a datetime-local input holds. */
export function localDateTimeValue(now: Date = new Date()): string {
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}T${pad(now.getHours())}:${pad(now.getMinutes())}`;
}

/** 'evidence note' → '1 evidence note' / '3 evidence notes'. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** The local calendar day of an RFC 3339 instant, 'YYYY-MM-DD' ('' if it is not one). */
export function localDay(value: string): string {
  const d = parseInstant(value);
  return d ? `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` : '';
}

/** '2026-11-23' → 'Mon 23 Nov': a day of the visit, whose year goes without saying. */
export function formatShortDay(value: string): string {
  const d = parseDay(value);
  return d ? `${WEEKDAYS[d.getDay()]} ${d.getDate()} ${MONTHS[d.getMonth()]}` : value;
}

// The framework's area labels are long sentences; chips and filter options use these.
const AREA_SHORT_LABELS: Record<string, string> = {
  leadership: 'Leadership',
  provision_outcomes: 'Provision and outcomes',
  disadvantaged_additional_needs: 'Disadvantaged and additional needs',
};

const MAX_SHORT_LABEL = 36;

/** A framework area's label short enough for a chip; an area this build has no short name for is cut at a word. */
export function areaShortLabel(area: { code: string; label: string }): string {
  if (AREA_SHORT_LABELS[area.code]) return AREA_SHORT_LABELS[area.code];
  if (area.label.length <= MAX_SHORT_LABEL) return area.label;
  let cut = area.label.slice(0, MAX_SHORT_LABEL);
  // Cut inside a word: go back to the space before it.
  const endsWord = /[\s,;:.]/.test(area.label.charAt(MAX_SHORT_LABEL)) || /[\s,;:.]$/.test(cut);
  const space = cut.lastIndexOf(' ');
  if (!endsWord && space > 12) cut = cut.slice(0, space);
  return `${cut.replace(/[\s,;:.]+$/, '')}…`;
}

/** Global roles; team roles are labelled as `TeamRole::label` words them (tables.json). */
const ROLE_LABELS: Record<string, string> = {
  hub_coordinator: 'Hub coordinator',
  admin: 'Administrator',
};

/** A role code as people say it: 'lead_reviewer' → 'Lead Reviewer'. */
export function roleLabel(code: string | null): string {
  if (code === null) return 'Not on the team';
  return teamRoleLabel(code) ?? ROLE_LABELS[code] ?? stateLabel(code);
}

const SYNC_BADGES: Record<string, { label: string; description: string }> = {
  local: { label: 'Only on this laptop', description: 'Made here and not yet sent to the server' },
  queued: { label: 'Waiting to send', description: 'Changes are waiting to be sent to the server' },
  sent: { label: 'Sending', description: 'Changes are on their way to the server' },
  acknowledged: { label: 'Synced', description: 'The server holds every change' },
};

/** Where a review's changes are, in words (not only a colour). */
export function syncBadgeLabel(badge: string): { label: string; description: string } {
  return SYNC_BADGES[badge] ?? { label: stateLabel(badge), description: '' };
}

/** '2026-11-23' → 'Mon 23 – Wed 25 Nov 2026': a three-day visit from its first day. */
export function formatVisitDates(startDate: string, days = 3): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(startDate);
  if (!m) return startDate;
  const first = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const last = new Date(first.getFullYear(), first.getMonth(), first.getDate() + days - 1);
  const end = `${WEEKDAYS[last.getDay()]} ${last.getDate()} ${MONTHS[last.getMonth()]} ${last.getFullYear()}`;
  if (first.getMonth() === last.getMonth() && first.getFullYear() === last.getFullYear()) {
    return `${WEEKDAYS[first.getDay()]} ${first.getDate()} – ${end}`;
  }
  const startYear = first.getFullYear() === last.getFullYear() ? '' : ` ${first.getFullYear()}`;
  return `${WEEKDAYS[first.getDay()]} ${first.getDate()} ${MONTHS[first.getMonth()]}${startYear} – ${end}`;
}

/** An RFC 3339 instant as 'Mon 23 Nov, 14:32'. */
export function formatMoment(value: string): string {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  return `${WEEKDAYS[d.getDay()]} ${d.getDate()} ${MONTHS[d.getMonth()]}, ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Words as a reader counts them (the Rust `word_count`). */
export function countWords(text: string): number {
  // As qar-core's word_count: citations of notes are not words of the report.
  return withoutCitations(text).split(/\s+/).filter((w) => w !== '').length;
}

/** The visit's days from its start date, 'YYYY-MM-DD' (three by default, as review_detail.rs gives them). */
export function visitDays(start: string, days = 3): string[] {
  const d = parseDay(start);
  if (!d || !/^\d{4}-\d{2}-\d{2}$/.test(start)) return [];
  return Array.from({ length: days }, (_, i) => {
    const day = new Date(d.getFullYear(), d.getMonth(), d.getDate() + i);
    return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
  });
}
