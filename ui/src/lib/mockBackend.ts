import type {
  ActivityType,
  Backend,
  BackendError,
  Evidence,
  NewEvidence,
  NewReview,
  ReviewSummary,
  SyncStatus,
} from './backend';

/*
 * An in-memory Backend for component tests and the browser preview. It follows the Rust
 * client's rules (crates/core fields.rs, crates/client store) so the UI meets the same
 * refusals, wording and pending-change counts it will meet in the app.
 */

export const ACTIVITY_TYPES: ActivityType[] = [
  { code: 'joint_lesson_observation', label: 'Joint lesson observation' },
  { code: 'learning_walk', label: 'Learning walk' },
  { code: 'work_scrutiny', label: 'Work scrutiny' },
  { code: 'pupil_voice', label: 'Pupil voice' },
  { code: 'staff_meeting', label: 'Meeting with staff' },
  { code: 'leadership_meeting', label: 'Meeting with leaders' },
  { code: 'data_document_review', label: 'Data or document review' },
  { code: 'other', label: 'Other' },
];

const MAX_SCHOOL_NAME = 200;
const MAX_NOTES = 20_000;
// The client writes one outbox op per field: a review has five, a new evidence note three.
const REVIEW_FIELDS = 5;
const EVIDENCE_FIELDS = 3;

type StoredReview = Omit<ReviewSummary, 'evidenceCount' | 'pendingOps'>;

export type SeedReview = Partial<StoredReview> & { schoolName: string; pendingOps?: number };
export type SeedEvidence = Partial<Evidence> & { reviewId: string; notes: string };

export type MockOptions = {
  reviews?: SeedReview[];
  evidence?: SeedEvidence[];
  /** Whether the sync server answers. Defaults to true. */
  online?: boolean;
  serverUrl?: string;
  lastSyncAt?: string | null;
  /** Delay before each answer, to make "Saving…" visible in the browser preview. */
  latencyMs?: number;
  now?: () => Date;
};

function invalid(message: string): BackendError {
  return { code: 'invalid', message };
}

function notFound(what: string): BackendError {
  return { code: 'not_found', message: `${what} was not found on this laptop` };
}

function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return y >= 1900 && mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth;
}

function isDateTime(s: string): boolean {
  const m = /^(.{10})T(\d{2}):(\d{2})$/.exec(s);
  return !!m && isDate(m[1]) && Number(m[2]) < 24 && Number(m[3]) < 60;
}

function badDate(field: string, value: string): BackendError {
  return invalid(`${field} must be a date written as YYYY-MM-DD, got '${[...value].slice(0, 40).join('')}'`);
}

function checkText(field: string, value: string, max: number, required: boolean) {
  if (required && value.trim() === '') throw invalid(`${field} must not be empty`);
  const len = [...value].length;
  if (len > max) throw invalid(`${field} is too long: ${len} characters, the limit is ${max}`);
}

export class MockBackend implements Backend {
  private reviews: StoredReview[] = [];
  private evidence: Evidence[] = [];
  /** One entry per unacknowledged op: the review it belongs to. */
  private outbox: string[] = [];
  private listeners = new Set<(status: SyncStatus) => void>();
  private nextId = 1;
  private syncing = false;
  private lastSyncAt: string | null;
  private lastError: string | null = null;
  online: boolean;
  readonly serverUrl: string;
  private readonly latencyMs: number;
  private readonly now: () => Date;

  constructor(options: MockOptions = {}) {
    this.online = options.online ?? true;
    this.serverUrl = options.serverUrl ?? 'https://sync.example.org';
    this.lastSyncAt = options.lastSyncAt ?? null;
    this.latencyMs = options.latencyMs ?? 0;
    this.now = options.now ?? (() => new Date());
    for (const seed of options.reviews ?? []) {
      const review: StoredReview = {
        id: seed.id ?? this.newId('review'),
        schoolName: seed.schoolName,
        schoolUrn: seed.schoolUrn ?? '100000',
        startDate: seed.startDate ?? '2026-11-23',
        state: seed.state ?? 'scheduled',
      };
      this.reviews.push(review);
      for (let i = 0; i < (seed.pendingOps ?? 0); i++) this.outbox.push(review.id);
    }
    // Seeds are given oldest first, as they were written; the store lists newest first.
    for (const seed of options.evidence ?? []) {
      this.evidence.unshift({
        id: seed.id ?? this.newId('evidence'),
        reviewId: seed.reviewId,
        activityType: seed.activityType ?? 'learning_walk',
        startedAt: seed.startedAt ?? null,
        notes: seed.notes,
        updatedAt: seed.updatedAt ?? this.now().toISOString(),
      });
    }
  }

  /** Pretend the network went away or came back. */
  setOnline(online: boolean) {
    this.online = online;
  }

