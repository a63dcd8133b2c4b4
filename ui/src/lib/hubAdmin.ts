import { invoke } from '@tauri-apps/api/core';
import { toBackendError } from './backend';

// Hub administration and scheduling (issue 9). Online only: every call goes to the server, and
// replies are the server's JSON as it is (snake_case, see GET /v1/openapi.json).

export type Hub = { id: string; name: string; region: string; report_deadline_days: number; schools: number };
export type School = { urn: string; name: string; phase: string; la_name: string; town: string; postcode: string; hub_id: string | null };
export type ServerRole = { role: 'admin' } | { role: 'hub_coordinator'; hub_id: string };
export type InviteRole = ServerRole | { role: 'reviewer' };
export type AccountStatus = 'active' | 'invited' | 'deactivated' | 'no_account';
export type Person = {
  id: string;
  name: string;
  email: string;
  roles: ServerRole[];
  home_school_urn: string | null;
  /** The home school's name from the register. */
  home_school_name?: string | null;
  status: AccountStatus;
};
export type NewInvitation = { email: string; name: string; role: InviteRole; home_school_urn?: string | null };
/** The code is shown once: the server keeps only its hash. */
export type InvitationIssued = { invitation_id: string; user: Person; code: string; expires_ms: number };
export type AssignOutcome = { assigned: string[]; unknown: string[] };
export type ImportReply = {
  summary: string;
  encoding: string;
  added: number;
  updated: number;
  unchanged: number;
  rejected: number;
  rejections: { line: number; urn: string; reason: string }[];
};
export type TeamChoice = { lead_reviewer_id: string; reviewers: string[]; shadows: string[] };
export type ScheduleRequest = TeamChoice & { school_urn: string; visit_dates: string[]; framework_version: string };
export type ScheduleWarning = { code: string; message: string; user_id: string };
export type Scheduled = {
  review: { id: string; fields: Record<string, { value: unknown }> };
  warnings: ScheduleWarning[];
  removed: string[];
};
export type OverviewReview = {
  review_id: string;
  school_urn: string;
  school_name: string;
  state: string;
  start_date: string;
  visit_dates: string[];
  last_day: string;
  report_due: string | null;
  overdue: boolean;
  lead_reviewer: string;
  team: { user_id: string; name: string; role: 'lead_reviewer' | 'reviewer' | 'shadow' }[];
};
export type VisitChanged = { review: { id: string; fields: Record<string, { value: unknown }> }; previous_dates: string[]; changed: boolean };
export type HomeSchoolSet = { user: Person; warnings: { code: string; message: string; review_id: string }[] };
export type StaleDevice = {
  device_id: string;
  device_name: string;
  user_id: string;
  user_name: string;
  pending_ops: number;
  oldest_unsent_ms: number;
  reported_ms: number;
};
/** `proposals`: reviews Lead Reviewers set up on their laptops for this hub's schools, waiting to
 *  be adopted into the hub's queue (their reports cannot be submitted until then). */
export type HubOverview = { hub: Hub; reviews: OverviewReview[]; by_state: Record<string, number>; stale_devices: StaleDevice[]; today: string; proposals: OverviewReview[] };

export interface HubAdmin {
  listHubs(): Promise<Hub[]>;
  createHub(name: string, region: string, reportDeadlineDays: number | null): Promise<Hub>;
  setReportDeadline(hubId: string, days: number): Promise<Hub>;
  assignSchools(hubId: string, urns: string[]): Promise<AssignOutcome>;
  /** A hub's schools (its coordinator), or the whole register (hubId null, administrators). */
  searchSchools(hubId: string | null, query: string): Promise<School[]>;
  /** The GIAS CSV (UTF-8 or Windows-1252), administrators: rejects with 'invalid_file' when a
   *  required column is missing (nothing written); bad rows come back with their line. */
  importSchools(csv: Uint8Array): Promise<ImportReply>;
  listUsers(): Promise<Person[]>;
  /** Rejects with 'invitation_pending' or 'already_active' (409) for a duplicate. */
  invite(invitation: NewInvitation): Promise<InvitationIssued>;
  setRoles(userId: string, roles: ServerRole[]): Promise<Person>;
  deactivateUser(userId: string, reason: string): Promise<Person>;
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
  /** Adopts a review proposed from a laptop into its school's hub (that hub's coordinator or an
   *  administrator). Rejects with 'already_in_hub', 'unknown_school', 'school_not_in_hub',
   *  'review_closed', 'not_your_hub', 'not_your_role'. */
  adoptReview(reviewId: string): Promise<unknown>;
}

/** The hub ids the person coordinates, from the session's roles. */
export function coordinatedHubs(roles: { role: string; hubId?: string }[]): string[] {
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
    return call<Hub[]>('admin_list_hubs');
  }
  createHub(name: string, region: string, reportDeadlineDays: number | null) {
    return call<Hub>('admin_create_hub', { name, region, reportDeadlineDays });
  }
  setReportDeadline(hubId: string, days: number) {
    return call<Hub>('admin_set_report_deadline', { hubId, days });
  }
  assignSchools(hubId: string, urns: string[]) {
    return call<AssignOutcome>('admin_assign_schools', { hubId, urns });
  }
  searchSchools(hubId: string | null, query: string) {
    return call<School[]>('admin_search_schools', { hubId, query });
  }
  importSchools(csv: Uint8Array) {
    // The raw bytes are the IPC body: a national file is tens of megabytes.
    return call<ImportReply>('admin_import_schools', csv as unknown as Record<string, unknown>);
  }
  listUsers() {
    return call<Person[]>('admin_list_users');
  }
  invite(invitation: NewInvitation) {
    return call<InvitationIssued>('admin_invite', { invitation });
  }
  setRoles(userId: string, roles: ServerRole[]) {
    return call<Person>('admin_set_roles', { userId, roles });
  }
  deactivateUser(userId: string, reason: string) {
    return call<Person>('admin_deactivate_user', { userId, reason });
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
  adoptReview(reviewId: string) {
    return call<unknown>('adopt_review', { reviewId });
  }
}
