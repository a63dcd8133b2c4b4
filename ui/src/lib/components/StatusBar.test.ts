import { screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { MockBackend } from '../mockBackend';
import { deferred, renderWith } from '../../test/render';
import StatusBar from './StatusBar.svelte';

async function mount(backend: MockBackend) {
  const result = renderWith(StatusBar, {}, backend);
  const stop = result.sync.start();
  await waitFor(() => expect(result.sync.status).not.toBeNull());
  return { ...result, stop };
}

describe('StatusBar', () => {
  it('shows the pending count, the last sync and no error when all is well', async () => {
    const lastSyncAt = new Date();
    lastSyncAt.setHours(14, 32, 0, 0);
    const backend = new MockBackend({ reviews: [{ schoolName: 'Oakfield Primary', pendingOps: 3 }], lastSyncAt: lastSyncAt.toISOString() });
    await mount(backend);

    expect(screen.getByTestId('sync-status')).toBeInTheDocument();
    // Counted as a person would: three writes to one review are one review's details.
    expect(screen.getByTestId('pending-ops')).toHaveTextContent('1 review detail waiting to sync');
    expect(screen.getByTestId('pending-ops')).toHaveAttribute('data-pending', '3');
    expect(screen.getByTestId('last-sync')).toHaveTextContent('Last synced 14:32');
    expect(screen.queryByTestId('sync-error')).not.toBeInTheDocument();
  });

  it('warns in plain words when the laptop clock is off, and only then', async () => {
    const backend = new MockBackend({ reviews: [{ schoolName: 'Oakfield Primary' }] });
    await mount(backend);
    expect(screen.queryByTestId('clock-warning')).not.toBeInTheDocument();
    backend.clockWarning = "This laptop's clock is about 10 minutes behind the server's.";
    backend.emit();
    expect(await screen.findByTestId('clock-warning')).toHaveTextContent('about 10 minutes behind');
  });

  it('shows the offline message when the last sync failed, and keeps the count', async () => {
    const backend = new MockBackend({ online: false, reviews: [{ schoolName: 'Oakfield Primary', pendingOps: 2 }] });
    await mount(backend);
    expect(screen.getByTestId('last-sync')).toHaveTextContent('Never synced');

    await userEvent.click(screen.getByTestId('sync-now'));

    const error = await screen.findByTestId('sync-error');
    expect(error).toHaveTextContent("Offline — can't reach the sync server. Your work is saved on this laptop.");
    expect(screen.getByTestId('pending-ops')).toHaveTextContent('1 review detail waiting to sync');
  });

  it('disables "Sync now" while syncing and reports success', async () => {
    const backend = new MockBackend({ reviews: [{ schoolName: 'Oakfield Primary', pendingOps: 4 }] });
    const gate = deferred();
    const real = backend.syncNow.bind(backend);
    vi.spyOn(backend, 'syncNow').mockImplementation(async () => {
      await gate.promise;
      return real();
    });
    await mount(backend);

    const button = screen.getByTestId('sync-now');
    await userEvent.click(button);
    expect(button).toBeDisabled();
    expect(button).toHaveTextContent('Syncing…');

    gate.resolve();
    await waitFor(() => expect(button).toBeEnabled());
    expect(button).toHaveTextContent('Sync now');
    expect(screen.getByTestId('pending-ops')).toHaveTextContent('All changes synced');
    expect(screen.getByTestId('pending-ops')).toHaveTextContent('0');
    expect(screen.getByTestId('last-sync')).toHaveTextContent(/^Last synced \d\d:\d\d$/);
  });

  it('follows sync-status events from background syncs', async () => {
    const backend = new MockBackend({ reviews: [{ schoolName: 'Oakfield Primary', pendingOps: 1 }] });
    const { stop } = await mount(backend);
    expect(screen.getByTestId('pending-ops')).toHaveTextContent('1 review detail waiting to sync');

    backend.emit({ pendingOps: 0, lastSyncAt: null, lastError: 'server down', serverUrl: 'https://x', syncing: false, clockWarning: null });
    await waitFor(() => expect(screen.getByTestId('sync-error')).toBeInTheDocument());
    expect(screen.getByTestId('pending-ops')).toHaveTextContent('All changes synced');

    stop();
    backend.emit({ pendingOps: 7, lastSyncAt: null, lastError: null, serverUrl: 'https://x', syncing: false, clockWarning: null });
    await new Promise((r) => setTimeout(r, 0));
    expect(screen.getByTestId('pending-ops')).toHaveTextContent('All changes synced');
  });

  it('says in plain words why sync stopped: offline, signed out, or refused', async () => {
    const backend = new MockBackend({ reviews: [{ schoolName: 'Oakfield Primary', pendingOps: 2 }] });
    await mount(backend);
    const base = { pendingOps: 2, lastSyncAt: null, serverUrl: 'https://x', syncing: false, clockWarning: null, openConflicts: 0, progress: null, needsSignIn: false };
    backend.emit({ ...base, lastError: "can't reach the sync server", lastErrorCode: 'offline' });
    await waitFor(() => expect(screen.getByTestId('sync-error')).toHaveTextContent("Offline — can't reach the sync server"));
    backend.emit({ ...base, lastError: 'Nobody is signed in on this laptop: sign in to sync', lastErrorCode: 'signed_out' });
    await waitFor(() => expect(screen.getByTestId('sync-error')).toHaveTextContent('Not signed in — your work is saved on this laptop'));
    backend.emit({ ...base, lastError: 'This laptop was revoked', lastErrorCode: 'device_revoked' });
    await waitFor(() => expect(screen.getByTestId('sync-error')).toHaveTextContent('Sync stopped: an administrator signed this laptop out'));
    backend.emit({ ...base, lastError: 'The server refused the change', lastErrorCode: 'server_refused' });
    await waitFor(() => expect(screen.getByTestId('sync-error')).toHaveTextContent("Sync didn't finish: The server refused the change. Your work"));
  });

  it('says when an update is available or needed, and which changes the server did not accept', async () => {
    const backend = new MockBackend({ reviews: [{ schoolName: 'Oakfield Primary' }] });
    await mount(backend);
    expect(screen.queryByTestId('update-notice')).not.toBeInTheDocument();
    expect(screen.queryByTestId('refused-changes')).not.toBeInTheDocument();
    const base = { pendingOps: 0, lastSyncAt: null, serverUrl: 'https://x', syncing: false, clockWarning: null, openConflicts: 0, progress: null, needsSignIn: false };
    backend.emit({
      ...base,
      updateNotice: 'A newer version of QAR Field is available. Your work still syncs; update when convenient.',
      updateRequired: false,
      refusedChanges: 1,
      lastRefusal: 'This change was made with an app too old for the server. Update QAR Field to version 0.1.0 or later.',
    });
    expect(await screen.findByTestId('update-notice')).toHaveTextContent('A newer version of QAR Field is available');
    expect(screen.getByTestId('update-notice')).not.toHaveClass('offline');
    expect(screen.getByTestId('refused-changes')).toHaveTextContent('1 change not accepted by the server: This change was made with an app too old');
    backend.emit({ ...base, updateNotice: 'This version of QAR Field is too old for the server.', updateRequired: true, refusedChanges: 0, lastRefusal: null });
    await waitFor(() => expect(screen.getByTestId('update-notice')).toHaveClass('offline'));
    expect(screen.queryByTestId('refused-changes')).not.toBeInTheDocument();
  });
});
