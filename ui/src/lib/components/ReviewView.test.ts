import { screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { MockBackend } from '../mockBackend';
import { renderWith } from '../../test/render';
import ReviewView from './ReviewView.svelte';

function backendWithReview() {
  return new MockBackend({
    reviews: [{ id: 'r1', schoolName: 'Oakfield Primary', schoolUrn: '123456', startDate: '2026-11-23', state: 'in_visit' }],
    evidence: [
      {
        id: 'e1',
        reviewId: 'r1',
        activityType: 'learning_walk',
        startedAt: '2026-11-23T09:15',
        yearGroup: 'Y4',
        subject: 'Maths',
        areaTags: ['provision_outcomes', 'disadvantaged_additional_needs'],
        notes: 'Older note about phonics',
        strengths: 'Consistent routines',
        developmentPoints: 'Challenge for the most able',
        authorId: 'qa-reviewer-2',
      },
      { id: 'e2', reviewId: 'r1', activityType: 'pupil_voice', startedAt: '2026-11-24T13:30', areaTags: ['leadership'], notes: 'Pupils feel safe' },
      { id: 'e3', reviewId: 'r1', activityType: 'pupil_voice', startedAt: null, notes: 'Line one\nLine two' },
    ],
  });
}

async function open(backend = backendWithReview()) {
  const user = userEvent.setup();
  const result = renderWith(ReviewView, { reviewId: 'r1' }, backend);
  await screen.findByRole('heading', { level: 1 });
  return { ...result, user, backend };
}

const items = () => screen.getAllByTestId('evidence-item');
const count = () => screen.getByTestId('evidence-count').textContent;

describe('ReviewView', () => {
  it('shows the review and its evidence, newest first, with every field that is set', async () => {
    await open();

    expect(screen.getByRole('heading', { level: 1, name: 'Oakfield Primary' })).toBeInTheDocument();
    expect(screen.getByText('URN 123456')).toBeInTheDocument();
    expect(screen.getByText('Visit starts Mon 23 Nov 2026')).toBeInTheDocument();
    expect(screen.getByText('In visit')).toBeInTheDocument();
    expect(screen.getByTestId('back-to-reviews')).toHaveAttribute('href', '#/');
    expect(count()).toBe('3 notes');

    expect(items()).toHaveLength(3);
    const [newest, middle, oldest] = items();
    expect(newest).toHaveTextContent('Pupil voice');
    expect(newest).toHaveTextContent('No time given');
    expect(newest).toHaveTextContent('You');
    expect(within(newest).getByText(/Line one/).textContent).toBe('Line one\nLine two');
    expect(within(newest).queryByRole('list', { name: 'Areas' })).not.toBeInTheDocument();
    expect(within(newest).queryByText('Strengths')).not.toBeInTheDocument();

    expect(within(middle).getByRole('list', { name: 'Areas' })).toHaveTextContent('Leadership at all levels');

    expect(oldest).toHaveTextContent('Learning walk');
    expect(oldest).toHaveTextContent('Mon 23 Nov, 09:15');
    expect(oldest).toHaveTextContent('Y4 · Maths');
    expect(oldest).toHaveTextContent('qa-reviewer-2');
    expect(oldest).toHaveTextContent(/updated \d\d:\d\d/);
    // Long area labels: a short chip, the full label for screen readers and on hover.
    const chips = within(within(oldest).getByRole('list', { name: 'Areas' })).getAllByRole('listitem');
    expect(chips.map((c) => c.getAttribute('title'))).toEqual([
      'The quality of provision and outcomes',
      'The quality of provision and outcomes for disadvantaged pupils and pupils with additional needs',
    ]);
    expect(chips[1].querySelector('[aria-hidden="true"]')).toHaveTextContent('Disadvantaged and additional needs');
    expect(within(oldest).getByText('Strengths').nextElementSibling).toHaveTextContent('Consistent routines');
    expect(within(oldest).getByText('Development points').nextElementSibling).toHaveTextContent('Challenge for the most able');
  });

  it('adds a saved note to the top of the list and refreshes the pending count', async () => {
    const { user, sync, backend } = await open();
    const add = vi.spyOn(backend, 'addEvidence');

    await user.type(screen.getByLabelText('Notes'), 'Newest note');
    await user.click(screen.getByTestId('save-evidence'));

    await waitFor(() => expect(items()).toHaveLength(4));
    expect(items()[0]).toHaveTextContent('Newest note');
    expect(screen.getByTestId('save-state').textContent).toBe('Saved');
    expect(count()).toBe('4 notes');
    expect(add).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(sync.status?.pendingOps).toBe(1));
  });

  it('starts a new note on "n", but not while typing', async () => {
    const { user } = await open();

    await user.keyboard('n');
    await waitFor(() => expect(screen.getByLabelText('Notes')).toHaveFocus());

    await user.click(screen.getByLabelText('Notes'));
    await user.keyboard('n');
    expect(screen.getByLabelText('Notes')).toHaveFocus();
    expect(screen.getByLabelText('Notes')).toHaveValue('n');
  });

  it('loads a note into the form for editing and saves changes to it, not a new note', async () => {
    const { user, backend } = await open();
    const add = vi.spyOn(backend, 'addEvidence');
    const update = vi.spyOn(backend, 'updateEvidenceField');
    expect(screen.getByRole('heading', { level: 2, name: 'New note' })).toBeInTheDocument();
    // "New note" is always offered (Alt+N); while nothing is being edited it just starts afresh.
    expect(screen.getAllByTestId('new-note')).toHaveLength(1);

    // A click anywhere on the card opens it.
    await user.click(within(items()[2]).getByText('Older note about phonics'));

    expect(await screen.findByRole('heading', { level: 2, name: 'Editing note' })).toBeInTheDocument();
    const notes = screen.getByLabelText('Notes');
    expect(notes).toHaveValue('Older note about phonics');
    await waitFor(() => expect(notes).toHaveFocus());
    expect(screen.getByLabelText('Activity')).toHaveValue('learning_walk');
    expect(screen.getByLabelText(/Time of activity/)).toHaveValue('23 Nov 2026, 09:15');
    expect(screen.getByLabelText('Year group')).toHaveValue('Y4');
    expect(screen.getByLabelText('Subject')).toHaveValue('Maths');
    expect(screen.getByLabelText('Strengths')).toHaveValue('Consistent routines');
    expect(screen.getByRole('checkbox', { name: 'The quality of provision and outcomes' })).toBeChecked();
    expect(screen.getByRole('checkbox', { name: 'Leadership at all levels' })).not.toBeChecked();
    expect(items()[2]).toHaveAttribute('aria-current', 'true');

    await user.type(notes, ' in Y1');
    await waitFor(() => expect(update).toHaveBeenCalledWith('e1', 'notes', 'Older note about phonics in Y1'));
    await waitFor(() => expect(items()[2]).toHaveTextContent('Older note about phonics in Y1'));
    expect(screen.getByTestId('save-state').textContent).toBe('Saved');

    await user.click(screen.getByTestId('new-note'));
    expect(await screen.findByRole('heading', { level: 2, name: 'New note' })).toBeInTheDocument();
    expect(screen.getByLabelText('Notes')).toHaveValue('');
    expect(screen.getByLabelText('Year group')).toHaveValue('');
    expect(items()[2]).not.toHaveAttribute('aria-current');
    expect(add).not.toHaveBeenCalled();
    expect(items()).toHaveLength(3);
  });

  it('keeps the newest words when the note in the form is opened from the list mid-typing', async () => {
    const { user, backend } = await open();
    const notes = screen.getByLabelText('Notes');
    await user.type(notes, 'Fresh note');
    await waitFor(() => expect(items()).toHaveLength(4));
    await user.type(notes, ' with more');
    // The card still shows the older words; opening it must not put them back in the form.
    expect(items()[0]).not.toHaveTextContent('with more');
    await user.click(within(items()[0]).getByRole('button', { name: /Edit note/ }));

    expect(await screen.findByRole('heading', { level: 2, name: 'Editing note' })).toBeInTheDocument();
    expect(notes).toHaveValue('Fresh note with more');
    await waitFor(() => expect(items()[0]).toHaveTextContent('Fresh note with more'));
    expect((await backend.listEvidence('r1'))[0].notes).toBe('Fresh note with more');
    expect(await backend.listEvidence('r1')).toHaveLength(4);
  });

  it('opens a note from the keyboard', async () => {
    const { user } = await open();
    within(items()[1]).getByRole('button', { name: /Edit note: Pupil voice/ }).focus();
    await user.keyboard('{Enter}');
    expect(await screen.findByRole('heading', { level: 2, name: 'Editing note' })).toBeInTheDocument();
    expect(screen.getByLabelText('Notes')).toHaveValue('Pupils feel safe');
  });

  it('deletes a note only once the deletion is confirmed', async () => {
    const { user, backend, sync } = await open();
    const remove = vi.spyOn(backend, 'deleteEvidence');
    await user.click(within(items()[1]).getByRole('button', { name: /Edit note/ }));
    await screen.findByRole('heading', { level: 2, name: 'Editing note' });

    await user.click(screen.getByTestId('delete-evidence'));
    expect(screen.getByText('Delete this note?')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Keep note' })).toHaveFocus();
    expect(remove).not.toHaveBeenCalled();

    // Escape steps back without deleting.
    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('confirm-delete')).not.toBeInTheDocument();
    expect(screen.getByTestId('delete-evidence')).toHaveFocus();
    expect(remove).not.toHaveBeenCalled();

    await user.keyboard('{Enter}');
    await user.click(screen.getByTestId('confirm-delete'));
    await waitFor(() => expect(items()).toHaveLength(2));
    expect(remove).toHaveBeenCalledWith('e2');
    expect(screen.queryByText('Pupils feel safe')).not.toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 2, name: 'New note' })).toBeInTheDocument();
    expect(screen.getByLabelText('Notes')).toHaveValue('');
    expect(count()).toBe('2 notes');
    expect(await backend.listEvidence('r1')).toHaveLength(2);
    await waitFor(() => expect(sync.status?.pendingOps).toBe(1));
  });

  it('searches the notes after a pause in typing and shows how many match', async () => {
    const { user, backend } = await open();
    const search = vi.spyOn(backend, 'searchEvidence');

    const box = screen.getByLabelText('Search evidence');
    expect(box).toHaveAttribute('id', 'evidence-search');
    await user.type(box, 'phon');
    expect(search).not.toHaveBeenCalled();
    await waitFor(() => expect(search).toHaveBeenCalledTimes(1));
    expect(search).toHaveBeenCalledWith('r1', { text: 'phon', area: null, activityType: null, day: null });
    await waitFor(() => expect(items()).toHaveLength(1));
    expect(items()[0]).toHaveTextContent('Older note about phonics');
    expect(count()).toBe('1 of 3 notes');
    expect(screen.getByTestId('evidence-count')).toHaveAttribute('role', 'status');
  });

  it('filters by area, activity and day, and offers to clear filters when nothing matches', async () => {
    const { user, backend } = await open();
    const search = vi.spyOn(backend, 'searchEvidence');

    const area = screen.getByLabelText('Area');
    expect(area).toHaveAttribute('id', 'filter-area');
    expect([...(area as HTMLSelectElement).options].map((o) => o.text)).toEqual([
      'All areas',
      'Leadership',
      'Provision and outcomes',
      'Disadvantaged and additional needs',
    ]);
    await user.selectOptions(area, 'leadership');
    await waitFor(() => expect(items()).toHaveLength(1));
    expect(search).toHaveBeenLastCalledWith('r1', { text: '', area: 'leadership', activityType: null, day: null });
    expect(count()).toBe('1 of 3 notes');

    const day = screen.getByLabelText('Day');
    expect(day).toHaveAttribute('id', 'filter-day');
    const dayOptions = [...(day as HTMLSelectElement).options].map((o) => [o.value, o.text]);
    expect(dayOptions.slice(0, 1)).toEqual([['', 'All days']]);
    expect(dayOptions).toContainEqual(['2026-11-23', 'Mon 23 Nov']);
    expect(dayOptions).toContainEqual(['2026-11-24', 'Tue 24 Nov']);

    await user.selectOptions(screen.getByLabelText('Activity type'), 'learning_walk');
    expect(screen.getByLabelText('Activity type')).toHaveAttribute('id', 'filter-activity');
    await waitFor(() => expect(screen.getByText('No notes match these words and filters.')).toBeInTheDocument());
    expect(search).toHaveBeenLastCalledWith('r1', { text: '', area: 'leadership', activityType: 'learning_walk', day: null });
    expect(screen.queryAllByTestId('evidence-item')).toHaveLength(0);
    expect(count()).toBe('0 of 3 notes');

    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    expect(items()).toHaveLength(3);
    expect(count()).toBe('3 notes');
    expect(area).toHaveValue('');
    expect(screen.getByLabelText('Activity type')).toHaveValue('');
    expect(screen.getByLabelText('Search evidence')).toHaveFocus();
    expect(screen.queryByRole('button', { name: 'Clear filters' })).not.toBeInTheDocument();
  });

  it('keeps a filtered list current as notes are saved', async () => {
    const { user } = await open();
    await user.selectOptions(screen.getByLabelText('Day'), '2026-11-24');
    await waitFor(() => expect(items()).toHaveLength(1));

    await user.click(within(items()[0]).getByRole('button', { name: /Edit note/ }));
    await screen.findByRole('heading', { level: 2, name: 'Editing note' });
    await user.type(screen.getByLabelText('Notes'), ' and happy');
    await waitFor(() => expect(items()[0]).toHaveTextContent('Pupils feel safe and happy'));
    expect(count()).toBe('1 of 3 notes');
  });

  it('explains when the review is not on this laptop', async () => {
    renderWith(ReviewView, { reviewId: 'missing' }, new MockBackend());
    expect(await screen.findByRole('heading', { level: 1, name: 'Review not found' })).toBeInTheDocument();
    expect(screen.getByTestId('back-to-reviews')).toBeInTheDocument();
  });

  it('says so when there is no evidence yet, without search or filters', async () => {
    await open(new MockBackend({ reviews: [{ id: 'r1', schoolName: 'Oakfield Primary' }] }));
    expect(screen.getByText(/No evidence yet/)).toBeInTheDocument();
    expect(screen.queryByLabelText('Search evidence')).not.toBeInTheDocument();
    expect(count()).toBe('0 notes');
  });
});
