import type { BackendError } from './backend';
import type { ErrorCode } from './errorCodes';
import type {
  AssignOutcome,
  Hub,
  HubAdmin,
  ImportReply,
  HubOverview,
  InvitationIssued,
  NewInvitation,
  OverviewReview,
  Person,
  ScheduleRequest,
  Scheduled,
  School,
  ServerRole,
  StaleDevice,
  TeamChoice,
  VisitChanged,
  HomeSchoolSet,
} from './hubAdmin';
import type { Change, FieldValue, HubInsights, JsonValue } from './generated';
import { sampleInsights } from './mockInsights';
import { VISIT_EDITABLE_STATES, visitDaysProblem } from './visitDays';
import { decide, FRAMEWORKS } from './mockRules';

/** The permission table's refusal for someone with no role on the review (state does not matter here). */
function refusalFor(action: string): string {
  const d = decide(action, { state: 'scheduled', held: [], online: true });
  return d.ok ? '' : d.message;
}

// The in-memory hub administration the vitest suites and the browser preview use. It follows
// the server's rules (issue 9): admin-only actions, coordinators schedule in their own hub,
// duplicate invitations refused, conflict-of-interest warnings, overdue reports.

type Caller = { role: string; hubId?: string | null }[];

const DAY_MS = 86_400_000;

