import type { ActivityType, BackendError, EvidenceField, Framework, Missing, ReportTemplate } from './backend';

/*
 * The rules the Rust side applies to what a reviewer writes (crates/core: fields.rs, error.rs,
 * framework.rs), with the same wording, for the in-memory MockBackend.
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

export const FRAMEWORKS: Framework[] = [
  {
    version: '2019',
    areas: [
      { code: 'leadership', label: 'Leadership at all levels', description: '' },
      {
        code: 'provision_outcomes',
        label: 'The quality of provision and outcomes',
        description: 'curriculum, teaching, learning and assessment, outcomes, attitudes to learning',
      },
      {
        code: 'disadvantaged_additional_needs',
        label: 'The quality of provision and outcomes for disadvantaged pupils and pupils with additional needs',
        description: '',
      },
    ],
    scale: [
      { code: 'leading', label: 'Leading', rank: 1 },
      { code: 'effective', label: 'Effective', rank: 2 },
      { code: 'working_towards_effective', label: 'Working Towards Effective', rank: 3 },
      { code: 'ineffective', label: 'Ineffective', rank: 4 },
    ],
  },
];

export const MAX_SCHOOL_NAME = 200;
export const MAX_NOTES = 20_000;

type FieldRule =
  | { kind: 'text'; label: string; max: number }
  | { kind: 'datetime'; label: string }
  | { kind: 'activity'; label: string }
  | { kind: 'areas'; label: string };

/** The editable fields of a note, as fields.rs lists them (author and deleted are not edits). */
export const EVIDENCE_RULES: Record<EvidenceField, FieldRule> = {
  activity_type: { kind: 'activity', label: 'Activity type' },
  started_at: { kind: 'datetime', label: 'Time of activity' },
  notes: { kind: 'text', label: 'Notes', max: MAX_NOTES },
  year_group: { kind: 'text', label: 'Year group', max: 40 },
  subject: { kind: 'text', label: 'Subject', max: 100 },
  host_colleague_role: { kind: 'text', label: "Host colleague's role", max: 100 },
  area_tags: { kind: 'areas', label: 'Areas' },
  strengths: { kind: 'text', label: 'Strengths', max: MAX_NOTES },
  development_points: { kind: 'text', label: 'Development points', max: MAX_NOTES },
};

export function invalid(message: string): BackendError {
  return { code: 'invalid', message };
}

export function notFound(what: string): BackendError {
  return { code: 'not_found', message: `${what} was not found on this laptop` };
}

export function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return y >= 1900 && mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth;
}

export function isDateTime(s: string): boolean {
  const m = /^(.{10})T(\d{2}):(\d{2})$/.exec(s);
  return !!m && isDate(m[1]) && Number(m[2]) < 24 && Number(m[3]) < 60;
}

export function badDate(field: string, value: string): BackendError {
  return invalid(`${field} must be a date written as YYYY-MM-DD, got '${[...value].slice(0, 40).join('')}'`);
}

export function checkText(field: string, value: string, max: number, required: boolean) {
  if (required && value.trim() === '') throw invalid(`${field} must not be empty`);
  const len = [...value].length;
  if (len > max) throw invalid(`${field} is too long: ${len} characters, the limit is ${max}`);
}

function wrongType(field: string, expected: string): BackendError {
  return invalid(`${field} has the wrong kind of value: expected ${expected}`);
}

function isKnownArea(code: string): boolean {
  return FRAMEWORKS.some((f) => f.areas.some((a) => a.code === code));
}

/** validate_field for one note field: throws the Rust refusal when the value is not allowed. */
export function validateEvidenceField(field: string, value: unknown) {
  if (field === 'deleted' || field === 'author_id') throw invalid(`'${field}' is not a field of a evidence note edit`);
  const rule = (EVIDENCE_RULES as Record<string, FieldRule | undefined>)[field];
  if (!rule) throw invalid(`'${field}' is not a field of a evidence`);
  if (rule.kind === 'datetime' && value === null) return;
  if (rule.kind === 'areas') {
    if (!Array.isArray(value)) throw wrongType(rule.label, 'a list of area codes');
    const seen = new Set<string>();
    for (const code of value) {
      if (typeof code !== 'string') throw wrongType(rule.label, 'a list of area codes');
      if (!isKnownArea(code)) throw invalid(`Area '${[...code].slice(0, 60).join('')}' is not part of framework 2019`);
      if (seen.has(code)) throw wrongType(rule.label, 'each area at most once');
      seen.add(code);
    }
    return;
  }
  if (typeof value !== 'string') throw wrongType(rule.label, 'text');
  if (rule.kind === 'text') checkText(rule.label, value, rule.max, false);
  if (rule.kind === 'datetime' && !isDateTime(value)) throw badDate(rule.label, value);
  if (rule.kind === 'activity' && !ACTIVITY_TYPES.some((a) => a.code === value)) {
    const codes = ACTIVITY_TYPES.map((a) => a.code).join(', ');
    throw invalid(`Activity type '${value}' is not one we record (use one of: ${codes})`);
  }
}

