import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { APP_HELP_KEY, type AppHelp, type UpdateOffer } from '../appHelp';
import { registerFlusher, resetFlushers } from '../pendingSaves';
import UpdateBanner from './UpdateBanner.svelte';

const OFFER: UpdateOffer = {
  version: '0.2.0',
  currentVersion: '0.1.0',
  notes: 'Report export names files safely on Windows.',
  date: '2026-12-01T09:00:00Z',
};

function helpWith(overrides: Partial<AppHelp>): AppHelp {
  return {
    appInfo: vi.fn(async () => ({ version: '0.1.0', os: 'linux', arch: 'x86_64', logDir: null })),
    diagnostics: vi.fn(async () => 'QAR Field 0.1.0'),
    checkForUpdate: vi.fn(async () => null),
    installUpdate: vi.fn(async () => undefined),
    ...overrides,
  };
}

function show(help: AppHelp, props: { online: boolean; updateRequired?: boolean }) {
  return render(UpdateBanner, { props, context: new Map<symbol, unknown>([[APP_HELP_KEY, help]]) });
}

describe('UpdateBanner', () => {
  it('online, offers the new version with its notes and installs only on the click', async () => {
    const user = userEvent.setup();
    const help = helpWith({ checkForUpdate: vi.fn(async () => OFFER) });
    show(help, { online: true });
    expect(await screen.findByText(/Update available: QAR Field 0\.2\.0/)).toBeInTheDocument();
    expect(screen.getByTestId('update-notes')).toHaveTextContent(OFFER.notes!);
    expect(screen.getByText(/unsent work is kept on this laptop/)).toBeInTheDocument();
    expect(help.installUpdate).not.toHaveBeenCalled();
    await user.click(screen.getByTestId('install-update'));
    expect(help.installUpdate).toHaveBeenCalledTimes(1);
  });

  it('writes what is waiting to be saved before installing, and holds the install when it cannot', async () => {
    const user = userEvent.setup();
    const order: string[] = [];
    const help = helpWith({ checkForUpdate: vi.fn(async () => OFFER), installUpdate: vi.fn(async () => void order.push('install')) });
    let stored = true;
    const unregister = registerFlusher({
      flush: async () => {
        await new Promise((r) => setTimeout(r, 30));
        order.push('saved');
        return stored;
      },
    });
    try {
      show(help, { online: true });
      await user.click(await screen.findByTestId('install-update'));
      await waitFor(() => expect(order).toEqual(['saved', 'install']));

      stored = false;
      await user.click(screen.getByTestId('install-update'));
      expect(await screen.findByTestId('update-problem')).toHaveTextContent(/Not installed yet, so nothing you typed is lost/);
      expect(help.installUpdate).toHaveBeenCalledTimes(1);
      expect(screen.getByTestId('install-update')).toBeEnabled();
    } finally {
      unregister();
      resetFlushers();
    }
  });

  it('offline, does not check and shows nothing', async () => {
    const help = helpWith({ checkForUpdate: vi.fn(async () => OFFER) });
    show(help, { online: false });
    await new Promise((r) => setTimeout(r, 20));
    expect(help.checkForUpdate).not.toHaveBeenCalled();
    expect(screen.queryByTestId('update-banner')).not.toBeInTheDocument();
  });

  it('a refused install says why and withdraws the offer', async () => {
    const user = userEvent.setup();
    const refusal = {
      code: 'update_not_verified',
      message: "The downloaded update is not signed by QAR Field's release key, so it was not installed.",
    };
    const help = helpWith({ checkForUpdate: vi.fn(async () => OFFER), installUpdate: vi.fn(async () => Promise.reject(refusal)) });
    show(help, { online: true });
    await user.click(await screen.findByTestId('install-update'));
    expect(await screen.findByTestId('update-problem')).toHaveTextContent(/not signed by QAR Field's release key/);
    expect(screen.queryByTestId('install-update')).not.toBeInTheDocument();
  });

  it("when the server answers update_required, says so and offers the update", async () => {
    const help = helpWith({ checkForUpdate: vi.fn(async () => OFFER) });
    show(help, { online: true, updateRequired: true });
    expect(await screen.findByText(/The server needs it before it accepts this laptop's changes/)).toBeInTheDocument();
    expect(screen.getByTestId('install-update')).toBeEnabled();
  });

  it('when the server needs a newer app but none is found, explains and lets the person check again', async () => {
    const user = userEvent.setup();
    const check = vi.fn(async () => Promise.reject({ code: 'update_failed', message: 'the update server could not be reached' }));
    const help = helpWith({ checkForUpdate: check });
    show(help, { online: true, updateRequired: true });
    expect(await screen.findByText(/The server needs a newer QAR Field/)).toBeInTheDocument();
    await waitFor(() => expect(screen.getByText(/could not be reached/)).toBeInTheDocument());
    await user.click(screen.getByTestId('check-update'));
    expect(check).toHaveBeenCalledTimes(2);
  });
});
