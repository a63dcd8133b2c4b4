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

  it('counts one pending change per edit', async () => {
    const b = new MockBackend();
    const review = await b.createReview({ ...oakfield, schoolUrn: ' 012345 ' });
    expect(review).toMatchObject({ schoolUrn: '012345', state: 'preparing', evidenceCount: 0, pendingOps: 1 });
    const note = await b.addEvidence({ reviewId: review.id, activityType: 'pupil_voice', startedAt: '2026-11-23T10:00', notes: 'Year 6' });
    expect((await b.getReview(review.id)).pendingOps).toBe(2);
    await b.updateEvidenceField(note.id, 'notes', 'Year 6 pupils');
    await b.updateEvidenceField(note.id, 'area_tags', ['leadership']);
    expect((await b.getReview(review.id)).pendingOps).toBe(4);
    await b.deleteEvidence(note.id);
    expect((await b.getReview(review.id)).pendingOps).toBe(5);
    expect((await b.syncStatus()).pendingOps).toBe(5);
  });

  it('lists evidence newest first and validates it', async () => {
    const b = new MockBackend();
    const { id } = await b.createReview(oakfield);
    await b.addEvidence({ reviewId: id, activityType: 'learning_walk', startedAt: null, notes: 'first' });
    await b.addEvidence({ reviewId: id, activityType: 'learning_walk', startedAt: '', notes: 'second' });
    const list = await b.listEvidence(id);
    expect(list.map((e) => e.notes)).toEqual(['second', 'first']);
    expect(list[0]).toMatchObject({ startedAt: null, authorId: '', yearGroup: '', subject: '', areaTags: [], strengths: '' });
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
    expect(offline.pendingOps).toBe(1);
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

  it('writes every field of a new note, trimming the short ones, and the signed-in author', async () => {
    const b = new MockBackend({ userId: 'lr-amara', reviews: [{ id: 'r1', schoolName: 'Oakfield Primary' }] });
    const note = await b.addEvidence({
      reviewId: 'r1',
      activityType: 'joint_lesson_observation',
      startedAt: ' 2026-11-23T09:15 ',
      yearGroup: ' Y4 ',
      subject: 'Maths ',
      hostColleagueRole: ' Class teacher',
      areaTags: ['provision_outcomes', 'leadership'],
      notes: 'Clear modelling',
      strengths: ' Questioning ',
      developmentPoints: 'Pace',
    });
    expect(note).toMatchObject({
      authorId: 'lr-amara',
      startedAt: '2026-11-23T09:15',
      yearGroup: 'Y4',
      subject: 'Maths',
      hostColleagueRole: 'Class teacher',
      areaTags: ['provision_outcomes', 'leadership'],
      strengths: ' Questioning ',
      developmentPoints: 'Pace',
    });
    await expect(b.addEvidence({ reviewId: 'r1', activityType: 'other', yearGroup: 'x'.repeat(41) })).rejects.toEqual({
      code: 'invalid',
      message: 'Year group is too long: 41 characters, the limit is 40',
    });
    await expect(b.addEvidence({ reviewId: 'r1', activityType: 'other', areaTags: ['safeguarding'] })).rejects.toEqual({
      code: 'invalid',
      message: "Area 'safeguarding' is not part of framework 2019",
    });
  });

  it('changes one field at a time with the Rust refusals', async () => {
    const b = new MockBackend({ reviews: [{ id: 'r1', schoolName: 'Oakfield Primary' }] });
    const { id } = await b.addEvidence({ reviewId: 'r1', activityType: 'other', startedAt: '2026-11-23T09:00', notes: 'first' });

    const edited = await b.updateEvidenceField(id, 'notes', 'second');
    expect(edited).toMatchObject({ id, notes: 'second', startedAt: '2026-11-23T09:00' });
    expect((await b.updateEvidenceField(id, 'started_at', null)).startedAt).toBeNull();
    expect((await b.updateEvidenceField(id, 'area_tags', ['leadership'])).areaTags).toEqual(['leadership']);

    const refusals: [string, unknown, string][] = [
      ['strengths', 'x'.repeat(20_001), 'Strengths is too long: 20001 characters, the limit is 20000'],
      ['subject', 'x'.repeat(101), 'Subject is too long: 101 characters, the limit is 100'],
      ['host_colleague_role', 'x'.repeat(101), "Host colleague's role is too long: 101 characters, the limit is 100"],
      ['area_tags', ['leadership', 'leadership'], 'Areas has the wrong kind of value: expected each area at most once'],
      ['area_tags', 'leadership', 'Areas has the wrong kind of value: expected a list of area codes'],
      ['started_at', '2026-11-23T25:00', "Time of activity must be a date written as YYYY-MM-DD, got '2026-11-23T25:00'"],
      ['activity_type', 'deep_dive', "Activity type 'deep_dive' is not one we record"],
      ['notes', 42, 'Notes has the wrong kind of value: expected text'],
      ['author_id', 'someone', "'author_id' is not a field of a evidence note edit"],
      ['colour', 'red', "'colour' is not a field of a evidence"],
    ];
    for (const [field, value, message] of refusals) {
      const update = b.updateEvidenceField(id, field as 'notes', value as string);
      await expect(update, field).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining(message) });
    }
    expect((await b.listEvidence('r1'))[0]).toMatchObject({ notes: 'second', subject: '', areaTags: ['leadership'] });
    await expect(b.updateEvidenceField('nope', 'notes', 'x')).rejects.toEqual({
      code: 'not_found',
      message: "Evidence 'nope' was not found on this laptop",
    });
  });

  it('deletes a note as a tombstone: gone from lists, search, counts and edits', async () => {
    const b = new MockBackend({ reviews: [{ id: 'r1', schoolName: 'Oakfield Primary' }] });
    const keep = await b.addEvidence({ reviewId: 'r1', activityType: 'other', notes: 'stays' });
    const gone = await b.addEvidence({ reviewId: 'r1', activityType: 'other', notes: 'goes' });
    await b.deleteEvidence(gone.id);
    expect((await b.listEvidence('r1')).map((e) => e.id)).toEqual([keep.id]);
    expect(await b.searchEvidence('r1', { text: 'goes' })).toEqual([]);
    expect((await b.getReview('r1')).evidenceCount).toBe(1);
    await expect(b.updateEvidenceField(gone.id, 'notes', 'back')).rejects.toMatchObject({ code: 'not_found' });
    await expect(b.deleteEvidence(gone.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('searches words by prefix with accents folded, every word, best match first', async () => {
    const b = new MockBackend({
      reviews: [{ id: 'r1', schoolName: 'Oakfield Primary' }],
      evidence: [
        { reviewId: 'r1', notes: 'Phonics across KS1 was consistent.' },
        { reviewId: 'r1', notes: 'Pupils named the school values.', strengths: 'Pupils felt safe.' },
        { reviewId: 'r1', notes: 'Café-style reading corner.' },
        { reviewId: 'r1', notes: 'Reading, reading and more reading: pupils read daily.' },
      ],
    });
    const find = async (text: string) => (await b.searchEvidence('r1', { text })).map((e) => e.notes);
    expect(await find('phon')).toEqual(['Phonics across KS1 was consistent.']);
    expect(await find('safe')).toEqual(['Pupils named the school values.']);
    expect(await find('CAFE')).toEqual(['Café-style reading corner.']);
    expect(await find('pupils values')).toEqual(['Pupils named the school values.']);
    expect((await find('reading'))[0]).toBe('Reading, reading and more reading: pupils read daily.');
    expect(await find('"NEAR(')).toEqual([]);
    expect(await find('   ')).toHaveLength(4);
  });

  it('filters by area, activity, author and day, combined with AND', async () => {
    const b = new MockBackend({
      now: () => new Date(2026, 10, 23, 7, 0),
      reviews: [{ id: 'r1', schoolName: 'Oakfield Primary' }],
      evidence: [
        { reviewId: 'r1', activityType: 'learning_walk', startedAt: '2026-11-23T09:00', areaTags: ['provision_outcomes'], notes: 'a' },
        { reviewId: 'r1', activityType: 'pupil_voice', startedAt: '2026-11-24T13:00', areaTags: ['leadership'], notes: 'b', authorId: 'qa-1' },
        { reviewId: 'r1', activityType: 'learning_walk', startedAt: '2026-11-24T10:00', areaTags: ['leadership', 'provision_outcomes'], notes: 'c' },
        // No time: counts for the day it was written (local time).
        { reviewId: 'r1', activityType: 'other', notes: 'd', createdAt: new Date(2026, 10, 25, 8, 0).toISOString() },
      ],
    });
    const find = async (q: Parameters<MockBackend['searchEvidence']>[1]) => (await b.searchEvidence('r1', q)).map((e) => e.notes);
    expect(await find({ area: 'leadership' })).toEqual(['c', 'b']);
    expect(await find({ activityType: 'learning_walk', day: '2026-11-24' })).toEqual(['c']);
    expect(await find({ authorId: 'qa-1' })).toEqual(['b']);
    expect(await find({ day: '2026-11-25' })).toEqual(['d']);
    expect(await find({ area: null, activityType: '', day: null, text: '' })).toEqual(['d', 'c', 'b', 'a']);
    await expect(b.searchEvidence('nope', {})).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses an unknown framework version with the Rust wording', async () => {
    await expect(new MockBackend().framework('2030')).rejects.toEqual({ code: 'invalid', message: "Framework version '2030' is not known" });
  });
});
