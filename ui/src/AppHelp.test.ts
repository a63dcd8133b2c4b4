import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import App from './App.svelte';
import { APP_HELP_KEY, type AppHelp } from './lib/appHelp';
import { contextFor } from './lib/context';
import { MockBackend } from './lib/mockBackend';
import { SyncState } from './lib/sync.svelte';
import { sessionOf } from './test/people';

const DIAGNOSTICS = 'QAR Field 0.3.1 on linux (x86_64)\nSync: 2 change(s) waiting';

function renderWithHelp(help: AppHelp) {
  const backend = new MockBackend({ session: sessionOf('lead') });
  const context = contextFor(backend, new SyncState(backend));
  context.set(APP_HELP_KEY, help);
  return render(App, { props: {}, context });
}

function help(): AppHelp {
  return {
    appInfo: vi.fn(async () => ({ version: '0.3.1', os: 'linux', arch: 'x86_64', logDir: '/home/a/.local/share/org.qarfield.desktop/logs' })),
    diagnostics: vi.fn(async () => DIAGNOSTICS),
    checkForUpdate: vi.fn(async () => null),
    installUpdate: vi.fn(async () => undefined),
  };
}

describe('App: help in the session menu', () => {
  it('shows the version and copies the diagnostics to the clipboard', async () => {
    const user = userEvent.setup();
    const writeText = vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValue(undefined);
    const h = help();
    renderWithHelp(h);
    await user.click(await screen.findByTestId('session-menu'));
    expect(await screen.findByTestId('app-version')).toHaveTextContent('version 0.3.1');
    await user.click(screen.getByTestId('copy-diagnostics'));
    expect(await screen.findByText(/Copied\. Paste it into your e-mail to support/)).toBeInTheDocument();
    expect(writeText).toHaveBeenCalledWith(DIAGNOSTICS);
    expect(h.checkForUpdate).toHaveBeenCalled();
  });

  it('when the clipboard refuses, shows the text to copy by hand', async () => {
    const user = userEvent.setup();
    vi.spyOn(navigator.clipboard, 'writeText').mockRejectedValue(new Error('not allowed'));
    document.execCommand = vi.fn(() => false);
    renderWithHelp(help());
    await user.click(await screen.findByTestId('session-menu'));
    await user.click(await screen.findByTestId('copy-diagnostics'));
    expect(await screen.findByLabelText(/copy this text by hand/)).toHaveValue(DIAGNOSTICS);
  });
});
