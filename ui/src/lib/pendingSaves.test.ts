import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AutoSaver } from './autoSaver.svelte';
import { blankNote, TEXT_LIMITS, type NoteValues } from './evidenceFields';
import { MockBackend } from './mockBackend';
import { NoteSaver, TOO_LONG_MESSAGE } from './noteSaver.svelte';
import { confirmLeave, flushAll, resetFlushers, unsaveableWriting } from './pendingSaves';

beforeEach(() => resetFlushers());
afterEach(() => vi.useRealTimers());

function noteSaver() {
  const backend = new MockBackend({ reviews: [{ id: 'r1', schoolName: 'Oakfield Primary' }] });
  const values: NoteValues = blankNote('learning_walk');
  const saver = new NoteSaver({ backend, reviewId: 'r1', read: () => values });
  return { backend, values, saver };
}

describe('pending saves', () => {
  it('writes typing still in its quiet period when the app flushes (the window closing)', async () => {
    const { backend, values, saver } = noteSaver();
    values.notes = 'The teacher explained the task';
    saver.edited('notes');
    // Closed 50 ms after the last key: the 300 ms autosave pause has not run out.
    expect(await flushAll()).toEqual([]);
    const [note] = await backend.listEvidence('r1');
    expect(note.notes).toBe('The teacher explained the task');
  });

  it('waits for a disposed saver (a screen just left) and then forgets it', async () => {
    let release: () => void = () => {};
    const wrote: string[] = [];
    const saver = new AutoSaver(async () => {
      await new Promise<void>((r) => (release = r));
      wrote.push('section');
      return true;
    }, 10_000);
    saver.changed();
    saver.dispose();
    const flushed = flushAll();
    release();
    expect(await flushed).toEqual([]);
    expect(wrote).toEqual(['section']);
    // Once its write is done it no longer holds up a close.
    expect(await flushAll()).toEqual([]);
    expect(wrote).toEqual(['section']);
  });

  it('holds a note over the limit at the box: nothing sent, the words kept, the reason given', async () => {
    const { backend, values, saver } = noteSaver();
    const add = vi.spyOn(backend, 'addEvidence');
    values.notes = 'x'.repeat(25_000);
    saver.edited('notes');
    const problems = await flushAll();
    expect(add).not.toHaveBeenCalled();
    expect(saver.error).toBe(TOO_LONG_MESSAGE);
    expect(values.notes).toHaveLength(25_000);
    expect(problems.join(' ')).toMatch(/Notes has 5000 characters more than the 20000/);
    expect(unsaveableWriting()).toHaveLength(1);

    // Leaving the screen asks first; staying keeps the text.
    const ask = vi.fn(() => false);
    expect(confirmLeave(ask)).toBe(false);
    expect(ask.mock.calls[0]).toEqual([expect.stringMatching(/lose that text/)]);

    // Shortened to the limit, it saves in full and nothing is held any more.
    values.notes = 'x'.repeat(TEXT_LIMITS.notes);
    saver.edited('notes');
    expect(await flushAll()).toEqual([]);
    expect(saver.error).toBeNull();
    expect((await backend.listEvidence('r1'))[0].notes).toHaveLength(TEXT_LIMITS.notes);
    expect(confirmLeave(ask)).toBe(true);
    expect(ask).toHaveBeenCalledTimes(1);
  });

  it('keeps an existing note saved while only its over-long field is held', async () => {
    const { backend, values, saver } = noteSaver();
    values.notes = 'Short start';
    saver.edited('notes');
    await flushAll();
    values.notes = 'y'.repeat(TEXT_LIMITS.notes + 1);
    values.subject = 'Science';
    saver.edited('notes');
    saver.edited('subject');
    expect(await flushAll()).not.toEqual([]);
    const [note] = await backend.listEvidence('r1');
    expect(note.subject).toBe('Science');
    expect(note.notes).toBe('Short start');
  });
});
