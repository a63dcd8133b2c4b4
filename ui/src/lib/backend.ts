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
  /** Who wrote the note; empty for notes written on this laptop before anyone signed in. */
  authorId: string;
  activityType: string;
  /** Local time of the activity, YYYY-MM-DDTHH:MM, or null when not given. */
  startedAt: string | null;
  yearGroup: string;
  subject: string;
  hostColleagueRole: string;
  /** Framework area codes the note bears on, e.g. 'leadership'. */
  areaTags: string[];
  notes: string;
  strengths: string;
  developmentPoints: string;
  /** RFC 3339, time of the last change on any device. */
  updatedAt: string;
};

/** A new note. Only the review and activity type are needed; empty fields are not written. */
export type NewEvidence = {
  reviewId: string;
  activityType: string;
  startedAt?: string | null;
  yearGroup?: string;
  subject?: string;
  hostColleagueRole?: string;
  areaTags?: string[];
  notes?: string;
  strengths?: string;
  developmentPoints?: string;
};

/** The fields `update_evidence_field` accepts, by their Rust (snake_case) names, with their value types. */
export type EvidenceFieldValues = {
  activity_type: string;
  /** null clears the time. */
  started_at: string | null;
  year_group: string;
  subject: string;
  host_colleague_role: string;
  area_tags: string[];
  notes: string;
  strengths: string;
  development_points: string;
};

export type EvidenceField = keyof EvidenceFieldValues;

/** Search and filters over one review's notes. Empty or null means "any"; filters combine with AND. */
export type EvidenceQuery = {
  /** Words to find in notes, strengths and development points: every word, as a word or a word's start. */
  text?: string;
  area?: string | null;
  activityType?: string | null;
  authorId?: string | null;
  /** YYYY-MM-DD: the day of the activity (or, for a note without a time, of writing). */
  day?: string | null;
};

export type FrameworkArea = { code: string; label: string; description: string };

/** One step of the estimate scale; rank 1 is the best. */
export type ScaleValue = { code: string; label: string; rank: number };

/** A version of the judgement framework: its areas (for tags and filters) and its estimate scale. */
export type Framework = { version: string; areas: FrameworkArea[]; scale: ScaleValue[] };

/** The framework version new reviews are judged against. */
export const CURRENT_FRAMEWORK = '2019';

export type ActivityType = { code: string; label: string };

export type SyncStatus = {
  pendingOps: number;
  /** RFC 3339 time of the last sync that completed. */
  lastSyncAt: string | null;
  /** Why the last attempt failed, in plain words; null after a success. */
  lastError: string | null;
  serverUrl: string;
  syncing: boolean;
  /** Plain words when this laptop's clock is more than two minutes off the server's; else null. */
  clockWarning: string | null;
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
  /** Changes one field of one note: one durable write. Resolves to the note as stored. */
  updateEvidenceField<F extends EvidenceField>(evidenceId: string, field: F, value: EvidenceFieldValues[F]): Promise<Evidence>;
  /** Deletes a note (a tombstone: it leaves lists and search, here and after sync everywhere). */
  deleteEvidence(evidenceId: string): Promise<void>;
  /** Best match first when words are given, otherwise newest first. */
  searchEvidence(reviewId: string, query: EvidenceQuery): Promise<Evidence[]>;
  framework(version: string): Promise<Framework>;
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
  updateEvidenceField<F extends EvidenceField>(evidenceId: string, field: F, value: EvidenceFieldValues[F]) {
    return call<Evidence>('update_evidence_field', { evidenceId, field, value });
  }
  async deleteEvidence(evidenceId: string) {
    await call<null>('delete_evidence', { evidenceId });
  }
  searchEvidence(reviewId: string, query: EvidenceQuery) {
    return call<Evidence[]>('search_evidence', { reviewId, query });
  }
  framework(version: string) {
    return call<Framework>('framework', { version });
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
