// Screens live in the URL hash so the webview's back/forward and a reload keep the place.

export type Route = { name: 'reviews' } | { name: 'review'; reviewId: string };

export function parseRoute(hash: string): Route {
  const m = /^#\/reviews\/([^/]+)\/?$/.exec(hash);
  if (m) {
    try {
      return { name: 'review', reviewId: decodeURIComponent(m[1]) };
    } catch {
      // A malformed escape: fall through to the list rather than fail.
    }
  }
  return { name: 'reviews' };
}

export const REVIEWS_HREF = '#/';

export function reviewHref(reviewId: string): string {
  return `#/reviews/${encodeURIComponent(reviewId)}`;
}
