import { isKnownCode, type BackendErrorCode } from './errorCodes';
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { TauriHubAdmin, type HubAdmin } from './hubAdmin';
import { TauriProtection, type Protection } from './protection';
import { TauriInvitations, type Invitations } from './invitations';
import { TauriReportExports, type ReportExports } from './reportExports';

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
  /** The signed-in person's place on the team; null when they are not on it (a coordinator). */
  myRole: TeamRole | null;
  /** Where this review's changes are: see SyncBadge. */
  syncBadge: SyncBadge;
  /** The report was approved and has changed since: it needs approving again. */
  changedSinceApproval: boolean;
  /** Coordinator comments not yet marked addressed. */
  openComments: number;
  /** Concurrent edits kept for a person to resolve. */
  openConflicts: number;
};

export type TeamRole = 'lead_reviewer' | 'reviewer' | 'shadow';

/**
 * local: made on this laptop and never acknowledged by the server; queued: changes wait to be
 * sent; sent: a push carrying them is in flight; acknowledged: the server holds everything.
 */
export type SyncBadge = 'local' | 'queued' | 'sent' | 'acknowledged';

export type TeamMember = { userId: string; name: string; role: TeamRole };

/** One review with what its overview screen shows. */
export type ReviewDetail = {
  summary: ReviewSummary;
  team: TeamMember[];
  hubId: string;
  /** The three visit days, YYYY-MM-DD. */
  visitDays: string[];
  /** Action codes the permission table allows the signed-in person now (e.g. 'set_estimate',
   *  'edit_report', 'submit', 'approve', 'return'); the UI hides or disables the rest. */
  allowedActions: string[];
  /** SHA-256 of the report content as this laptop holds it. */
  reportHash: string;
  /** The hash the coordinator approved, or '' before any approval. */
  approvedHash: string;
  approvedBy: string;
};

/** A global role: what the person is beyond any one review's team. */
export type GlobalRole = { role: 'admin' } | { role: 'hub_coordinator'; hubId: string };

/** Who is signed in on this laptop. Survives restarts; works offline after the first sign-in. */
export type Session = {
  userId: string;
  name: string;
  email: string;
  serverUrl: string;
  roles: GlobalRole[];
  deviceName: string;
  /** RFC 3339 */
  signedInAt: string;
};

export type SignInInput = {
  serverUrl: string;
  email: string;
  password: string;
  /** Six digits from the authenticator app. */
  totpCode: string;
  deviceName?: string;
};

export type Estimate = {
  id: string;
  reviewId: string;
  areaCode: string;
  /** Scale code, '' when not yet set. */
  value: string;
  rationale: string;
  /** RFC 3339 */
  updatedAt: string;
};

export type SectionKind = 'context' | 'www' | 'ebi' | 'aoe' | 'next_steps';

export type SectionSpec = {
  code: string;
  title: string;
  kind: SectionKind;
  areaCode?: string;
  guidance: string;
  /** Guidance, not a hard limit: count words and warn past it. */
  wordLimit: number;
  required: boolean;
};

/** The report's shape (data, per framework version). */
export type ReportTemplate = { version: string; frameworkVersion: string; title: string; sections: SectionSpec[] };

export type ReportSection = {
  code: string;
  body: string;
  wordCount: number;
  /** RFC 3339; null when never written. */
  updatedAt: string | null;
};

/** A coordinator's return comment. target is 'section:<code>' or 'estimate:<area code>'. */
export type ReviewComment = {
  id: string;
  reviewId: string;
  target: string;
  text: string;
  authorName: string;
  /** RFC 3339 */
  createdAt: string;
  resolved: boolean;
};

export type NewComment = { target: string; text: string };

/** What still stops a submit. */
export type Missing =
  | { kind: 'estimate'; areaCode: string; areaLabel: string }
  | { kind: 'section'; code: string; title: string; areaLabel: string | null };

