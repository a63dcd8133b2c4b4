import type { BackendError, EvidenceField, Missing, ReportTemplate, SectionKind } from './backend';
import { ACTIVITY_TYPES, FRAMEWORKS, TABLES, fieldMax, fieldSpec, fieldsOf, fill, validationMessage } from './tables';
import { countWords } from './format';

/*
 * The rules the Rust side applies to what a reviewer writes (crates/core: fields.rs, error.rs,
 * framework.rs, permissions), for the in-memory MockBackend. The tables and the wording come
 * from qar-core's exported tables (generated/tables.json); what is here only applies them.
 */

export { ACTIVITY_TYPES, FRAMEWORKS };

export const MAX_SCHOOL_NAME = fieldMax('review', 'school_name');

type FieldRule = { kind: string; label: string; max?: number };

/** The editable fields of a note, from fields.rs (author and deleted are not edits). */
export const EVIDENCE_RULES: Record<EvidenceField, FieldRule> = Object.fromEntries(
  fieldsOf('evidence')
    .filter((f) => f.name !== 'author_id' && f.name !== 'deleted')
    .map((f) => [f.name, { kind: f.type.kind, label: f.label, max: f.type.max }]),
) as Record<EvidenceField, FieldRule>;

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

/** The first `n` characters (not UTF-16 units), as Rust's `chars().take(n)`. */
function firstChars(s: string, n: number): string {
  return [...s].slice(0, n).join('');
}

export function badDate(field: string, value: string): BackendError {
  return invalid(validationMessage('bad_date', { field, value: firstChars(value, 40) }));
}

export function checkText(field: string, value: string, max: number, required: boolean) {
  if (required && value.trim() === '') throw invalid(validationMessage('empty', { field }));
  const len = [...value].length;
  if (len > max) throw invalid(validationMessage('too_long', { field, len, max }));
}

export function wrongType(field: string, expected: string): BackendError {
  return invalid(validationMessage('wrong_type', { field, expected }));
}

export function unknownArea(area: string, version: string): BackendError {
  return invalid(validationMessage('unknown_area', { area: firstChars(area, 60), version }));
}

export function unknownFramework(version: string): BackendError {
  return invalid(validationMessage('unknown_framework', { version }));
}

export function badUrn(value: string): BackendError {
  return invalid(validationMessage('bad_urn', { value }));
}

function isKnownArea(code: string): boolean {
  return FRAMEWORKS.some((f) => f.areas.some((a) => a.code === code));
}

/** validate_field for one note field: throws the Rust refusal when the value is not allowed. */
export function validateEvidenceField(field: string, value: unknown) {
  if (field === 'deleted' || field === 'author_id') throw invalid(`'${field}' is not a field of a evidence note edit`);
  const rule = (EVIDENCE_RULES as Record<string, FieldRule | undefined>)[field];
  if (!rule) throw invalid(validationMessage('unknown_field', { field, entity: 'evidence' }));
  if (rule.kind === 'date_time' && value === null) return;
  if (rule.kind === 'area_tags') {
    if (!Array.isArray(value)) throw wrongType(rule.label, 'a list of area codes');
    const seen = new Set<string>();
    for (const code of value) {
      if (typeof code !== 'string') throw wrongType(rule.label, 'a list of area codes');
      if (!isKnownArea(code)) throw unknownArea(code, TABLES.current_framework);
      if (seen.has(code)) throw wrongType(rule.label, 'each area at most once');
      seen.add(code);
    }
    return;
  }
  if (typeof value !== 'string') throw wrongType(rule.label, 'text');
  if (rule.kind === 'text' && rule.max !== undefined) checkText(rule.label, value, rule.max, false);
  if (rule.kind === 'date_time' && !isDateTime(value)) throw badDate(rule.label, value);
  if (rule.kind === 'activity_type' && !ACTIVITY_TYPES.some((a) => a.code === value)) {
    throw invalid(validationMessage('unknown_activity_type', { value }));
  }
}

/* ---------------------------------------------------------------------------------------------
 * `decide` (crates/core/src/permissions/mod.rs) over the exported permission table, for the
 * mock's review desk. Only the order of the checks is written here; permissionCases.test.ts
 * shows it answers as Rust does in every cell of the spec's matrix.
 * ------------------------------------------------------------------------------------------- */

/** A role on one review (`permissions::Role` code). */
export type MockRole = string;
/** An `Action` code. */
export type MockAction = string;

type Rule = (typeof TABLES.rules)[number];

const { roles: ROLES, actions: ACTIONS, states: STATES, rules: RULES, denials: WORDS } = TABLES;
const TEAM = TABLES.team_roles.map((r) => r.code);

function actionRow(code: string) {
  const row = ACTIONS.find((a) => a.code === code);
  // Rust cannot name an action that does not exist; here a typo must not read as "Nobody can".
  if (!row) throw new Error(`'${code}' is not an action of the permission table`);
  return row;
}

