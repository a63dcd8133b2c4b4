import { screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { MockBackend } from '../mockBackend';
import { renderWith } from '../../test/render';
import ReviewView from './ReviewView.svelte';

function backendWithReview() {
  return new MockBackend({
    reviews: [{ id: 'r1', schoolName: 'Oakfield Primary', schoolUrn: '123456', startDate: '2026-11-23', state: 'in_visit' }],
    evidence: [
      { reviewId: 'r1', activityType: 'learning_walk', startedAt: '2026-11-23T09:15', notes: 'Older note' },
      { reviewId: 'r1', activityType: 'pupil_voice', startedAt: null, notes: 'Line one\nLine two' },
    ],
  });
}

describe('ReviewView', () => {
  it('shows the review and its evidence, newest first', async () => {
    renderWith(ReviewView, { reviewId: 'r1' }, backendWithReview());

    expect(await screen.findByRole('heading', { level: 1, name: 'Oakfield Primary' })).toBeInTheDocument();
    expect(screen.getByText('URN 123456')).toBeInTheDocument();
    expect(screen.getByText('Visit starts Mon 23 Nov 2026')).toBeInTheDocument();
    expect(screen.getByText('In visit')).toBeInTheDocument();
    expect(screen.getByTestId('back-to-reviews')).toHaveAttribute('href', '#/');

    const items = screen.getAllByTestId('evidence-item');
    expect(items).toHaveLength(2);
    expect(items[0]).toHaveTextContent('Pupil voice');
    expect(items[0]).toHaveTextContent('No time given');
    expect(within(items[0]).getByText(/Line one/).textContent).toBe('Line one\nLine two');
    expect(items[1]).toHaveTextContent('Learning walk');
    expect(items[1]).toHaveTextContent('Mon 23 Nov, 09:15');
    expect(items[1]).toHaveTextContent(/updated \d\d:\d\d/);
  });

  it('adds a saved note to the top of the list and refreshes the pending count', async () => {
    const user = userEvent.setup();
    const { sync } = renderWith(ReviewView, { reviewId: 'r1' }, backendWithReview());
    await screen.findByRole('heading', { level: 1 });

    await user.type(screen.getByLabelText('Notes'), 'Newest note');
    await user.click(screen.getByTestId('save-evidence'));

    await waitFor(() => expect(screen.getAllByTestId('evidence-item')).toHaveLength(3));
    expect(screen.getAllByTestId('evidence-item')[0]).toHaveTextContent('Newest note');
    expect(screen.getByTestId('save-state').textContent).toBe('Saved');
    expect(screen.getByText('3 notes')).toBeInTheDocument();
    await waitFor(() => expect(sync.status?.pendingOps).toBe(3));
  });

  it('focuses the activity type on "n", but not while typing', async () => {
    const user = userEvent.setup();
    renderWith(ReviewView, { reviewId: 'r1' }, backendWithReview());
    await screen.findByRole('heading', { level: 1 });

    await user.keyboard('n');
    expect(screen.getByLabelText('Activity')).toHaveFocus();

    await user.click(screen.getByLabelText('Notes'));
    await user.keyboard('n');
    expect(screen.getByLabelText('Notes')).toHaveFocus();
    expect(screen.getByLabelText('Notes')).toHaveValue('n');
  });

  it('explains when the review is not on this laptop', async () => {
    renderWith(ReviewView, { reviewId: 'missing' }, new MockBackend());
    expect(await screen.findByRole('heading', { level: 1, name: 'Review not found' })).toBeInTheDocument();
    expect(screen.getByTestId('back-to-reviews')).toBeInTheDocument();
  });
});
