import { screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { MockBackend } from '../mockBackend';
import { renderWith } from '../../test/render';
import HubAdmin from './HubAdmin.svelte';

const adminBackend = () =>
  new MockBackend({
    session: { userId: 'user-admin', name: 'Ada Admin', email: 'admin@example.org', serverUrl: 'https://sync.example.org', roles: [{ role: 'admin' }], deviceName: 'Laptop', signedInAt: '' },
  });

const row = (userId: string) => screen.getAllByTestId('person-row').find((r) => r.dataset.userId === userId)!;

describe('Home school in the people list', () => {
  it('shows it, sets it by searching the register, and clears it', async () => {
    const backend = adminBackend();
    renderWith(HubAdmin, {}, backend);
    const user = userEvent.setup();
    await screen.findAllByTestId('person-row');
    expect(within(row('user-reviewer')).getByTestId('home-school-cell')).toHaveTextContent('Curlew Rise Academy URN 990302');
    expect(within(row('user-lead')).getByTestId('home-school-cell')).toHaveTextContent('None');

    await user.click(within(row('user-lead')).getByRole('button', { name: 'Change home school of Amara Lewis' }));
    expect(screen.getByTestId('home-school-query')).toHaveFocus();
    await user.keyboard('Dunlin{Enter}');
    await user.click(await screen.findByRole('button', { name: 'Choose Dunlin Shore Infant School' }));
    expect(await screen.findByTestId('admin-message')).toHaveTextContent("Amara Lewis's home school is now Dunlin Shore Infant School (URN 990303).");
    await waitFor(() => expect(within(row('user-lead')).getByTestId('home-school-cell')).toHaveTextContent('Dunlin Shore Infant School URN 990303'));
    expect(backend.admin.people.find((p) => p.id === 'user-lead')?.home_school_urn).toBe('990303');

    await user.click(within(row('user-lead')).getByTestId('home-school-change'));
    await user.click(screen.getByTestId('home-school-clear'));
    expect(await screen.findByTestId('admin-message')).toHaveTextContent('Amara Lewis has no home school now.');
    await waitFor(() => expect(within(row('user-lead')).getByTestId('home-school-cell')).toHaveTextContent('None'));
  });

  it('says when nothing matches and asks for a search term', async () => {
    renderWith(HubAdmin, {}, adminBackend());
    const user = userEvent.setup();
    await screen.findAllByTestId('person-row');
    await user.click(within(row('user-lead')).getByTestId('home-school-change'));
    await user.click(screen.getByTestId('home-school-search'));
    expect(await screen.findByTestId('home-school-error')).toHaveTextContent('Type part of a school name');
    await user.type(screen.getByTestId('home-school-query'), 'Nowhere');
    await user.click(screen.getByTestId('home-school-search'));
    expect(await screen.findByRole('status')).toHaveTextContent('No school in the register matches “Nowhere”.');
  });
});
