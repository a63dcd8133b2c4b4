import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from './App.svelte';
import { contextFor } from './lib/context';
import { MockBackend } from './lib/mockBackend';
import { MOCK_INVITATION } from './lib/mockInvitations';
import { SyncState } from './lib/sync.svelte';

// Issue 21: no terminal and no typed address on first run. A `qarfield://` link from the
// invitation e-mail opens the invitation with server and code filled in; a pasted code can carry
// its server too.

const SERVER = 'https://qar.riverside-fells.example.org';

function renderApp(backend: MockBackend) {
  return render(App, { props: {}, context: contextFor(backend, new SyncState(backend)) });
}

describe('App: invitation links', () => {
  it('opened by a link, shows the invitation with server and code filled in', async () => {
    const backend = new MockBackend({ session: null });
    backend.invitations().pendingLink = { serverUrl: SERVER, code: MOCK_INVITATION.code };
    renderApp(backend);
    expect(await screen.findByTestId('accept-invitation')).toBeInTheDocument();
    expect(screen.getByLabelText('Server address')).toHaveValue(SERVER);
    expect(screen.getByLabelText('Invitation code')).toHaveValue(MOCK_INVITATION.code);
  });

  it('a link clicked while the sign-in screen is open switches to the invitation', async () => {
    const backend = new MockBackend({ session: null });
    renderApp(backend);
    await screen.findByTestId('sign-in');
    backend.invitations().openLink({ serverUrl: SERVER, code: MOCK_INVITATION.code });
    await waitFor(() => expect(screen.getByLabelText('Invitation code')).toHaveValue(MOCK_INVITATION.code));
    expect(screen.getByLabelText('Server address')).toHaveValue(SERVER);
  });

  it('a pasted code that carries its server fills in the address', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend({ session: null });
    renderApp(backend);
    await user.click(await screen.findByTestId('have-invitation'));
    const code = screen.getByLabelText('Invitation code');
    await user.clear(screen.getByLabelText('Server address'));
    await user.type(code, `${MOCK_INVITATION.code}@qar.riverside-fells.example.org`);
    await user.tab();
    await waitFor(() => expect(screen.getByLabelText('Server address')).toHaveValue(SERVER));
    expect(code).toHaveValue(MOCK_INVITATION.code);
  });
});