/* ---------------------------------------------------------------------------------------------
 * The permission table (crates/core/src/permissions), the report template (templates/*.json)
 * and the report rules (report_template.rs), for the mock's review desk.
 * ------------------------------------------------------------------------------------------- */

export type MockRole = 'lead_reviewer' | 'reviewer' | 'shadow' | 'hub_coordinator' | 'admin' | 'host_headteacher';

/** Action codes in `Action::ALL` order: `allowedActions` lists them in this order. */
export const ACTIONS = [
  'view_review',
  'read_team_evidence',
  'create_evidence',
  'edit_own_evidence',
  'edit_others_evidence',
  'delete_own_evidence',
  'set_estimate',
  'edit_report',
  'resolve_conflict',
  'start_preparation',
  'start_visit',
  'agree_estimates',
  'start_drafting',
  'submit',
  'approve',
  'return',
  'issue',
  'archive',
  'cancel',
  'read_issued_report',
  'schedule_review',
  'manage_team',
] as const;

export type MockAction = (typeof ACTIONS)[number];

const VERBS: Record<MockAction, string> = {
  view_review: 'view this review',
  read_team_evidence: "read the team's evidence",
  create_evidence: 'record evidence',
  edit_own_evidence: 'edit evidence',
  edit_others_evidence: "edit another reviewer's evidence",
  delete_own_evidence: 'delete evidence',
  set_estimate: 'set estimates',
  edit_report: 'edit the report',
  resolve_conflict: 'resolve conflicting edits',
  start_preparation: 'start preparation',
  start_visit: 'start the visit',
  agree_estimates: 'record that estimates are agreed',
  start_drafting: 'start drafting the report',
  submit: 'submit the report',
  approve: 'approve the report',
  return: 'return the report',
  issue: 'issue the report',
  archive: 'archive the review',
  cancel: 'cancel the review',
  read_issued_report: 'read the issued report',
  schedule_review: 'schedule the review',
  manage_team: 'change the review team',
};

const ROLE_NOUNS: Record<MockRole, string> = {
  lead_reviewer: 'the Lead Reviewer',
  reviewer: 'a reviewer',
  shadow: 'a shadow reviewer',
  hub_coordinator: 'the hub coordinator',
  admin: 'an administrator',
  host_headteacher: 'the host headteacher',
};

const ROLE_ORDER: MockRole[] = ['lead_reviewer', 'reviewer', 'shadow', 'hub_coordinator', 'admin', 'host_headteacher'];

/** ReviewState::ALL with the Rust labels. */
export const REVIEW_STATES: [string, string][] = [
  ['scheduled', 'Scheduled'],
  ['preparing', 'Preparing'],
  ['in_visit', 'In visit'],
  ['estimates_agreed', 'Estimates agreed'],
  ['drafting', 'Drafting'],
  ['submitted', 'Submitted'],
  ['returned', 'Returned'],
  ['approved', 'Approved'],
  ['issued', 'Issued'],
  ['archived', 'Archived'],
  ['cancelled', 'Cancelled'],
];

function rustStateLabel(state: string): string {
  return REVIEW_STATES.find(([code]) => code === state)?.[1] ?? state;
}

type Rule = {
  action: MockAction;
  who: MockRole[];
  from: string[];
  to?: string;
  /** Decided by the server only, live: the gerund for "… needs a connection to the server". */
  onlineOnly?: string;
  reapproval?: boolean;
};

