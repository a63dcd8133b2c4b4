import type {
  ActivityType,
  Backend,
  Evidence,
  EvidenceField,
  EvidenceFieldValues,
  EvidenceQuery,
  Framework,
  NewEvidence,
  NewReview,
  ReviewSummary,
  SyncStatus,
} from './backend';
import {
  ACTIVITY_TYPES,
  badDate,
  checkText,
  FRAMEWORKS,
  invalid,
  isDate,
  MAX_SCHOOL_NAME,
  notFound,
  validateEvidenceField,
} from './mockRules';
import { matchScore, queryWords } from './mockSearch';

/*
 * An in-memory Backend for component tests and the browser preview. It follows the Rust
 * client's rules (crates/core fields.rs, crates/client store) so the UI meets the same
 * refusals, wording and pending-change counts it will meet in the app.
 */

export { ACTIVITY_TYPES, FRAMEWORKS };

/** Most notes one text search returns (the store's SEARCH_LIMIT). */
const SEARCH_LIMIT = 100;

type StoredReview = Omit<ReviewSummary, 'evidenceCount' | 'pendingOps'>;
type StoredEvidence = Evidence & { seq: number; createdAtMs: number; deleted: boolean };

export type SeedReview = Partial<StoredReview> & { schoolName: string; pendingOps?: number };
/** A note as it was written; `createdAt` (RFC 3339) defaults to `updatedAt`, then to now. */
export type SeedEvidence = Partial<Evidence> & { reviewId: string; createdAt?: string };

