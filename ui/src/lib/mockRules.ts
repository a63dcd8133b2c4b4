import type { ActivityType, BackendError, EvidenceField, Framework } from './backend';

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
