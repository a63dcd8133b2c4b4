import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { MockBackend, MOCK_PEOPLE } from '../mockBackend';
import { renderWith } from '../../test/render';
import HubScheduling from './HubScheduling.svelte';

// "Change visit days" on the hub desk, against the in-memory backend's server rules.
async function deskWithReview() {
  const backend = new MockBackend({
    session: { userId: 'user-coordinator', name: 'Priya Shah', email: 'priya.shah@example.org', serverUrl: 'https://sync.example.org', roles: MOCK_PEOPLE.coordinator.roles, deviceName: 'Laptop', signedInAt: '' },
  });
  backend.admin.today = '2027-05-03';
  await backend.admin.scheduleReview('hub-north', {
    school_urn: '990301', visit_dates: ['2027-05-11', '2027-05-12', '2027-05-13'], framework_version: '2019', lead_reviewer_id: 'user-lead', reviewers: [], shadows: [],
  });
  renderWith(HubScheduling, { hubId: 'hub-north' }, backend);
  return backend;
}

function setDay(n: number, value: string) {
  fireEvent.input(screen.getByTestId(`visit-day-${n}`), { target: { value } });
}

describe('Change visit days', () => {
  it('moves the visit with the keyboard: the first day suggests the next school days', async () => {
    const backend = await deskWithReview();
    const user = userEvent.setup();
    const open = await screen.findByRole('button', { name: 'Change visit days of Brackenfield Primary School' });
    open.focus();
    await user.keyboard('{Enter}');
    const dialog = await screen.findByTestId('visit-dialog');
    expect(screen.getByTestId('visit-day-1')).toHaveFocus();
    // British, day first, whatever the computer's locale.
    expect(screen.getByTestId('visit-day-1')).toHaveValue('11 May 2027');
    // Thursday, typed day first: the suggestion skips the weekend.
    setDay(1, '20/05/2027');
    expect(screen.getByTestId('visit-day-1-read-as')).toHaveTextContent('Thu 20 May 2027');
    expect(screen.getByTestId('visit-day-2')).toHaveValue('21 May 2027');
    expect(screen.getByTestId('visit-day-3')).toHaveValue('24 May 2027');
    await user.click(within(dialog).getByTestId('visit-save'));
    expect(await screen.findByTestId('team-message')).toHaveTextContent("moved to Thu 20 May 2027, Fri 21 May 2027, Mon 24 May 2027. The team's laptops");
    expect(screen.queryByTestId('visit-dialog')).not.toBeInTheDocument();
    expect(backend.admin.reviews[0].visit_dates).toEqual(['2027-05-20', '2027-05-21', '2027-05-24']);
    await waitFor(() => expect(screen.getByTestId('visit-cell')).toHaveTextContent('20 May 2027 – 24 May 2027'));
  });

  it('says what is wrong before sending, and keeps the dialog open', async () => {
    const backend = await deskWithReview();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('change-visit'));
    setDay(3, '2027-05-15');
    await user.click(screen.getByTestId('visit-save'));
    expect(await screen.findByTestId('visit-error')).toHaveTextContent('2027-05-15 is a Saturday');
    expect(screen.getByTestId('visit-day-1')).toHaveAttribute('aria-invalid', 'true');
    expect(backend.admin.reviews[0].visit_dates).toEqual(['2027-05-11', '2027-05-12', '2027-05-13']);
    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('visit-dialog')).not.toBeInTheDocument();
  });

  it('shows the server’s refusal when the visit started meanwhile, and offers no change once it has', async () => {
    const backend = await deskWithReview();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('change-visit'));
    backend.admin.reviews[0].state = 'in_visit';
    await user.click(screen.getByTestId('visit-save'));
    expect(await screen.findByTestId('visit-error')).toHaveTextContent('The review is in visit: its visit days can be changed only before the visit starts');
    await user.click(within(screen.getByTestId('visit-dialog')).getByRole('button', { name: 'Cancel' }));
    // Reloaded, the in-visit review has no "Change visit days" but keeps "Team".
    await user.click(screen.getByTestId('edit-team'));
    await user.click(screen.getByTestId('team-save'));
    await waitFor(() => expect(screen.queryByTestId('change-visit')).not.toBeInTheDocument());
  });
});