/** Two values of one field written concurrently: both kept until a person chooses. */
export type Conflict = {
  id: string;
  reviewId: string;
  /** 'evidence' | 'estimate' | 'report_section' | 'review' */
  entity: string;
  recordId: string;
  field: string;
  /** The field as people know it, e.g. 'Notes', 'Estimate'. */
  fieldLabel: string;
  /** What the record is, e.g. 'Learning walk, 09:10' or 'Leadership at all levels'. */
  recordLabel: string;
  currentValue: unknown;
  otherValue: unknown;
  /** True when the signed-in person wrote the current value (so "mine" is current). */
  currentIsMine: boolean;
  /** 'concurrent', or 'after_delete' when an edit arrived for a deleted record. */
  kind: string;
  /** RFC 3339 */
  recordedAt: string;
};

export type ConflictChoice = 'keep_current' | 'keep_other' | 'merged';

/** Whether the server holds every change made on this laptop (so it may be wiped or handed back). */
export type WipeCheck = { safe: boolean; unsent: { reviewId: string; schoolName: string; changes: number }[] };

/** A long first sync: how far it is. */
export type SyncProgress = { done: number; total: number | null };

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

/** The framework version new reviews are judged against (from qar-core's exported tables). */
export { CURRENT_FRAMEWORK } from './tables';

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
  /** Stable code of the last failure ('offline', 'signed_out', 'server_refused', …); null after a success. */
  lastErrorCode: string | null;
  /** Conflicts on this laptop waiting for a person. */
  openConflicts: number;
  /** Set while a sync brings many changes (the first sync of a laptop); null otherwise. */
  progress: SyncProgress | null;
  /** True when the server no longer accepts this laptop's sign-in (revoked or expired). */
  needsSignIn: boolean;
  /** An administrator revoked this laptop: sync stopped for good; offer export, then wipe. */
  revoked: boolean;
  revokedReason: string | null;
};

/** Sent by the app when synced changes arrived, so open screens reload. */
export const DATA_CHANGED_EVENT = 'data-changed';
export type DataChanged = { reviewIds: string[] };

/** How every failed command rejects. Branch on `code` (checked against the generated union, see
 *  errorCodes.ts); show `message` to the person. `unknownCode` is the code as sent when this build
 *  does not know it (a newer server): `code` is then 'unknown'. */
export type BackendError = { code: BackendErrorCode; message: string; unknownCode?: string };

export const SYNC_STATUS_EVENT = 'sync-status';

/** Everything the UI asks of the app. Components only ever see this interface. */
export interface Backend {
  /** Who is signed in on this laptop, or null. Works offline. */
  session(): Promise<Session | null>;
  /** Rejects with code 'invalid_credentials', 'rate_limited', 'offline', 'invalid' (bad address) … */
  signIn(input: SignInInput): Promise<Session>;
  /** Forgets this laptop's token. Local work stays and syncs after the next sign-in. */
  signOut(): Promise<void>;
  reviewDetail(reviewId: string): Promise<ReviewDetail>;
  /** Moves the review (e.g. 'in_visit', 'submitted'). Submitting an incomplete report rejects with
   *  code 'incomplete' and a message listing what is missing. */
  transitionReview(reviewId: string, toState: string): Promise<ReviewSummary>;
  listEstimates(reviewId: string): Promise<Estimate[]>;
  setEstimate(reviewId: string, areaCode: string, value: string, rationale: string): Promise<Estimate>;
  reportTemplate(reviewId: string): Promise<ReportTemplate>;
  listReportSections(reviewId: string): Promise<ReportSection[]>;
  /** One durable write of one section's text. */
  saveReportSection(reviewId: string, code: string, body: string): Promise<ReportSection>;
  listComments(reviewId: string): Promise<ReviewComment[]>;
  /** The LR marks a comment addressed. */
  resolveComment(commentId: string): Promise<ReviewComment>;
  /** Empty when the report can be submitted. */
  submitCheck(reviewId: string): Promise<Missing[]>;
  /** Coordinator, online only: binds the approval to the report hash this laptop shows. Rejects with
   *  'offline', 'report_changed' (someone edited meanwhile: reload and look again), 'forbidden'. */
  approveReview(reviewId: string): Promise<ReviewSummary>;
  /** Coordinator, online only; at least one comment, none blank. */
  returnReview(reviewId: string, comments: NewComment[]): Promise<ReviewSummary>;
  /** Open conflicts, of one review or (null) of all. */
  listConflicts(reviewId: string | null): Promise<Conflict[]>;
  /** 'merged' needs mergedValue (the text the person wrote). */
  resolveConflict(conflictId: string, choice: ConflictChoice, mergedValue?: unknown): Promise<void>;
  /** Safe to wipe only when every change made here is acknowledged; otherwise what is unsent. */
  wipeCheck(): Promise<WipeCheck>;
  /** Called when synced changes arrive. Resolves to an unsubscribe. */
  onDataChanged(handler: (change: DataChanged) => void): Promise<() => void>;
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
  /** Hub administration and scheduling, online only (issue 9). */
  hubAdmin(): HubAdmin;
  /** The report as a file: preview model, export, issue, versions (issue 10). */
  reports(): ReportExports;
  /** The store's encryption key, the idle lock, handover files and the wipe (issue 8). */
  protection(): Protection;
  /** Accepting an invitation before anyone is signed in (issue 9). */
  invitations(): Invitations;
}

