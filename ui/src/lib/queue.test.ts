import { describe, expect, it } from 'vitest';
import type { ReviewSummary } from './backend';
import { daysWaiting, nextReport, waitingReports } from './queue';

function review(id: string, schoolName: string, over: Partial<ReviewSummary> = {}): ReviewSummary {
  return {
    id, schoolName, schoolUrn: '990101', startDate: '2026-11-24', state: 'submitted', evidenceCount: 0, pendingOps: 0, myRole: null,
    syncBadge: 'acknowledged', changedSinceApproval: false, openComments: 0, openConflicts: 0, leadReviewer: null, stateSince: null, ...over,
  };
}

const reviews = [
  review('a', 'Kestrel Brook Primary School', { leadReviewer: 'Dr Anika Marsh', stateSince: '2026-12-01T10:00:00Z', startDate: '2026-11-24' }),
  review('b', 'Heron Vale Academy', { leadReviewer: 'Owen Pritchard', stateSince: '2026-11-28T16:30:00Z', startDate: '2026-11-10' }),
  review('c', 'Larkspur Hill Primary', { leadReviewer: 'Dr Anika Marsh', stateSince: null, startDate: '2026-11-03' }),
  review('d', 'Approved Academy', { state: 'approved', stateSince: '2026-11-20T10:00:00Z' }),
];

describe('the coordinator queue', () => {
  it('counts the days a report has waited since it was submitted', () => {
    expect(daysWaiting(reviews[0], new Date('2026-12-07T09:00:00'))).toBe(6);
    expect(daysWaiting(reviews[0], new Date('2026-12-01T18:00:00'))).toBe(0);
    expect(daysWaiting(reviews[2], new Date('2026-12-07T09:00:00'))).toBeNull();
  });

  it('sorts waiting reports by how long they waited, the visit date or the school', () => {
    expect(waitingReports(reviews, 'waiting').map((r) => r.id)).toEqual(['b', 'a', 'c']);
    expect(waitingReports(reviews, 'visit').map((r) => r.id)).toEqual(['c', 'b', 'a']);
    expect(waitingReports(reviews, 'school').map((r) => r.id)).toEqual(['b', 'a', 'c']);
  });

  it('finds reports by school or Lead Reviewer', () => {
    expect(waitingReports(reviews, 'waiting', 'anika').map((r) => r.id)).toEqual(['a', 'c']);
    expect(waitingReports(reviews, 'waiting', 'heron').map((r) => r.id)).toEqual(['b']);
  });

  it('offers the next report to read, waiting longest first, never the one open', () => {
    expect(nextReport(reviews, 'b')?.id).toBe('a');
    expect(nextReport(reviews, 'a')?.id).toBe('b');
    expect(nextReport([reviews[0]], 'a')).toBeNull();
  });
});
