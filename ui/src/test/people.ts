import type { Session, TeamMember } from '../lib/backend';
import { MOCK_PEOPLE } from '../lib/mockBackend';

/** A session for one of the mock's sample people. */
export function sessionOf(person: keyof typeof MOCK_PEOPLE): Session {
  const p = MOCK_PEOPLE[person];
  return { ...p, roles: [...p.roles], serverUrl: 'https://sync.example.org', deviceName: 'Laptop', signedInAt: '2026-11-23T08:00:00Z' };
}

export const TEAM: TeamMember[] = [
  { userId: MOCK_PEOPLE.lead.userId, name: MOCK_PEOPLE.lead.name, role: 'lead_reviewer' },
  { userId: MOCK_PEOPLE.reviewer.userId, name: MOCK_PEOPLE.reviewer.name, role: 'reviewer' },
];

export const REQUIRED_SECTIONS = [
  'context',
  'leadership_www',
  'leadership_ebi',
  'provision_outcomes_www',
  'provision_outcomes_ebi',
  'disadvantaged_additional_needs_www',
  'disadvantaged_additional_needs_ebi',
  'next_steps',
];
export const AREAS = ['leadership', 'provision_outcomes', 'disadvantaged_additional_needs'];
