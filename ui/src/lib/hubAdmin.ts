import { invoke } from '@tauri-apps/api/core';
import { toBackendError } from './backend';

// Hub administration and scheduling (issue 9). Online only: every call goes to the server, and
// replies are the server's JSON as it is (snake_case, see GET /v1/openapi.json).

// The wire types are generated from qar_core::protocol (issue 16); these are their screen names.
import type {
  AssignOutcome,
  Change,
  HomeSchoolSet,
  HubInfo,
  HubInsights,
  HubOverview,
  ImportReply,
  InvitationIssued,
  NewInvitation,
  Role,
  ScheduleRequest,
  Scheduled,
  SchoolInfo,
  TeamChoice,
  UserInfo,
  VisitChanged,
} from './generated';
export type {
  AccountStatus,
  AssignOutcome,
  HomeSchoolSet,
  HubInfo as Hub,
  HubOverview,
  ImportReply,
  InvitationIssued,
  InviteRole,
  NewInvitation,
  OverviewReview,
  Role as ServerRole,
  ScheduleRequest,
  ScheduleWarning,
  Scheduled,
  SchoolInfo as School,
  StaleDevice,
  TeamChoice,
  UserInfo as Person,
  VisitChanged,
} from './generated';

export interface HubAdmin {
  listHubs(): Promise<HubInfo[]>;
  createHub(name: string, region: string, reportDeadlineDays: number | null): Promise<HubInfo>;
  setReportDeadline(hubId: string, days: number): Promise<HubInfo>;
  /** Days the hub's schools have to check an approved report for factual accuracy (0: none);
   *  the hub's coordinator or an administrator (issue 22). */
  setAccuracyWindow(hubId: string, days: number): Promise<HubInfo>;
  assignSchools(hubId: string, urns: string[]): Promise<AssignOutcome>;
  /** A hub's schools (its coordinator), or the whole register (hubId null, administrators). */
  searchSchools(hubId: string | null, query: string): Promise<SchoolInfo[]>;
  /** The GIAS CSV (UTF-8 or Windows-1252), administrators: rejects with 'invalid_file' when a
   *  required column is missing (nothing written); bad rows come back with their line. */
  importSchools(csv: Uint8Array): Promise<ImportReply>;
  listUsers(): Promise<UserInfo[]>;
  /** Rejects with 'invitation_pending' or 'already_active' (409) for a duplicate. */
  invite(invitation: NewInvitation): Promise<InvitationIssued>;
  setRoles(userId: string, roles: Role[]): Promise<UserInfo>;
  deactivateUser(userId: string, reason: string): Promise<UserInfo>;
  /** Rejects with 'not_your_hub' (another hub), 'not_your_role', 'invalid_dates', … */
  scheduleReview(hubId: string, request: ScheduleRequest): Promise<Scheduled>;
  setReviewTeam(reviewId: string, team: TeamChoice): Promise<Scheduled>;
  /** Moves the visit days (the hub's coordinator or an administrator). Rejects with
   *  'visit_started' (409, in visit or later), 'invalid_dates', 'framework_locked',
   *  'not_your_hub', 'not_your_role'. `frameworkVersion` only while the review is scheduled. */
  changeVisit(reviewId: string, visitDates: string[], frameworkVersion?: string | null): Promise<VisitChanged>;
  /** Sets (URN) or clears (null) a person's home school, administrators; 'unknown_school'. */
  setHomeSchool(userId: string, urn: string | null): Promise<HomeSchoolSet>;
  hubOverview(hubId: string): Promise<HubOverview>;
  /** The insight charts of one hub (its coordinator or an administrator) or of every hub (null,
   *  administrators); `academicYear` like '2024/25', the current one when null. Rejects with
   *  'not_your_hub', 'admin_only', 'not_your_role', 'unknown_hub', 'bad_query'. */
  hubInsights(hubId: string | null, academicYear: string | null): Promise<HubInsights>;
  /** Adopts a review proposed from a laptop into its school's hub (that hub's coordinator or an
   *  administrator). Rejects with 'already_in_hub', 'unknown_school', 'school_not_in_hub',
   *  'review_closed', 'not_your_hub', 'not_your_role'. */
  adoptReview(reviewId: string): Promise<Change>;
}

/** The hub ids the person coordinates, from the session's roles. */
export function coordinatedHubs(roles: { role: string; hubId?: string | null }[]): string[] {
  return roles.flatMap((r) => (r.role === 'hub_coordinator' && r.hubId ? [r.hubId] : []));
}

/** The two days after `first` (YYYY-MM-DD): a QAR visit is three consecutive days by default. */
export function threeDays(first: string): string[] {
  const d = new Date(`${first}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return [];
  return [0, 1, 2].map((i) => new Date(d.getTime() + i * 86_400_000).toISOString().slice(0, 10));
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toBackendError(e);
  }
}

export class TauriHubAdmin implements HubAdmin {
  listHubs() {
    return call<HubInfo[]>('admin_list_hubs');
  }
  createHub(name: string, region: string, reportDeadlineDays: number | null) {
    return call<HubInfo>('admin_create_hub', { name, region, reportDeadlineDays });
  }
  setReportDeadline(hubId: string, days: number) {
    return call<HubInfo>('admin_set_report_deadline', { hubId, days });
  }
  setAccuracyWindow(hubId: string, days: number) {
    return call<HubInfo>('admin_set_accuracy_window', { hubId, days });
  }
  assignSchools(hubId: string, urns: string[]) {
    return call<AssignOutcome>('admin_assign_schools', { hubId, urns });
  }
  searchSchools(hubId: string | null, query: string) {
    return call<SchoolInfo[]>('admin_search_schools', { hubId, query });
  }
  importSchools(csv: Uint8Array) {
    // The raw bytes are the IPC body: a national file is tens of megabytes.
    return call<ImportReply>('admin_import_schools', csv as unknown as Record<string, unknown>);
  }
  listUsers() {
    return call<UserInfo[]>('admin_list_users');
  }
  invite(invitation: NewInvitation) {
    return call<InvitationIssued>('admin_invite', { invitation });
  }
  setRoles(userId: string, roles: Role[]) {
    return call<UserInfo>('admin_set_roles', { userId, roles });
  }
  deactivateUser(userId: string, reason: string) {
    return call<UserInfo>('admin_deactivate_user', { userId, reason });
  }
  scheduleReview(hubId: string, request: ScheduleRequest) {
    return call<Scheduled>('schedule_review', { hubId, request });
  }
  setReviewTeam(reviewId: string, team: TeamChoice) {
    return call<Scheduled>('set_review_team', { reviewId, team });
  }
  changeVisit(reviewId: string, visitDates: string[], frameworkVersion: string | null = null) {
    return call<VisitChanged>('change_visit', { reviewId, visitDates, frameworkVersion });
  }
  setHomeSchool(userId: string, urn: string | null) {
    return call<HomeSchoolSet>('admin_set_home_school', { userId, urn });
  }
  hubOverview(hubId: string) {
    return call<HubOverview>('hub_overview', { hubId });
  }
  hubInsights(hubId: string | null, academicYear: string | null) {
    return call<HubInsights>('hub_insights', { hubId, academicYear });
  }
  adoptReview(reviewId: string) {
    return call<Change>('adopt_review', { reviewId });
  }
}
