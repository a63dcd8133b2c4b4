import { describe, expect, it } from 'vitest';
import golden from './generated/permission-cases.json';
import { decide, type Decision } from './mockRules';
import { TABLES } from './tables';

/*
 * The mock's `decide` against Rust's answers for every cell of the permission matrix in
 * crates/core/tests/spec (8 roles × 22 actions × 11 states), each with and without the
 * evidence being the actor's own and with and without a connection: 7,744 decisions.
 * generated/permission-cases.json lists each cell's answer, plus the combinations whose answer
 * differs from their cell's (a missing connection, evidence someone else recorded).
 */

/** One row of the file: an allowed answer has `next` and `reapproval`, a refusal `reason` and `message`. */
type Case = { role: string; action: string; state: string; own: boolean; online: boolean; allowed: boolean } & Partial<{
  next: string | null;
  reapproval: boolean;
  reason: string;
  message: string;
}>;

const cells = golden.cells as Case[];
const variantRows = golden.variants as Case[];

function rustAnswer(c: Case): Decision {
  return c.allowed ? { ok: true, next: c.next ?? null, reapproval: c.reapproval ?? false } : { ok: false, reason: c.reason ?? '', message: c.message ?? '' };
}

const key = (role: string, action: string, state: string, own: boolean, online: boolean) => `${role} ${action} ${state} own=${own} online=${online}`;

describe('the mock decides as Rust does', () => {
  it('in every (role, action, state) cell, owning the evidence or not, online or not', () => {
    const actors = new Map(golden.actors.map((a) => [a.role, a]));
    const variants = new Map(variantRows.map((v) => [key(v.role, v.action, v.state, v.own, v.online), v]));
    expect(cells).toHaveLength(8 * TABLES.actions.length * TABLES.states.length);
    const mismatches: string[] = [];
    let checked = 0;
    for (const cell of cells) {
      const actor = actors.get(cell.role)!;
      for (const own of [true, false]) {
        for (const online of [true, false]) {
          const k = key(cell.role, cell.action, cell.state, own, online);
          const want = rustAnswer(variants.get(k) ?? cell);
          const got = decide(cell.action, { state: cell.state, held: actor.held, coordinatesElsewhere: actor.coordinates_elsewhere, ownEvidence: own, online });
          checked += 1;
          if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`${k}: Rust ${JSON.stringify(want)}, mock ${JSON.stringify(got)}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    // Every cell, owning the evidence or not, online or not.
    expect(checked).toBe(cells.length * 4);
  });

  it('lets the Lead Reviewer correct an issued report, which then needs approving again', () => {
    const lead = { held: ['lead_reviewer'], online: false, ownEvidence: true };
    expect(decide('edit_report', { ...lead, state: 'issued' })).toEqual({ ok: true, next: 'submitted', reapproval: true });
    expect(decide('edit_report', { ...lead, state: 'approved' })).toEqual({ ok: true, next: 'submitted', reapproval: true });
  });
});
