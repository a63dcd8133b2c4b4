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
    expect(invoke.mock.calls).toEqual([
      ['list_reviews', undefined],
      ['create_review', { input: review }],
      ['get_review', { reviewId: 'r1' }],
      ['list_evidence', { reviewId: 'r1' }],
      ['add_evidence', { input: note }],
      ['activity_types', undefined],
      ['sync_status', undefined],
      ['sync_now', undefined],
    ]);
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
    const payload = { pendingOps: 2, lastSyncAt: null, lastError: null, serverUrl: 'https://x', syncing: false };
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
