import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { PreviousReviewView } from '../backend';
import { contextFor } from '../context';
import { MockBackend } from '../mockBackend';
import { SessionState } from '../session.svelte';
import { SyncState } from '../sync.svelte';
import { sessionOf, TEAM } from '../../test/people';
import ReviewView from './ReviewView.svelte';

const LAST: PreviousReviewView = {
  previousReviewId: 'r0',
  schoolName: 'Oakfield Primary',
  schoolUrn: '123456',
  startDate: '2025-11-18',
  issuedOn: '2025-12-12',
  estimates: [{ areaCode: 'leadership', areaLabel: 'Leadership at all levels', valueLabel: 'Effective' }],
  points: [
    { number: 1, areaCode: 'leadership', areaLabel: 'Leadership at all levels', point: 'Middle leaders check the impact of their plans', found: '', updatedAt: null },
    { number: 2, areaCode: 'leadership', areaLabel: 'Leadership at all levels', point: 'Governors hear from subject leaders', found: '', updatedAt: null },
  ],
};

async function open(person: 'lead' | 'reviewer', state: string, tab: 'overview' | 'report', previous: PreviousReviewView | null = LAST) {
  const backend = new MockBackend({
    session: sessionOf(person),
    reviews: [{ id: 'r1', schoolName: 'Oakfield Primary', schoolUrn: '123456', startDate: '2026-11-23', state, team: TEAM }],
  });
  if (previous) backend.seedPreviousReview('r1', previous);
  const sync = new SyncState(backend);
  const session = new SessionState(backend);
  await session.load();
  render(ReviewView, { props: { reviewId: 'r1', tab }, context: contextFor(backend, sync, session) });
  return { backend, user: userEvent.setup() };
}

describe('The last review while preparing', () => {
  it('shows the last report’s estimates and Even better if points read-only, with its date and school', async () => {
    await open('reviewer', 'preparing', 'overview');
    const panel = await screen.findByTestId('previous-review');
    expect(within(panel).getByRole('heading', { level: 2, name: 'The last review' })).toBeInTheDocument();
    expect(screen.getByTestId('previous-review-source')).toHaveTextContent('Oakfield Primary (URN 123456)');
    expect(screen.getByTestId('previous-review-source')).toHaveTextContent('12 December 2025');
    expect(within(screen.getByTestId('previous-estimates')).getByRole('row', { name: /Leadership at all levels Effective/ })).toBeInTheDocument();
    expect(screen.getAllByTestId('previous-point').map((p) => p.textContent)).toEqual([
      expect.stringContaining('Middle leaders check the impact of their plans'),
      expect.stringContaining('Governors hear from subject leaders'),
    ]);
    // Read-only: nothing to type into here.
    expect(within(panel).queryByRole('textbox')).toBeNull();
  });

  it('shows nothing for a first review of the school', async () => {
    await open('lead', 'preparing', 'overview', null);
    await screen.findByRole('heading', { level: 2, name: 'Overview' });
    expect(screen.queryByTestId('previous-review')).toBeNull();
  });

  it('lets the Lead Reviewer write what the team found on each point in the report, by keyboard', async () => {
    const { backend, user } = await open('lead', 'drafting', 'report');
    const panel = await screen.findByTestId('previous-review');
    expect(within(panel).getByRole('heading', { level: 3, name: 'Progress since the last review' })).toBeInTheDocument();
    await user.click(within(panel).getByRole('textbox', { name: 'What the team found (point 1)' }));
    await user.keyboard('Plans are now reviewed each half-term.');
    await user.tab();
    await user.keyboard('{Enter}');
    expect((await backend.previousReview('r1'))?.points[0].found).toBe('Plans are now reviewed each half-term.');
    expect(within(panel).getByRole('status')).toHaveTextContent('Saved what the team found on point 1.');
  });
});
