import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Evidence } from './backend';
import { EvidenceSearch } from './evidenceSearch.svelte';
import { MockBackend } from './mockBackend';
import { deferred } from '../test/render';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function backend() {
  return new MockBackend({
    reviews: [{ id: 'r1', schoolName: 'Oakfield Primary' }],
    evidence: [
      { reviewId: 'r1', startedAt: '2026-11-24T09:00', notes: 'Phonics in Y1' },
      { reviewId: 'r1', startedAt: '2026-11-23T14:00', notes: 'Reading corner' },
      { reviewId: 'r1', startedAt: null, notes: 'Untimed', updatedAt: new Date(2026, 10, 25, 12, 0).toISOString() },
    ],
  });
}

describe('EvidenceSearch', () => {
  it('asks after a pause in typing, once, with the whole query', async () => {
    const b = backend();
    const search = new EvidenceSearch(b, 'r1');
    await search.load();
    const spy = vi.spyOn(b, 'searchEvidence');

    search.setText('p');
    search.setText('ph');
    await vi.advanceTimersByTimeAsync(199);
    expect(spy).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy).toHaveBeenCalledWith('r1', { text: 'ph', area: null, activityType: null, day: null });
    expect(search.shown.map((e) => e.notes)).toEqual(['Phonics in Y1']);

    // Filters apply at once.
    search.setFilter('day', '2026-11-23');
    await vi.advanceTimersByTimeAsync(0);
    expect(spy).toHaveBeenLastCalledWith('r1', { text: 'ph', area: null, activityType: null, day: '2026-11-23' });
    expect(search.shown).toEqual([]);
  });

  it('drops an answer that arrives after a newer question', async () => {
    const b = backend();
    const search = new EvidenceSearch(b, 'r1');
    await search.load();
    const slow = deferred<Evidence[]>();
    const real = b.searchEvidence.bind(b);
    vi.spyOn(b, 'searchEvidence').mockImplementationOnce(() => slow.promise).mockImplementation(real);

    search.setFilter('activityType', 'learning_walk');
    search.setFilter('day', '2026-11-24');
    await vi.advanceTimersByTimeAsync(0);
    expect(search.shown.map((e) => e.notes)).toEqual(['Phonics in Y1']);

    slow.resolve([]);
    await vi.advanceTimersByTimeAsync(0);
    expect(search.shown.map((e) => e.notes)).toEqual(['Phonics in Y1']);
  });

  it('lists the days of the notes, an untimed note by the day it was last written', async () => {
    const search = new EvidenceSearch(backend(), 'r1');
    await search.load();
    expect(search.days).toEqual(['2026-11-23', '2026-11-24', '2026-11-25']);
    expect(search.active).toBe(false);
    expect(search.shown).toHaveLength(3);
  });
});
