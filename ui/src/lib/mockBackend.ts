import type {
  ActivityType,
  Backend,
  Conflict,
  ConflictChoice,
  DataChanged,
  Estimate,
  Evidence,
  EvidenceField,
  EvidenceFieldValues,
  EvidenceQueryInput,
  Framework,
  GlobalRole,
  Missing,
  NewComment,
  NewEvidenceInput,
  NewReview,
  PlanActivity,
  PlanActivityDraft,
  PreviousReviewView,
  SchoolStatementView,
  ProgressPoint,
  ReportPhoto,
  ReportSection,
  ReportTemplate,
  ReviewComment,
  ReviewDetail,
  ReviewSummary,
  Session,
  SignInInput,
  SyncBadge,
  SyncProgress,
  SyncStatus,
  TeamMember,
  TeamRole,
  WipeCheck,
  LocalCopy,
} from './backend';
import type { ChangesSinceReturn, Citation, JsonValue, SchoolContext } from './generated';
import { citationToken, citedNoteIds } from './citations';
import type { ErrorCode } from './generated/ErrorCode';
import { isKnownCode } from './errorCodes';
import {
  ACTIVITY_TYPES,
  actionFor,
  allowedActions,
  badDate,
  checkCommentTarget,
  checkText,
  contentHash,
  decide,
  denied,
  joinOr,
  FRAMEWORKS,
  incomplete,
  invalid,
  isDate,
  MAX_SCHOOL_NAME,
  missingForSubmit,
  noTransition,
  notFound,
  REPORT_TEMPLATES,
  isReviewState,
  badUrn,
  unknownArea,
  unknownFramework,
  validateEvidenceField,
  wrongType,
  wordCount,
  type MockAction,
  type MockRole,
} from './mockRules';
import { matchScore, queryWords } from './mockSearch';
import { CURRENT_FRAMEWORK, fieldMax, fieldSpec, validationMessage } from './tables';
import { formatDate, plural, stateLabel, visitDays } from './format';
import { MockHubAdmin } from './mockHubAdmin';
import { MockInvitations } from './mockInvitations';
import type { ActivatedAccount } from './invitations';
import { MockReportExports } from './mockReports';
import { MockProtection } from './mockProtection';
import { MockAttachments } from './mockAttachments';
import { MockRegister } from './mockRegister';

/*
 * An in-memory Backend for component tests and the browser preview. It follows the Rust
 * client's rules (crates/core fields.rs, permissions, report_template.rs; crates/client store)
 * so the UI meets the same refusals, wording and pending-change counts it will meet in the app.
 *
 * It holds one small world: this laptop and, for approve/return and sign-in, the server. Anyone
 * may sign in on it (the real store is one person's; see `other_user`), which lets the preview
 * show the Lead Reviewer's and the coordinator's screens in one browser tab.
 *
 * Deliberate differences: a note's author is not checked on edit (the evidence screen does not
 * yet show other people's notes read-only), and the report hash is a stand-in for SHA-256.
 */

export { ACTIVITY_TYPES, FRAMEWORKS, REPORT_TEMPLATES };

/** Most notes one text search returns (the store's SEARCH_LIMIT). */
const SEARCH_LIMIT = 100;
/** Failed sign-ins in a row before the server says "slow down". */
const SIGN_IN_ATTEMPTS = 5;

export type MockPerson = { userId: string; name: string; email: string; roles: GlobalRole[] };

/** The sample people of the preview; every one signs in with MOCK_PASSWORD and any six-digit code but 000000. */
export const MOCK_PEOPLE = {
  lead: { userId: 'user-lead', name: 'Amara Lewis', email: 'amara.lewis@example.org', roles: [] },
  reviewer: { userId: 'user-reviewer', name: 'Tom Okafor', email: 'tom.okafor@example.org', roles: [] },
  coordinator: {
    userId: 'user-coordinator',
    name: 'Priya Shah',
    email: 'priya.shah@example.org',
    roles: [{ role: 'hub_coordinator', hubId: 'hub-north' }],
  },
} satisfies Record<string, MockPerson>;

export const MOCK_PASSWORD = 'review-desk';
export const DEFAULT_HUB = 'hub-north';

type StoredReview = {
  id: string;
  schoolName: string;
  schoolUrn: string;
  startDate: string;
  state: string;
  hubId: string;
  frameworkVersion: string;
  team: TeamMember[];
  approvedHash: string;
  approvedBy: string;
  /** The register's facts, on reviews the hub scheduled. */
  school: SchoolContext | null;
  /** The report as last returned, by target, for the diff on resubmission. */
  returned?: { at: string; report: Map<string, string> };
  /** Made on this laptop and never acknowledged by the server. */
  localOnly: boolean;
  /** RFC 3339 time the review reached its state, as the laptop reads it from the state field's version. */
  stateSince: string | null;
};
type StoredEvidence = Evidence & { seq: number; createdAtMs: number; deleted: boolean };
type StoredSection = { body: string; updatedAt: string; photos?: ReportPhoto[] };
type StoredConflict = Omit<Conflict, 'currentValue'> & { resolved: boolean; fallbackValue: JsonValue };

export type SeedReview = Partial<Omit<StoredReview, 'team'>> & {
  schoolName: string;
  pendingOps?: number;
  /** The team; by default whoever is signed in, as `myRole` (Lead Reviewer unless said). */
  team?: TeamMember[];
  /** The signed-in person's role when no team is given; null: not on the team. */
  myRole?: TeamRole | null;
};
/** A note as it was written; `createdAt` (RFC 3339) defaults to `updatedAt`, then to now. */
export type SeedEvidence = Partial<Evidence> & { reviewId: string; createdAt?: string };
export type SeedEstimate = { reviewId: string; areaCode: string; value: string; rationale?: string; updatedAt?: string };
export type SeedSection = { reviewId: string; code: string; body: string; updatedAt?: string };
export type SeedComment = Partial<ReviewComment> & { reviewId: string; target: string; text: string };
/** `recordId` of an estimate is `estimateId(review, area)`, of a section `sectionId(review, code)`. */
export type SeedConflict = Partial<Omit<Conflict, 'currentValue'>> & {
  reviewId: string;
  entity: string;
  recordId: string;
  field: string;
  otherValue: JsonValue;
  /** Shown as the current value when the record is not held here. */
  currentValue?: JsonValue;
};

