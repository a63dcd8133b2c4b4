import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';

/** A review held on this laptop, as `list_reviews` and friends return it. */
export type ReviewSummary = {
  id: string;
  schoolName: string;
  schoolUrn: string;
  /** YYYY-MM-DD */
  startDate: string;
  /** Lifecycle code, e.g. 'scheduled', 'in_visit'. */
  state: string;
  evidenceCount: number;
  /** Local changes to this review the server has not acknowledged yet. */
  pendingOps: number;
};

export type NewReview = {
  schoolName: string;
  schoolUrn: string;
  /** YYYY-MM-DD */
  startDate: string;
};

export type Evidence = {
  id: string;
  reviewId: string;
  activityType: string;
  /** Local time of the activity, YYYY-MM-DDTHH:MM, or null when not given. */
  startedAt: string | null;
  notes: string;
  /** RFC 3339 */
  updatedAt: string;
};

export type NewEvidence = {
  reviewId: string;
  activityType: string;
  startedAt: string | null;
  notes: string;
};

export type ActivityType = { code: string; label: string };

export type SyncStatus = {
  pendingOps: number;
  /** RFC 3339 time of the last sync that completed. */
  lastSyncAt: string | null;
  /** Why the last attempt failed, in plain words; null after a success. */
  lastError: string | null;
  serverUrl: string;
  syncing: boolean;
};

/** How every failed command rejects. Branch on `code`; show `message` to the person. */
export type BackendError = { code: string; message: string };

export const SYNC_STATUS_EVENT = 'sync-status';

/** Everything the UI asks of the app. Components only ever see this interface. */
export interface Backend {
  listReviews(): Promise<ReviewSummary[]>;
  createReview(input: NewReview): Promise<ReviewSummary>;
  getReview(reviewId: string): Promise<ReviewSummary>;
  /** Newest first. */
  listEvidence(reviewId: string): Promise<Evidence[]>;
  addEvidence(input: NewEvidence): Promise<Evidence>;
  activityTypes(): Promise<ActivityType[]>;
  syncStatus(): Promise<SyncStatus>;
  /** Resolves even when the server is down: the status's lastError says so. */
  syncNow(): Promise<SyncStatus>;
  /** Called after every sync attempt, background ones included. Resolves to an unsubscribe. */
  onSyncStatus(handler: (status: SyncStatus) => void): Promise<() => void>;
}

export function isBackendError(value: unknown): value is BackendError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as BackendError).code === 'string' &&
    typeof (value as BackendError).message === 'string'
  );
}

/** Whatever a command threw, as a BackendError (IPC plumbing failures arrive as strings or Errors). */
export function toBackendError(value: unknown): BackendError {
  if (isBackendError(value)) return { code: value.code, message: value.message };
  if (typeof value === 'string') return { code: 'unknown', message: value };
  if (value instanceof Error) return { code: 'unknown', message: value.message };
  return { code: 'unknown', message: 'Something went wrong and the app did not say what.' };
}

/** The message to show a person, starting with a capital letter. */
export function errorMessage(value: unknown): string {
  const { message } = toBackendError(value);
  return message.charAt(0).toUpperCase() + message.slice(1);
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toBackendError(e);
  }
}

/** The real backend: Tauri IPC to the Rust side. */
export class TauriBackend implements Backend {
  listReviews() {
    return call<ReviewSummary[]>('list_reviews');
  }
  createReview(input: NewReview) {
    return call<ReviewSummary>('create_review', { input });
  }
  getReview(reviewId: string) {
    return call<ReviewSummary>('get_review', { reviewId });
  }
  listEvidence(reviewId: string) {
    return call<Evidence[]>('list_evidence', { reviewId });
  }
  addEvidence(input: NewEvidence) {
    return call<Evidence>('add_evidence', { input });
  }
  activityTypes() {
    return call<ActivityType[]>('activity_types');
  }
  syncStatus() {
    return call<SyncStatus>('sync_status');
  }
  syncNow() {
    return call<SyncStatus>('sync_now');
  }
  onSyncStatus(handler: (status: SyncStatus) => void) {
    return listen<SyncStatus>(SYNC_STATUS_EVENT, (event) => handler(event.payload));
  }
}