  async listReviews(): Promise<ReviewSummary[]> {
    await this.pause();
    return this.reviews
      .filter((r) => r.schoolName !== '')
      .sort((a, b) => b.startDate.localeCompare(a.startDate) || a.schoolName.localeCompare(b.schoolName))
      .map((r) => this.summary(r));
  }

  async createReview(input: NewReview): Promise<ReviewSummary> {
    await this.pause();
    const schoolName = input.schoolName.trim();
    const schoolUrn = input.schoolUrn.trim();
    const startDate = input.startDate.trim();
    checkText('School name', schoolName, MAX_SCHOOL_NAME, true);
    if (!/^\d{6}$/.test(schoolUrn)) {
      throw invalid(`URN '${schoolUrn}' is not valid: a school's URN is exactly six digits`);
    }
    if (!isDate(startDate)) throw badDate('Visit start date', startDate);
    const review: StoredReview = { id: this.newId('review'), schoolName, schoolUrn, startDate, state: 'scheduled' };
    this.reviews.push(review);
    for (let i = 0; i < REVIEW_FIELDS; i++) this.outbox.push(review.id);
    return this.summary(review);
  }

  async getReview(reviewId: string): Promise<ReviewSummary> {
    await this.pause();
    return this.summary(this.findReview(reviewId, `Review ${reviewId}`));
  }

  async listEvidence(reviewId: string): Promise<Evidence[]> {
    await this.pause();
    this.findReview(reviewId, `Review ${reviewId}`);
    return this.evidence.filter((e) => e.reviewId === reviewId).map((e) => ({ ...e }));
  }

  async addEvidence(input: NewEvidence): Promise<Evidence> {
    await this.pause();
    this.findReview(input.reviewId, `Review '${input.reviewId}'`);
    if (!ACTIVITY_TYPES.some((a) => a.code === input.activityType)) {
      const codes = ACTIVITY_TYPES.map((a) => a.code).join(', ');
      throw invalid(`Activity type '${input.activityType}' is not one we record (use one of: ${codes})`);
    }
    const startedAt = input.startedAt?.trim() || null;
    if (startedAt !== null && !isDateTime(startedAt)) throw badDate('Time of activity', startedAt);
    checkText('Notes', input.notes, MAX_NOTES, false);
    const evidence: Evidence = {
      id: this.newId('evidence'),
      reviewId: input.reviewId,
      activityType: input.activityType,
      startedAt,
      notes: input.notes,
      updatedAt: this.now().toISOString(),
    };
    this.evidence.unshift(evidence);
    for (let i = 0; i < EVIDENCE_FIELDS; i++) this.outbox.push(input.reviewId);
    return { ...evidence };
  }

  async activityTypes(): Promise<ActivityType[]> {
    await this.pause();
    return ACTIVITY_TYPES.map((a) => ({ ...a }));
  }

  async syncStatus(): Promise<SyncStatus> {
    await this.pause();
    return this.status();
  }

  async syncNow(): Promise<SyncStatus> {
    this.syncing = true;
    await this.pause();
    if (this.online) {
      this.outbox = [];
      this.lastSyncAt = this.now().toISOString();
      this.lastError = null;
    } else {
      this.lastError = `can't reach the sync server at ${this.serverUrl}. Your work is saved on this laptop and will sync when the connection is back`;
    }
    this.syncing = false;
    const status = this.status();
    this.emit(status);
    return status;
  }

  async onSyncStatus(handler: (status: SyncStatus) => void): Promise<() => void> {
    this.listeners.add(handler);
    return () => {
      this.listeners.delete(handler);
    };
  }

  /** Sends a `sync-status` event, as the app's background sync does. */
  emit(status: SyncStatus = this.status()) {
    for (const listener of this.listeners) listener({ ...status });
  }

  private status(): SyncStatus {
    return {
      pendingOps: this.outbox.length,
      lastSyncAt: this.lastSyncAt,
      lastError: this.lastError,
      serverUrl: this.serverUrl,
      syncing: this.syncing,
    };
  }

  private summary(review: StoredReview): ReviewSummary {
    return {
      ...review,
      evidenceCount: this.evidence.filter((e) => e.reviewId === review.id).length,
      pendingOps: this.outbox.filter((id) => id === review.id).length,
    };
  }

  private findReview(reviewId: string, what: string): StoredReview {
    const review = this.reviews.find((r) => r.id === reviewId);
    if (!review) throw notFound(what);
    return review;
  }

  private newId(kind: string): string {
    return `${kind}-${this.nextId++}`;
  }

  private pause(): Promise<void> {
    return this.latencyMs > 0 ? new Promise((resolve) => setTimeout(resolve, this.latencyMs)) : Promise.resolve();
  }
}