export type MockOptions = {
  reviews?: SeedReview[];
  evidence?: SeedEvidence[];
  estimates?: SeedEstimate[];
  sections?: SeedSection[];
  comments?: SeedComment[];
  conflicts?: SeedConflict[];
  /** Whether the sync server answers. Defaults to true. */
  online?: boolean;
  serverUrl?: string;
  lastSyncAt?: string | null;
  /** Who is signed in: the author of new notes. Defaults to '' (notes written before anyone signed in). */
  userId?: string;
  /** The session; by default a Lead Reviewer with `userId`. null: nobody is signed in. */
  session?: Session | null;
  /** People who can sign in (with MOCK_PASSWORD). Defaults to MOCK_PEOPLE. */
  people?: MockPerson[];
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


export function estimateId(reviewId: string, areaCode: string): string {
  return `${reviewId}:estimate:${areaCode}`;
}

export function sectionId(reviewId: string, code: string): string {
  return `${reviewId}:section:${code}`;
}

/** What the app says the server keeps (qar_client::KEPT_ON_THE_SERVER). */
const KEPT_ON_THE_SERVER =
  "The server keeps this review as the partnership's retention policy says: the issued report for years, the notes, comments and photos until their retention ends. The team and the hub coordinator can still read it there, and the school keeps its issued report. Only this laptop's copy goes, and it does not come back at the next sync.";

export class MockBackend implements Backend {
  private reviews: StoredReview[] = [];
  private evidence: StoredEvidence[] = [];
  private estimates = new Map<string, Estimate>();
  private plan = new Map<string, PlanActivity>();
  /** The server's read-only copies of each review's previous review (as a pull brings them). */
  private previous = new Map<string, PreviousReviewView>();
  private statements = new Map<string, SchoolStatementView>();
  private sections = new Map<string, StoredSection>();
  private comments: ReviewComment[] = [];
  private conflicts: StoredConflict[] = [];
  /** One entry per unacknowledged op (one per edit): the review it belongs to. */
  private outbox: string[] = [];
  /** The records with waiting changes, `kind:id` → kind (what the status counts in words). */
  private pendingKeys = new Map<string, string>();

  /** One change waiting to sync: of a review, on a record of a kind. */
  private pend(reviewId: string, kind: string, recordId: string) {
    this.outbox.push(reviewId);
    this.pendingKeys.set(`${kind}:${recordId}`, kind);
  }
  private listeners = new Set<(status: SyncStatus) => void>();
  private dataListeners = new Set<(change: DataChanged) => void>();
  /** Edits another laptop made that the server holds and this laptop has not pulled yet. */
  private remote: { reviewId: string; apply: () => void }[] = [];
  /** What the Rust client reports when the laptop clock is off; tests set it directly. */
  clockWarning: string | null = null;
  /** What the sync panel says about the last retention purge here (issue 24). */
  purgeNotice: string | null = null;
  /** A long first sync under way; tests and the preview set it directly. */
  progress: SyncProgress | null = null;
  private nextId = 1;
  private nextSeq = 1;
  private syncing = false;
  private lastSyncAt: string | null;
  private lastError: string | null = null;
  private lastErrorCode: ErrorCode | null = null;
  private needsSignIn = false;
  private revokedReason: string | null = null;
  private failedSignIns = 0;
  private currentSession: Session | null;
  /** Whose work this laptop holds: stays after sign-out, so the work keeps its owner. */
  private owner: string;
  online: boolean;
  serverUrl: string;
  private readonly people: MockPerson[];
  /** Passwords people chose when accepting an invitation; everyone else uses MOCK_PASSWORD. */
  private readonly passwords = new Map<string, string>();
  /** The invitee's side of invitations (issue 9): seeded codes and those the hub desk issues. */
  readonly invites: MockInvitations;
  private readonly latencyMs: number;
  private readonly now: () => Date;

  constructor(options: MockOptions = {}) {
    this.online = options.online ?? true;
    this.serverUrl = options.serverUrl ?? 'https://sync.example.org';
    this.lastSyncAt = options.lastSyncAt ?? null;
    this.latencyMs = options.latencyMs ?? 0;
    this.now = options.now ?? (() => new Date());
    this.people = options.people ?? Object.values(MOCK_PEOPLE);
    this.invites = new MockInvitations({
      online: () => this.online,
      now: () => this.now(),
      pause: () => this.pause(),
      activated: (a, pw) => this.activate(a, pw),
    });
    this.currentSession =
      options.session === undefined
        ? {
            userId: options.userId ?? '',
            name: 'Amara Lewis',
            email: 'amara.lewis@example.org',
            serverUrl: this.serverUrl,
            roles: [],
            deviceName: 'This laptop',
            signedInAt: this.now().toISOString(),
          }
        : options.session;
    this.owner = this.currentSession?.userId ?? options.userId ?? '';
    const me = this.currentSession;
    for (const seed of options.reviews ?? []) {
      let team = seed.team;
      if (!team) {
        const role = seed.myRole === undefined ? 'lead_reviewer' : seed.myRole;
        team = role === null ? [] : [{ userId: this.owner, name: me?.name ?? 'You', role }];
        if (role !== null && role !== 'lead_reviewer') team.unshift({ userId: 'user-lead-other', name: 'Jordan Ellis', role: 'lead_reviewer' });
      }
      const review: StoredReview = {
        id: seed.id ?? this.newId('review'),
        schoolName: seed.schoolName,
        schoolUrn: seed.schoolUrn ?? '100000',
        startDate: seed.startDate ?? '2026-11-23',
        state: seed.state ?? 'preparing',
        hubId: seed.hubId ?? DEFAULT_HUB,
        frameworkVersion: seed.frameworkVersion ?? CURRENT_FRAMEWORK,
        team: team.map((m) => ({ ...m })),
        approvedHash: seed.approvedHash ?? '',
        approvedBy: seed.approvedBy ?? '',
        school: seed.school ?? null,
        localOnly: seed.localOnly ?? false,
        stateSince: seed.stateSince ?? null,
      };
      this.reviews.push(review);
      for (let i = 0; i < (seed.pendingOps ?? 0); i++) this.pend(review.id, 'review', review.id);
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
    for (const seed of options.estimates ?? []) {
      this.estimates.set(estimateId(seed.reviewId, seed.areaCode), {
        id: estimateId(seed.reviewId, seed.areaCode),
        reviewId: seed.reviewId,
        areaCode: seed.areaCode,
        value: seed.value,
        rationale: seed.rationale ?? '',
        updatedAt: seed.updatedAt ?? this.now().toISOString(),
      });
    }
    for (const seed of options.sections ?? []) {
      this.sections.set(sectionId(seed.reviewId, seed.code), { body: seed.body, updatedAt: seed.updatedAt ?? this.now().toISOString() });
    }
    for (const seed of options.comments ?? []) this.addComment(seed);
    for (const seed of options.conflicts ?? []) this.addConflict(seed);
  }

  /** Pretend the network went away or came back. */
  setOnline(online: boolean) {
    this.online = online;
  }

  /* ----------------------------------------------------------------------- session */

  async session(): Promise<Session | null> {
    await this.pause();
    return this.currentSession ? structuredClone(this.currentSession) : null;
  }

  async signIn(input: SignInInput): Promise<Session> {
    await this.pause();
    const url = input.serverUrl.trim().replace(/\/+$/, '');
    if (!/^https?:\/\//.test(url)) {
      throw wrongType('Server address', 'an address starting with https://');
    }
    if (!this.online) throw this.offlineError(url);
    if (this.failedSignIns >= SIGN_IN_ATTEMPTS) {
      throw { code: 'rate_limited', message: 'Too many sign-in attempts. Wait a minute, then try again' };
    }
    const person = this.people.find((p) => p.email.toLowerCase() === input.email.trim().toLowerCase());
    const code = input.totpCode.trim();
    const password = person ? (this.passwords.get(person.userId) ?? MOCK_PASSWORD) : MOCK_PASSWORD;
    if (!person || input.password !== password || !/^\d{6}$/.test(code) || code === '000000') {
      this.failedSignIns++;
      throw { code: 'invalid_credentials', message: 'The email, password or code was not right' };
    }
    this.failedSignIns = 0;
    this.serverUrl = url;
    this.owner = person.userId;
    this.needsSignIn = false;
    if (this.lastErrorCode === 'signed_out') {
      this.lastError = null;
      this.lastErrorCode = null;
    }
    this.currentSession = {
      userId: person.userId,
      name: person.name,
      email: person.email,
      serverUrl: url,
      roles: structuredClone(person.roles),
      deviceName: input.deviceName?.trim() || 'This laptop',
      signedInAt: this.now().toISOString(),
    };
    this.emit();
    return structuredClone(this.currentSession);
  }

  async signOut(): Promise<void> {
    await this.pause();
    this.currentSession = null;
  }

  /** The server stopped accepting this laptop's sign-in (revoked or expired). */
  expireSignIn() {
    this.needsSignIn = true;
    this.lastError = 'The server no longer accepts this laptop’s sign-in. Sign in again to sync';
    this.lastErrorCode = 'signed_out';
    this.emit();
  }

  /** An administrator revoked this laptop: sync stops for good (the next attempt says so). */
  revoke(reason: string) {
    this.revokedReason = reason;
    this.lastError = `This laptop was revoked by an administrator (${reason}). Export unsent work, then wipe this laptop`;
    this.lastErrorCode = 'device_revoked';
    this.emit();
  }

  /* ----------------------------------------------------------------------- reviews */

  async wipeCheck(): Promise<WipeCheck> {
    await this.pause();
    const counts = new Map<string, number>();
    for (const id of this.outbox) counts.set(id, (counts.get(id) ?? 0) + 1);
    const files = new Map<string, number>();
    for (const w of this.files.waiting.values()) files.set(w.reviewId, (files.get(w.reviewId) ?? 0) + 1);
    const unsent = [...new Set([...counts.keys(), ...files.keys()])].map((reviewId) => ({
      reviewId,
      schoolName: this.reviews.find((r) => r.id === reviewId)?.schoolName || 'A review not yet named',
      changes: counts.get(reviewId) ?? 0,
      files: files.get(reviewId) ?? 0,
    }));
    unsent.sort((a, b) => a.schoolName.localeCompare(b.schoolName));
    return { safe: unsent.length === 0, unsent };
  }

  /** Mirrors qar_client's store/local_copy.rs and qar_core::retention::may_drop_local_copy. */
  async localCopy(reviewId: string): Promise<LocalCopy> {
    await this.pause();
    return this.describeLocalCopy(reviewId);
  }

  async dropLocalCopy(reviewId: string): Promise<LocalCopy> {
    await this.pause();
    const copy = this.describeLocalCopy(reviewId);
    if (copy.whyNot) throw { code: copy.unsentChanges + copy.unsentFiles > 0 ? 'unsent_work' : 'wrong_state', message: copy.whyNot };
    this.files.forget(reviewId);
    this.evidence = this.evidence.filter((e) => e.reviewId !== reviewId);
    this.comments = this.comments.filter((c) => c.reviewId !== reviewId);
    this.conflicts = this.conflicts.filter((c) => c.reviewId !== reviewId);
    for (const [id, e] of this.estimates) if (e.reviewId === reviewId) this.estimates.delete(id);
    for (const key of this.sections.keys()) if (key.startsWith(`${reviewId}:`)) this.sections.delete(key);
    this.reviews = this.reviews.filter((r) => r.id !== reviewId);
    // Pulls skip a dropped review: what other laptops change of it stays away.
    this.remote = this.remote.filter((r) => r.reviewId !== reviewId);
    return copy;
  }

  /** Days an issued review stays on this laptop (qar_client's default: a month); tests set it. */
  keepDays: number | null = 30;

  async keepIssuedDays(): Promise<number | null> {
    await this.pause();
    return this.keepDays;
  }

  async setKeepIssuedDays(days: number | null): Promise<void> {
    await this.pause();
    if (days !== null && !(Number.isInteger(days) && days >= 1 && days <= 3650)) {
      throw invalid(`Days to keep issued reviews must be between 1 and 3650, got ${days}`);
    }
    this.keepDays = days;
  }

  private describeLocalCopy(reviewId: string): LocalCopy {
    const review = this.findReview(reviewId);
    const unsentChanges = this.outbox.filter((id) => id === reviewId).length;
    const unsentFiles = [...this.files.waiting.values()].filter((w) => w.reviewId === reviewId).length;
    let whyNot: string | null = null;
    if (review.state !== 'issued' && review.state !== 'archived') {
      whyNot = `Only an issued review can be removed from this laptop; this one is ${stateLabel(review.state).toLowerCase()}, so the team may still be working on it.`;
    } else if (unsentChanges + unsentFiles > 0) {
      const parts = [unsentChanges > 0 ? plural(unsentChanges, 'change') : '', unsentFiles > 0 ? plural(unsentFiles, 'file') : ''];
      whyNot = `This laptop still has ${parts.filter(Boolean).join(' and ')} of this review that the server does not hold yet. Sync first; then its copy can be removed.`;
    }
    return {
      reviewId,
      schoolName: review.schoolName,
      notes: this.evidence.filter((e) => e.reviewId === reviewId && !e.deleted).length,
      comments: this.comments.filter((c) => c.reviewId === reviewId).length,
      files: this.files.heldFor(reviewId),
      unsentChanges,
      unsentFiles,
      whyNot,
      keptOnTheServer: KEPT_ON_THE_SERVER,
    };
  }

  async listReviews(): Promise<ReviewSummary[]> {
    await this.pause();
    return this.reviews
      .filter((r) => r.schoolName !== '' && this.visible(r))
      .sort((a, b) => b.startDate.localeCompare(a.startDate) || a.schoolName.localeCompare(b.schoolName))
      .map((r) => this.summary(r));
  }

  async createReview(input: NewReview): Promise<ReviewSummary> {
    await this.pause();
    const schoolName = input.schoolName.trim();
    const schoolUrn = input.schoolUrn.trim();
    const startDate = input.startDate.trim();
    checkText('School name', schoolName, MAX_SCHOOL_NAME, true);
    if (!/^\d{6}$/.test(schoolUrn)) throw badUrn(schoolUrn);
    if (!isDate(startDate)) throw badDate('Visit start date', startDate);
    // As the Rust store: a review set up on the laptop starts in preparation, led by its maker.
    const me = this.currentSession;
    const review: StoredReview = {
      id: this.newId('review'),
      schoolName,
      schoolUrn,
      startDate,
      state: 'preparing',
      hubId: me?.roles.find((r) => r.role === 'hub_coordinator')?.hubId ?? DEFAULT_HUB,
      frameworkVersion: CURRENT_FRAMEWORK,
      team: [{ userId: this.owner, name: me?.name ?? 'You', role: 'lead_reviewer' }],
      approvedHash: '',
      approvedBy: '',
      school: null,
      localOnly: true,
      stateSince: this.now().toISOString(),
    };
    this.reviews.push(review);
    this.pend(review.id, 'review', review.id);
    return this.summary(review);
  }

  async getReview(reviewId: string): Promise<ReviewSummary> {
    await this.pause();
    return this.summary(this.findReview(reviewId));
  }

  async reviewDetail(reviewId: string): Promise<ReviewDetail> {
    await this.pause();
    const review = this.findReview(reviewId);
    return {
      summary: this.summary(review),
      team: review.team.map((m) => ({ ...m })),
      hubId: review.hubId,
      visitDays: isDate(review.startDate) ? visitDays(review.startDate) : [],
      allowedActions: allowedActions(this.facts(review)),
      reportHash: this.reportHash(review.id),
      approvedHash: review.approvedHash,
      approvedBy: review.approvedBy,
      school: review.school ? { ...review.school } : null,
    };
  }

  async transitionReview(reviewId: string, toState: string): Promise<ReviewSummary> {
    await this.pause();
    const review = this.findReview(reviewId);
    if (!isReviewState(toState)) throw invalid(validationMessage('unknown_review_state', { value: toState }));
    const action = actionFor(review.state, toState);
    if (!action) throw noTransition(review.state, toState);
    const next = this.check(review, action).next ?? toState;
    if (next === 'submitted') {
      const missing = this.missing(review);
      if (missing.length > 0) throw incomplete(missing);
    }
    this.moveTo(review, next);
    this.pend(review.id, 'review', review.id);
    return this.summary(review);
  }

  /* ----------------------------------------------------------------------- the visit plan */

  async listPlan(reviewId: string): Promise<PlanActivity[]> {
    await this.pause();
    this.findReview(reviewId);
    return [...this.plan.values()]
      .filter((a) => a.reviewId === reviewId)
      .sort((a, b) => a.startsAt.localeCompare(b.startsAt))
      .map((a) => ({ ...a, reviewerIds: [...a.reviewerIds] }));
  }

  async savePlanActivity(reviewId: string, activityId: string | null, draft: PlanActivityDraft): Promise<PlanActivity> {
    await this.pause();
    const review = this.findReview(reviewId);
    this.check(review, 'plan_visit');
    const startsAt = draft.startsAt.trim();
    const endsAt = draft.endsAt?.trim() || null;
    const dateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;
    if (startsAt === '') throw invalid(validationMessage('empty', { field: 'Start time' }));
    if (!dateTime.test(startsAt)) throw invalid(validationMessage('bad_date', { field: 'Start time', value: startsAt }));
    if (endsAt !== null && (!dateTime.test(endsAt) || endsAt.slice(0, 10) !== startsAt.slice(0, 10) || endsAt <= startsAt)) {
      throw invalid('End time (on the same day) must not be before the start time');
    }
    if (activityId !== null && this.plan.get(activityId)?.reviewId !== reviewId) throw notFound(`Planned activity '${activityId}'`);
    const activity: PlanActivity = {
      id: activityId ?? `${reviewId}:plan:${this.nextId++}`,
      reviewId,
      startsAt,
      endsAt,
      activityType: draft.activityType,
      reviewerIds: [...draft.reviewerIds],
      hostColleague: draft.hostColleague.trim(),
      yearGroup: draft.yearGroup.trim(),
      subject: draft.subject.trim(),
      focus: draft.focus.trim(),
      updatedAt: this.now().toISOString(),
    };
    this.plan.set(activity.id, activity);
    this.pend(reviewId, 'plan_activity', activity.id);
    return { ...activity, reviewerIds: [...activity.reviewerIds] };
  }

  async deletePlanActivity(activityId: string): Promise<void> {
    await this.pause();
    const activity = this.plan.get(activityId);
    if (!activity) throw notFound(`Planned activity '${activityId}'`);
    this.check(this.findReview(activity.reviewId), 'plan_visit');
    this.plan.delete(activityId);
    this.pend(activity.reviewId, 'plan_activity', activityId);
  }

  /* ----------------------------------------------------------------------- estimates */

  async listEstimates(reviewId: string): Promise<Estimate[]> {
    await this.pause();
    this.findReview(reviewId);
    return this.estimatesOf(reviewId).map((e) => ({ ...e }));
  }

  async setEstimate(reviewId: string, areaCode: string, value: string, rationale: string): Promise<Estimate> {
    await this.pause();
    const review = this.findReview(reviewId);
    this.check(review, 'set_estimate');
    this.validateEstimate(review, areaCode, value);
    const estimate: Estimate = {
      id: estimateId(reviewId, areaCode),
      reviewId,
      areaCode,
      value,
      rationale,
      updatedAt: this.now().toISOString(),
    };
    this.estimates.set(estimate.id, estimate);
    this.pend(reviewId, 'estimate', estimate.id);
    return { ...estimate };
  }

  /* ----------------------------------------------------------------------- report */

  async reportTemplate(reviewId: string): Promise<ReportTemplate> {
    await this.pause();
    return structuredClone(this.templateOf(this.findReview(reviewId)));
  }

  async listReportSections(reviewId: string): Promise<ReportSection[]> {
    await this.pause();
    return this.sectionsOf(this.findReview(reviewId));
  }

  async saveReportSection(reviewId: string, code: string, body: string): Promise<ReportSection> {
    await this.pause();
    const review = this.findReview(reviewId);
    const decision = this.check(review, 'edit_report');
    if (!this.templateOf(review).sections.some((s) => s.code === code)) throw notFound(`Report section '${code}'`);
    const photos = this.sections.get(sectionId(reviewId, code))?.photos;
    this.sections.set(sectionId(reviewId, code), { body, updatedAt: this.now().toISOString(), photos });
    this.pend(reviewId, 'report_section', sectionId(reviewId, code));
    // Editing an approved report sends it back for approval: the server moves the review when the
    // edit arrives (the edit is the only op); this laptop shows the new state at once.
    if (decision.next && decision.next !== review.state) this.moveTo(review, decision.next);
    return this.sectionsOf(review).find((s) => s.code === code)!;
  }

  async setReportPhotos(reviewId: string, code: string, photos: ReportPhoto[]): Promise<ReportSection> {
    await this.pause();
    const review = this.findReview(reviewId);
    const decision = this.check(review, 'edit_report');
    const spec = this.templateOf(review).sections.find((s) => s.code === code);
    if (!spec || spec.kind === 'progress') throw notFound(`Report section '${code}'`);
    if (photos.length > 4) throw { code: 'invalid', message: 'Photos in the report must be a list of at most 4 photos, each {attachment_id, caption} and each once' };
    const held = await this.files.listReview(reviewId);
    for (const p of photos) {
      const found = held.find((a) => a.id === p.attachment_id);
      if (!found) throw notFound(`Attachment '${p.attachment_id}' in this review`);
      if (!found.mime.startsWith('image/')) throw { code: 'invalid', message: 'Photos in the report must be photos (JPEG or PNG); a document stays with its note' };
    }
    const stored = this.sections.get(sectionId(reviewId, code));
    this.sections.set(sectionId(reviewId, code), { body: stored?.body ?? '', updatedAt: this.now().toISOString(), photos: photos.map((p) => ({ ...p })) });
    this.pend(reviewId, 'report_section', sectionId(reviewId, code));
    if (decision.next && decision.next !== review.state) this.moveTo(review, decision.next);
    return this.sectionsOf(review).find((s) => s.code === code)!;
  }

  /** Test seam: the copy of a previous review a pull would bring for `reviewId`. */
  seedPreviousReview(reviewId: string, previous: PreviousReviewView) {
    this.previous.set(reviewId, structuredClone(previous));
  }

  async previousReview(reviewId: string): Promise<PreviousReviewView | null> {
    await this.pause();
    this.findReview(reviewId);
    const previous = this.previous.get(reviewId);
    return previous ? structuredClone(previous) : null;
  }

  /** Test seam: the school's statement a pull would bring for `reviewId`. */
  seedSchoolStatement(reviewId: string, statement: SchoolStatementView) {
    this.statements.set(reviewId, structuredClone(statement));
  }

  async schoolStatement(reviewId: string): Promise<SchoolStatementView | null> {
    await this.pause();
    this.findReview(reviewId);
    const statement = this.statements.get(reviewId);
    return statement ? structuredClone(statement) : null;
  }

  async saveProgress(reviewId: string, number: number, found: string): Promise<ProgressPoint> {
    await this.pause();
    const review = this.findReview(reviewId);
    const decision = this.check(review, 'edit_report');
    const point = this.previous.get(reviewId)?.points.find((p) => p.number === number);
    if (!point) throw notFound(`Point ${number} of the previous review`);
    point.found = found;
    point.updatedAt = this.now().toISOString();
    this.pend(reviewId, 'report_section', sectionId(reviewId, `progress_${number}`));
    if (decision.next && decision.next !== review.state) this.moveTo(review, decision.next);
    return { ...point };
  }

  async submitCheck(reviewId: string): Promise<Missing[]> {
    await this.pause();
    return this.missing(this.findReview(reviewId));
  }

  /* ----------------------------------------------------------------------- comments */

  async listComments(reviewId: string): Promise<ReviewComment[]> {
    await this.pause();
    this.findReview(reviewId);
    return this.comments
      .filter((c) => c.reviewId === reviewId && c.text !== '')
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
      .map((c) => ({ ...c }));
  }

  async resolveComment(commentId: string): Promise<ReviewComment> {
    await this.pause();
    const comment = this.comments.find((c) => c.id === commentId);
    if (!comment) throw notFound('That comment');
    this.check(this.findReview(comment.reviewId), 'edit_report');
    comment.resolved = true;
    this.pend(comment.reviewId, 'comment', comment.id);
    return { ...comment };
  }

  /** A coordinator's comment as it arrives by sync (tests and the preview). */
  addComment(seed: SeedComment): ReviewComment {
    const comment: ReviewComment = {
      id: seed.id ?? this.newId('comment'),
      reviewId: seed.reviewId,
      target: seed.target,
      text: seed.text,
      authorName: seed.authorName ?? MOCK_PEOPLE.coordinator.name,
      createdAt: seed.createdAt ?? this.now().toISOString(),
      resolved: seed.resolved ?? false,
    };
    this.comments.push(comment);
    return { ...comment };
  }

  /* ----------------------------------------------------------------------- coordinator */

  async approveReview(reviewId: string): Promise<ReviewSummary> {
    await this.pause();
    const review = this.findReview(reviewId);
    // As the app: sync first, so the server compares against the report this laptop shows.
    if (!this.online) throw this.offlineError(this.serverUrl);
    this.check(review, 'approve', true);
    const held = this.remote.filter((r) => r.reviewId === reviewId);
    if (held.length > 0) {
      this.pull();
      throw { code: 'report_changed', message: 'The report changed while you were reading it. Read it again before approving' };
    }
    review.approvedHash = this.reportHash(reviewId);
    review.approvedBy = this.currentSession?.name ?? '';
    this.moveTo(review, 'approved');
    this.acknowledge();
    return this.summary(review);
  }

  async returnReview(reviewId: string, comments: NewComment[]): Promise<ReviewSummary> {
    await this.pause();
    const review = this.findReview(reviewId);
    if (comments.length === 0) throw invalid(validationMessage('empty', { field: 'Return comments' }));
    const template = this.templateOf(review);
    for (const c of comments) {
      checkCommentTarget(c.target.trim(), template);
      checkText(fieldSpec('comment', 'text')!.label, c.text.trim(), fieldMax('comment', 'text'), true);
    }
    if (!this.online) throw this.offlineError(this.serverUrl);
    this.check(review, 'return', true);
    for (const c of comments) {
      this.addComment({ reviewId, target: c.target.trim(), text: c.text.trim(), authorName: this.currentSession?.name ?? '' });
    }
    review.returned = { at: this.now().toISOString(), report: this.reportByTarget(reviewId) };
    this.moveTo(review, 'returned');
    this.acknowledge();
    return this.summary(review);
  }

  /**
   * Another laptop changes a review (e.g. the Lead Reviewer edits a section): the server holds the
   * change until this laptop's next sync, which brings it in and announces `data-changed`.
   */
  changeRemotely(reviewId: string, apply: (mock: MockBackend) => void) {
    this.remote.push({ reviewId, apply: () => apply(this) });
  }

  /** Moves a review as another laptop's synced transition would (no op here). */
  setStateDirect(reviewId: string, state: string) {
    this.moveTo(this.findReview(reviewId), state);
  }

  /** Writes a section as another laptop's synced edit would (no op here). */
  writeSectionDirect(reviewId: string, code: string, body: string) {
    this.sections.set(sectionId(reviewId, code), { body, updatedAt: this.now().toISOString() });
  }

  /* ----------------------------------------------------------------------- conflicts */

  async listConflicts(reviewId: string | null): Promise<Conflict[]> {
    await this.pause();
    return this.conflicts
      .filter((c) => !c.resolved && (reviewId === null || c.reviewId === reviewId))
      .sort((a, b) => a.recordedAt.localeCompare(b.recordedAt) || a.id.localeCompare(b.id))
      .map((c) => {
        const { resolved: _resolved, fallbackValue, ...rest } = c;
        const current = this.fieldValue(c.entity, c.recordId, c.field);
        return structuredClone({ ...rest, currentValue: current === undefined ? fallbackValue : current });
      });
  }

  async resolveConflict(conflictId: string, choice: ConflictChoice, mergedText?: string): Promise<void> {
    await this.pause();
    const conflict = this.conflicts.find((c) => c.id === conflictId && !c.resolved);
    if (!conflict) throw notFound('That conflict (it may be resolved already)');
    const review = this.findReview(conflict.reviewId);
    const action: MockAction =
      conflict.entity === 'evidence'
        ? 'edit_own_evidence'
        : conflict.entity === 'estimate'
          ? 'set_estimate'
          : conflict.entity === 'report_section'
            ? 'edit_report'
            : 'resolve_conflict';
    this.check(review, action);
    let value: unknown = undefined;
    if (choice === 'keep_other') value = conflict.otherValue;
    if (choice === 'merged') {
      if (mergedText === undefined || mergedText === null) throw invalid(validationMessage('empty', { field: 'Merged text' }));
      value = mergedText;
    }
    if (choice !== 'keep_current' && choice !== 'keep_other' && choice !== 'merged') throw invalid(`'${choice}' is not a way to resolve a conflict`);
    if (value !== undefined) {
      this.writeField(conflict.entity, conflict.recordId, conflict.field, value);
      this.pend(review.id, conflict.entity, conflict.recordId);
    }
    conflict.resolved = true;
    this.pend(review.id, conflict.entity, conflict.recordId);
  }

  /** A conflict as the server sends it down (tests and the preview). */
  addConflict(seed: SeedConflict): Conflict {
    const stored: StoredConflict = {
      id: seed.id ?? this.newId('conflict'),
      reviewId: seed.reviewId,
      entity: seed.entity,
      recordId: seed.recordId,
      field: seed.field,
      fieldLabel: seed.fieldLabel ?? this.fieldLabel(seed.entity, seed.field),
      recordLabel: seed.recordLabel ?? this.recordLabel(seed.entity, seed.recordId),
      otherValue: seed.otherValue,
      currentIsMine: seed.currentIsMine ?? true,
      kind: seed.kind ?? 'concurrent',
      recordedAt: seed.recordedAt ?? this.now().toISOString(),
      resolved: false,
      fallbackValue: seed.currentValue ?? null,
    };
    this.conflicts.push(stored);
    const { resolved: _r, fallbackValue, ...rest } = stored;
    return { ...rest, currentValue: this.fieldValue(stored.entity, stored.recordId, stored.field) ?? fallbackValue };
  }

  /* ----------------------------------------------------------------------- events */

  private closeListeners = new Set<() => void>();
  /** True once the UI asked for the window to close. */
  windowClosed = false;

  async onCloseRequested(handler: () => void): Promise<() => void> {
    this.closeListeners.add(handler);
    return () => {
      this.closeListeners.delete(handler);
    };
  }

  /** As the window's close button would: tells the UI, which then calls closeWindow. */
  requestClose() {
    for (const l of this.closeListeners) l();
  }

  async closeWindow(): Promise<void> {
    this.windowClosed = true;
  }

  async keepWindowOpen(): Promise<void> {}

  async onDataChanged(handler: (change: DataChanged) => void): Promise<() => void> {
    this.dataListeners.add(handler);
    return () => {
      this.dataListeners.delete(handler);
    };
  }

  /** Sends a `data-changed` event, as the app does after a sync brought changes. */
  emitDataChanged(reviewIds: string[]) {
    for (const listener of this.dataListeners) listener({ reviewIds: [...reviewIds] });
  }

  /* ----------------------------------------------------------------------- evidence */

  async listEvidence(reviewId: string): Promise<Evidence[]> {
    return this.searchEvidence(reviewId, {});
  }

  async addEvidence(input: NewEvidenceInput): Promise<Evidence> {
    await this.pause();
    const review = this.findReview(input.reviewId, `Review '${input.reviewId}'`);
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
    this.check(review, 'create_evidence');
    const now = this.now();
    const evidence: StoredEvidence = {
      id: this.newId('evidence'),
      reviewId: input.reviewId,
      authorId: this.currentSession?.userId ?? this.owner,
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
    this.pend(input.reviewId, 'evidence', evidence.id);
    return this.publicEvidence(evidence);
  }

  async updateEvidenceField<F extends EvidenceField>(evidenceId: string, field: F, value: EvidenceFieldValues[F]): Promise<Evidence> {
    await this.pause();
    const evidence = this.findEvidence(evidenceId);
    validateEvidenceField(field, value);
    this.check(this.findReview(evidence.reviewId), 'edit_own_evidence');
    this.setEvidenceField(evidence, field, value);
    this.pend(evidence.reviewId, 'evidence', evidence.id);
    return this.publicEvidence(evidence);
  }

  async deleteEvidence(evidenceId: string): Promise<void> {
    await this.pause();
    const evidence = this.findEvidence(evidenceId);
    this.check(this.findReview(evidence.reviewId), 'delete_own_evidence');
    evidence.deleted = true;
    evidence.updatedAt = this.now().toISOString();
    this.pend(evidence.reviewId, 'evidence', evidence.id);
  }

  async searchEvidence(reviewId: string, query: EvidenceQueryInput): Promise<Evidence[]> {
    await this.pause();
    const review = this.findReview(reviewId);
    // Team evidence never reaches a laptop whose person may not read it (a coordinator's).
    if (!this.canRead(review)) return [];
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
    if (!framework) throw unknownFramework(version);
    return structuredClone(framework);
  }

  async activityTypes(): Promise<ActivityType[]> {
    await this.pause();
    return ACTIVITY_TYPES.map((a) => ({ ...a }));
  }

  /* ----------------------------------------------------------------------- sync */

  async syncStatus(): Promise<SyncStatus> {
    await this.pause();
    return this.status();
  }

  async syncNow(): Promise<SyncStatus> {
    this.syncing = true;
    await this.pause();
    if (!this.currentSession) {
      this.lastError = 'Nobody is signed in on this laptop: sign in to sync';
      this.lastErrorCode = 'signed_out';
    } else if (this.revokedReason !== null) {
      this.lastError = `This laptop was revoked by an administrator (${this.revokedReason}). Export unsent work, then wipe this laptop`;
      this.lastErrorCode = 'device_revoked';
    } else if (this.needsSignIn) {
      this.lastError = 'The server no longer accepts this laptop’s sign-in. Sign in again to sync';
      this.lastErrorCode = 'signed_out';
    } else if (this.online) {
      this.acknowledge();
      this.pull();
    } else {
      const error = this.offlineError(this.serverUrl);
      this.lastError = error.message;
      // As the app does: a code this build does not know is left out; the message still says it.
      this.lastErrorCode = isKnownCode(error.code) ? error.code : null;
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

  /** Sends a `sync-status` event, as the app's background sync does; given fields override the mock's own. */
  emit(status: Partial<SyncStatus> = {}) {
    const full = { ...this.status(), ...status };
    for (const listener of this.listeners) listener({ ...full });
  }

  /* ----------------------------------------------------------------------- internals */

  private status(): SyncStatus {
    return {
      pendingOps: this.outbox.length,
      pendingRecords: [...new Set(this.pendingKeys.values())]
        .sort()
        .map((kind) => ({ kind, records: [...this.pendingKeys.values()].filter((k) => k === kind).length })),
      lastSyncAt: this.lastSyncAt,
      lastError: this.lastError,
      serverUrl: this.serverUrl,
      syncing: this.syncing,
      clockWarning: this.clockWarning,
      lastErrorCode: this.lastErrorCode,
      openConflicts: this.conflicts.filter((c) => !c.resolved).length,
      progress: this.progress ? { ...this.progress } : null,
      needsSignIn: this.needsSignIn,
      revoked: this.revokedReason !== null,
      revokedReason: this.revokedReason,
      updateNotice: null,
      updateRequired: false,
      refusedChanges: 0,
      lastRefusal: null,
      purgeNotice: this.purgeNotice,
      uploads: this.uploads(),
    };
  }

  /** Everything sent and acknowledged: a successful push. */
  private acknowledge() {
    this.outbox = [];
    this.pendingKeys.clear();
    for (const r of this.reviews) r.localOnly = false;
    this.lastSyncAt = this.now().toISOString();
    this.lastError = null;
    this.lastErrorCode = null;
  }

  /** A pull: other laptops' changes arrive, and open screens are told. */
  private pull() {
    if (this.remote.length === 0) return;
    const arrived = this.remote;
    this.remote = [];
    for (const r of arrived) r.apply();
    this.emitDataChanged([...new Set(arrived.map((r) => r.reviewId))]);
  }

  private offlineError(url: string) {
    return {
      code: 'offline',
      message: `can't reach the sync server at ${url}. Your work is saved on this laptop and will sync when the connection is back`,
    };
  }

  private me(): string {
    return this.currentSession?.userId ?? this.owner;
  }

  private rolesOn(review: StoredReview): MockRole[] {
    const held: MockRole[] = [];
    const member = review.team.find((m) => m.userId === this.me());
    if (member) held.push(member.role as MockRole);
    const roles = this.currentSession?.roles ?? [];
    if (roles.some((r) => r.role === 'hub_coordinator' && r.hubId === review.hubId)) held.push('hub_coordinator');
    if (roles.some((r) => r.role === 'admin')) held.push('admin');
    return held;
  }

  private facts(review: StoredReview) {
    return {
      state: review.state,
      held: this.rolesOn(review),
      coordinatesElsewhere: (this.currentSession?.roles ?? []).some((r) => r.role === 'hub_coordinator'),
    };
  }

  /** Runs the permission table; throws the refusal (code 'forbidden') the app would. */
  private check(review: StoredReview, action: MockAction, online = false) {
    const decision = decide(action, { ...this.facts(review), online, ownEvidence: true });
    if (!decision.ok) throw denied(decision.message);
    return decision;
  }

  private visible(review: StoredReview): boolean {
    return this.rolesOn(review).length > 0;
  }

  private canRead(review: StoredReview): boolean {
    return decide('read_team_evidence', { ...this.facts(review), online: false }).ok;
  }

  private moveTo(review: StoredReview, state: string) {
    review.state = state;
    review.stateSince = this.now().toISOString();
  }

  private summary(review: StoredReview): ReviewSummary {
    const pendingOps = this.outbox.filter((id) => id === review.id).length;
    let syncBadge: SyncBadge = 'acknowledged';
    if (pendingOps > 0) syncBadge = review.localOnly ? 'local' : this.syncing ? 'sent' : 'queued';
    return {
      id: review.id,
      schoolName: review.schoolName,
      schoolUrn: review.schoolUrn,
      startDate: review.startDate,
      state: review.state,
      evidenceCount: this.canRead(review) ? this.evidence.filter((e) => e.reviewId === review.id && !e.deleted).length : 0,
      pendingOps,
      myRole: review.team.find((m) => m.userId === this.me())?.role ?? null,
      syncBadge,
      changedSinceApproval: review.approvedHash !== '' && this.reportHash(review.id) !== review.approvedHash,
      openComments: this.comments.filter((c) => c.reviewId === review.id && !c.resolved && c.text !== '').length,
      openConflicts: this.conflicts.filter((c) => c.reviewId === review.id && !c.resolved).length,
      leadReviewer: review.team.find((m) => m.role === 'lead_reviewer')?.name ?? null,
      stateSince: review.stateSince,
    };
  }

  private templateOf(review: StoredReview): ReportTemplate {
    const template = REPORT_TEMPLATES.find((t) => t.frameworkVersion === review.frameworkVersion);
    if (!template) throw unknownFramework(review.frameworkVersion);
    return template;
  }

  private estimatesOf(reviewId: string): Estimate[] {
    return [...this.estimates.values()].filter((e) => e.reviewId === reviewId).sort((a, b) => a.areaCode.localeCompare(b.areaCode));
  }

  private sectionsOf(review: StoredReview): ReportSection[] {
    return this.templateOf(review).sections.map((spec) => {
      const stored = this.sections.get(sectionId(review.id, spec.code));
      const body = stored?.body ?? '';
      const photos = (stored?.photos ?? []).map((p) => ({ ...p }));
      return { code: spec.code, body, wordCount: wordCount(body), updatedAt: stored?.updatedAt ?? null, citations: this.citationsIn(body), photos };
    });
  }

  /** As report.rs labels them: what and when from the note on this laptop, else "a team note". */
  private citationsIn(body: string): Citation[] {
    return citedNoteIds(body).map((noteId) => {
      const note = this.evidence.find((e) => e.id === noteId && !e.deleted);
      const what = note ? (ACTIVITY_TYPES.find((a) => a.code === note.activityType)?.label ?? 'Note') : '';
      const when = note?.startedAt && note.startedAt.length >= 16 ? `, ${formatDate(note.startedAt.slice(0, 10))} ${note.startedAt.slice(11, 16)}`.replace(/ \d{4} /, ' ') : '';
      return { token: citationToken(noteId), noteId, label: note ? `${what}${when}` : 'a team note', available: note !== undefined };
    });
  }

  private missing(review: StoredReview): Missing[] {
    const estimates = new Map(this.estimatesOf(review.id).map((e) => [e.areaCode, e.value]));
    const sections = new Map(this.sectionsOf(review).map((s) => [s.code, s.body]));
    return missingForSubmit(this.templateOf(review), estimates, sections);
  }

  private reportHash(reviewId: string): string {
    const { sections, estimates } = this.reportContents(reviewId);
    return contentHash(sections, estimates);
  }

  private reportContents(reviewId: string): { sections: [string, string][]; estimates: [string, string, string][] } {
    const sections: [string, string][] = [];
    for (const [id, s] of this.sections) {
      const prefix = `${reviewId}:section:`;
      if (id.startsWith(prefix)) sections.push([id.slice(prefix.length), s.body]);
    }
    const estimates = this.estimatesOf(reviewId).map((e): [string, string, string] => [e.areaCode, e.value, e.rationale]);
    return { sections, estimates };
  }

  /** The report as returned, by target (`section:x`, `estimate:y`), as the server keeps it. */
  private reportByTarget(reviewId: string): Map<string, string> {
    const { sections, estimates } = this.reportContents(reviewId);
    const text = (value: string, rationale: string) => [value, rationale.trim()].filter(Boolean).join(': ');
    return new Map([
      ...sections.map(([code, body]): [string, string] => [`section:${code}`, body]),
      ...estimates.map(([area, value, rationale]): [string, string] => [`estimate:${area}`, text(value, rationale)]),
    ]);
  }

  async changesSinceReturn(reviewId: string): Promise<ChangesSinceReturn | null> {
    await this.pause();
    const review = this.findReview(reviewId);
    if (!review.returned) return null;
    const now = this.reportByTarget(reviewId);
    const targets = [...new Set([...review.returned.report.keys(), ...now.keys()])];
    const order = (t: string) => (t.startsWith('section:') ? 0 : 1);
    targets.sort((a, b) => order(a) - order(b) || a.localeCompare(b));
    // The real app diffs word by word in qar-core; the mock marks a changed part whole.
    const changes = targets
      .map((target) => ({ target, before: review.returned!.report.get(target) ?? '', after: now.get(target) ?? '' }))
      .filter((c) => c.before.trim() !== c.after.trim())
      .map((c) => ({
        target: c.target,
        parts: [
          { kind: 'removed' as const, text: c.before },
          { kind: 'added' as const, text: c.after },
        ].filter((p) => p.text !== ''),
      }));
    return { returnedAt: review.returned.at, changes };
  }

  private validateEstimate(review: StoredReview, areaCode: string, value: string) {
    const framework = FRAMEWORKS.find((f) => f.version === review.frameworkVersion)!;
    const area = framework.areas.find((a) => a.code === areaCode);
    if (!area) throw unknownArea(areaCode, framework.version);
    if (!framework.scale.some((v) => v.code === value)) {
      const choices = joinOr(framework.scale.map((v) => v.label));
      throw invalid(validationMessage('estimate_not_in_scale', { value, version: framework.version, area: area.label, choices }));
    }
  }

  private fieldLabel(entity: string, field: string): string {
    if (entity === 'evidence' || entity === 'estimate') return fieldSpec(entity, field)?.label ?? field;
    if (entity === 'report_section') return 'Text';
    return field.replace(/_/g, ' ');
  }

  private recordLabel(entity: string, recordId: string): string {
    if (entity === 'evidence') {
      const e = this.evidence.find((x) => x.id === recordId);
      if (!e) return 'evidence';
      const activity = ACTIVITY_TYPES.find((a) => a.code === e.activityType)?.label ?? e.activityType;
      return e.startedAt ? `${activity}, ${e.startedAt.replace('T', ' ')}` : activity;
    }
    if (entity === 'estimate') {
      const area = recordId.split(':estimate:')[1] ?? '';
      const label = FRAMEWORKS[0].areas.find((a) => a.code === area)?.label ?? area;
      return `Estimate: ${label}`;
    }
    if (entity === 'report_section') {
      const code = recordId.split(':section:')[1] ?? '';
      const spec = REPORT_TEMPLATES[0].sections.find((s) => s.code === code);
      if (!spec) return code;
      const area = spec.areaCode ? FRAMEWORKS[0].areas.find((a) => a.code === spec.areaCode)?.label : null;
      return area ? `${spec.title} (${area})` : spec.title;
    }
    return this.reviews.find((r) => r.id === recordId)?.schoolName ?? entity.replace(/_/g, ' ');
  }

  /** A record's field as the conflict list shows it; undefined when the record is not held here. */
  private fieldValue(entity: string, recordId: string, field: string): JsonValue | undefined {
    if (entity === 'evidence') {
      const e = this.evidence.find((x) => x.id === recordId);
      if (!e) return undefined;
      const key = field.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) as keyof Evidence;
      return e[key];
    }
    if (entity === 'estimate') {
      const e = this.estimates.get(recordId);
      return e ? (field === 'value' ? e.value : field === 'rationale' ? e.rationale : undefined) : undefined;
    }
    if (entity === 'report_section') return this.sections.get(recordId)?.body;
    return undefined;
  }

  private writeField(entity: string, recordId: string, field: string, value: unknown) {
    if (entity === 'evidence') {
      const e = this.evidence.find((x) => x.id === recordId);
      if (!e) throw notFound(`Evidence '${recordId}'`);
      validateEvidenceField(field, value);
      e.deleted = false;
      this.setEvidenceField(e, field as EvidenceField, value as EvidenceFieldValues[EvidenceField]);
    } else if (entity === 'estimate') {
      const [reviewId, area] = recordId.split(':estimate:');
      const current = this.estimates.get(recordId) ?? { id: recordId, reviewId, areaCode: area, value: '', rationale: '', updatedAt: '' };
      if (typeof value !== 'string') throw wrongType(this.fieldLabel(entity, field), 'text');
      if (field === 'value') this.validateEstimate(this.findReview(reviewId), area, value);
      this.estimates.set(recordId, { ...current, [field]: value, updatedAt: this.now().toISOString() });
    } else if (entity === 'report_section') {
      if (typeof value !== 'string') throw wrongType('Text', 'text');
      this.sections.set(recordId, { body: value, updatedAt: this.now().toISOString() });
    }
  }

  private setEvidenceField(evidence: StoredEvidence, field: EvidenceField, value: EvidenceFieldValues[EvidenceField]) {
    switch (field) {
      case 'activity_type': evidence.activityType = value as string; break;
      case 'started_at': evidence.startedAt = value as string | null; break;
      case 'year_group': evidence.yearGroup = value as string; break;
      case 'subject': evidence.subject = value as string; break;
      case 'host_colleague_role': evidence.hostColleagueRole = value as string; break;
      case 'area_tags': evidence.areaTags = [...(value as string[])]; break;
      case 'notes': evidence.notes = value as string; break;
      case 'strengths': evidence.strengths = value as string; break;
      case 'development_points': evidence.developmentPoints = value as string; break;
    }
    evidence.updatedAt = this.now().toISOString();
  }

  private findReview(reviewId: string, what = `Review ${reviewId}`): StoredReview {
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

  /** Hub administration (issue 9), as the signed-in person. */
  readonly admin = new MockHubAdmin(
    () => this.currentSession?.roles ?? [],
    (code, person, expiresMs) => this.invites.issue(code, person.email, person.name, expiresMs, person.id),
  );
  hubAdmin() {
    return this.admin;
  }
  invitations() {
    return this.invites;
  }

  /** An accepted invitation: the person can sign in with their own password and their roles. */
  private activate(account: ActivatedAccount, password: string) {
    const listed = this.admin.people.find((p) => p.id === account.userId);
    if (listed) listed.status = 'active';
    const roles: GlobalRole[] = (listed?.roles ?? []).map((r) => (r.role === 'admin' ? { role: 'admin' } : { role: 'hub_coordinator', hubId: r.hub_id }));
    this.people.push({ userId: account.userId, name: account.name, email: account.email, roles });
    this.passwords.set(account.userId, password);
  }
  /** The report as a file (issue 10), over this backend's reviews. */
  readonly reportFiles = new MockReportExports({
    online: () => this.online,
    isCoordinator: () => (this.currentSession?.roles ?? []).some((r) => r.role === 'hub_coordinator'),
    personName: () => this.currentSession?.name ?? '',
    review: (id) => this.findReview(id),
    setState: (id, state) => this.moveTo(this.findReview(id), state),
    parts: async (id) => ({
      detail: await this.reviewDetail(id),
      template: await this.reportTemplate(id),
      sections: await this.listReportSections(id),
      estimates: await this.listEstimates(id),
      framework: await this.framework(this.findReview(id).frameworkVersion),
    }),
  });
  reports() {
    return this.reportFiles;
  }
  /** The store's key, idle lock, handover files and wipe (issue 8), over this backend's outbox. */
  readonly protect = new MockProtection({
    unsent: () => [...this.outbox],
    queue: (reviewIds) => {
      for (const id of reviewIds) this.pend(id, 'review', id);
      this.emit();
    },
    wipe: () => {
      this.reviews = [];
      this.outbox = [];
      this.pendingKeys.clear();
      this.currentSession = null;
    },
  });
  protection() {
    return this.protect;
  }
  /** Photos and documents on notes (issue 19), under the rules for editing their note. */
  readonly files = new MockAttachments({
    pause: () => this.pause(),
    editableNote: (evidenceId) => {
      const evidence = this.findEvidence(evidenceId);
      this.check(this.findReview(evidence.reviewId), 'edit_own_evidence');
      return { reviewId: evidence.reviewId };
    },
    pend: (reviewId, attachmentId) => this.pend(reviewId, 'attachment', attachmentId),
  });
  attachments() {
    return this.files;
  }
  /** The register of Areas of Excellence (issue 23): a sample copy; asking to visit needs the server. */
  readonly aoe = new MockRegister({
    online: () => this.online,
    offlineError: () => this.offlineError(this.serverUrl),
    pause: () => this.pause(),
    personName: () => this.currentSession?.name ?? '',
    now: () => this.now(),
  });
  register() {
    return this.aoe;
  }

  /** The upload queue as the app reports it, from the mock's waiting files. */
  private uploads(): SyncStatus['uploads'] {
    const waiting = [...this.files.waiting];
    return {
      waitingFiles: waiting.length,
      bytesLeft: 0,
      sending: null,
      secondsLeft: null,
      sentFiles: 0,
      failed: waiting
        .filter(([, w]) => w.error !== null)
        .map(([attachmentId, w]) => ({ attachmentId, evidenceId: '', label: 'Photo', reason: w.error ?? '' })),
    };
  }
}
