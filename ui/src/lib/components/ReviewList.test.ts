import { screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { MockBackend } from '../mockBackend';
import { renderWith } from '../../test/render';
import ReviewList from './ReviewList.svelte';

describe('ReviewList', () => {
  it('shows the reviews with their details and a badge for unsynced ones', async () => {
    const backend = new MockBackend({
      reviews: [
        { id: 'r1', schoolName: 'Oakfield Primary', schoolUrn: '123456', startDate: '2026-11-23', state: 'in_visit', pendingOps: 3 },
        { id: 'r2', schoolName: 'Riverside Academy', schoolUrn: '654321', startDate: '2026-10-05', state: 'scheduled' },
      ],
      evidence: [{ reviewId: 'r1', notes: 'One' }],
    });
    renderWith(ReviewList, {}, backend);

    expect(screen.getByRole('heading', { level: 1, name: 'Reviews' })).toBeInTheDocument();
    const rows = await screen.findAllByTestId('review-row');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent('Oakfield Primary');
    expect(rows[0]).toHaveTextContent('123456');
    expect(rows[0]).toHaveTextContent('23 Nov 2026');
    expect(rows[0]).toHaveTextContent('In visit');
    expect(rows[0]).toHaveTextContent('1 note');
    expect(within(rows[0]).getByTestId('pending-badge')).toHaveTextContent('Not yet synced');
    expect(within(rows[1]).queryByTestId('pending-badge')).not.toBeInTheDocument();
    // The row holds one link to the review (end-to-end tests click the row's link).
    expect(within(rows[1]).getByRole('link')).toHaveAttribute('href', '#/reviews/r2');
  });

  it('keeps a review the team is still at work on at the top after its dates pass', async () => {
    const backend = new MockBackend({
      reviews: [
        { id: 'r1', schoolName: 'Upcoming Primary', startDate: '2099-03-02', state: 'scheduled' },
        { id: 'r2', schoolName: 'Visit Overran Academy', startDate: '2020-01-06', state: 'in_visit' },
        { id: 'r3', schoolName: 'Long Done School', startDate: '2020-01-13', state: 'issued' },
      ],
    });
    renderWith(ReviewList, {}, backend);
    const rows = await screen.findAllByTestId('review-row');
    const current = screen.getByRole('heading', { name: 'Current and upcoming visits' }).closest('section')!;
    expect(within(current).getAllByTestId('review-row').map((r) => r.textContent)).toEqual([
      expect.stringContaining('Visit Overran Academy'),
      expect.stringContaining('Upcoming Primary'),
    ]);
    expect(rows.at(-1)).toHaveTextContent('Long Done School');
  });

  it('says so when there are no reviews', async () => {
    renderWith(ReviewList, {}, new MockBackend());
    expect(await screen.findByText('No reviews on this laptop yet')).toBeInTheDocument();
  });

  it('adds a newly created review to the list and closes the form', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend({ reviews: [{ schoolName: 'Riverside Academy', startDate: '2026-10-05' }] });
    const { sync } = renderWith(ReviewList, {}, backend);
    await screen.findAllByTestId('review-row');

    await user.click(screen.getByTestId('new-review'));
    await user.type(screen.getByLabelText('School name'), 'Oakfield Primary');
    await user.type(screen.getByLabelText('URN'), '123456');
    const date = screen.getByLabelText('Visit start date') as HTMLInputElement;
    date.value = '2026-11-23';
    date.dispatchEvent(new Event('input', { bubbles: true }));
    await user.click(screen.getByTestId('create-review'));

    await waitFor(() => expect(screen.getAllByTestId('review-row')).toHaveLength(2));
    const first = screen.getAllByTestId('review-row')[0];
    expect(first).toHaveTextContent('Oakfield Primary');
    expect(within(first).getByTestId('pending-badge')).toBeInTheDocument();
    expect(screen.queryByLabelText('School name')).not.toBeInTheDocument();
    expect(screen.getByTestId('new-review')).toHaveFocus();
    // One change per edit: the new review is one.
    await waitFor(() => expect(sync.status?.pendingOps).toBe(1));
  });

  it('keeps the list as it was when creation is refused', async () => {
    const user = userEvent.setup();
    renderWith(ReviewList, {}, new MockBackend());
    await screen.findByText('No reviews on this laptop yet');

    await user.click(screen.getByTestId('new-review'));
    await user.type(screen.getByLabelText('School name'), 'Oakfield Primary');
    await user.type(screen.getByLabelText('URN'), 'abc');
    await user.click(screen.getByTestId('create-review'));

    expect(await screen.findByTestId('form-error')).toHaveTextContent("URN 'abc' is not valid");
    expect(screen.queryAllByTestId('review-row')).toHaveLength(0);
    expect(screen.getByLabelText('School name')).toHaveValue('Oakfield Primary');
  });
});
