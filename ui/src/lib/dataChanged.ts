import type { Backend } from './backend';

/**
 * Calls `reload` when synced changes arrive for this review (or, with null, for any review).
 * Returns the unsubscribe; use it as an $effect's cleanup.
 */
export function followDataChanges(backend: Backend, reviewId: string | null, reload: () => void): () => void {
  let stop: (() => void) | null = null;
  let stopped = false;
  backend
    .onDataChanged((change) => {
      if (reviewId === null || change.reviewIds.length === 0 || change.reviewIds.includes(reviewId)) reload();
    })
    .then((unlisten) => (stopped ? unlisten() : (stop = unlisten)))
    .catch(() => {
      // Without the event the screen still works; it shows what it loaded.
    });
  return () => {
    stopped = true;
    stop?.();
  };
}
