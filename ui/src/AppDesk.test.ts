import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from './App.svelte';
import { contextFor } from './lib/context';
import { MOCK_PASSWORD, MOCK_PEOPLE, MockBackend } from './lib/mockBackend';
import { SyncState } from './lib/sync.svelte';
import { sessionOf, TEAM } from './test/people';

function renderApp(backend: MockBackend) {
  return render(App, { props: {}, context: contextFor(backend, new SyncState(backend)) });
}

async function fillSignIn(user: ReturnType<typeof userEvent.setup>, fields: { email?: string; password?: string; code?: string; server?: string }) {
  if (fields.server !== undefined) {
    await user.clear(document.getElementById('server-url')!);
    if (fields.server) await user.type(document.getElementById('server-url')!, fields.server);
  }
  await user.clear(document.getElementById('email')!);
  await user.type(document.getElementById('email')!, fields.email ?? MOCK_PEOPLE.lead.email);
  await user.clear(document.getElementById('password')!);
  await user.type(document.getElementById('password')!, fields.password ?? MOCK_PASSWORD);
  await user.clear(document.getElementById('totp-code')!);
  await user.type(document.getElementById('totp-code')!, fields.code ?? '123456');
}

describe('App: signing in and the header', () => {
  it('asks for sign-in when nobody is signed in, explains refusals, then opens My reviews', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend({
      session: null,
      serverUrl: 'https://qar.example.org',
      reviews: [{ id: 'r1', schoolName: 'Oakfield Primary', team: TEAM }],
    });
    renderApp(backend);

    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in' })).toBeInTheDocument();
    await waitFor(() => expect(screen.getByLabelText('Server address')).toHaveValue('https://qar.example.org'));
    for (const [id, label] of [
      ['email', 'Email'],
      ['password', 'Password'],
      ['totp-code', '6-digit code'],
      ['device-name', /Name for this laptop/],
    ] as const) {
      expect(screen.getByLabelText(label)).toHaveAttribute('id', id);
    }
    expect(screen.queryByTestId('session-menu')).not.toBeInTheDocument();

    await fillSignIn(user, { code: '12' });
    await user.click(screen.getByTestId('sign-in'));
    expect(await screen.findByRole('alert')).toHaveTextContent('Enter the 6-digit code from your authenticator app.');

    await fillSignIn(user, { password: 'wrong' });
    await user.click(screen.getByTestId('sign-in'));
    await waitFor(() => expect(screen.getByTestId('sign-in-error')).toHaveAttribute('data-code', 'invalid_credentials'));
    expect(screen.getByTestId('sign-in-error')).toHaveTextContent('That email, password or code was not right');
    expect(screen.getByLabelText('6-digit code')).toHaveValue('');

    backend.setOnline(false);
    await fillSignIn(user, {});
    await user.click(screen.getByTestId('sign-in'));
    await waitFor(() => expect(screen.getByTestId('sign-in-error')).toHaveTextContent("Can't reach the server at https://qar.example.org"));

    backend.setOnline(true);
    await fillSignIn(user, { server: 'qar.example.org' });
    await user.click(screen.getByTestId('sign-in'));
    await waitFor(() => expect(screen.getByTestId('sign-in-error')).toHaveAttribute('data-code', 'invalid'));
    expect(screen.getByTestId('sign-in-error')).toHaveTextContent('Check the server address');

    await fillSignIn(user, { server: 'https://qar.example.org' });
    await user.type(screen.getByLabelText(/Name for this laptop/), 'School laptop');
    await user.click(screen.getByTestId('sign-in'));
    expect(await screen.findByRole('heading', { level: 1, name: 'Reviews' })).toBeInTheDocument();
    expect(window.location.hash).toBe('#/');
    expect(screen.getByTestId('session-menu')).toHaveTextContent('Amara Lewis');
    expect(await screen.findByTestId('review-row')).toHaveTextContent('Oakfield Primary');
    expect(screen.queryByTestId('queue-link')).not.toBeInTheDocument();
  });

  it('rate limiting is explained in plain words', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend({ session: null });
    renderApp(backend);
    await screen.findByRole('heading', { name: 'Sign in' });
    for (let i = 0; i < 6; i++) {
      await fillSignIn(user, { password: 'wrong', server: 'https://sync.example.org' });
      await user.click(screen.getByTestId('sign-in'));
      await waitFor(() => expect(screen.getByTestId('sign-in')).toBeEnabled());
    }
    expect(screen.getByTestId('sign-in-error')).toHaveTextContent('Too many attempts in a short time. Wait a minute, then try again.');
  });

  it('shows the session menu with the person and signs out, keeping the work', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend({ session: sessionOf('lead'), reviews: [{ id: 'r1', schoolName: 'Oakfield Primary', team: TEAM, pendingOps: 2 }] });
    renderApp(backend);
    const menu = await screen.findByTestId('session-menu');
    expect(menu).toHaveAttribute('aria-expanded', 'false');
    await user.click(menu);
    expect(menu).toHaveAttribute('aria-expanded', 'true');
    expect(screen.getByText('amara.lewis@example.org')).toBeInTheDocument();
    expect(screen.getByText(/Signing out keeps your work on this laptop/)).toBeInTheDocument();
    await user.keyboard('{Escape}');
    expect(menu).toHaveAttribute('aria-expanded', 'false');
    expect(menu).toHaveFocus();

    await user.click(menu);
    await user.click(screen.getByTestId('sign-out'));
    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in' })).toBeInTheDocument();
    expect(screen.getByLabelText('Email')).toHaveValue('');
    expect((await backend.getReview('r1')).pendingOps).toBe(2);
  });

  it('shows the review queue link to a hub coordinator only', async () => {
    renderApp(new MockBackend({ session: sessionOf('coordinator') }));
    const link = await screen.findByTestId('queue-link');
    expect(link).toHaveAttribute('href', '#/queue');
    expect(link).toHaveTextContent('Review queue');
  });

  it('takes a hub coordinator to the insights from the main navigation by keyboard', async () => {
    const user = userEvent.setup();
    window.location.hash = '#/';
    renderApp(new MockBackend({ session: sessionOf('coordinator') }));
    const link = await screen.findByTestId('insights-link');
    expect(link).toHaveAttribute('href', '#/insights');
    link.focus();
    await user.keyboard('{Enter}');
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    expect(await screen.findByRole('heading', { level: 1, name: 'Hub insights' })).toBeInTheDocument();
    expect(await screen.findAllByTestId('insight-chart')).toHaveLength(5);
    window.location.hash = '#/';
  });

  it('takes anyone signed in to the Areas of Excellence register by keyboard, to an entry and back to the same search', async () => {
    const user = userEvent.setup();
    window.location.hash = '#/';
    renderApp(new MockBackend({ session: sessionOf('reviewer') }));
    const link = await screen.findByTestId('register-link');
    expect(link).toHaveAttribute('href', '#/register');
    link.focus();
    await user.keyboard('{Enter}');
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    expect(await screen.findByRole('heading', { level: 1, name: 'Areas of Excellence' })).toHaveFocus();
    expect(link).toHaveAttribute('aria-current', 'page');
    await user.type(screen.getByRole('searchbox', { name: 'Search' }), 'inclusion');
    const entry = await screen.findByRole('link', { name: 'Inclusion that starts at the door' });
    await user.click(entry);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    expect(await screen.findByRole('heading', { level: 1, name: 'Inclusion that starts at the door' })).toBeInTheDocument();
    expect(link).toHaveAttribute('aria-current', 'page');
    await user.click(screen.getByTestId('register-back'));
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    expect(await screen.findByRole('searchbox', { name: 'Search' })).toHaveValue('inclusion');
    expect(await screen.findByRole('link', { name: 'Inclusion that starts at the door' })).toBeInTheDocument();
    window.location.hash = '#/';
  });

  it('shows no insights link to a Lead Reviewer', async () => {
    renderApp(new MockBackend({ session: sessionOf('lead') }));
    await screen.findByRole('navigation', { name: 'Main' });
    expect(screen.queryByTestId('insights-link')).not.toBeInTheDocument();
  });

  it('shows a clear offline banner when the server cannot be reached, and removes it once it can', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend({ online: false, session: sessionOf('lead') });
    renderApp(backend);
    await screen.findByTestId('session-menu');
    expect(screen.queryByTestId('offline-banner')).not.toBeInTheDocument();
    await user.click(screen.getByTestId('sync-now'));
    const banner = await screen.findByTestId('offline-banner');
    expect(banner).toHaveTextContent('Working offline.');
    expect(banner).toHaveTextContent('Everything you do is saved on this laptop');
    // Said once: the status bar does not repeat it.
    expect(screen.queryByTestId('sync-error')).not.toBeInTheDocument();
    backend.setOnline(true);
    await user.click(screen.getByTestId('sync-now'));
    await waitFor(() => expect(screen.queryByTestId('offline-banner')).not.toBeInTheDocument());
  });

  it('offers to sign in again when the server stops accepting this laptop', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend({ session: sessionOf('lead'), reviews: [{ id: 'r1', schoolName: 'Oakfield Primary', team: TEAM }] });
    const { container } = renderApp(backend);
    await screen.findByTestId('session-menu');
    backend.expireSignIn();
    const banner = await screen.findByTestId('sign-in-banner');
    expect(banner).toHaveTextContent('Your work stays on this laptop.');
    await user.click(within(banner).getByTestId('sign-in-again'));
    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in again' })).toBeInTheDocument();
    expect(screen.getByLabelText('Email')).toHaveValue('amara.lewis@example.org');
    await user.type(screen.getByLabelText('Password'), MOCK_PASSWORD);
    await user.type(screen.getByLabelText('6-digit code'), '654321');
    await user.click(screen.getByTestId('sign-in'));
    expect(await screen.findByRole('heading', { level: 1, name: 'Reviews' })).toBeInTheDocument();
    await waitFor(() => expect(container.querySelector('[data-testid="sign-in-banner"]')).toBeNull());
  });

  it('routes to the review queue, a queued review and the sync panel from the address', async () => {
    const backend = new MockBackend({
      session: sessionOf('coordinator'),
      reviews: [{ id: 'r1', schoolName: 'Oakfield Primary', team: TEAM, state: 'submitted' }],
    });
    window.location.hash = '#/queue';
    renderApp(backend);
    expect(await screen.findByRole('heading', { level: 1, name: 'Review queue' })).toBeInTheDocument();
    expect(await screen.findByTestId('queue-row')).toHaveTextContent('Oakfield Primary');
    window.location.hash = '#/sync';
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    expect(await screen.findByRole('heading', { level: 1, name: 'Sync' })).toBeInTheDocument();
    expect(screen.getByTestId('sync-panel-link')).toHaveAttribute('href', '#/sync');
  });
});
