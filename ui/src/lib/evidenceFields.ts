import type { Evidence, EvidenceField, EvidenceFieldValues, NewEvidence } from './backend';
import { fieldMax } from './tables';

/** A note as the evidence form holds it: one entry per field, as its input holds it. */
export type NoteValues = {
  activityType: string;
  /** YYYY-MM-DDTHH:MM, or '' when no time is given. */
  startedAt: string;
  yearGroup: string;
  subject: string;
  hostColleagueRole: string;
  /** Area codes, in the framework's order. */
  areaTags: string[];
  notes: string;
  strengths: string;
  developmentPoints: string;
};

export type NoteKey = keyof NoteValues;

/** Each form field's name in `update_evidence_field`. */
export const FIELD_NAMES: { [K in NoteKey]: EvidenceField } = {
  activityType: 'activity_type',
  startedAt: 'started_at',
  yearGroup: 'year_group',
  subject: 'subject',
  hostColleagueRole: 'host_colleague_role',
  areaTags: 'area_tags',
  notes: 'notes',
  strengths: 'strengths',
  developmentPoints: 'development_points',
};

/** The id of each field's input (the area checkboxes share the name `area-tags` instead). */
export const FIELD_IDS: { [K in Exclude<NoteKey, 'areaTags'>]: string } = {
  activityType: 'activity-type',
  startedAt: 'started-at',
  notes: 'evidence-notes',
  yearGroup: 'year-group',
  subject: 'subject',
  hostColleagueRole: 'host-role',
  strengths: 'strengths',
  developmentPoints: 'development-points',
};

export const AREA_TAGS_NAME = 'area-tags';

/** Longest text the store accepts in the short fields, from the field table in qar-core. */
export const SHORT_LIMITS = {
  yearGroup: fieldMax('evidence', 'year_group'),
  subject: fieldMax('evidence', 'subject'),
  hostColleagueRole: fieldMax('evidence', 'host_colleague_role'),
} as const;

/** Longest text the store accepts in the free-text fields. Longer text stays in the box, unsaved,
 *  with the count beside it: it is never cut or dropped. */
export const TEXT_LIMITS = {
  notes: fieldMax('evidence', 'notes'),
  strengths: fieldMax('evidence', 'strengths'),
  developmentPoints: fieldMax('evidence', 'development_points'),
} as const;

export type TextKey = keyof typeof TEXT_LIMITS;

export const TEXT_LABELS: Record<TextKey, string> = {
  notes: 'Notes',
  strengths: 'Strengths',
  developmentPoints: 'Development points',
};

/** A field's character count is shown from the last tenth before its limit: on every short note it is noise. */
export function countShown(length: number, max: number): boolean {
  return length >= max * 0.9;
}

/** The free-text fields longer than the store accepts. */
export function overLimit(values: NoteValues): TextKey[] {
  return (Object.keys(TEXT_LIMITS) as TextKey[]).filter((key) => values[key].length > TEXT_LIMITS[key]);
}

/** Fields whose written words make a note worth keeping. */
const WRITTEN: NoteKey[] = ['notes', 'strengths', 'developmentPoints', 'yearGroup', 'subject', 'hostColleagueRole'];

export function blankNote(activityType: string): NoteValues {
  return {
    activityType,
    startedAt: '',
    yearGroup: '',
    subject: '',
    hostColleagueRole: '',
    areaTags: [],
    notes: '',
    strengths: '',
    developmentPoints: '',
  };
}

export function noteValues(evidence: Evidence): NoteValues {
  return {
    activityType: evidence.activityType,
    startedAt: evidence.startedAt ?? '',
    yearGroup: evidence.yearGroup,
    subject: evidence.subject,
    hostColleagueRole: evidence.hostColleagueRole,
    areaTags: [...evidence.areaTags],
    notes: evidence.notes,
    strengths: evidence.strengths,
    developmentPoints: evidence.developmentPoints,
  };
}

/** A plain copy, safe to keep while the form goes on changing. */
export function copyNote(values: NoteValues): NoteValues {
  return { ...values, areaTags: [...values.areaTags] };
}

/** Whether anything has been written: choosing an activity, a time or areas alone is not a note yet. */
export function hasWriting(values: NoteValues): boolean {
  return WRITTEN.some((key) => (values[key] as string).trim() !== '');
}

export function sameValue<K extends NoteKey>(a: NoteValues[K], b: NoteValues[K]): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i]);
  return a === b;
}

/** A form value as `update_evidence_field` takes it: no time is null. */
export function fieldValue<K extends NoteKey>(key: K, value: NoteValues[K]): EvidenceFieldValues[EvidenceField] {
  if (key === 'startedAt') return value === '' ? null : (value as string);
  return Array.isArray(value) ? [...value] : value;
}

export function newEvidenceInput(reviewId: string, values: NoteValues): NewEvidence {
  return {
    reviewId,
    activityType: values.activityType,
    startedAt: values.startedAt === '' ? null : values.startedAt,
    yearGroup: values.yearGroup,
    subject: values.subject,
    hostColleagueRole: values.hostColleagueRole,
    areaTags: [...values.areaTags],
    notes: values.notes,
    strengths: values.strengths,
    developmentPoints: values.developmentPoints,
  };
}
