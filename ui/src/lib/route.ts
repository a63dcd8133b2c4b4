// Screens live in the URL hash so the webview's back/forward and a reload keep the place.

export const REVIEW_TABS = ['overview', 'plan', 'evidence', 'estimates', 'report', 'submit'] as const;
export type ReviewTab = (typeof REVIEW_TABS)[number];

export type Route =
  | { name: 'reviews' }
  /** `tab` is absent when the address names none: the workspace picks one for the review's state. */
  | { name: 'review'; reviewId: string; tab?: ReviewTab }
  | { name: 'queue' }
  | { name: 'queue-review'; reviewId: string }
  | { name: 'sync' }
  | { name: 'hub' }
  | { name: 'insights' }
  | { name: 'register' }
  | { name: 'register-entry'; reviewId: string }
  | { name: 'admin' };

function decode(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    // A malformed escape: the caller falls through to the list rather than fail.
    return null;
  }
}

function isTab(value: string): value is ReviewTab {
  return (REVIEW_TABS as readonly string[]).includes(value);
}

export function parseRoute(hash: string): Route {
  let m = /^#\/reviews\/([^/]+)(?:\/([^/]*))?\/?$/.exec(hash);
  if (m) {
    const reviewId = decode(m[1]);
    if (reviewId !== null) {
      const tab = m[2] ?? '';
      return isTab(tab) ? { name: 'review', reviewId, tab } : { name: 'review', reviewId };
    }
  }
  if (/^#\/queue\/?$/.test(hash)) return { name: 'queue' };
  m = /^#\/queue\/([^/]+)\/?$/.exec(hash);
  if (m) {
    const reviewId = decode(m[1]);
    if (reviewId !== null) return { name: 'queue-review', reviewId };
  }
  if (/^#\/sync\/?$/.test(hash)) return { name: 'sync' };
  if (/^#\/hub\/?$/.test(hash)) return { name: 'hub' };
  if (/^#\/insights\/?$/.test(hash)) return { name: 'insights' };
  if (/^#\/register\/?$/.test(hash)) return { name: 'register' };
  m = /^#\/register\/([^/]+)\/?$/.exec(hash);
  if (m) {
    const reviewId = decode(m[1]);
    if (reviewId !== null) return { name: 'register-entry', reviewId };
  }
  if (/^#\/admin\/?$/.test(hash)) return { name: 'admin' };
  return { name: 'reviews' };
}

export const REVIEWS_HREF = '#/';
export const QUEUE_HREF = '#/queue';
export const SYNC_HREF = '#/sync';
export const HUB_HREF = '#/hub';
export const INSIGHTS_HREF = '#/insights';
export const REGISTER_HREF = '#/register';
export const ADMIN_HREF = '#/admin';

export function reviewHref(reviewId: string, tab?: ReviewTab): string {
  const base = `#/reviews/${encodeURIComponent(reviewId)}`;
  return tab ? `${base}/${tab}` : base;
}

/** One entry of the register of Areas of Excellence (by the issued review it comes from). */
export function registerEntryHref(reviewId: string): string {
  return `${REGISTER_HREF}/${encodeURIComponent(reviewId)}`;
}

export function queueReviewHref(reviewId: string): string {
  return `${QUEUE_HREF}/${encodeURIComponent(reviewId)}`;
}

/** The tab a review opens on when the address names none: evidence while it is being gathered. */
export function defaultTab(state: string): ReviewTab {
  return state === 'preparing' || state === 'in_visit' ? 'evidence' : 'overview';
}