export type MockOptions = {
  reviews?: SeedReview[];
  evidence?: SeedEvidence[];
  /** Whether the sync server answers. Defaults to true. */
  online?: boolean;
  serverUrl?: string;
  lastSyncAt?: string | null;
  /** Who is signed in: the author of new notes. Defaults to '' (nobody yet). */
  userId?: string;
  /** Delay before each answer, to make "Saving…" visible in the browser preview. */
  latencyMs?: number;
  now?: () => Date;
};

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** The local calendar day of an instant, as SQLite's date(…, 'localtime') gives it. */
function localDay(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function filled(value: string | null | undefined): string | null {
  const v = value?.trim();
  return v ? v : null;
}

export class MockBackend implements Backend {
  private reviews: StoredReview[] = [];
  private evidence: StoredEvidence[] = [];
  /** One entry per unacknowledged op (one per edit): the review it belongs to. */
  private outbox: string[] = [];
  private listeners = new Set<(status: SyncStatus) => void>();
  /** What the Rust client reports when the laptop clock is off; tests set it directly. */
  clockWarning: string | null = null;
  private nextId = 1;
  private nextSeq = 1;
  private syncing = false;
  private lastSyncAt: string | null;
  private lastError: string | null = null;
  online: boolean;
  readonly serverUrl: string;
  readonly userId: string;
  private readonly latencyMs: number;
  private readonly now: () => Date;

  constructor(options: MockOptions = {}) {
    this.online = options.online ?? true;
    this.serverUrl = options.serverUrl ?? 'https://sync.example.org';
    this.lastSyncAt = options.lastSyncAt ?? null;
    this.userId = options.userId ?? '';
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
    // Seeds are given oldest first, as they were written.
    for (const seed of options.evidence ?? []) {
      const updatedAt = seed.updatedAt ?? this.now().toISOString();
      this.evidence.push({
        id: seed.id ?? this.newId('evidence'),
        reviewId: seed.reviewId,
        authorId: seed.authorId ?? '',
        activityType: seed.activityType ?? 'learning_walk',
        startedAt: seed.startedAt ?? null,
        yearGroup: seed.yearGroup ?? '',
        subject: seed.subject ?? '',
        hostColleagueRole: seed.hostColleagueRole ?? '',
        areaTags: [...(seed.areaTags ?? [])],
        notes: seed.notes ?? '',
        strengths: seed.strengths ?? '',
        developmentPoints: seed.developmentPoints ?? '',
        updatedAt,
        seq: this.nextSeq++,
        createdAtMs: new Date(seed.createdAt ?? updatedAt).getTime(),
        deleted: false,
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
    // As the Rust store: a review set up on the laptop starts in preparation.
    const review: StoredReview = { id: this.newId('review'), schoolName, schoolUrn, startDate, state: 'preparing' };
    this.reviews.push(review);
    this.outbox.push(review.id);
    return this.summary(review);
  }

  async getReview(reviewId: string): Promise<ReviewSummary> {
    await this.pause();
    return this.summary(this.findReview(reviewId, `Review ${reviewId}`));
  }

  async listEvidence(reviewId: string): Promise<Evidence[]> {
    return this.searchEvidence(reviewId, {});
  }

  async addEvidence(input: NewEvidence): Promise<Evidence> {
    await this.pause();
    this.findReview(input.reviewId, `Review '${input.reviewId}'`);
    // As the store writes them: short texts trimmed, the time trimmed and dropped when blank.
    const values: EvidenceFieldValues = {
      activity_type: input.activityType,
      started_at: filled(input.startedAt),
      notes: input.notes ?? '',
      year_group: (input.yearGroup ?? '').trim(),
      subject: (input.subject ?? '').trim(),
      host_colleague_role: (input.hostColleagueRole ?? '').trim(),
      area_tags: [...(input.areaTags ?? [])],
      strengths: input.strengths ?? '',
      development_points: input.developmentPoints ?? '',
    };
    for (const [field, value] of Object.entries(values)) validateEvidenceField(field, value);
    const now = this.now();
    const evidence: StoredEvidence = {
      id: this.newId('evidence'),
      reviewId: input.reviewId,
      authorId: this.userId,
      activityType: values.activity_type,
      startedAt: values.started_at,
      yearGroup: values.year_group,
      subject: values.subject,
      hostColleagueRole: values.host_colleague_role,
      areaTags: values.area_tags,
      notes: values.notes,
      strengths: values.strengths,
      developmentPoints: values.development_points,
      updatedAt: now.toISOString(),
      seq: this.nextSeq++,
      createdAtMs: now.getTime(),
      deleted: false,
    };
    this.evidence.push(evidence);
    this.outbox.push(input.reviewId);
    return this.publicEvidence(evidence);
  }

  async updateEvidenceField<F extends EvidenceField>(evidenceId: string, field: F, value: EvidenceFieldValues[F]): Promise<Evidence> {
    await this.pause();
    const evidence = this.findEvidence(evidenceId);
    validateEvidenceField(field, value);
    const v = value as EvidenceFieldValues[EvidenceField];
    switch (field as EvidenceField) {
      case 'activity_type': evidence.activityType = v as string; break;
      case 'started_at': evidence.startedAt = v as string | null; break;
      case 'year_group': evidence.yearGroup = v as string; break;
      case 'subject': evidence.subject = v as string; break;
      case 'host_colleague_role': evidence.hostColleagueRole = v as string; break;
      case 'area_tags': evidence.areaTags = [...(v as string[])]; break;
      case 'notes': evidence.notes = v as string; break;
      case 'strengths': evidence.strengths = v as string; break;
      case 'development_points': evidence.developmentPoints = v as string; break;
    }
    evidence.updatedAt = this.now().toISOString();
    this.outbox.push(evidence.reviewId);
    return this.publicEvidence(evidence);
  }

  async deleteEvidence(evidenceId: string): Promise<void> {
    await this.pause();
    const evidence = this.findEvidence(evidenceId);
    evidence.deleted = true;
    evidence.updatedAt = this.now().toISOString();
    this.outbox.push(evidence.reviewId);
  }

  async searchEvidence(reviewId: string, query: EvidenceQuery): Promise<Evidence[]> {
    await this.pause();
    this.findReview(reviewId, `Review ${reviewId}`);
    const area = filled(query.area);
    const activityType = filled(query.activityType);
    const authorId = filled(query.authorId);
    const day = filled(query.day);
    const terms = queryWords(query.text ?? '');
    const newestFirst = (a: StoredEvidence, b: StoredEvidence) => b.createdAtMs - a.createdAtMs || b.seq - a.seq;
    const notes = this.evidence
      .filter((e) => e.reviewId === reviewId && !e.deleted)
      .filter((e) => activityType === null || e.activityType === activityType)
      .filter((e) => authorId === null || e.authorId === authorId)
      .filter((e) => area === null || e.areaTags.includes(area))
      .filter((e) => day === null || (e.startedAt?.slice(0, 10) ?? localDay(e.createdAtMs)) === day);
    if (terms.length === 0) return notes.sort(newestFirst).map((e) => this.publicEvidence(e));
    return notes
      .map((e) => ({ e, score: matchScore(e, terms) }))
      .filter((hit): hit is { e: StoredEvidence; score: number } => hit.score !== null)
      .sort((a, b) => b.score - a.score || newestFirst(a.e, b.e))
      .slice(0, SEARCH_LIMIT)
      .map((hit) => this.publicEvidence(hit.e));
  }

  async framework(version: string): Promise<Framework> {
    await this.pause();
    const framework = FRAMEWORKS.find((f) => f.version === version);
    if (!framework) throw invalid(`Framework version '${version}' is not known`);
    return structuredClone(framework);
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
      clockWarning: this.clockWarning,
    };
  }

  private summary(review: StoredReview): ReviewSummary {
    return {
      ...review,
      evidenceCount: this.evidence.filter((e) => e.reviewId === review.id && !e.deleted).length,
      pendingOps: this.outbox.filter((id) => id === review.id).length,
    };
  }

  private findReview(reviewId: string, what: string): StoredReview {
    const review = this.reviews.find((r) => r.id === reviewId);
    if (!review) throw notFound(what);
    return review;
  }

  private findEvidence(evidenceId: string): StoredEvidence {
    const evidence = this.evidence.find((e) => e.id === evidenceId && !e.deleted);
    if (!evidence) throw notFound(`Evidence '${evidenceId}'`);
    return evidence;
  }

  private publicEvidence(stored: StoredEvidence): Evidence {
    const { seq: _seq, createdAtMs: _created, deleted: _deleted, ...evidence } = stored;
    return { ...evidence, areaTags: [...evidence.areaTags] };
  }

  private newId(kind: string): string {
    return `${kind}-${this.nextId++}`;
  }

  private pause(): Promise<void> {
    return this.latencyMs > 0 ? new Promise((resolve) => setTimeout(resolve, this.latencyMs)) : Promise.resolve();
  }
}
