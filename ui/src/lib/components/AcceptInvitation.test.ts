import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import App from '../../App.svelte';
import { contextFor } from '../context';
import { groupSecret } from '../invitations';
import { MockBackend } from '../mockBackend';
import { MOCK_EXPIRED_INVITATION, MOCK_INVITATION } from '../mockInvitations';
import { SyncState } from '../sync.svelte';
import { renderWith } from '../../test/render';
import AcceptInvitation from './AcceptInvitation.svelte';

const SERVER = 'https://qar.example.org';
const PASSWORD = 'kestrel lantern meadow 42';

type User = ReturnType<typeof userEvent.setup>;

async function fillRedeem(user: User, fields: { code?: string; password?: string; again?: string }) {
  for (const [label, value] of [
    ['Invitation code', fields.code ?? MOCK_INVITATION.code],
    ['New password', fields.password ?? PASSWORD],
    ['New password again', fields.again ?? fields.password ?? PASSWORD],
  ] as const) {
    const input = screen.getByLabelText(label);
    await user.clear(input);
    await user.type(input, value);
  }
}

function renderAccept(backend: MockBackend) {
  const ondone = vi.fn();
  const oncancel = vi.fn();
  renderWith(AcceptInvitation, { serverUrl: SERVER, ondone, oncancel }, backend);
  return { ondone, oncancel };
}

