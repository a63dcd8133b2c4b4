import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import AppGate from './AppGate.svelte';
import { APP_HELP_KEY, type AppHelp } from './lib/appHelp';
import { contextFor } from './lib/context';
import { MockBackend } from './lib/mockBackend';
import { SyncState } from './lib/sync.svelte';

// Issue 8 in the UI: the start-up gate, the idle lock, the revoked laptop, handover files.

function renderGate(backend: MockBackend) {
  return render(AppGate, { props: {}, context: contextFor(backend, new SyncState(backend)) });
}

afterEach(() => vi.useRealTimers());

describe('start-up gate', () => {
  it('asks for a new passphrase on first start, checks it, and opens the app', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend({ reviews: [{ id: 'r1', schoolName: 'Oakfield Primary', state: 'in_visit' }] });
    backend.protect.state = 'needs_new_passphrase';
    renderGate(backend);

    expect(await screen.findByRole('heading', { level: 1, name: 'Protect review data on this laptop' })).toBeInTheDocument();
    expect(screen.queryByText('Oakfield Primary')).not.toBeInTheDocument();
    expect(screen.getByLabelText('New passphrase')).toHaveFocus();

    await user.type(screen.getByLabelText('New passphrase'), 'short');
    await user.type(screen.getByLabelText('Type it again'), 'short');
    await user.click(screen.getByTestId('unlock'));
    expect(screen.getByTestId('unlock-error')).toHaveTextContent('at least 8 characters');
    expect(screen.getByLabelText('New passphrase')).toHaveAttribute('aria-invalid', 'true');

    await user.clear(screen.getByLabelText('New passphrase'));
    await user.clear(screen.getByLabelText('Type it again'));
    await user.type(screen.getByLabelText('New passphrase'), 'heron vale notes');
    await user.type(screen.getByLabelText('Type it again'), 'heron vale nots');
    await user.click(screen.getByTestId('unlock'));
    expect(screen.getByTestId('unlock-error')).toHaveTextContent('not the same');
    expect(backend.protect.state).toBe('needs_new_passphrase');

    await user.clear(screen.getByLabelText('Type it again'));
    await user.type(screen.getByLabelText('Type it again'), 'heron vale notes{Enter}');
    expect(await screen.findByText('Oakfield Primary')).toBeInTheDocument();
    expect(backend.protect.secret).toBe('heron vale notes');
  });

  it('starts afresh after a forgotten passphrase, only once confirmed, and says where the locked data went', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend({ reviews: [{ id: 'r1', schoolName: 'Oakfield Primary' }] });
    backend.protect.state = 'needs_passphrase';
    renderGate(backend);

    const forgotten = await screen.findByTestId('passphrase-forgotten');
    await user.click(within(forgotten).getByText('Forgotten the passphrase?'));
    await user.click(within(forgotten).getByTestId('start-afresh'));
    // Asking is not doing: Cancel leaves the locked store as it was.
    await user.click(within(forgotten).getByRole('button', { name: 'Cancel' }));
    expect(backend.protect.state).toBe('needs_passphrase');

    await user.click(within(forgotten).getByTestId('start-afresh'));
    expect(within(forgotten).getByRole('group')).toHaveTextContent('Changes that had not synced stay locked in the set-aside folder');
    await user.click(within(forgotten).getByTestId('start-afresh-confirm'));

    expect(await screen.findByRole('heading', { level: 1, name: 'Protect review data on this laptop' })).toBeInTheDocument();
    expect(screen.getByTestId('set-aside-notice')).toHaveTextContent('set-aside/locked-2026-12-07-091500');
    expect(backend.protect.state).toBe('needs_new_passphrase');
    expect(screen.queryByText('Oakfield Primary')).not.toBeInTheDocument();
  });

  it('refuses a wrong passphrase at start, then opens with the right one', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend({ reviews: [{ id: 'r1', schoolName: 'Oakfield Primary' }] });
    backend.protect.state = 'needs_passphrase';
    backend.protect.secret = 'kestrel brook 2026';
    renderGate(backend);

    await user.type(await screen.findByLabelText('Passphrase'), 'kestrel brook 2025{Enter}');
    expect(await screen.findByTestId('unlock-error')).toHaveTextContent('not the right one');
    expect(screen.getByLabelText('Passphrase')).toHaveValue('');
    // The way out for a forgotten passphrase is said plainly: what is safe, what is lost, what to do.
    const forgotten = screen.getByTestId('passphrase-forgotten');
    await user.click(within(forgotten).getByText('Forgotten the passphrase?'));
    expect(forgotten).toHaveTextContent('every change that reached the server');
    expect(forgotten).toHaveTextContent('only changes made on this laptop since it last synced');
    expect(forgotten).toHaveTextContent('To start afresh');
    await user.type(screen.getByLabelText('Passphrase'), 'kestrel brook 2026{Enter}');
    expect(await screen.findByText('Oakfield Primary')).toBeInTheDocument();
  });

  it('says a wiped laptop is wiped, and a keychain that did not answer can be retried', async () => {
    const wiped = new MockBackend();
    wiped.protect.state = 'wiped';
    const { unmount } = renderGate(wiped);
    expect(await screen.findByTestId('wiped')).toHaveTextContent('review data and its key are gone');
    unmount();

    const user = userEvent.setup();
    const stuck = new MockBackend({ reviews: [{ id: 'r1', schoolName: 'Oakfield Primary' }] });
    stuck.protect.state = 'keychain_error';
    renderGate(stuck);
    await user.click(await screen.findByRole('button', { name: 'Try again' }));
    expect(await screen.findByTestId('unlock-error')).toHaveTextContent('did not answer');
    stuck.protect.keychainAnswers = true;
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('Oakfield Primary')).toBeInTheDocument();
    expect(stuck.protect.mode).toBe('keychain');
  });
});

