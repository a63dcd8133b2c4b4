import { screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Evidence, NewEvidence } from '../backend';
import { ACTIVITY_TYPES, MockBackend } from '../mockBackend';
import { deferred, renderWith } from '../../test/render';
import EvidenceForm from './EvidenceForm.svelte';

function setup() {
  const backend = new MockBackend({ reviews: [{ id: 'r1', schoolName: 'Oakfield Primary' }] });
  const onsaved = vi.fn();
  renderWith(EvidenceForm, { reviewId: 'r1', activityTypes: ACTIVITY_TYPES, onsaved }, backend);
  return { backend, onsaved, user: userEvent.setup() };
}

/** Holds addEvidence open until the test releases it. */
function holdSaves(backend: MockBackend) {
  const gate = deferred();
  const real = backend.addEvidence.bind(backend);
  const spy = vi.spyOn(backend, 'addEvidence').mockImplementation(async (input: NewEvidence): Promise<Evidence> => {
    await gate.promise;
    return real(input);
  });
  return { release: gate.resolve, spy };
}

describe('EvidenceForm', () => {
  it('shows "Saving…" until the backend resolves, then "Saved", and clears the notes', async () => {
    const { backend, onsaved, user } = setup();
    const { release, spy } = holdSaves(backend);

    await user.selectOptions(screen.getByLabelText('Activity'), 'pupil_voice');
    await user.type(screen.getByLabelText(/Notes/), 'Year 6 pupils{enter}talk confidently about reading');
    await user.click(screen.getByTestId('save-evidence'));

    const state = screen.getByTestId('save-state');
    expect(state).toHaveTextContent('Saving…');
    expect(state).not.toHaveTextContent('Saved');
    expect(screen.getByTestId('save-evidence')).toBeDisabled();
    expect(onsaved).not.toHaveBeenCalled();
    expect(spy).toHaveBeenCalledWith({
      reviewId: 'r1',
      activityType: 'pupil_voice',
      startedAt: null,
      notes: 'Year 6 pupils\ntalk confidently about reading',
    });

    release();
    await waitFor(() => expect(state.textContent).toBe('Saved'));
    expect(screen.getByLabelText(/Notes/)).toHaveValue('');
    expect(screen.getByLabelText('Activity')).toHaveValue('pupil_voice');
    expect(onsaved).toHaveBeenCalledWith(expect.objectContaining({ notes: 'Year 6 pupils\ntalk confidently about reading' }));
    expect(await backend.listEvidence('r1')).toHaveLength(1);
  });

  it('saves with Ctrl+Enter and sends the time when one is given', async () => {
    const { backend, onsaved, user } = setup();
    // Set by script, with no input event: the form reads the field itself when saving.
    const time = screen.getByLabelText(/Time of activity/) as HTMLInputElement;
    time.value = '2026-11-23T10:15';

    await user.type(screen.getByLabelText(/Notes/), 'Calm corridors');
    await user.keyboard('{Control>}{Enter}{/Control}');

    await waitFor(() => expect(screen.getByTestId('save-state').textContent).toBe('Saved'));
    expect(onsaved).toHaveBeenCalledWith(expect.objectContaining({ startedAt: '2026-11-23T10:15', notes: 'Calm corridors' }));
    expect(time).toHaveValue('');
    expect((await backend.listEvidence('r1'))[0].activityType).toBe('joint_lesson_observation');
  });

  it('shows the refusal and keeps the text when the backend rejects', async () => {
    const { backend, onsaved, user } = setup();
    vi.spyOn(backend, 'addEvidence').mockRejectedValue({ code: 'store_error', message: 'the local database refused the change, nothing was saved: disk full' });

    await user.type(screen.getByLabelText(/Notes/), 'Do not lose me');
    await user.click(screen.getByTestId('save-evidence'));

    expect(await screen.findByTestId('form-error')).toHaveTextContent('The local database refused the change, nothing was saved: disk full');
    expect(screen.getByTestId('save-state').textContent).toBe('');
    expect(screen.getByLabelText(/Notes/)).toHaveValue('Do not lose me');
    expect(onsaved).not.toHaveBeenCalled();
  });

  it('fills in the current time on "Now"', async () => {
    const { user } = setup();
    await user.click(screen.getByRole('button', { name: 'Now' }));
    expect((screen.getByLabelText(/Time of activity/) as HTMLInputElement).value).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
  });

  it('asks for notes instead of saving an empty one', async () => {
    const { backend, user } = setup();
    const spy = vi.spyOn(backend, 'addEvidence');
    await user.click(screen.getByTestId('save-evidence'));
    expect(await screen.findByTestId('form-error')).toHaveTextContent('Write your notes before saving.');
    expect(screen.getByLabelText(/Notes/)).toHaveFocus();
    expect(spy).not.toHaveBeenCalled();
  });

  it('keeps text typed while a save was under way', async () => {
    const { backend, user } = setup();
    const { release } = holdSaves(backend);
    const notes = screen.getByLabelText(/Notes/);

    await user.type(notes, 'First note');
    await user.keyboard('{Control>}{Enter}{/Control}');
    await user.type(notes, ' and the next');
    release();

    await waitFor(() => expect(screen.getByTestId('save-state').textContent).toBe('Saved'));
    expect(notes).toHaveValue('and the next');
    expect((await backend.listEvidence('r1'))[0].notes).toBe('First note');
  });
});
