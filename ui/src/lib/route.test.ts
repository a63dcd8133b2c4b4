import { describe, expect, it } from 'vitest';
import { defaultTab, INSIGHTS_HREF, parseRoute, queueReviewHref, REGISTER_HREF, registerEntryHref, reviewHref } from './route';

describe('routes', () => {
  it('opens the reviews list by default', () => {
    expect(parseRoute('')).toEqual({ name: 'reviews' });
    expect(parseRoute('#/')).toEqual({ name: 'reviews' });
    expect(parseRoute('#/nonsense')).toEqual({ name: 'reviews' });
  });

  it('round-trips a review id through its link', () => {
    const id = '01938a5e-7c1f-7000-8000-000000000001';
    expect(parseRoute(reviewHref(id))).toEqual({ name: 'review', reviewId: id });
    expect(parseRoute(reviewHref('a/b c'))).toEqual({ name: 'review', reviewId: 'a/b c' });
  });
});

describe('desk routes', () => {
  it('names a review tab, the queue, a queued review and the sync panel', () => {
    expect(parseRoute('#/reviews/r1/report')).toEqual({ name: 'review', reviewId: 'r1', tab: 'report' });
    expect(parseRoute(reviewHref('a/b', 'estimates'))).toEqual({ name: 'review', reviewId: 'a/b', tab: 'estimates' });
    expect(parseRoute('#/reviews/r1/nonsense')).toEqual({ name: 'review', reviewId: 'r1' });
    expect(parseRoute('#/queue')).toEqual({ name: 'queue' });
    expect(parseRoute(queueReviewHref('r 1'))).toEqual({ name: 'queue-review', reviewId: 'r 1' });
    expect(parseRoute('#/sync')).toEqual({ name: 'sync' });
    expect(parseRoute(INSIGHTS_HREF)).toEqual({ name: 'insights' });
    expect(parseRoute('#/insights/')).toEqual({ name: 'insights' });
    expect(parseRoute('#/reviews/%E0%A4%A')).toEqual({ name: 'reviews' });
  });

  it('names the register and round-trips an entry through its link', () => {
    expect(parseRoute(REGISTER_HREF)).toEqual({ name: 'register' });
    expect(parseRoute('#/register/')).toEqual({ name: 'register' });
    expect(parseRoute(registerEntryHref('a/b c'))).toEqual({ name: 'register-entry', reviewId: 'a/b c' });
    expect(parseRoute('#/register/%E0%A4%A')).toEqual({ name: 'reviews' });
  });

  it('opens a review on evidence while it is gathered, otherwise on the overview', () => {
    expect(defaultTab('preparing')).toBe('evidence');
    expect(defaultTab('in_visit')).toBe('evidence');
    expect(defaultTab('drafting')).toBe('overview');
    expect(defaultTab('submitted')).toBe('overview');
  });
});