describe('after a downgrade', () => {
  it('says a newer QAR Field is needed, asks for no passphrase, offers no fresh start, and offers the update', async () => {
    const backend = new MockBackend({ reviews: [{ id: 'r1', schoolName: 'Oakfield Primary' }] });
    backend.protect.state = 'needs_newer_app';
    const help: AppHelp = {
      appInfo: vi.fn(async () => ({ version: '0.2.0', os: 'windows', arch: 'x86_64', logDir: null })),
      diagnostics: vi.fn(async () => 'QAR Field 0.2.0'),
      checkForUpdate: vi.fn(async () => ({ version: '0.3.0', currentVersion: '0.2.0', notes: null, date: null })),
      installUpdate: vi.fn(async () => undefined),
    };
    const context = contextFor(backend, new SyncState(backend));
    context.set(APP_HELP_KEY, help);
    render(AppGate, { props: {}, context });

    const panel = await screen.findByTestId('needs-newer-app');
    expect(within(panel).getByRole('heading', { level: 1, name: 'This laptop needs a newer QAR Field' })).toHaveFocus();
    expect(panel).toHaveTextContent('Nothing has been changed or removed');
    expect(panel).toHaveTextContent('This database was written by a newer version of QAR Field');
    expect(screen.queryByLabelText(/passphrase/i)).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /afresh|forgotten/i })).not.toBeInTheDocument();
    expect(screen.queryByText('Oakfield Primary')).not.toBeInTheDocument();
    expect(await screen.findByText(/Update available: QAR Field 0\.3\.0/)).toBeInTheDocument();
    expect(backend.protect.state).toBe('needs_newer_app');
  });
});

describe('idle lock', () => {
  it('hides the review screens after the idle time and unlocks with the passphrase', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    const backend = new MockBackend({ reviews: [{ id: 'r1', schoolName: 'Oakfield Primary' }] });
    backend.protect.idleLockSecs = 5;
    backend.protect.secret = 'oakfield field notes';
    renderGate(backend);
    const row = await screen.findByText('Oakfield Primary');
    expect(screen.queryByTestId('idle-lock')).not.toBeInTheDocument();

    await vi.advanceTimersByTimeAsync(7000);
    const lock = await screen.findByTestId('idle-lock');
    expect(within(lock).getByRole('heading', { name: 'QAR Field is locked' })).toBeInTheDocument();
    const shell = row.closest('.shell')!;
    expect((shell as HTMLElement & { inert: boolean }).inert).toBe(true);
    expect(shell).toHaveClass('idle-hidden');
    expect(shell).toHaveAttribute('aria-hidden', 'true');
    expect(within(lock).getByLabelText('Passphrase for this laptop')).toHaveFocus();

    await user.type(within(lock).getByLabelText('Passphrase for this laptop'), 'wrong guess{Enter}');
    expect(await within(lock).findByTestId('idle-lock-error')).toHaveTextContent('not the right one');
    await user.type(within(lock).getByLabelText('Passphrase for this laptop'), 'oakfield field notes{Enter}');
    await waitFor(() => expect(screen.queryByTestId('idle-lock')).not.toBeInTheDocument());
    expect((shell as HTMLElement & { inert: boolean }).inert).toBe(false);
    expect(shell).not.toHaveClass('idle-hidden');
  });

  it('asks for the sign-in password when the key is in the keychain, and 0 turns the lock off', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    const backend = new MockBackend({ reviews: [{ id: 'r1', schoolName: 'Oakfield Primary' }] });
    backend.protect.mode = 'keychain';
    backend.protect.secret = 'sign-in password 1';
    backend.protect.idleLockSecs = 2;
    const { unmount } = renderGate(backend);
    await screen.findByText('Oakfield Primary');
    await vi.advanceTimersByTimeAsync(3500);
    const lock = await screen.findByTestId('idle-lock');
    await user.type(within(lock).getByLabelText('Your QAR Field password'), 'sign-in password 2{Enter}');
    expect(await within(lock).findByTestId('idle-lock-error')).toHaveTextContent('password is not the right one');
    unmount();

    const off = new MockBackend({ reviews: [{ id: 'r1', schoolName: 'Oakfield Primary' }] });
    off.protect.idleLockSecs = 0;
    renderGate(off);
    await screen.findByText('Oakfield Primary');
    await vi.advanceTimersByTimeAsync(20_000);
    expect(screen.queryByTestId('idle-lock')).not.toBeInTheDocument();
  });
});

