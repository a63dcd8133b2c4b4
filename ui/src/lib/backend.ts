import { isKnownCode, type BackendErrorCode } from './errorCodes';
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { TauriHubAdmin, type HubAdmin } from './hubAdmin';
import { TauriProtection, type Protection } from './protection';
import { TauriInvitations, type Invitations } from './invitations';
import { TauriReportExports, type ReportExports } from './reportExports';
import { TauriAttachments, type Attachments } from './attachments';
import { TauriRegister, type Register } from './register';

// Every type the app sends or receives is generated from its Rust definition (issue 16): see
// ./generated/ and crates/client/tests/it/ts_types.rs. Re-exported here under the names the screens use.
import type {
  ActivityTypeOption,
  Conflict,
  ConflictChoice,
  DataChanged,
  Estimate,
  Evidence,
  EvidenceEdit,
  EvidenceQuery,
  Framework,
  Missing,
  NewComment,
  NewEvidence,
  NewReview,
  PlanActivity,
  PlanActivityDraft,
  PreviousReviewView,
  ProgressPoint,
  ReportPhoto,
  ReportSection,
  ReportTemplateView,
  SchoolStatementView,
  ReviewComment,
  ReviewDetail,
  ReviewSummary,
  Session,
  SignIn,
  SyncStatus,
  WipeCheck,
  LocalCopy,
  ChangesSinceReturn,
} from './generated';
export type {
  ActivityTypeOption as ActivityType,
  Conflict,
  ConflictChoice,
  DataChanged,
  Estimate,
  Evidence,
  EvidenceQuery,
  Framework,
  FrameworkArea,
  Missing,
  NewComment,
  NewEvidence,
  NewReview,
  PlanActivity,
  PlanActivityDraft,
  PreviousEstimateView,
  PreviousReviewView,
  ProgressPoint,
  ReportPhoto,
  ReportSection,
  ReportTemplateView as ReportTemplate,
  SchoolStatementView,
  ReviewComment,
  ReviewDetail,
  ReviewSummary,
  ScaleValue,
  SectionKind,
  SectionView as SectionSpec,
  Session,
  SessionRole as GlobalRole,
  SyncProgress,
  SyncStatus,
  TeamMember,
  UploadStatus,
  WipeCheck,
  LocalCopy,
} from './generated';

/** View-only narrowings of string fields the Rust side keeps as codes. */
export type TeamRole = 'lead_reviewer' | 'reviewer' | 'shadow';
/**
 * local: made on this laptop and never acknowledged by the server; queued: changes wait to be
 * sent; sent: a push carrying them is in flight; acknowledged: the server holds everything.
 */
export type SyncBadge = 'local' | 'queued' | 'sent' | 'acknowledged';

/** What the sign-in form sends; the device name may be left out. */
export type SignInInput = Omit<SignIn, 'deviceName'> & { deviceName?: string | null };

/** A new note: only the review and activity type are needed; empty fields are not written. */
export type NewEvidenceInput = Partial<NewEvidence> & Pick<NewEvidence, 'reviewId' | 'activityType'>;

/** Search and filters over one review's notes; left-out filters mean "any". */
export type EvidenceQueryInput = Partial<EvidenceQuery>;

/** The fields `update_evidence_field` accepts, by their Rust (snake_case) names, with their value
 * types: derived from the generated `EvidenceEdit` union, so it cannot drift from Rust. */
export type EvidenceFieldValues = { [F in EvidenceEdit['field']]: Extract<EvidenceEdit, { field: F }>['value'] };

export type EvidenceField = keyof EvidenceFieldValues;

/** The framework version new reviews are judged against (from qar-core's exported tables). */
export { CURRENT_FRAMEWORK } from './tables';

/** Sent by the app when synced changes arrived, so open screens reload. */
export const DATA_CHANGED_EVENT = 'data-changed';

/** How every failed command rejects. Branch on `code` (checked against the generated union, see
 *  errorCodes.ts); show `message` to the person. `unknownCode` is the code as sent when this build
 *  does not know it (a newer server): `code` is then 'unknown'. */
export type BackendError = { code: BackendErrorCode; message: string; unknownCode?: string };

export const SYNC_STATUS_EVENT = 'sync-status';

/** Sent by the app when the window is asked to close: the UI writes what waits, then calls `close_window`. */
export const CLOSE_REQUESTED_EVENT = 'close-requested';

