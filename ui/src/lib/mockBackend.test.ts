import { describe, expect, it, vi } from 'vitest';
import { MockBackend } from './mockBackend';

const oakfield = { schoolName: 'Oakfield Primary', schoolUrn: '123456', startDate: '2026-11-23' };

describe('MockBackend', () => {
  it('refuses a URN that is not six digits, with the Rust wording', async () => {
    const b = new MockBackend();
    await expect(b.createReview({ ...oakfield, schoolUrn: '12345' })).rejects.toEqual({
      code: 'invalid',
      message: "URN '12345' is not valid: a school's URN is exactly six digits",
    });
    await expect(b.createReview({ ...oakfield, schoolUrn: '12a456' })).rejects.toMatchObject({ code: 'invalid' });
    expect(await b.listReviews()).toEqual([]);
  });

  it('refuses a blank school name and an impossible date', async () => {
    const b = new MockBackend();
    await expect(b.createReview({ ...oakfield, schoolName: '  ' })).rejects.toEqual({
      code: 'invalid',
      message: 'School name must not be empty',
    });
    await expect(b.createReview({ ...oakfield, startDate: '2027-02-29' })).rejects.toMatchObject({
      message: "Visit start date must be a date written as YYYY-MM-DD, got '2027-02-29'",
    });
  });

  it('counts one pending change per field written', async () => {
    const b = new MockBackend();
    const review = await b.createReview({ ...oakfield, schoolUrn: ' 012345 ' });
    expect(review).toMatchObject({ schoolUrn: '012345', state: 'scheduled', evidenceCount: 0, pendingOps: 5 });
    await b.addEvidence({ reviewId: review.id, activityType: 'pupil_voice', startedAt: '2026-11-23T10:00', notes: 'Year 6' });
    expect((await b.getReview(review.id)).pendingOps).toBe(8);
    expect((await b.syncStatus()).pendingOps).toBe(8);
  });

  it('lists evidence newest first and validates it', async () => {
    const b = new MockBackend();
    const { id } = await b.createReview(oakfield);
    await b.addEvidence({ reviewId: id, activityType: 'learning_walk', startedAt: null, notes: 'first' });
    await b.addEvidence({ reviewId: id, activityType: 'learning_walk', startedAt: '', notes: 'second' });
    const list = await b.listEvidence(id);
    expect(list.map((e) => e.notes)).toEqual(['second', 'first']);
    expect(list[0].startedAt).toBeNull();
    await expect(b.addEvidence({ reviewId: id, activityType: 'deep_dive', startedAt: null, notes: '' })).rejects.toMatchObject({
      code: 'invalid',
    });
    await expect(b.addEvidence({ reviewId: id, activityType: 'other', startedAt: '2026-11-23T25:00', notes: '' })).rejects.toMatchObject({
      code: 'invalid',
    });
    await expect(b.addEvidence({ reviewId: 'nope', activityType: 'other', startedAt: null, notes: '' })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('resolves sync_now even offline, reporting the error, then clears it once online', async () => {
    const now = new Date('2026-11-23T14:32:00Z');
    const b = new MockBackend({ online: false, now: () => now });
    await b.createReview(oakfield);
    const seen = vi.fn();
    await b.onSyncStatus(seen);

    const offline = await b.syncNow();
    expect(offline.pendingOps).toBe(5);
    expect(offline.lastError).toMatch(/can't reach the sync server/);
    expect(offline.lastSyncAt).toBeNull();

    b.setOnline(true);
    const online = await b.syncNow();
    expect(online).toMatchObject({ pendingOps: 0, lastError: null, lastSyncAt: now.toISOString(), syncing: false });
    expect(seen).toHaveBeenCalledTimes(2);
    expect((await b.listReviews())[0].pendingOps).toBe(0);
  });

  it('lists reviews latest visit first', async () => {
    const b = new MockBackend();
    await b.createReview({ ...oakfield, schoolName: 'Earlier', startDate: '2026-01-10' });
    await b.createReview({ ...oakfield, schoolName: 'Later', startDate: '2026-12-01' });
    expect((await b.listReviews()).map((r) => r.schoolName)).toEqual(['Later', 'Earlier']);
  });
});