/** Anything shaped like `{code, message}`, whatever its code says. */
export function isBackendError(value: unknown): value is { code: string; message: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as BackendError).code === 'string' &&
    typeof (value as BackendError).message === 'string'
  );
}

/** Whatever a command threw, as a BackendError (IPC plumbing failures arrive as strings or Errors).
 *  A code this build does not know keeps its message and becomes 'unknown' (see errorCodes.ts). */
export function toBackendError(value: unknown): BackendError {
  if (isBackendError(value)) {
    if (isKnownCode(value.code)) return { code: value.code, message: value.message };
    if (value.code === 'unknown') return { code: 'unknown', message: value.message, unknownCode: (value as BackendError).unknownCode };
    return { code: 'unknown', message: value.message, unknownCode: value.code };
  }
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
  session() {
    return call<Session | null>('session');
  }
  signIn(input: SignInInput) {
    return call<Session>('sign_in', { input });
  }
  async signOut() {
    await call<null>('sign_out');
  }
  reviewDetail(reviewId: string) {
    return call<ReviewDetail>('review_detail', { reviewId });
  }
  transitionReview(reviewId: string, toState: string) {
    return call<ReviewSummary>('transition_review', { reviewId, toState });
  }
  listEstimates(reviewId: string) {
    return call<Estimate[]>('list_estimates', { reviewId });
  }
  setEstimate(reviewId: string, areaCode: string, value: string, rationale: string) {
    return call<Estimate>('set_estimate', { reviewId, areaCode, value, rationale });
  }
  reportTemplate(reviewId: string) {
    return call<ReportTemplate>('report_template', { reviewId });
  }
  listReportSections(reviewId: string) {
    return call<ReportSection[]>('list_report_sections', { reviewId });
  }
  saveReportSection(reviewId: string, code: string, body: string) {
    return call<ReportSection>('save_report_section', { reviewId, code, body });
  }
  listComments(reviewId: string) {
    return call<ReviewComment[]>('list_comments', { reviewId });
  }
  resolveComment(commentId: string) {
    return call<ReviewComment>('resolve_comment', { commentId });
  }
  submitCheck(reviewId: string) {
    return call<Missing[]>('submit_check', { reviewId });
  }
  approveReview(reviewId: string) {
    return call<ReviewSummary>('approve_review', { reviewId });
  }
  returnReview(reviewId: string, comments: NewComment[]) {
    return call<ReviewSummary>('return_review', { reviewId, comments });
  }
  listConflicts(reviewId: string | null) {
    return call<Conflict[]>('list_conflicts', { reviewId });
  }
  async resolveConflict(conflictId: string, choice: ConflictChoice, mergedValue?: unknown) {
    await call<null>('resolve_conflict', { conflictId, choice, mergedValue: mergedValue ?? null });
  }
  wipeCheck() {
    return call<WipeCheck>('wipe_check');
  }
  onDataChanged(handler: (change: DataChanged) => void) {
    return listen<DataChanged>(DATA_CHANGED_EVENT, (event) => handler(event.payload));
  }
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
  private admin = new TauriHubAdmin();
  hubAdmin() {
    return this.admin;
  }
  private reportExports = new TauriReportExports();
  reports() {
    return this.reportExports;
  }
  private protect = new TauriProtection();
  protection() {
    return this.protect;
  }
  private invites = new TauriInvitations();
  invitations() {
    return this.invites;
  }
}
