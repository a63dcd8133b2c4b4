import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { MockBackend } from '../mockBackend';
import { contextFor } from '../context';
import { SessionState } from '../session.svelte';
import { SyncState } from '../sync.svelte';
import SignIn from './SignIn.svelte';

async function signInWith(backend: MockBackend) {
  const context = contextFor(backend, new SyncState(backend), new SessionState(backend));
  render(SignIn, { props: { onsignedin: () => {}, oncancel: () => {} }, context });
  const user = userEvent.setup();
  await user.type(screen.getByLabelText('Server address'), 'https://sync.example.org');
  await user.type(screen.getByLabelText('Email'), 'anika.marsh@example.org');
  await user.type(screen.getByLabelText('Password'), 'a long enough password');
  await user.type(screen.getByLabelText('6-digit code'), '123456');
  await user.click(screen.getByRole('button', { name: /sign in/i }));
  return screen.findByTestId('sign-in-error');
}

describe('SignIn refusals', () => {
  it('shows the message of a code this build does not know, as the server sent it', async () => {
    const backend = new MockBackend();
    backend.signIn = () => Promise.reject({ code: 'sign_in_paused_for_upgrade', message: 'sign-in is paused while the server upgrades' });
    const error = await signInWith(backend);
    expect(error).toHaveTextContent('Sign-in is paused while the server upgrades');
    expect(error).toHaveAttribute('data-code', 'unknown');
  });

  it('explains a known code in its own words', async () => {
    const backend = new MockBackend();
    backend.signIn = () => Promise.reject({ code: 'rate_limited', message: 'HTTP 429' });
    const error = await signInWith(backend);
    expect(error).toHaveTextContent('Too many attempts in a short time');
    expect(error).toHaveAttribute('data-code', 'rate_limited');
  });
});
