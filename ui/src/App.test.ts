import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from './App.svelte';
import { contextFor } from './lib/context';
import { MockBackend } from './lib/mockBackend';
import { SyncState } from './lib/sync.svelte';

function renderApp(backend: MockBackend) {
  return render(App, { props: {}, context: contextFor(backend, new SyncState(backend)) });
}

describe('App', () => {
  it('keeps the status bar out of the scrolling content, at the end of the window', () => {
    renderApp(new MockBackend());
    const main = screen.getByRole('main');
    const bar = screen.getByTestId('sync-status');
    expect(main).not.toContainElement(bar);
    expect(bar.parentElement).toBe(main.parentElement);
    expect(bar.parentElement?.lastElementChild).toBe(bar);
  });

  it('goes from the list to a review, records evidence, and comes back', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend({ online: false, reviews: [{ id: 'r1', schoolName: 'Oakfield Primary', state: 'in_visit' }] });
    renderApp(backend);

    expect(screen.getByText('QAR Field')).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 1, name: 'Reviews' })).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId('pending-ops')).toHaveTextContent('All changes synced'));

    const row = await screen.findByTestId('review-row');
    within(row).getByRole('link').focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(window.location.hash).toBe('#/reviews/r1'));
    expect(await screen.findByRole('heading', { level: 1, name: 'Oakfield Primary' })).toBeInTheDocument();

    await user.type(screen.getByLabelText('Notes'), 'Strong phonics teaching');
    await user.click(screen.getByTestId('save-evidence'));
    await waitFor(() => expect(screen.getByTestId('save-state').textContent).toBe('Saved'));
    await waitFor(() => expect(screen.getByTestId('pending-ops')).toHaveTextContent('1 note waiting to sync'));

    await user.click(screen.getByTestId('sync-now'));
    // Offline is said once, in the banner.
    expect(await screen.findByTestId('offline-banner')).toBeInTheDocument();
    expect(screen.queryByTestId('sync-error')).not.toBeInTheDocument();
    expect(screen.getByTestId('pending-ops')).toHaveTextContent('1 note waiting to sync');

    await user.click(screen.getByTestId('back-to-reviews'));
    expect(await screen.findByRole('heading', { level: 1, name: 'Reviews' })).toBeInTheDocument();
    expect(await screen.findByText('1 note')).toBeInTheDocument();
    expect(screen.getByTestId('pending-badge')).toBeInTheDocument();
  });
});
