import type { ReviewSummary } from './backend';
import { localDay } from './format';

export type QueueSort = 'waiting' | 'visit' | 'school';

export const QUEUE_SORTS: { value: QueueSort; label: string }[] = [
  { value: 'waiting', label: 'Waiting longest first' },
  { value: 'visit', label: 'Visit date, earliest first' },
  { value: 'school', label: 'School name' },
];

/** Whole days since a report was submitted (0 on the day), or null when the time is not known. */
export function daysWaiting(review: ReviewSummary, now: Date = new Date()): number | null {
  if (!review.stateSince) return null;
  const since = new Date(`${localDay(review.stateSince)}T00:00`);
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  return Math.max(0, Math.round((today.getTime() - since.getTime()) / 86_400_000));
}

/** The reports waiting for a decision, narrowed by words (school, URN or Lead Reviewer) and sorted. */
export function waitingReports(reviews: ReviewSummary[], sort: QueueSort, words = ''): ReviewSummary[] {
  const find = words.trim().toLowerCase();
  const waiting = reviews.filter(
    (r) =>
      r.state === 'submitted' &&
      (find === '' || [r.schoolName, r.schoolUrn, r.leadReviewer ?? ''].some((v) => v.toLowerCase().includes(find))),
  );
  const bySchool = (a: ReviewSummary, b: ReviewSummary) => a.schoolName.localeCompare(b.schoolName);
  const compare: Record<QueueSort, (a: ReviewSummary, b: ReviewSummary) => number> = {
    // Unknown submission times last: nothing says they have waited long.
    waiting: (a, b) => (a.stateSince ?? '\uffff').localeCompare(b.stateSince ?? '\uffff') || bySchool(a, b),
    visit: (a, b) => a.startDate.localeCompare(b.startDate) || bySchool(a, b),
    school: bySchool,
  };
  return waiting.sort(compare[sort]);
}

/** The report to read after this one: the next waiting longest (none when this is the last). */
export function nextReport(reviews: ReviewSummary[], currentId: string): ReviewSummary | null {
  return waitingReports(reviews, 'waiting').find((r) => r.id !== currentId) ?? null;
}
