import { describe, expect, it } from 'vitest';
import { parseRoute, reviewHref } from './route';

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