/** Everything the UI asks of the app. Components only ever see this interface. */
export interface Backend {
  /** Who is signed in on this laptop, or null. Works offline. */
  session(): Promise<Session | null>;
  /** Rejects with code 'invalid_credentials', 'rate_limited', 'offline', 'invalid' (bad address) … */
  signIn(input: SignInInput): Promise<Session>;
  /** Forgets this laptop's token. Local work stays and syncs after the next sign-in. */
  signOut(): Promise<void>;
  reviewDetail(reviewId: string): Promise<ReviewDetail>;
  /** A resubmitted report's changes since its last return; null when it was never returned. */
  changesSinceReturn(reviewId: string): Promise<ChangesSinceReturn | null>;
  /** Moves the review (e.g. 'in_visit', 'submitted'). Submitting an incomplete report rejects with
   *  code 'incomplete' and a message listing what is missing. */
  transitionReview(reviewId: string, toState: string): Promise<ReviewSummary>;
  listEstimates(reviewId: string): Promise<Estimate[]>;
  setEstimate(reviewId: string, areaCode: string, value: string, rationale: string): Promise<Estimate>;
  /** The visit's timetable, in time order. */
  listPlan(reviewId: string): Promise<PlanActivity[]>;
  /** Adds a planned activity (`activityId` null) or saves one; only changed fields are written. */
  savePlanActivity(reviewId: string, activityId: string | null, draft: PlanActivityDraft): Promise<PlanActivity>;
  deletePlanActivity(activityId: string): Promise<void>;
  /** The school's previous issued review (its estimates and Even better if points, read-only,
   *  held on this laptop), with what the team found on each point; null for a first review. */
  previousReview(reviewId: string): Promise<PreviousReviewView | null>;
  /** What the host school wrote before its visit (context statement, proposed Area of
   *  Excellence), read-only and held on this laptop; null until the school writes something. */
  schoolStatement(reviewId: string): Promise<SchoolStatementView | null>;
  /** The Lead Reviewer records what the team found on point `number` (the report's rules). */
  saveProgress(reviewId: string, number: number, found: string): Promise<ProgressPoint>;
  reportTemplate(reviewId: string): Promise<ReportTemplateView>;
  listReportSections(reviewId: string): Promise<ReportSection[]>;
  /** One durable write of one section's text. */
  saveReportSection(reviewId: string, code: string, body: string): Promise<ReportSection>;
  /** Lead Reviewer: the photos from the team's notes printed under a section, in order, each with
   *  the caption the report gives it (issue 19). An empty list takes them all out. */
  setReportPhotos(reviewId: string, code: string, photos: ReportPhoto[]): Promise<ReportSection>;
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
  /** 'merged' needs mergedText (the text the person wrote). */
  resolveConflict(conflictId: string, choice: ConflictChoice, mergedText?: string): Promise<void>;
  /** Safe to wipe only when every change made here is acknowledged; otherwise what is unsent. */
  wipeCheck(): Promise<WipeCheck>;
  /** What this laptop holds of a review, and why its copy may not be removed now (whyNot), if so. */
  localCopy(reviewId: string): Promise<LocalCopy>;
  /** Removes this laptop's copy of an issued review; rejects with 'unsent_work' or 'wrong_state'. */
  dropLocalCopy(reviewId: string): Promise<LocalCopy>;
  /** Days an issued review stays on this laptop after its issue; null: until removed by hand. */
  keepIssuedDays(): Promise<number | null>;
  /** 1 to 3650 days, or null; rejects with 'invalid' otherwise. */
  setKeepIssuedDays(days: number | null): Promise<void>;
  /** Called when synced changes arrive. Resolves to an unsubscribe. */
  onDataChanged(handler: (change: DataChanged) => void): Promise<() => void>;
  /** Called when the window is asked to close (the app waits for `closeWindow`, a few seconds at most). */
  onCloseRequested(handler: () => void): Promise<() => void>;
  /** Closes the window now (after the UI has written what was waiting). */
  closeWindow(): Promise<void>;
  /** The person is being asked about unsaved text: the app must not close the window by itself meanwhile. */
  keepWindowOpen(): Promise<void>;
  listReviews(): Promise<ReviewSummary[]>;
  createReview(input: NewReview): Promise<ReviewSummary>;
  getReview(reviewId: string): Promise<ReviewSummary>;
  /** Newest first. */
  listEvidence(reviewId: string): Promise<Evidence[]>;
  addEvidence(input: NewEvidenceInput): Promise<Evidence>;
  /** Changes one field of one note: one durable write. Resolves to the note as stored. */
  updateEvidenceField<F extends EvidenceField>(evidenceId: string, field: F, value: EvidenceFieldValues[F]): Promise<Evidence>;
  /** Deletes a note (a tombstone: it leaves lists and search, here and after sync everywhere). */
  deleteEvidence(evidenceId: string): Promise<void>;
  /** Best match first when words are given, otherwise newest first. */
  searchEvidence(reviewId: string, query: EvidenceQueryInput): Promise<Evidence[]>;
  framework(version: string): Promise<Framework>;
  activityTypes(): Promise<ActivityTypeOption[]>;
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
  /** Photos and documents on notes (issue 19). */
  attachments(): Attachments;
  /** The register of Areas of Excellence: this laptop's copy, and "Ask to visit" (issue 23). */
  register(): Register;
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
  changesSinceReturn(reviewId: string) {
    return call<ChangesSinceReturn | null>('changes_since_return', { reviewId });
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
  listPlan(reviewId: string) {
    return call<PlanActivity[]>('list_plan', { reviewId });
  }
  savePlanActivity(reviewId: string, activityId: string | null, draft: PlanActivityDraft) {
    return call<PlanActivity>('save_plan_activity', { reviewId, activityId, draft });
  }
  deletePlanActivity(activityId: string) {
    return call<void>('delete_plan_activity', { activityId });
  }
  previousReview(reviewId: string) {
    return call<PreviousReviewView | null>('previous_review', { reviewId });
  }
  schoolStatement(reviewId: string) {
    return call<SchoolStatementView | null>('school_statement', { reviewId });
  }
  saveProgress(reviewId: string, number: number, found: string) {
    return call<ProgressPoint>('save_progress', { reviewId, number, found });
  }
  reportTemplate(reviewId: string) {
    return call<ReportTemplateView>('report_template', { reviewId });
  }
  listReportSections(reviewId: string) {
    return call<ReportSection[]>('list_report_sections', { reviewId });
  }
  saveReportSection(reviewId: string, code: string, body: string) {
    return call<ReportSection>('save_report_section', { reviewId, code, body });
  }
  setReportPhotos(reviewId: string, code: string, photos: ReportPhoto[]) {
    return call<ReportSection>('set_report_photos', { reviewId, code, photos });
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
  async resolveConflict(conflictId: string, choice: ConflictChoice, mergedText?: string) {
    await call<null>('resolve_conflict', { conflictId, choice, mergedText: mergedText ?? null });
  }
  wipeCheck() {
    return call<WipeCheck>('wipe_check');
  }
  localCopy(reviewId: string) {
    return call<LocalCopy>('local_copy', { reviewId });
  }
  dropLocalCopy(reviewId: string) {
    return call<LocalCopy>('drop_local_copy', { reviewId });
  }
  keepIssuedDays() {
    return call<number | null>('keep_issued_days');
  }
  async setKeepIssuedDays(days: number | null) {
    await call<null>('set_keep_issued_days', { days });
  }
  onDataChanged(handler: (change: DataChanged) => void) {
    return listen<DataChanged>(DATA_CHANGED_EVENT, (event) => handler(event.payload));
  }
  onCloseRequested(handler: () => void) {
    return listen<null>(CLOSE_REQUESTED_EVENT, () => handler());
  }
  async closeWindow() {
    await call<null>('close_window');
  }
  async keepWindowOpen() {
    await call<null>('keep_window_open');
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
  addEvidence(input: NewEvidenceInput) {
    return call<Evidence>('add_evidence', { input });
  }
  updateEvidenceField<F extends EvidenceField>(evidenceId: string, field: F, value: EvidenceFieldValues[F]) {
    const edit = { field, value } as EvidenceEdit;
    return call<Evidence>('update_evidence_field', { evidenceId, edit });
  }
  async deleteEvidence(evidenceId: string) {
    await call<null>('delete_evidence', { evidenceId });
  }
  searchEvidence(reviewId: string, query: EvidenceQueryInput) {
    return call<Evidence[]>('search_evidence', { reviewId, query });
  }
  framework(version: string) {
    return call<Framework>('framework', { version });
  }
  activityTypes() {
    return call<ActivityTypeOption[]>('activity_types');
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
  private files = new TauriAttachments();
  attachments() {
    return this.files;
  }
  private aoe = new TauriRegister();
  register() {
    return this.aoe;
  }
}
