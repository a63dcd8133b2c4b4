import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { blankNote, type NoteKey, type NoteValues } from './evidenceFields';
import { MockBackend } from './mockBackend';
import { NoteSaver } from './noteSaver.svelte';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

async function wait(ms = 0) {
  await vi.advanceTimersByTimeAsync(ms);
  for (let i = 0; i < 5; i++) await vi.advanceTimersByTimeAsync(0);
}

/** The notes the backend holds, moving the clock past its latency. */
async function stored(backend: MockBackend) {
  const list = backend.listEvidence('r1');
  await wait(100);
  return list;
}

/** A saver over a MockBackend whose every answer takes `latencyMs`, counting writes that overlap. */
function setup(latencyMs = 0) {
  const backend = new MockBackend({ reviews: [{ id: 'r1', schoolName: 'Oakfield Primary' }], latencyMs });
  let inFlight = 0;
  let most = 0;
  for (const method of ['addEvidence', 'updateEvidenceField', 'deleteEvidence'] as const) {
    const real = (backend[method] as (...args: unknown[]) => Promise<unknown>).bind(backend);
    vi.spyOn(backend, method).mockImplementation((async (...args: unknown[]) => {
      most = Math.max(most, ++inFlight);
      try {
        return await real(...args);
      } finally {
        inFlight--;
      }
    }) as never);
  }
  const values: NoteValues = blankNote('learning_walk');
  const onsaved = vi.fn();
  const saver = new NoteSaver({ backend, reviewId: 'r1', read: () => values, onsaved });
  const type = <K extends NoteKey>(key: K, value: NoteValues[K]) => {
    values[key] = value;
    saver.edited(key);
  };
  return { backend, saver, values, type, onsaved, mostAtOnce: () => most };
}

describe('NoteSaver', () => {
  it('never runs two writes of a note at once, and sends each field its latest value', async () => {
    const { backend, saver, type, mostAtOnce } = setup(50);

    type('notes', 'A');
    await wait(300); // the add is now under way for 50 ms
    type('notes', 'AB');
    type('subject', 'Science');
    await wait(300);
    type('notes', 'ABC');
    type('yearGroup', 'Y3');
    const flushed = saver.flush();
    await wait(500);
    expect(await flushed).toBe(true);

    expect(mostAtOnce()).toBe(1);
    expect(backend.addEvidence).toHaveBeenCalledTimes(1);
    const notes = await stored(backend);
    expect(notes).toEqual([expect.objectContaining({ notes: 'ABC', subject: 'Science', yearGroup: 'Y3' })]);
    const written = vi.mocked(backend.updateEvidenceField).mock.calls.map(([, field, value]) => `${field}=${value}`);
    // In the order the fields went quiet; the flush sends the last notes at once, without waiting.
    expect(written).toEqual(['notes=AB', 'subject=Science', 'notes=ABC', 'year_group=Y3']);
    expect(saver.status).toBe('saved');
  });

  it('skips a write when the field is back to what is stored', async () => {
    const { backend, saver, type } = setup();
    type('notes', 'Calm corridors');
    await wait(300);
    type('subject', 'PE');
    type('subject', '');
    await wait(300);
    expect(backend.updateEvidenceField).not.toHaveBeenCalled();
    expect(saver.status).toBe('saved');
  });

  it('reports a failure, keeps it until the field is written, and says so from flush', async () => {
    const { backend, saver, type } = setup();
    vi.mocked(backend.addEvidence).mockRejectedValueOnce({ code: 'store_error', message: 'disk full' });
    type('notes', 'Kept');
    expect(await saver.flush()).toBe(false);
    expect(saver.status).toBe('error');
    expect(saver.error).toBe('Disk full');
    expect(saver.evidenceId).toBeNull();

    // Flush retries what failed.
    expect(await saver.flush()).toBe(true);
    expect(saver.error).toBeNull();
    expect((await stored(backend)).map((e) => e.notes)).toEqual(['Kept']);
  });

  it('deletes after the writes under way, dropping changes still waiting', async () => {
    const { backend, saver, type, mostAtOnce } = setup(40);
    type('notes', 'To go');
    await wait(300);
    type('notes', 'To go soon');
    const removal = saver.remove();
    await wait(200);
    await removal;
    expect(mostAtOnce()).toBe(1);
    expect(backend.updateEvidenceField).not.toHaveBeenCalled();
    expect(backend.deleteEvidence).toHaveBeenCalledTimes(1);
    expect(await stored(backend)).toEqual([]);
    expect(saver.evidenceId).toBeNull();
  });

  it('edits an existing note with field writes only', async () => {
    const { backend, saver, values, type, onsaved } = setup();
    const existing = await backend.addEvidence({ reviewId: 'r1', activityType: 'pupil_voice', notes: 'Old' });
    Object.assign(values, { activityType: 'pupil_voice', notes: 'Old' });
    saver.begin(existing);
    expect(saver.status).toBe('idle');

    type('notes', 'Old and new');
    await wait(300);
    expect(backend.addEvidence).toHaveBeenCalledTimes(1); // only the one made above
    expect(backend.updateEvidenceField).toHaveBeenCalledWith(existing.id, 'notes', 'Old and new');
    expect(onsaved).toHaveBeenCalledWith(expect.objectContaining({ id: existing.id, notes: 'Old and new' }), false);
  });

  it('writes at once what is waiting when the form goes away', async () => {
    const { backend, saver, type } = setup();
    type('notes', 'Leaving the screen');
    saver.dispose();
    await wait();
    expect((await stored(backend)).map((e) => e.notes)).toEqual(['Leaving the screen']);
  });
});