function refused(code: ErrorCode, message: string): BackendError {
  return { code, message };
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

export const MOCK_SCHOOLS: School[] = [
  { urn: '990301', name: 'Brackenfield Primary School', phase: 'Primary', la_name: 'Northmere', town: 'Brackenfield', postcode: 'ZZ99 1BF', hub_id: 'hub-north' },
  { urn: '990302', name: 'Curlew Rise Academy', phase: 'Secondary', la_name: 'Northmere', town: 'Curlew', postcode: 'ZZ99 2CR', hub_id: 'hub-north' },
  { urn: '990303', name: 'Dunlin Shore Infant School', phase: 'Primary', la_name: 'Southmere', town: 'Dunlin', postcode: 'ZZ99 3DS', hub_id: null },
];

export const MOCK_DIRECTORY: Person[] = [
  { id: 'user-lead', name: 'Amara Lewis', email: 'amara.lewis@example.org', roles: [], home_school_urn: null, home_school_name: null, status: 'active' },
  { id: 'user-reviewer', name: 'Tom Okafor', email: 'tom.okafor@example.org', roles: [], home_school_urn: '990302', home_school_name: 'Curlew Rise Academy', status: 'active' },
  { id: 'user-coordinator', name: 'Priya Shah', email: 'priya.shah@example.org', roles: [{ role: 'hub_coordinator', hub_id: 'hub-north' }], home_school_urn: null, home_school_name: null, status: 'active' },
];

export class MockHubAdmin implements HubAdmin {
  hubs: Hub[] = [{ id: 'hub-north', name: 'Northmere Hub', region: 'North', report_deadline_days: 28, schools: 2, accuracy_window_days: 0 }];
  schools: School[] = MOCK_SCHOOLS.map((s) => ({ ...s }));
  people: Person[] = MOCK_DIRECTORY.map((p) => ({ ...p, roles: [...p.roles] }));
  reviews: (Omit<OverviewReview, 'team'> & { hub_id: string; choice: TeamChoice })[] = [];
  staleDevices: (StaleDevice & { hub_id: string })[] = [];
  /** Reviews set up on a laptop, in no hub until a coordinator adopts them (issue 15). */
  proposals: (Omit<OverviewReview, 'team'> & { choice: TeamChoice })[] = [];
  private pending = new Set<string>();
  private next = 1;
  /** "Today" for overdue reports; tests move it. */
  today = new Date().toISOString().slice(0, 10);

  /** `invited` hears each code issued, so the invitee's side (mockInvitations) can redeem it. */
  constructor(
    private caller: () => Caller,
    private invited?: (code: string, person: Person, expiresMs: number) => void,
  ) {}

  private isAdmin() {
    return this.caller().some((r) => r.role === 'admin');
  }
  private coordinates(hubId: string) {
    return this.caller().some((r) => r.role === 'hub_coordinator' && r.hubId === hubId);
  }
  private requireAdmin(what: string) {
    if (!this.isAdmin()) throw refused('admin_only', `Only an administrator can ${what}.`);
  }
  private hub(hubId: string) {
    const hub = this.hubs.find((h) => h.id === hubId);
    if (!hub) throw refused('unknown_hub', `There is no hub '${hubId}'.`);
    hub.schools = this.schools.filter((s) => s.hub_id === hubId).length;
    return hub;
  }

  async listHubs() {
    return this.hubs.filter((h) => this.isAdmin() || this.coordinates(h.id)).map((h) => ({ ...this.hub(h.id) }));
  }
  async createHub(name: string, region: string, reportDeadlineDays: number | null) {
    this.requireAdmin('create hubs');
    if (!name.trim()) throw refused('invalid', "A hub's name must be 1 to 200 characters.");
    if (this.hubs.some((h) => h.name.toLowerCase() === name.trim().toLowerCase())) throw refused('hub_exists', `A hub called '${name.trim()}' already exists.`);
    const hub: Hub = { id: `hub-${this.next++}`, name: name.trim(), region, report_deadline_days: reportDeadlineDays ?? 28, schools: 0, accuracy_window_days: 0 };
    this.hubs.push(hub);
    return { ...hub };
  }
  async setReportDeadline(hubId: string, days: number) {
    this.requireAdmin("change a hub's report deadline");
    if (!(days >= 1 && days <= 365)) throw refused('invalid', 'The report deadline must be 1 to 365 days after the visit.');
    this.hub(hubId).report_deadline_days = days;
    return { ...this.hub(hubId) };
  }
  async setAccuracyWindow(hubId: string, days: number) {
    if (!(this.isAdmin() || this.coordinates(hubId))) throw refused('not_your_hub', "Only the hub's coordinator or an administrator can set its factual-accuracy check.");
    if (!(Number.isInteger(days) && days >= 0 && days <= 30)) throw refused('invalid', 'A school can be given at most 30 days to check its report (0 turns the check off).');
    this.hub(hubId).accuracy_window_days = days;
    return { ...this.hub(hubId) };
  }
  async assignSchools(hubId: string, urns: string[]): Promise<AssignOutcome> {
    this.requireAdmin('assign schools to hubs');
    this.hub(hubId);
    const out: AssignOutcome = { assigned: [], unknown: [] };
    for (const urn of urns.map((u) => u.trim()).filter(Boolean)) {
      const school = this.schools.find((s) => s.urn === urn);
      if (school) {
        school.hub_id = hubId;
        out.assigned.push(urn);
      } else out.unknown.push(urn);
    }
    return out;
  }
  async searchSchools(hubId: string | null, query: string) {
    if (hubId === null) this.requireAdmin('search the whole register');
    else if (!this.isAdmin() && !this.coordinates(hubId)) throw refused('not_your_hub', 'You can search only the schools of a hub you coordinate.');
    const q = query.trim().toLowerCase();
    return this.schools
      .filter((s) => hubId === null || s.hub_id === hubId)
      .filter((s) => [s.urn, s.name, s.town, s.postcode].some((v) => v.toLowerCase().includes(q)))
      .map((s) => ({ ...s }));
  }
  /** A small CSV reader for the preview: URN, EstablishmentName and PhaseOfEducation (name) by header. */
  async importSchools(csv: Uint8Array): Promise<ImportReply> {
    this.requireAdmin('import the school register');
    const lines = new TextDecoder().decode(csv).split(/\r?\n/).filter(Boolean);
    const header = (lines[0] ?? '').split(',').map((h) => h.replace(/^"|"$/g, ''));
    const col = (name: string) => header.indexOf(name);
    const missing = ['URN', 'EstablishmentName'].filter((c) => col(c) < 0);
    if (missing.length) throw refused('invalid_file', `the header has no ${missing.map((m) => `"${m}"`).join(', ')} column(s)`);
    const out: ImportReply = { summary: '', encoding: 'utf-8', added: 0, updated: 0, unchanged: 0, rejected: 0, rejections: [] };
    lines.slice(1).forEach((line, i) => {
      const cells = line.split(',').map((c) => c.replace(/^"|"$/g, ''));
      const urn = cells[col('URN')] ?? '';
      if (!/^\d{6}$/.test(urn)) {
        out.rejected += 1;
        out.rejections.push({ line: i + 2, urn, reason: `bad URN '${urn}': a URN is 6 digits` });
        return;
      }
      const name = cells[col('EstablishmentName')] ?? '';
      const known = this.schools.find((s) => s.urn === urn);
      if (!known) {
        this.schools.push({ urn, name, phase: cells[col('PhaseOfEducation (name)')] ?? '', la_name: '', town: '', postcode: '', hub_id: null });
        out.added += 1;
      } else if (known.name !== name) {
        known.name = name;
        out.updated += 1;
      } else out.unchanged += 1;
    });
    const rows = out.added + out.updated + out.unchanged + out.rejected;
    out.summary = `${rows} rows: ${out.added} added, ${out.updated} updated, ${out.unchanged} unchanged, ${out.rejected} rejected`;
    return out;
  }
  async listUsers() {
    if (!this.isAdmin() && !this.caller().some((r) => r.role === 'hub_coordinator')) throw refused('admin_only', 'Only an administrator or a hub coordinator can list people.');
    return this.people.map((p) => ({ ...p }));
  }
  async invite(invitation: NewInvitation): Promise<InvitationIssued> {
    this.requireAdmin('invite people');
    const email = invitation.email.trim().toLowerCase();
    if (!email.includes('@')) throw refused('invalid_email', 'Give a valid email address.');
    if (!invitation.name.trim()) throw refused('invalid', 'A name must be 1 to 200 characters.');
    let person = this.people.find((p) => p.email === email);
    if (person?.status === 'active') throw refused('already_active', `${email} can already sign in: there is nothing to invite them to.`);
    if (person && this.pending.has(person.id)) throw refused('invitation_pending', `${email} already has an invitation that has not expired.`);
    const roles: ServerRole[] = invitation.role.role === 'reviewer' ? [] : [invitation.role];
    if (!person) {
      const home = invitation.home_school_urn ?? null;
      const homeName = this.schools.find((s) => s.urn === home)?.name ?? null;
      person = { id: `user-${this.next++}`, name: invitation.name.trim(), email, roles, home_school_urn: home, home_school_name: homeName, status: 'invited' };
      this.people.push(person);
    }
    this.pending.add(person.id);
    const issued = { invitation_id: `inv-${this.next++}`, user: { ...person }, code: `abcd-efgh-${this.next}`, expires_ms: Date.now() + 7 * DAY_MS };
    this.invited?.(issued.code, person, issued.expires_ms);
    return issued;
  }
  async setRoles(userId: string, roles: ServerRole[]) {
    this.requireAdmin('change roles');
    const person = this.people.find((p) => p.id === userId);
    if (!person) throw refused('unknown_user', 'There is no such person in the directory.');
    person.roles = [...roles];
    return { ...person };
  }
  async deactivateUser(userId: string, _reason: string) {
    this.requireAdmin('deactivate people');
    const person = this.people.find((p) => p.id === userId);
    if (!person) throw refused('unknown_user', 'There is no such person in the directory.');
    person.status = 'deactivated';
    this.pending.delete(userId);
    return { ...person };
  }
  async scheduleReview(hubId: string, request: ScheduleRequest): Promise<Scheduled> {
    const hub = this.hub(hubId);
    if (!this.isAdmin() && !this.coordinates(hubId)) {
      if (this.caller().some((r) => r.role === 'hub_coordinator'))
        throw refused('not_your_hub', `This review is in ${hub.name}, which you do not coordinate: only its coordinator or an administrator can schedule it.`);
      throw refused('not_your_role', refusalFor('schedule_review'));
    }
    const dates = request.visit_dates;
    // Scheduling and moving the days check the same rule (qar_core::visit_days).
    const dateProblem = visitDaysProblem(request.visit_dates, this.today);
    if (dateProblem) throw refused('invalid_dates', dateProblem);
    const school = this.schools.find((s) => s.urn === request.school_urn);
    if (!school) throw refused('unknown_school', `No school with URN ${request.school_urn} is in the register.`);
    if (school.hub_id !== hubId) throw refused('school_not_in_hub', `${school.name} is not a school of ${hub.name}.`);
    if (!request.lead_reviewer_id) throw refused('no_lead_reviewer', 'Choose the Lead Reviewer.');
    const members = [request.lead_reviewer_id, ...request.reviewers, ...request.shadows];
    if (new Set(members).size !== members.length) throw refused('duplicate_member', 'A person can have only one place on the team.');
    const warnings = members.flatMap((id) => {
      const p = this.people.find((x) => x.id === id);
      if (!p) throw refused('unknown_user', 'A chosen team member is not in the directory.');
      return p.home_school_urn === school.urn
        ? [{ code: 'conflict_of_interest', message: `${p.name} works at the school being reviewed: a conflict of interest.`, user_id: id }]
        : [];
    });
    const id = `review-${this.next++}`;
    const lead = this.people.find((p) => p.id === request.lead_reviewer_id)?.name ?? '';
    this.reviews.push({
      review_id: id,
      school_urn: school.urn,
      school_name: school.name,
      state: 'scheduled',
      start_date: dates[0],
      visit_dates: [...dates],
      last_day: dates[2],
      report_due: null,
      overdue: false,
      lead_reviewer: lead,
      hub_id: hubId,
      choice: { lead_reviewer_id: request.lead_reviewer_id, reviewers: [...request.reviewers], shadows: [...request.shadows] },
    });
    const fields = { state: 'scheduled', school_name: school.name, visit_dates: dates };
    return { review: reviewChange(id, fields), warnings, removed: [] };
  }
  async setReviewTeam(reviewId: string, team: TeamChoice): Promise<Scheduled> {
    const review = this.reviews.find((r) => r.review_id === reviewId);
    if (!review) throw refused('unknown_review', 'There is no such review.');
    if (!this.isAdmin() && !this.coordinates(review.hub_id)) throw refused('not_your_hub', 'This review is in a hub you do not coordinate.');
    const before = [review.choice.lead_reviewer_id, ...review.choice.reviewers, ...review.choice.shadows];
    const after = [team.lead_reviewer_id, ...team.reviewers, ...team.shadows];
    review.choice = { ...team };
    return { review: reviewChange(reviewId, {}), warnings: [], removed: before.filter((u) => !after.includes(u)) };
  }
  async changeVisit(reviewId: string, visitDates: string[], frameworkVersion: string | null = null): Promise<VisitChanged> {
    const review = this.reviews.find((r) => r.review_id === reviewId);
    if (!review) throw refused('unknown_review', 'There is no such review.');
    if (!this.isAdmin() && !this.coordinates(review.hub_id)) {
      if (this.caller().some((r) => r.role === 'hub_coordinator'))
        throw refused('not_your_hub', `This review is in ${this.hub(review.hub_id).name}, which you do not coordinate: only its coordinator or an administrator can change its visit days.`);
      throw refused('not_your_role', refusalFor('schedule_review'));
    }
    if (!VISIT_EDITABLE_STATES.includes(review.state))
      throw refused('visit_started', `The review is ${review.state.replace('_', ' ')}: its visit days can be changed only before the visit starts (while it is scheduled or preparing).`);
    const problem = visitDaysProblem(visitDates, this.today);
    if (problem) throw refused('invalid_dates', problem);
    if (frameworkVersion && !FRAMEWORKS.some((f) => f.version === frameworkVersion)) {
      if (review.state !== 'scheduled') throw refused('framework_locked', 'The team has started preparing against this framework: it can be changed only while the review is scheduled.');
      throw refused('unknown_framework', `There is no framework ${frameworkVersion}.`);
    }
    const previous = [...review.visit_dates];
    const changed = previous.join() !== visitDates.join();
    Object.assign(review, { visit_dates: [...visitDates], start_date: visitDates[0], last_day: visitDates[2] });
    const fields = { state: review.state, start_date: visitDates[0], visit_dates: [...visitDates] };
    return { review: reviewChange(reviewId, fields), previous_dates: previous, changed };
  }
  async setHomeSchool(userId: string, urn: string | null): Promise<HomeSchoolSet> {
    this.requireAdmin("change a person's home school");
    const person = this.people.find((p) => p.id === userId);
    if (!person) throw refused('unknown_user', 'There is no such person in the directory.');
    const wanted = urn?.trim() || null;
    const school = wanted === null ? null : this.schools.find((s) => s.urn === wanted);
    if (wanted !== null && !school) throw refused('unknown_school', `No school with URN ${wanted} is in the register.`);
    person.home_school_urn = wanted;
    person.home_school_name = school?.name ?? null;
    const onTeam = (t: TeamChoice) => [t.lead_reviewer_id, ...t.reviewers, ...t.shadows].includes(userId);
    const warnings = this.reviews
      .filter((r) => wanted !== null && r.school_urn === wanted && onTeam(r.choice) && !['cancelled', 'archived'].includes(r.state))
      .map((r) => ({ code: 'conflict_of_interest', message: `${person.name} is on the team reviewing ${r.school_name}, now their home school: a conflict of interest.`, review_id: r.review_id }));
    return { user: { ...person }, warnings };
  }
  /** The same refusals as the server; the numbers are the preview's sample (mockInsights.ts). */
  async hubInsights(hubId: string | null, academicYear: string | null): Promise<HubInsights> {
    if (academicYear !== null && !/^\d{4}\/\d{2}$/.test(academicYear)) throw refused('bad_query', 'academic_year must be written like 2024/25');
    const coordinatesAny = this.caller().some((r) => r.role === 'hub_coordinator');
    if (!this.isAdmin() && !coordinatesAny) throw refused('not_your_role', 'Only hub coordinators and administrators can see hub insights.');
    if (hubId === null) {
      this.requireAdmin('see every hub at once');
      return sampleInsights(null, 'Every hub', academicYear ?? '2024/25');
    }
    if (!this.isAdmin() && !this.coordinates(hubId)) throw refused('not_your_hub', "Only this hub's coordinator or an administrator can see its insights.");
    return sampleInsights(hubId, this.hub(hubId).name, academicYear ?? '2024/25');
  }

  async hubOverview(hubId: string): Promise<HubOverview> {
    const hub = this.hub(hubId);
    if (!this.isAdmin() && !this.coordinates(hubId)) throw refused('not_your_hub', "Only this hub's coordinator or an administrator can see its overview.");
    const byDate = (a: OverviewReview, b: OverviewReview) => (a.start_date + a.school_name).localeCompare(b.start_date + b.school_name);
    const reviews = this.reviews
      .filter((r) => r.hub_id === hubId)
      .map(({ hub_id: _h, ...r }) => this.overviewRow(r, hub))
      .sort(byDate);
    const proposals = this.proposals
      .filter((r) => this.schools.find((s) => s.urn === r.school_urn)?.hub_id === hubId)
      .map((r) => this.overviewRow(r, hub))
      .sort(byDate);
    const by_state: Record<string, number> = {};
    for (const r of reviews) by_state[r.state] = (by_state[r.state] ?? 0) + 1;
    const stale_devices = this.staleDevices.filter((d) => d.hub_id === hubId).map(({ hub_id: _h, ...d }) => d);
    return { hub: { ...hub }, reviews, by_state, stale_devices, today: this.today, proposals };
  }

  async adoptReview(reviewId: string): Promise<Change> {
    if (!this.isAdmin() && !this.caller().some((r) => r.role === 'hub_coordinator')) {
      throw refused('not_your_role', 'Only a hub coordinator or an administrator can adopt a review into a hub\'s queue.');
    }
    const at = this.proposals.findIndex((r) => r.review_id === reviewId);
    if (at < 0) {
      if (this.reviews.some((r) => r.review_id === reviewId)) throw refused('already_in_hub', "This review is already in a hub's queue.");
      throw refused('not_found', 'This review is not on the server.');
    }
    const proposal = this.proposals[at];
    const school = this.schools.find((s) => s.urn === proposal.school_urn);
    if (!school) throw refused('unknown_school', `No school with URN '${proposal.school_urn}' is in the register: the Lead Reviewer must correct the URN before the review can be adopted.`);
    if (!school.hub_id) throw refused('school_not_in_hub', `${school.name} is in no hub yet: an administrator assigns schools to hubs.`);
    if (!this.isAdmin() && !this.coordinates(school.hub_id)) {
      throw refused('not_your_hub', `Only the coordinator of ${this.hub(school.hub_id).name} or an administrator can adopt this review.`);
    }
    this.proposals.splice(at, 1);
    this.reviews.push({ ...proposal, school_name: school.name, hub_id: school.hub_id });
    return reviewChange(reviewId, { hub_id: school.hub_id });
  }

  /** One row of the overview: the team by name, when the report is due and whether it is late. */
  private overviewRow({ choice: t, ...r }: Omit<OverviewReview, 'team'> & { choice: TeamChoice }, hub: Hub): OverviewReview {
    const outstanding = ['scheduled', 'preparing', 'in_visit', 'estimates_agreed', 'drafting', 'returned'];
    const due = addDays(r.last_day, hub.report_deadline_days);
    const name = (id: string) => this.people.find((p) => p.id === id)?.name ?? id;
    const members = [
      { user_id: t.lead_reviewer_id, name: name(t.lead_reviewer_id), role: 'lead_reviewer' as const },
      ...t.reviewers.map((id) => ({ user_id: id, name: name(id), role: 'reviewer' as const })),
      ...t.shadows.map((id) => ({ user_id: id, name: name(id), role: 'shadow' as const })),
    ];
    return { ...r, team: members, report_due: due, overdue: this.today > due && outstanding.includes(r.state) };
  }
}

/** The review record as the server answers it, with the fields the mock changed (no real stamps). */
function reviewChange(id: string, values: Record<string, JsonValue>): Change {
  const fields: Record<string, FieldValue> = {};
  for (const [name, value] of Object.entries(values)) fields[name] = { value, version: '' };
  return { server_seq: 0, entity: 'review', id, review_id: id, fields };
}