function stateLabel(code: string): string {
  return STATES.find((s) => s.code === code)?.label ?? code;
}

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

function refuse(reason: string, message: string): Decision {
  return { ok: false, reason, message };
}

/** `decide`: may someone holding these roles do this now? Checks role, state, ownership, connection. */
export function decide(action: MockAction, facts: DecideFacts): Decision {
  const { verb, is_read, writes_evidence, needs_own_evidence } = actionRow(action);
  const rules: Rule[] = RULES.filter((r) => r.action === action);
  const mine = rules.filter((r) => r.who.some((w) => facts.held.includes(w)));
  if (mine.length === 0) {
    if (rules.length === 0 && writes_evidence) return refuse('not_your_evidence', WORDS.not_yours);
    const who = ROLES.filter((role) => rules.some((r) => r.who.includes(role.code)));
    if (facts.coordinatesElsewhere && who.some((r) => r.code === 'hub_coordinator')) return refuse('other_hub', WORDS.other_hub);
    if (who.length === 0) return refuse('not_your_role', fill(WORDS.nobody, { verb }));
    const wholeTeam = TEAM.every((t) => who.some((r) => r.code === t));
    const nouns = [...(wholeTeam ? [WORDS.whole_team] : []), ...who.filter((r) => !(wholeTeam && TEAM.includes(r.code))).map((r) => r.noun)];
    return refuse('not_your_role', fill(WORDS.only, { who: joinOr(nouns), verb }));
  }
  const rule = mine.find((r) => r.from.includes(facts.state));
  if (!rule) {
    const terminal = STATES.find((s) => s.code === facts.state)?.terminal ?? false;
    if (terminal && !is_read) return refuse('review_closed', facts.state === 'cancelled' ? WORDS.cancelled : WORDS.archived);
    if (writes_evidence && TABLES.evidence_frozen_states.includes(facts.state)) {
      return refuse('evidence_read_only', WORDS.evidence_read_only);
    }
    const when = STATES.filter((s) => mine.some((r) => r.from.includes(s.code))).map((s) => s.label.toLowerCase());
    return refuse('wrong_state', fill(WORDS.wrong_state, { verb, when: joinOr(when), state: stateLabel(facts.state).toLowerCase() }));
  }
  if (needs_own_evidence && facts.ownEvidence === false) return refuse('not_your_evidence', WORDS.not_yours);
  if (rule.online_only && !facts.online) return refuse('needs_connection', fill(WORDS.needs_connection, { gerund: rule.online_only }));
  return { ok: true, next: rule.to, reapproval: rule.reapproval };
}

/** Every action `decide` allows now, in `Action::ALL` order (as the overview lists them: as if online). */
export function allowedActions(facts: Omit<DecideFacts, 'online' | 'ownEvidence'>): string[] {
  return ACTIONS.map((a) => a.code).filter((a) => decide(a, { ...facts, online: true, ownEvidence: false }).ok);
}

export function isReviewState(code: string): boolean {
  return STATES.some((s) => s.code === code);
}

/** The action behind a move from one state to another (lifecycle.rs `action_for`). */
export function actionFor(from: string, to: string): MockAction | null {
  return TABLES.transitions.find((e) => e.from === from && e.to === to)?.action ?? null;
}

export function noTransition(from: string, to: string): BackendError {
  return invalid(validationMessage('no_transition', { from: stateLabel(from), to: stateLabel(to) }));
}

export function denied(message: string): BackendError {
  return { code: 'forbidden', message };
}

/** The report templates as the app's `report_template` command gives them (camelCase). */
export const REPORT_TEMPLATES: ReportTemplate[] = TABLES.report_templates.map((t) => ({
  version: t.version,
  frameworkVersion: t.framework_version,
  title: t.title,
  sections: t.sections.map((s) => {
    const { area_code: areaCode, word_limit: wordLimit, kind, ...rest } = s as typeof s & { area_code?: string };
    return { ...rest, kind: kind as SectionKind, wordLimit, ...(areaCode === undefined ? {} : { areaCode }) };
  }),
}));

/** Words as a reader counts them: runs of non-space characters. */
export function wordCount(text: string): number {
  return countWords(text);
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
  const wrong = wrongType(fieldSpec('comment', 'target')?.label ?? 'target', 'section:<code> or estimate:<area>');
  const i = target.indexOf(':');
  if (i < 0) throw wrong;
  const kind = target.slice(0, i);
  const code = target.slice(i + 1);
  if (kind === 'section') {
    if (!template.sections.some((s) => s.code === code)) throw invalid(`Report section '${code}' is not part of the report template`);
  } else if (kind === 'estimate') {
    if (!isKnownArea(code)) throw unknownArea(code, TABLES.current_framework);
  } else {
    throw wrong;
  }
}
