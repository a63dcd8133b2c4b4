import { screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { MockBackend } from '../mockBackend';
import { renderWith } from '../../test/render';
import DropLocalCopy from './DropLocalCopy.svelte';

function issued(pendingOps = 0) {
  return new MockBackend({
    reviews: [
      { id: 'r1', schoolName: 'Oakfield Primary', startDate: '2026-03-02', state: 'issued', pendingOps },
      { id: 'r2', schoolName: 'Riverside Academy', startDate: '2026-10-05', state: 'in_visit' },
    ],
    evidence: [
      { reviewId: 'r1', notes: 'Reading corner' },
      { reviewId: 'r1', notes: 'Phonics' },
      { reviewId: 'r2', notes: 'Assembly' },
    ],
  });
}

describe('DropLocalCopy', () => {
  it('tells what goes and what the server keeps, then removes the copy after the person confirms, by keyboard', async () => {
    const user = userEvent.setup();
    const backend = issued();
    const ondropped = vi.fn();
    renderWith(DropLocalCopy, { reviewId: 'r1', ondropped }, backend);

    const open = screen.getByRole('button', { name: 'Remove from this laptop…' });
    open.focus();
    await user.keyboard('{Enter}');
    const dialog = await screen.findByRole('dialog', { name: 'Remove Oakfield Primary from this laptop?' });
    expect(dialog).toHaveTextContent('This laptop holds 2 notes, 0 comments and 0 photos and documents of this review.');
    expect(screen.getByTestId('kept-on-the-server')).toHaveTextContent("The server keeps this review as the partnership's retention policy says");
    // The safe choice has the focus: Enter alone keeps the copy.
    expect(screen.getByRole('button', { name: 'Keep it on this laptop' })).toHaveFocus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(ondropped).not.toHaveBeenCalled();
    expect(await backend.listReviews()).toHaveLength(2);

    await user.click(screen.getByRole('button', { name: 'Remove from this laptop…' }));
    await screen.findByRole('dialog');
    await user.tab();
    expect(screen.getByRole('button', { name: 'Remove from this laptop' })).toHaveFocus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(ondropped).toHaveBeenCalledOnce());
    expect(ondropped.mock.calls[0][0]).toMatchObject({ reviewId: 'r1', notes: 2 });
    expect((await backend.listReviews()).map((r) => r.id)).toEqual(['r2']);
    expect(await backend.listEvidence('r2')).toHaveLength(1);
  });

  it('refuses while this laptop has unsent work of the review, and says why', async () => {
    const user = userEvent.setup();
    const backend = issued(2);
    renderWith(DropLocalCopy, { reviewId: 'r1', ondropped: vi.fn() }, backend);
    await user.click(screen.getByRole('button', { name: 'Remove from this laptop…' }));
    expect(await screen.findByTestId('drop-refused')).toHaveTextContent(
      'This laptop still has 2 changes of this review that the server does not hold yet. Sync first; then its copy can be removed.',
    );
    expect(screen.getByRole('button', { name: 'Remove from this laptop' })).toBeDisabled();
    await expect(backend.dropLocalCopy('r1')).rejects.toMatchObject({ code: 'unsent_work' });
    expect(await backend.listReviews()).toHaveLength(2);
  });

  it('is refused for a review still under way', async () => {
    const backend = issued();
    await expect(backend.dropLocalCopy('r2')).rejects.toMatchObject({
      code: 'wrong_state',
      message: expect.stringContaining('this one is in visit'),
    });
  });
});