describe('AcceptInvitation', () => {
  it('from the sign-in screen: code and password, authenticator set up, confirmed, then signed in with the new password', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend({ session: null, serverUrl: SERVER });
    render(App, { props: {}, context: contextFor(backend, new SyncState(backend)) });
    await screen.findByRole('heading', { level: 1, name: 'Sign in' });
    await waitFor(() => expect(screen.getByLabelText('Server address')).toHaveValue(SERVER));

    await user.click(screen.getByRole('button', { name: 'I have an invitation code' }));
    const title = await screen.findByRole('heading', { level: 1, name: 'Accept your invitation' });
    expect(title).toHaveFocus();
    expect(screen.getByLabelText('Server address')).toHaveValue(SERVER);
    await fillRedeem(user, {});
    await user.click(screen.getByRole('button', { name: 'Continue' }));

    // Step 2: a QR code of the otpauth address and the key grouped in fours.
    expect(await screen.findByRole('heading', { level: 1, name: 'Set up your authenticator app' })).toHaveFocus();
    expect(screen.getByTestId('invite-email')).toHaveTextContent(MOCK_INVITATION.email);
    const qr = screen.getByRole('img', { name: /QR code/ });
    expect(qr.querySelector('svg path')).not.toBeNull();
    const secret = screen.getByTestId('invite-secret').textContent!;
    expect(secret).toMatch(/^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);

    // A wrong code is explained inline and cleared; the right one switches the account on.
    await user.type(screen.getByLabelText('6-digit code from the app'), '000000');
    await user.click(screen.getByRole('button', { name: 'Confirm' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('That authenticator code is not right');
    expect(screen.getByLabelText('6-digit code from the app')).toHaveValue('');
    expect(screen.getByLabelText('6-digit code from the app')).toHaveAttribute('aria-invalid', 'true');
    await user.type(screen.getByLabelText('6-digit code from the app'), '482 913');
    await user.click(screen.getByRole('button', { name: 'Confirm' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Your account is ready' })).toHaveFocus();
    expect(screen.getByTestId('invite-done')).toHaveTextContent(`Welcome, ${MOCK_INVITATION.name}`);

    // Back on the sign-in screen with the email filled in; the new password works.
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in' })).toHaveFocus();
    expect(screen.getByLabelText('Email')).toHaveValue(MOCK_INVITATION.email);
    expect(screen.getByText(/Your account is ready\. Sign in with your new password/)).toBeInTheDocument();
    await user.type(screen.getByLabelText('Password'), PASSWORD);
    await user.type(screen.getByLabelText('6-digit code'), '517204');
    await user.click(screen.getByTestId('sign-in'));
    expect(await screen.findByRole('heading', { level: 1, name: 'Reviews' })).toBeInTheDocument();
    expect(screen.getByTestId('session-menu')).toHaveTextContent(MOCK_INVITATION.name);
  });

  it('checks the passwords match before asking the server, and shows the server refusal next to the field', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend({ session: null });
    const redeem = vi.spyOn(backend.invitations(), 'redeem');
    renderAccept(backend);

    await fillRedeem(user, { password: PASSWORD, again: 'kestrel lantern meadow 43' });
    await user.click(screen.getByRole('button', { name: 'Continue' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The two passwords are not the same');
    expect(screen.getByLabelText('New password again')).toHaveAttribute('aria-invalid', 'true');
    expect(redeem).not.toHaveBeenCalled();

    await fillRedeem(user, { password: 'too short' });
    await user.click(screen.getByRole('button', { name: 'Continue' }));
    await waitFor(() => expect(screen.getByRole('alert')).toHaveAttribute('data-code', 'weak_password'));
    expect(screen.getByRole('alert')).toHaveTextContent('Choose a password of at least 12 characters.');
    expect(screen.getByLabelText('New password')).toHaveAttribute('aria-invalid', 'true');

    await fillRedeem(user, { code: 'aaaaa-bbbbb-ccccc-ddddd' });
    await user.click(screen.getByRole('button', { name: 'Continue' }));
    await waitFor(() => expect(screen.getByRole('alert')).toHaveAttribute('data-code', 'unknown_code'));
    expect(screen.getByRole('alert')).toHaveTextContent('This invitation code is not recognised');
    expect(screen.getByLabelText('Invitation code')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByLabelText('Invitation code')).toHaveAccessibleDescription(/This invitation code is not recognised/);

    await fillRedeem(user, { code: MOCK_EXPIRED_INVITATION.code });
    await user.click(screen.getByRole('button', { name: 'Continue' }));
    await waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent('This invitation code has expired. Ask your administrator for a new one.'));
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Accept your invitation');
  });

  it('refuses a code that was already used, and says when the server cannot be reached', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend({ session: null });
    await backend.invitations().redeem(SERVER, MOCK_INVITATION.code, 'someone else entirely');
    renderAccept(backend);
    await fillRedeem(user, {});
    await user.click(screen.getByRole('button', { name: 'Continue' }));
    await waitFor(() => expect(screen.getByRole('alert')).toHaveAttribute('data-code', 'code_used'));
    expect(screen.getByRole('alert')).toHaveTextContent('already used to set a password');

    backend.setOnline(false);
    await user.click(screen.getByRole('button', { name: 'Continue' }));
    await waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent(`Can't reach the server at ${SERVER}`));
    expect(screen.getByLabelText('Server address')).toHaveAttribute('aria-invalid', 'true');
  });

  it('shows the work under way on the button and does not send twice', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend({ session: null, latencyMs: 40 });
    const redeem = vi.spyOn(backend.invitations(), 'redeem');
    renderAccept(backend);
    await fillRedeem(user, {});
    await user.click(screen.getByRole('button', { name: 'Continue' }));
    const busy = screen.getByTestId('invite-redeem');
    expect(busy).toHaveTextContent('Checking the code…');
    expect(busy).toBeDisabled();
    expect(busy).toHaveAttribute('aria-busy', 'true');
    await screen.findByRole('heading', { level: 1, name: 'Set up your authenticator app' });
    expect(redeem).toHaveBeenCalledTimes(1);
  });

  it('is done from the keyboard alone, and Back to sign-in leaves without sending anything', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend({ session: null });
    const { oncancel, ondone } = renderAccept(backend);
    await screen.findByRole('heading', { level: 1, name: 'Accept your invitation' });
    await user.tab();
    expect(screen.getByLabelText('Server address')).toHaveFocus();
    await user.tab();
    await user.keyboard(MOCK_INVITATION.code);
    await user.tab();
    await user.keyboard(PASSWORD);
    await user.tab();
    await user.keyboard(`${PASSWORD}{Enter}`);
    expect(await screen.findByRole('heading', { level: 1, name: 'Set up your authenticator app' })).toHaveFocus();
    await user.tab();
    expect(screen.getByLabelText('6-digit code from the app')).toHaveFocus();
    await user.keyboard('246810{Enter}');
    await screen.findByRole('heading', { level: 1, name: 'Your account is ready' });
    await user.tab();
    await user.keyboard('{Enter}');
    expect(ondone).toHaveBeenCalledWith(MOCK_INVITATION.email, SERVER);
    expect(oncancel).not.toHaveBeenCalled();
  });

  it('Back to sign-in calls oncancel', async () => {
    const user = userEvent.setup();
    const { oncancel } = renderAccept(new MockBackend({ session: null }));
    await user.click(await screen.findByRole('button', { name: 'Back to sign-in' }));
    expect(oncancel).toHaveBeenCalledTimes(1);
  });
});

describe('groupSecret', () => {
  it('groups a base32 key in fours for typing', () => {
    expect(groupSecret('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP')).toBe('JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP');
    expect(groupSecret('ABCDEF')).toBe('ABCD EF');
  });
});