const TEAM: MockRole[] = ['lead_reviewer', 'reviewer', 'shadow'];
const RECORDERS: MockRole[] = ['lead_reviewer', 'reviewer'];
const LEAD: MockRole[] = ['lead_reviewer'];
const HUB: MockRole[] = ['hub_coordinator'];
const HUB_OR_ADMIN: MockRole[] = ['hub_coordinator', 'admin'];
const ADMIN: MockRole[] = ['admin'];
const OVERSIGHT: MockRole[] = ['lead_reviewer', 'reviewer', 'shadow', 'hub_coordinator', 'admin'];
const SETUP: MockRole[] = ['lead_reviewer', 'hub_coordinator', 'admin'];
const REPORT_READERS: MockRole[] = ['lead_reviewer', 'reviewer', 'shadow', 'hub_coordinator', 'admin', 'host_headteacher'];
const EVERY_STATE = REVIEW_STATES.map(([code]) => code);
const OPEN = ['scheduled', 'preparing', 'in_visit', 'estimates_agreed', 'drafting', 'submitted', 'returned', 'approved', 'issued'];
const EVIDENCE_OPEN = ['preparing', 'in_visit', 'estimates_agreed', 'drafting', 'returned'];
const ESTIMATES_OPEN = ['in_visit', 'estimates_agreed', 'drafting', 'returned'];
const REPORT_OPEN = ['estimates_agreed', 'drafting', 'returned'];

export const RULES: Rule[] = [
  { action: 'view_review', who: OVERSIGHT, from: EVERY_STATE },
  { action: 'read_team_evidence', who: TEAM, from: OPEN },
  { action: 'read_team_evidence', who: ADMIN, from: EVERY_STATE },
  { action: 'create_evidence', who: RECORDERS, from: EVIDENCE_OPEN },
  { action: 'edit_own_evidence', who: RECORDERS, from: EVIDENCE_OPEN },
  { action: 'delete_own_evidence', who: RECORDERS, from: EVIDENCE_OPEN },
  { action: 'set_estimate', who: LEAD, from: ESTIMATES_OPEN },
  { action: 'edit_report', who: LEAD, from: REPORT_OPEN },
  { action: 'edit_report', who: LEAD, from: ['approved'], to: 'submitted', reapproval: true },
  { action: 'resolve_conflict', who: LEAD, from: EVIDENCE_OPEN },
  { action: 'start_preparation', who: LEAD, from: ['scheduled'], to: 'preparing' },
  { action: 'start_visit', who: LEAD, from: ['preparing'], to: 'in_visit' },
  { action: 'agree_estimates', who: LEAD, from: ['in_visit'], to: 'estimates_agreed' },
  { action: 'start_drafting', who: LEAD, from: ['estimates_agreed', 'returned'], to: 'drafting' },
  { action: 'submit', who: LEAD, from: ['drafting'], to: 'submitted' },
  { action: 'approve', who: HUB, from: ['submitted'], to: 'approved', onlineOnly: 'Approving' },
  { action: 'return', who: HUB, from: ['submitted'], to: 'returned', onlineOnly: 'Returning a report' },
  { action: 'issue', who: HUB_OR_ADMIN, from: ['approved'], to: 'issued', onlineOnly: 'Issuing a report' },
  { action: 'archive', who: ADMIN, from: ['issued'], to: 'archived', onlineOnly: 'Archiving a review' },
  { action: 'cancel', who: HUB_OR_ADMIN, from: ['scheduled', 'preparing'], to: 'cancelled', onlineOnly: 'Cancelling a review' },
  { action: 'read_issued_report', who: REPORT_READERS, from: ['issued', 'archived'] },
  { action: 'schedule_review', who: HUB_OR_ADMIN, from: ['scheduled', 'preparing'] },
  { action: 'manage_team', who: SETUP, from: ['scheduled', 'preparing', 'in_visit'] },
];

