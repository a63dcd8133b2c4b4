import { screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import type { Evidence, NewEvidenceInput } from '../backend';
import { ACTIVITY_TYPES, FRAMEWORKS, MockBackend } from '../mockBackend';
import { deferred, renderWith } from '../../test/render';
import EvidenceForm from './EvidenceForm.svelte';

// Autosave runs on timers: these tests drive the clock by hand.
beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date(2026, 10, 23, 9, 5));
});
afterEach(() => {
  vi.useRealTimers();
});

function setup(options: { delay?: number } = {}) {
  const backend = new MockBackend({ reviews: [{ id: 'r1', schoolName: 'Oakfield Primary' }] });
  const onsaved = vi.fn();
  const ondeleted = vi.fn();
  const add = vi.spyOn(backend, 'addEvidence');
  const update = vi.spyOn(backend, 'updateEvidenceField');
  renderWith(EvidenceForm, { reviewId: 'r1', activityTypes: ACTIVITY_TYPES, areas: FRAMEWORKS[0].areas, onsaved, ondeleted }, backend);
  const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime, delay: options.delay ?? 0 });
  return { backend, onsaved, ondeleted, add, update, user };
}

/** Moves the clock on and lets every answer that is due arrive. */
async function wait(ms = 0) {
  await vi.advanceTimersByTimeAsync(ms);
  for (let i = 0; i < 5; i++) await vi.advanceTimersByTimeAsync(0);
}

/** Holds addEvidence open until the test releases it. */
function holdAdds(backend: MockBackend, add: MockInstance<MockBackend['addEvidence']>) {
  const gate = deferred();
  const real = MockBackend.prototype.addEvidence.bind(backend);
  add.mockImplementation(async (input: NewEvidenceInput): Promise<Evidence> => {
    await gate.promise;
    return real(input);
  });
  return gate.resolve;
}

const notes = () => screen.getByLabelText('Notes') as HTMLTextAreaElement;
const saveState = () => screen.getByTestId('save-state').textContent;

