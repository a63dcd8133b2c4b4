import { screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { MockBackend } from '../mockBackend';
import { renderWith } from '../../test/render';
import HubAdmin from './HubAdmin.svelte';

const adminBackend = () =>
  new MockBackend({
    session: { userId: 'user-admin', name: 'Ada Admin', email: 'admin@example.org', serverUrl: 'https://sync.example.org', roles: [{ role: 'admin' }], deviceName: 'Laptop', signedInAt: '' },
  });

describe('HubAdmin', () => {
  it('invites someone and shows the one-time code; a duplicate is refused with the reason and keeps the form', async () => {
    renderWith(HubAdmin, {}, adminBackend());
    const user = userEvent.setup();
    await user.type(await screen.findByTestId('invite-email'), 'new.person@example.org');
    await user.type(screen.getByTestId('invite-name'), 'New Person');
    await user.click(screen.getByTestId('invite-submit'));
    expect(await screen.findByTestId('invitation-code')).toHaveTextContent('shown only now');
    await user.type(screen.getByTestId('invite-email'), 'new.person@example.org');
    await user.type(screen.getByTestId('invite-name'), 'New Person');
    await user.click(screen.getByTestId('invite-submit'));
    expect(await screen.findByTestId('admin-error')).toHaveTextContent('already has an invitation');
    expect(screen.getByTestId('invite-email')).toHaveValue('new.person@example.org');
  });

  it('creates a hub and imports the register, listing rejected rows', async () => {
    renderWith(HubAdmin, {}, adminBackend());
    const user = userEvent.setup();
    await user.type(await screen.findByTestId('hub-name'), 'Estuary Hub');
    await user.click(screen.getByTestId('hub-create'));
    expect(await screen.findByTestId('admin-message')).toHaveTextContent('Estuary Hub');
    const file = new File(['"URN","EstablishmentName"\n"990601","Gull Point School"\n"12","Bad"\n'], 'edubase.csv', { type: 'text/csv' });
    await user.upload(screen.getByTestId('gias-file'), file);
    await user.click(screen.getByTestId('gias-import'));
    expect(await screen.findByTestId('gias-rejections')).toHaveTextContent('Line 3');
    expect(screen.getByTestId('admin-message')).toHaveTextContent('1 added');
  });

  it('sets how many days a hub gives its schools to check a report for factual accuracy, from the keyboard', async () => {
    renderWith(HubAdmin, {}, adminBackend());
    const user = userEvent.setup();
    await user.selectOptions(await screen.findByTestId('accuracy-hub'), 'Northmere Hub');
    const days = screen.getByRole('spinbutton', { name: 'Days the school has (0 to 30)' });
    await user.clear(days);
    await user.type(days, '10{Enter}');
    expect(await screen.findByTestId('admin-message')).toHaveTextContent('Northmere Hub: schools have 10 days after approval');
    expect(screen.getByTestId('hub-list')).toHaveTextContent("10 days for the school's factual-accuracy check");
    // More than thirty days: the field says it is out of range and nothing is sent.
    await user.clear(days);
    await user.type(days, '31{Enter}');
    expect(days).toBeInvalid();
    expect(days).toHaveValue(31);
    expect(screen.getByTestId('hub-list')).toHaveTextContent("10 days for the school's factual-accuracy check");
  });
});
