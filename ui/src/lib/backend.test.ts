import { beforeEach, describe, expect, it, vi } from 'vitest';

const invoke = vi.fn();
const listen = vi.fn();
vi.mock('@tauri-apps/api/core', () => ({ invoke: (...args: unknown[]) => invoke(...args) }));
vi.mock('@tauri-apps/api/event', () => ({ listen: (...args: unknown[]) => listen(...args) }));

const { TauriBackend, errorMessage, toBackendError } = await import('./backend');

describe('TauriBackend', () => {
  beforeEach(() => {
    invoke.mockReset();
    listen.mockReset();
    invoke.mockResolvedValue('ok');
  });

  it('calls each command by its Rust name with camelCase arguments', async () => {
    const b = new TauriBackend();
    const review = { schoolName: 'Oakfield Primary', schoolUrn: '123456', startDate: '2026-11-23' };
    const note = { reviewId: 'r1', activityType: 'learning_walk', startedAt: null, notes: 'Calm corridors' };
    await b.listReviews();
    await b.createReview(review);
    await b.getReview('r1');
    await b.listEvidence('r1');
    await b.addEvidence(note);
    await b.activityTypes();
    await b.syncStatus();
    await b.syncNow();
    await b.updateEvidenceField('e1', 'notes', 'Calmer corridors');
    await b.updateEvidenceField('e1', 'started_at', null);
    await b.updateEvidenceField('e1', 'area_tags', ['leadership']);
    await b.deleteEvidence('e1');
    await b.searchEvidence('r1', { text: 'phonics', area: 'leadership', activityType: null, day: '2026-11-23' });
    await b.framework('2019');
    expect(invoke.mock.calls).toEqual([
      ['list_reviews', undefined],
      ['create_review', { input: review }],
      ['get_review', { reviewId: 'r1' }],
      ['list_evidence', { reviewId: 'r1' }],
      ['add_evidence', { input: note }],
      ['activity_types', undefined],
      ['sync_status', undefined],
      ['sync_now', undefined],
      ['update_evidence_field', { evidenceId: 'e1', edit: { field: 'notes', value: 'Calmer corridors' } }],
      ['update_evidence_field', { evidenceId: 'e1', edit: { field: 'started_at', value: null } }],
      ['update_evidence_field', { evidenceId: 'e1', edit: { field: 'area_tags', value: ['leadership'] } }],
      ['delete_evidence', { evidenceId: 'e1' }],
      ['search_evidence', { reviewId: 'r1', query: { text: 'phonics', area: 'leadership', activityType: null, day: '2026-11-23' } }],
      ['framework', { version: '2019' }],
    ]);
  });

  it('resolves delete_evidence to nothing and passes its refusals on', async () => {
    invoke.mockResolvedValueOnce(null);
    await expect(new TauriBackend().deleteEvidence('e1')).resolves.toBeUndefined();
    invoke.mockRejectedValueOnce({ code: 'forbidden', message: 'only the author can delete this note' });
    await expect(new TauriBackend().deleteEvidence('e1')).rejects.toEqual({ code: 'forbidden', message: 'only the author can delete this note' });
  });

  it('passes the Rust error object through unchanged', async () => {
    const refusal = { code: 'invalid', message: "URN '12345' is not valid: a school's URN is exactly six digits" };
    invoke.mockRejectedValue(refusal);
    await expect(new TauriBackend().createReview({ schoolName: 'X', schoolUrn: '12345', startDate: '2026-11-23' })).rejects.toEqual(
      refusal,
    );
  });

  it('turns IPC failures that are plain strings into the same shape', async () => {
    invoke.mockRejectedValue('command list_reviews not found');
    await expect(new TauriBackend().listReviews()).rejects.toEqual({ code: 'unknown', message: 'command list_reviews not found' });
  });

  it('subscribes to the sync-status event and hands over its payload', async () => {
    const unlisten = vi.fn();
    listen.mockResolvedValue(unlisten);
    const seen: unknown[] = [];
    const stop = await new TauriBackend().onSyncStatus((s) => seen.push(s));
    expect(listen).toHaveBeenCalledWith('sync-status', expect.any(Function));
    const payload = { pendingOps: 2, lastSyncAt: null, lastError: null, serverUrl: 'https://x', syncing: false, clockWarning: null };
    listen.mock.calls[0][1]({ event: 'sync-status', id: 1, payload });
    expect(seen).toEqual([payload]);
    stop();
    expect(unlisten).toHaveBeenCalled();
  });
});

describe('error helpers', () => {
  it('normalises anything thrown', () => {
    expect(toBackendError(new Error('boom'))).toEqual({ code: 'unknown', message: 'boom' });
    expect(toBackendError(42).code).toBe('unknown');
  });

  it('starts the message with a capital letter', () => {
    expect(errorMessage({ code: 'offline', message: "can't reach the sync server" })).toBe("Can't reach the sync server");
  });
});