export function joinOr(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

export type DecideFacts = {
  state: string;
  /** The roles the actor holds on this review (team role, coordinator of its hub, admin). */
  held: MockRole[];
  /** The actor coordinates some hub (for the "different hub" message). */
  coordinatesElsewhere?: boolean;
  ownEvidence?: boolean;
  online: boolean;
};

export type Decision = { ok: true; next: string | null; reapproval: boolean } | { ok: false; reason: string; message: string };

const NOT_YOURS = 'Evidence can be changed only by the reviewer who recorded it';

/** `decide`: may someone holding these roles do this now? */
export function decide(action: MockAction, facts: DecideFacts): Decision {
  const rules = RULES.filter((r) => r.action === action);
  const mine = rules.filter((r) => r.who.some((w) => facts.held.includes(w)));
  if (mine.length === 0) {
    if (rules.length === 0 && ['create_evidence', 'edit_own_evidence', 'edit_others_evidence', 'delete_own_evidence'].includes(action)) {
      return { ok: false, reason: 'not_your_evidence', message: NOT_YOURS };
    }
    const who = ROLE_ORDER.filter((role) => rules.some((r) => r.who.includes(role)));
    if (facts.coordinatesElsewhere && who.includes('hub_coordinator')) {
      return { ok: false, reason: 'other_hub', message: 'You coordinate a different hub: this review is not in your hub' };
    }
    if (who.length === 0) return { ok: false, reason: 'not_your_role', message: `Nobody can ${VERBS[action]}` };
    const wholeTeam = TEAM.every((r) => who.includes(r));
    const nouns = [...(wholeTeam ? ['the review team'] : []), ...who.filter((r) => !(wholeTeam && TEAM.includes(r))).map((r) => ROLE_NOUNS[r])];
    return { ok: false, reason: 'not_your_role', message: `Only ${joinOr(nouns)} can ${VERBS[action]}` };
  }
  const rule = mine.find((r) => r.from.includes(facts.state));
  if (!rule) {
    const writesEvidence = ['create_evidence', 'edit_own_evidence', 'edit_others_evidence', 'delete_own_evidence'].includes(action);
    const readOnly = ['view_review', 'read_team_evidence', 'read_issued_report'].includes(action);
    if ((facts.state === 'archived' || facts.state === 'cancelled') && !readOnly) {
      const message =
        facts.state === 'cancelled' ? 'This review was cancelled: nothing can change any more' : 'This review is archived: nothing can change any more';
      return { ok: false, reason: 'review_closed', message };
    }
    if (writesEvidence && ['submitted', 'approved', 'issued'].includes(facts.state)) {
      return { ok: false, reason: 'evidence_read_only', message: 'Evidence is read-only once the review is submitted' };
    }
    const when = EVERY_STATE.filter((s) => mine.some((r) => r.from.includes(s))).map((s) => rustStateLabel(s).toLowerCase());
    return {
      ok: false,
      reason: 'wrong_state',
      message: `You can ${VERBS[action]} only while the review is ${joinOr(when)}; it is ${rustStateLabel(facts.state).toLowerCase()}`,
    };
  }
  if ((action === 'edit_own_evidence' || action === 'delete_own_evidence') && facts.ownEvidence === false) {
    return { ok: false, reason: 'not_your_evidence', message: NOT_YOURS };
  }
  if (rule.onlineOnly && !facts.online) {
    return { ok: false, reason: 'needs_connection', message: `${rule.onlineOnly} needs a connection to the server` };
  }
  return { ok: true, next: rule.to ?? null, reapproval: rule.reapproval ?? false };
}

/** Every action `decide` allows now, in `ACTIONS` order (as the overview lists them: as if online). */
export function allowedActions(facts: Omit<DecideFacts, 'online' | 'ownEvidence'>): string[] {
  return ACTIONS.filter((a) => decide(a, { ...facts, online: true, ownEvidence: false }).ok);
}

/** The action behind a move from one state to another (lifecycle.rs `action_for`). */
export function actionFor(from: string, to: string): MockAction | null {
  for (const rule of RULES) if (rule.to === to && rule.from.includes(from)) return rule.action;
  return null;
}

export function noTransition(from: string, to: string): BackendError {
  return invalid(`A review cannot move from ${rustStateLabel(from)} to ${rustStateLabel(to)}`);
}

export function denied(message: string): BackendError {
  return { code: 'forbidden', message };
}

export const REPORT_TEMPLATES: ReportTemplate[] = [
  {
    version: '2019',
    frameworkVersion: '2019',
    title: 'Quality Assurance Review: written report',
    sections: [
      { code: 'context', title: 'Context and character of the school', kind: 'context', guidance: 'Who the school serves, its recent history and what the leaders asked the review to look at.', wordLimit: 400, required: true },
      { code: 'leadership_www', title: 'What went well', kind: 'www', areaCode: 'leadership', guidance: 'Strengths the team saw in leadership at all levels, each tied to evidence.', wordLimit: 500, required: true },
      { code: 'leadership_ebi', title: 'Even better if…', kind: 'ebi', areaCode: 'leadership', guidance: 'Next steps for leaders, phrased as the school would act on them.', wordLimit: 300, required: true },
      { code: 'provision_outcomes_www', title: 'What went well', kind: 'www', areaCode: 'provision_outcomes', guidance: 'Curriculum, teaching, learning and assessment, outcomes and attitudes to learning.', wordLimit: 500, required: true },
      { code: 'provision_outcomes_ebi', title: 'Even better if…', kind: 'ebi', areaCode: 'provision_outcomes', guidance: 'What would make provision and outcomes stronger still.', wordLimit: 300, required: true },
      { code: 'disadvantaged_additional_needs_www', title: 'What went well', kind: 'www', areaCode: 'disadvantaged_additional_needs', guidance: 'Provision and outcomes for disadvantaged pupils and pupils with additional needs.', wordLimit: 500, required: true },
      { code: 'disadvantaged_additional_needs_ebi', title: 'Even better if…', kind: 'ebi', areaCode: 'disadvantaged_additional_needs', guidance: 'Next steps for these pupils.', wordLimit: 300, required: true },
      { code: 'area_of_excellence', title: 'Area of Excellence', kind: 'aoe', guidance: 'The practice the school put forward, what the team saw and whether it is recognised.', wordLimit: 600, required: false },
      { code: 'next_steps', title: 'Support from the Challenge Partners network', kind: 'next_steps', guidance: 'What the school would like from its hub and the wider partnership.', wordLimit: 250, required: true },
    ],
  },
];

/** Words as a reader counts them: runs of non-space characters. */
export function wordCount(text: string): number {
  return text.split(/\s+/).filter((w) => w !== '').length;
}

/** `missing_for_submit`: every area estimated and every required section written? */
export function missingForSubmit(template: ReportTemplate, estimates: Map<string, string>, sections: Map<string, string>): Missing[] {
  const framework = FRAMEWORKS.find((f) => f.version === template.frameworkVersion)!;
  const missing: Missing[] = [];
  for (const area of framework.areas) {
    if (!(estimates.get(area.code) ?? '').trim()) missing.push({ kind: 'estimate', areaCode: area.code, areaLabel: area.label });
  }
  for (const s of template.sections.filter((x) => x.required)) {
    if (!(sections.get(s.code) ?? '').trim()) {
      const areaLabel = s.areaCode ? (framework.areas.find((a) => a.code === s.areaCode)?.label ?? null) : null;
      missing.push({ kind: 'section', code: s.code, title: s.title, areaLabel });
    }
  }
  return missing;
}

/** `ensure_complete`'s refusal, naming each gap. */
export function incomplete(missing: Missing[]): BackendError {
  const items = missing.map((m) =>
    m.kind === 'estimate' ? `the estimate for ${m.areaLabel}` : m.areaLabel ? `${m.title} (${m.areaLabel})` : m.title,
  );
  return { code: 'incomplete', message: `The report can't be submitted yet. Still missing: ${items.join('; ')}` };
}

/**
 * The report's content fingerprint. The Rust side uses SHA-256 over length-prefixed fields; the
 * UI only ever compares two of them, so the mock uses a cheap 64-hex-digit stand-in built the same
 * way (blank sections left out, order ignored).
 */
export function contentHash(sections: [string, string][], estimates: [string, string, string][]): string {
  const parts: string[] = [];
  for (const [code, body] of sections.filter(([, b]) => b.trim() !== '').sort()) parts.push('s', code, body);
  for (const [area, value, rationale] of [...estimates].sort()) parts.push('e', area, value, rationale);
  const input = parts.map((p) => `${p.length}:${p}`).join('');
  let out = '';
  for (let seed = 0; seed < 8; seed++) {
    let h = (0x811c9dc5 ^ (seed * 0x9e3779b1)) >>> 0;
    for (let i = 0; i < input.length; i++) h = Math.imul(h ^ input.charCodeAt(i), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out;
}

/** The Comment `target` field check: 'section:<code>' or 'estimate:<area>'. */
export function checkCommentTarget(target: string, template: ReportTemplate) {
  const wrong = invalid("What the comment is about has the wrong kind of value: expected section:<code> or estimate:<area>");
  const i = target.indexOf(':');
  if (i < 0) throw wrong;
  const kind = target.slice(0, i);
  const code = target.slice(i + 1);
  if (kind === 'section') {
    if (!template.sections.some((s) => s.code === code)) throw invalid(`Report section '${code}' is not part of the report template`);
  } else if (kind === 'estimate') {
    if (!isKnownArea(code)) throw invalid(`Area '${code}' is not part of framework 2019`);
  } else {
    throw wrong;
  }
}
