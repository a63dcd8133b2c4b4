import tables from './generated/tables.json';
import type { ActivityType, Framework } from './backend';

/*
 * qar-core's tables as the UI reads them: generated/tables.json is written from the Rust tables
 * (crates/core/src/tables.rs), so a limit, a label or a rule changes in one place only.
 */

export const TABLES = tables;

/** The framework version new reviews use. */
export const CURRENT_FRAMEWORK: string = tables.current_framework;

export const LIMITS = tables.limits;

export const ACTIVITY_TYPES: ActivityType[] = tables.activity_types;

export const FRAMEWORKS: Framework[] = tables.frameworks;

type FieldType = { kind: string; max?: number; required?: boolean };
export type FieldRow = { name: string; label: string; type: FieldType; server_written: boolean };

/** The synced fields of one kind of record ('review', 'evidence', …), as `fields.rs` lists them. */
export function fieldsOf(entity: string): readonly FieldRow[] {
  return (tables.fields as Record<string, FieldRow[] | undefined>)[entity] ?? [];
}

export function fieldSpec(entity: string, name: string): FieldRow | undefined {
  return fieldsOf(entity).find((f) => f.name === name);
}

/** The most characters a text field of a record holds. */
export function fieldMax(entity: string, name: string): number {
  const max = fieldSpec(entity, name)?.type.max;
  if (max === undefined) throw new Error(`${entity}.${name} is not a text field with a limit in tables.json`);
  return max;
}

/** How a team role reads ('lead_reviewer' → 'Lead Reviewer'), from `TeamRole::label`. */
export function teamRoleLabel(code: string): string | undefined {
  return tables.team_roles.find((r) => r.code === code)?.label;
}

/**
 * Fills `{name}` holes in one of the exported sentences (refusals, validation errors), in one
 * pass as Rust's `wording::fill` does; a hole without a value stays as it is.
 */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (hole, name: string) => (name in values ? String(values[name]) : hole));
}

/** A validation error's sentence, as `ValidationError` words it in Rust. */
export function validationMessage(key: keyof typeof tables.validation, values: Record<string, string | number>): string {
  return fill(tables.validation[key], values);
}

/** Where doing `action` moves a review, from the lifecycle's edges; null when it moves none. */
export function transitionTarget(action: string): string | null {
  return tables.transitions.find((e) => e.action === action)?.to ?? null;
}

/** The states in which someone (whatever their role) may do `action`, from the permission table. */
export function statesAllowing(action: string): string[] {
  return tables.states.map((s) => s.code).filter((s) => tables.rules.some((r) => r.action === action && r.from.includes(s)));
}

/** The states in which doing `action` sends an approved report back for approval (the rules marked `reapproval`). */
export function reapprovalStates(action: string): string[] {
  return tables.rules.filter((r) => r.action === action && r.reapproval).flatMap((r) => r.from);
}
