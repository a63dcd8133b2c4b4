import { render, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { SchoolStatementView } from '../backend';
import { contextFor } from '../context';
import { MockBackend } from '../mockBackend';
import { SessionState } from '../session.svelte';
import { SyncState } from '../sync.svelte';
import { sessionOf, TEAM } from '../../test/people';
import ReviewView from './ReviewView.svelte';

const FROM_THE_SCHOOL: SchoolStatementView = {
  contextStatement: 'Oakfield is a two-form entry primary by the estuary.\n\nA third of our pupils are eligible for free school meals.',
  aoeTitle: 'Oracy across the curriculum',
  aoeSummary: 'Every class debates each week.',
  writtenBy: 'Helen Heron',
  writtenAt: '2026-11-16T09:30:00+00:00',
};

async function open(statement: SchoolStatementView | null) {
  const backend = new MockBackend({
    session: sessionOf('reviewer'),
    reviews: [{ id: 'r1', schoolName: 'Oakfield Primary', schoolUrn: '123456', startDate: '2026-11-23', state: 'preparing', team: TEAM }],
  });
  if (statement) backend.seedSchoolStatement('r1', statement);
  const sync = new SyncState(backend);
  const session = new SessionState(backend);
  await session.load();
  render(ReviewView, { props: { reviewId: 'r1', tab: 'overview' }, context: contextFor(backend, sync, session) });
}

describe('What the school wrote before the visit', () => {
  it('shows the context statement and the proposed Area of Excellence read-only, with who wrote them and when', async () => {
    await open(FROM_THE_SCHOOL);
    const panel = await screen.findByTestId('school-statement');
    expect(within(panel).getByRole('heading', { level: 2, name: 'From the school' })).toBeInTheDocument();
    expect(within(panel).getByRole('heading', { level: 3, name: 'Context statement' })).toBeInTheDocument();
    expect(within(panel).getByRole('heading', { level: 3, name: 'Proposed Area of Excellence' })).toBeInTheDocument();
    expect(within(panel).getByText('A third of our pupils are eligible for free school meals.')).toBeInTheDocument();
    expect(screen.getByTestId('school-aoe-title')).toHaveTextContent('Oracy across the curriculum');
    expect(screen.getByTestId('school-statement-source')).toHaveTextContent('Written by Helen Heron, last saved 16 Nov 2026.');
    // Read-only: the school writes it, never a laptop.
    expect(within(panel).queryByRole('textbox')).toBeNull();
    expect(within(panel).queryByRole('button')).toBeNull();
  });

  it('shows nothing while the school has written nothing', async () => {
    await open(null);
    await screen.findByRole('heading', { level: 2, name: 'Overview' });
    expect(screen.queryByTestId('school-statement')).toBeNull();
  });
});