describe('revoked laptop', () => {
  it('stops, lists unsent work, exports it, and only then wipes', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend({ reviews: [{ id: 'r1', schoolName: 'Oakfield Primary', state: 'in_visit', pendingOps: 3 }] });
    backend.revoke('laptop reported lost');
    renderGate(backend);

    const screenEl = await screen.findByTestId('revoked');
    expect(within(screenEl).getByTestId('revoked-reason')).toHaveTextContent('laptop reported lost');
    expect(await within(screenEl).findByText('Oakfield Primary: 3 changes')).toBeInTheDocument();
    expect(within(screenEl).getByTestId('wipe-laptop')).toBeDisabled();
    expect(screen.queryByTestId('sign-in-banner')).not.toBeInTheDocument();

    await user.type(within(screenEl).getByLabelText('Passphrase for the file'), 'handover passphrase');
    await user.type(within(screenEl).getByLabelText('Type it again'), 'handover passphrase');
    await user.click(within(screenEl).getByTestId('handover-export-button'));
    expect(await within(screenEl).findByTestId('handover-exported')).toHaveTextContent('Saved 3 changes to /home/reviewer/qar-field-unsent-work.qarhandover');
    expect(backend.protect.files.get('/home/reviewer/qar-field-unsent-work.qarhandover')?.reviewIds).toEqual(['r1', 'r1', 'r1']);

    await user.click(within(screenEl).getByTestId('wipe-laptop'));
    const dialog = await screen.findByTestId('wipe-confirm');
    expect(dialog).toHaveTextContent('3 changes never reached the server');
    await user.click(within(dialog).getByTestId('confirm-wipe'));
    expect(await screen.findByTestId('wiped')).toBeInTheDocument();
    expect(backend.protect.state).toBe('wiped');
  });
});

describe('handover files', () => {
  it('imports a file once, and refuses a wrong passphrase', async () => {
    const user = userEvent.setup();
    const old = new MockBackend({ reviews: [{ id: 'r1', schoolName: 'Oakfield Primary', pendingOps: 2 }] });
    await old.protect.exportUnsent('/media/usb/oakfield.qarhandover', 'usb stick passphrase', null);

    const fresh = new MockBackend({ reviews: [{ id: 'r1', schoolName: 'Oakfield Primary' }] });
    fresh.protect.files.set('/media/usb/oakfield.qarhandover', old.protect.files.get('/media/usb/oakfield.qarhandover')!);
    window.location.hash = '#/sync';
    renderGate(fresh);
    const panel = await screen.findByTestId('handover-panel');
    expect(await within(panel).findByTestId('handover-nothing')).toBeInTheDocument();

    await user.type(within(panel).getByLabelText('File'), '/media/usb/oakfield.qarhandover');
    await user.type(within(panel).getByLabelText('Passphrase of the file'), 'usb stick passphrasE');
    await user.click(within(panel).getByTestId('handover-import-button'));
    expect(await within(panel).findByTestId('handover-import-error')).toHaveTextContent('does not open this file');

    await user.clear(within(panel).getByLabelText('Passphrase of the file'));
    await user.type(within(panel).getByLabelText('Passphrase of the file'), 'usb stick passphrase');
    await user.click(within(panel).getByTestId('handover-import-button'));
    expect(await within(panel).findByTestId('handover-imported')).toHaveTextContent('Imported 2 changes');
    expect((await fresh.wipeCheck()).unsent[0].changes).toBe(2);

    await user.type(within(panel).getByLabelText('Passphrase of the file'), 'usb stick passphrase');
    await user.click(within(panel).getByTestId('handover-import-button'));
    expect(await within(panel).findByTestId('handover-imported')).toHaveTextContent('Nothing new');
    window.location.hash = '';
  });
});