describe('EvidenceForm autosave', () => {
  it('creates the note once after a quiet spell, then writes each later change as one field', async () => {
    const { backend, add, update, user } = setup();

    await user.selectOptions(screen.getByLabelText('Activity'), 'pupil_voice');
    await user.type(notes(), 'Year 6 pupils{enter}talk about reading');
    await wait(299);
    expect(add).not.toHaveBeenCalled();
    expect(saveState()).toBe('Saving…');

    await wait(1);
    expect(add).toHaveBeenCalledTimes(1);
    expect(add).toHaveBeenCalledWith(
      // Timed when the writing started: nobody has to remember "Now".
      expect.objectContaining({ reviewId: 'r1', activityType: 'pupil_voice', startedAt: '2026-11-23T09:05', notes: 'Year 6 pupils\ntalk about reading' }),
    );
    expect(saveState()).toBe('Saved');

    await user.type(screen.getByLabelText('Year group'), 'Y6');
    await user.click(screen.getByRole('checkbox', { name: 'Leadership at all levels' }));
    await user.type(screen.getByLabelText('Strengths'), 'Fluent readers');
    await user.click(screen.getByRole('button', { name: 'Now' }));
    await wait(300);

    const id = (await backend.listEvidence('r1'))[0].id;
    expect(update.mock.calls).toEqual([
      [id, 'year_group', 'Y6'],
      [id, 'area_tags', ['leadership']],
      [id, 'strengths', 'Fluent readers'],
    ]);
    expect(add).toHaveBeenCalledTimes(1);
    expect(saveState()).toBe('Saved');
    expect(await backend.listEvidence('r1')).toEqual([
      expect.objectContaining({
        activityType: 'pupil_voice',
        startedAt: '2026-11-23T09:05',
        yearGroup: 'Y6',
        areaTags: ['leadership'],
        notes: 'Year 6 pupils\ntalk about reading',
        strengths: 'Fluent readers',
      }),
    ]);
  });

  it('coalesces steady typing into one write of the latest text', async () => {
    const { add, update, user } = setup({ delay: 120 });

    await user.type(notes(), 'Calm');
    await wait(300);
    expect(add).toHaveBeenCalledTimes(1);

    // A key every 120 ms never leaves the field quiet for 300 ms: nothing is written until the end.
    await user.type(notes(), ' corridors at lunch');
    expect(update).not.toHaveBeenCalled();
    expect(saveState()).toBe('Saving…');
    await wait(300);
    expect(update).toHaveBeenCalledTimes(1);
    expect(update).toHaveBeenCalledWith(expect.any(String), 'notes', 'Calm corridors at lunch');
  });

  it('says "Saving…" until the backend has answered, and only then "Saved"', async () => {
    const { backend, add, user } = setup();
    const release = holdAdds(backend, add);

    expect(saveState()).toBe('');
    await user.type(notes(), 'Do not lose me');
    expect(saveState()).toBe('Saving…');
    await wait(300);
    expect(add).toHaveBeenCalledTimes(1);
    expect(saveState()).toBe('Saving…');

    release();
    await wait();
    expect(saveState()).toBe('Saved');
    expect(screen.getByTestId('save-state')).toHaveAttribute('aria-live', 'polite');
  });

  it('keeps the text and shows the refusal when a save fails, and tries again on the next edit', async () => {
    const { backend, add, update, user } = setup();
    add.mockRejectedValueOnce({ code: 'store_error', message: 'the local database refused the change, nothing was saved: disk full' });

    await user.type(notes(), 'Do not lose me');
    await wait(300);
    expect(screen.getByTestId('form-error')).toHaveTextContent('The local database refused the change, nothing was saved: disk full');
    expect(saveState()).toBe('Not saved');
    expect(notes()).toHaveValue('Do not lose me');
    expect(await backend.listEvidence('r1')).toHaveLength(0);

    await user.type(notes(), '!');
    await wait(300);
    expect(add).toHaveBeenCalledTimes(2);
    expect(saveState()).toBe('Saved');
    expect(screen.queryByTestId('form-error')).not.toBeInTheDocument();
    expect((await backend.listEvidence('r1')).map((e) => e.notes)).toEqual(['Do not lose me!']);

    // A refused field edit is retried with the next edit, of any field.
    update.mockRejectedValueOnce({ code: 'invalid', message: 'Subject is too long: 101 characters, the limit is 100' });
    await user.type(screen.getByLabelText('Subject'), 'Maths');
    await wait(300);
    expect(screen.getByTestId('form-error')).toHaveTextContent('Subject is too long');
    await user.type(notes(), ' Really.');
    await wait(300);
    expect(screen.queryByTestId('form-error')).not.toBeInTheDocument();
    expect(await backend.listEvidence('r1')).toEqual([expect.objectContaining({ subject: 'Maths', notes: 'Do not lose me! Really.' })]);
  });

  it('saves at once on "Save note", then clears the form for the next note', async () => {
    const { backend, add, onsaved, user } = setup();

    await user.selectOptions(screen.getByLabelText('Activity'), 'work_scrutiny');
    await user.type(notes(), 'Books show feedback acted upon');
    await user.type(screen.getByLabelText('Development points'), 'Presentation in Y5');
    await user.click(screen.getByTestId('save-evidence'));
    await wait();

    expect(add).toHaveBeenCalledTimes(1);
    expect(saveState()).toBe('Saved');
    expect(onsaved).toHaveBeenCalledWith(expect.objectContaining({ notes: 'Books show feedback acted upon' }), true);
    expect(notes()).toHaveValue('');
    expect(screen.getByLabelText('Development points')).toHaveValue('');
    expect(screen.getByLabelText('Activity')).toHaveValue('work_scrutiny');
    expect(notes()).toHaveFocus();
    expect(await backend.listEvidence('r1')).toEqual([
      expect.objectContaining({ notes: 'Books show feedback acted upon', developmentPoints: 'Presentation in Y5' }),
    ]);

    // Nothing is written later for the note that was finished.
    await wait(1000);
    expect(add).toHaveBeenCalledTimes(1);
    expect(await backend.listEvidence('r1')).toHaveLength(1);
  });

  it('saves with Ctrl+Enter, taking values set by script', async () => {
    const { backend, user } = setup();
    // Set by script, with no input event: the form reads the field itself when saving.
    const time = screen.getByLabelText(/Time of activity/) as HTMLInputElement;
    time.value = '2026-11-23T10:15';

    await user.type(notes(), 'Calm corridors');
    await user.keyboard('{Control>}{Enter}{/Control}');
    await wait();

    expect(saveState()).toBe('Saved');
    expect(time).toHaveValue('');
    expect(await backend.listEvidence('r1')).toEqual([
      expect.objectContaining({ startedAt: '2026-11-23T10:15', notes: 'Calm corridors', activityType: 'joint_lesson_observation' }),
    ]);
  });

  it('makes one note with the latest text when the first save is slow and typing goes on', async () => {
    const { backend, add, update, user } = setup();
    const release = holdAdds(backend, add);

    await user.type(notes(), 'First');
    await wait(300);
    expect(add).toHaveBeenCalledTimes(1);
    await user.type(notes(), ' thoughts');
    await wait(300);
    await user.type(notes(), ' and the rest');
    // Still waiting for the first save: the edits queue behind it, none runs alongside.
    expect(update).not.toHaveBeenCalled();
    await user.click(screen.getByTestId('save-evidence'));
    expect(saveState()).toBe('Saving…');

    release();
    await wait();
    expect(add).toHaveBeenCalledTimes(1);
    expect(update).toHaveBeenCalledTimes(1);
    expect(update).toHaveBeenCalledWith(expect.any(String), 'notes', 'First thoughts and the rest');
    expect((await backend.listEvidence('r1')).map((e) => e.notes)).toEqual(['First thoughts and the rest']);
    expect(saveState()).toBe('Saved');
    expect(notes()).toHaveValue('');
  });

  it('asks for notes instead of saving an empty one', async () => {
    const { add, user } = setup();
    await user.click(screen.getByTestId('save-evidence'));
    expect(screen.getByTestId('form-error')).toHaveTextContent('Write your notes before saving.');
    expect(notes()).toHaveFocus();
    expect(add).not.toHaveBeenCalled();
  });

  it('does not create a note for an activity, time or areas alone', async () => {
    const { add, user } = setup();
    await user.selectOptions(screen.getByLabelText('Activity'), 'learning_walk');
    await user.click(screen.getByRole('button', { name: 'Now' }));
    await user.click(screen.getByRole('checkbox', { name: 'The quality of provision and outcomes' }));
    await user.type(notes(), '   ');
    await wait(1000);
    expect(add).not.toHaveBeenCalled();
    expect(saveState()).toBe('');

    await user.type(notes(), 'Quiet');
    await wait(300);
    expect(add).toHaveBeenCalledWith(
      expect.objectContaining({ activityType: 'learning_walk', startedAt: '2026-11-23T09:05', areaTags: ['provision_outcomes'] }),
    );
  });

  it('fills in the current time on "Now"', async () => {
    const { user } = setup();
    await user.click(screen.getByRole('button', { name: 'Now' }));
    // British, day first, whatever the computer's locale.
    expect(screen.getByLabelText(/Time of activity/)).toHaveValue('23 Nov 2026, 09:05');
  });

  it('labels every field', () => {
    setup();
    for (const [label, id] of [
      ['Activity', 'activity-type'],
      [/Time of activity/, 'started-at'],
      ['Notes', 'evidence-notes'],
      ['Year group', 'year-group'],
      ['Subject', 'subject'],
      ["Host colleague's role", 'host-role'],
      ['Strengths', 'strengths'],
      ['Development points', 'development-points'],
    ] as const) {
      expect(screen.getByLabelText(label)).toHaveAttribute('id', id);
    }
    const boxes = screen.getAllByRole('checkbox');
    expect(boxes.map((b) => b.getAttribute('value'))).toEqual(['leadership', 'provision_outcomes', 'disadvantaged_additional_needs']);
    expect(screen.getByRole('group', { name: 'Areas' })).toBeInTheDocument();
    // The essentials come first in reading (and tab) order.
    const order = [...document.querySelectorAll('select, input, textarea')].map((el) => el.id || el.getAttribute('value'));
    expect(order.slice(0, 3)).toEqual(['activity-type', 'started-at', 'evidence-notes']);
  });
});
