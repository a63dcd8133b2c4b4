import { screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { MockBackend, MOCK_PEOPLE } from '../mockBackend';
import { renderWith } from '../../test/render';
import HubScheduling from './HubScheduling.svelte';

function coordinatorBackend(roles = MOCK_PEOPLE.coordinator.roles) {
  const backend = new MockBackend({
    session: { userId: 'user-coordinator', name: 'Priya Shah', email: 'priya.shah@example.org', serverUrl: 'https://sync.example.org', roles, deviceName: 'Laptop', signedInAt: '' },
  });
  // The week before the days these tests schedule: past days are refused, so the tests pin "today".
  backend.admin.today = '2027-05-03';
  return backend;
}

async function fillForm(user: ReturnType<typeof userEvent.setup>, query: string) {
  await user.type(screen.getByTestId('school-search'), query);
  await user.keyboard('{Enter}');
  await user.click(await screen.findByTestId('school-option'));
  const day = screen.getByTestId('first-day') as HTMLInputElement;
  await user.type(day, '2027-05-11');
  await user.selectOptions(screen.getByTestId('lead-select'), 'user-lead');
}

describe('HubScheduling', () => {
  it('schedules a review with the keyboard and shows the conflict-of-interest warning', async () => {
    const backend = coordinatorBackend();
    renderWith(HubScheduling, { hubId: 'hub-north' }, backend);
    const user = userEvent.setup();
    await fillForm(user, 'Curlew');
    expect(screen.getByTestId('visit-days')).toHaveTextContent('2027');
    expect(await screen.findByTestId('coi-hint')).toBeInTheDocument();
    await user.click(screen.getByTestId('reviewer-user-reviewer'));
    await user.click(screen.getByTestId('schedule-submit'));
    const ok = await screen.findByTestId('scheduled-ok');
    expect(ok).toHaveTextContent('Curlew Rise Academy');
    expect(within(ok).getByTestId('schedule-warning')).toHaveTextContent('conflict of interest');
    await waitFor(() => expect(screen.getAllByTestId('hub-review-row')).toHaveLength(1));
  });

  it('shows the reason when the hub is not the coordinator’s', async () => {
    const backend = coordinatorBackend([{ role: 'hub_coordinator', hubId: 'hub-south' }]);
    renderWith(HubScheduling, { hubId: 'hub-north' }, backend);
    expect(await screen.findByText(/The overview could not be loaded/)).toHaveTextContent("Only this hub's coordinator");
  });

  it('asks for what is missing before sending', async () => {
    renderWith(HubScheduling, { hubId: 'hub-north' }, coordinatorBackend());
    const user = userEvent.setup();
    await user.click(screen.getByTestId('schedule-submit'));
    expect(await screen.findByTestId('schedule-error')).toHaveTextContent('Choose the school.');
  });

  it('highlights overdue reports in the overview', async () => {
    const backend = coordinatorBackend();
    const admin = backend.admin;
    // Past days cannot be scheduled now: this review was scheduled back then.
    admin.today = '2025-01-10';
    await admin.scheduleReview('hub-north', {
      school_urn: '990301', visit_dates: ['2025-01-13', '2025-01-14', '2025-01-15'], framework_version: '2019', lead_reviewer_id: 'user-lead', reviewers: [], shadows: [],
    });
    admin.today = '2025-06-01';
    renderWith(HubScheduling, { hubId: 'hub-north' }, backend);
    const row = (await screen.findAllByTestId('hub-review-row'))[0];
    expect(row).toHaveClass('overdue');
    expect(within(row).getByTestId('overdue')).toHaveTextContent('Overdue');
  });
});

describe('HubScheduling proposals from laptops', () => {
  function propose(backend: MockBackend, reviewId: string, urn: string, name: string) {
    backend.admin.proposals.push({
      review_id: reviewId, school_urn: urn, school_name: name, state: 'preparing', start_date: '2027-05-11', visit_dates: [], last_day: '2027-05-13',
      report_due: null, overdue: false, lead_reviewer: 'Amara Lewis', choice: { lead_reviewer_id: 'user-lead', reviewers: [], shadows: [] },
    });
  }

  it("lists only the hub's schools and adopts one into the queue with the keyboard", async () => {
    const backend = coordinatorBackend();
    propose(backend, 'p-1', '990301', 'Brackenfeld Primary (typed on a laptop)');
    propose(backend, 'p-2', '990303', 'Dunlin Shore Infant School');
    renderWith(HubScheduling, { hubId: 'hub-north' }, backend);
    const rows = await screen.findAllByTestId('proposal-row');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toHaveTextContent('Brackenfeld Primary (typed on a laptop)');
    const button = within(rows[0]).getByRole('button', { name: /Adopt the review of Brackenfeld/ });
    button.focus();
    await userEvent.setup().keyboard('{Enter}');
    expect(await screen.findByTestId('adopt-message')).toHaveTextContent("is in the hub's queue");
    expect(await screen.findByTestId('no-proposals')).toBeInTheDocument();
    // Adopted with the register's name for the school.
    const row = (await screen.findAllByTestId('hub-review-row'))[0];
    expect(row).toHaveTextContent('Brackenfield Primary School');
  });

  it('says why when the review was adopted meanwhile', async () => {
    const backend = coordinatorBackend();
    propose(backend, 'p-1', '990301', 'Brackenfield Primary School');
    renderWith(HubScheduling, { hubId: 'hub-north' }, backend);
    const button = await screen.findByTestId('adopt-review');
    await backend.admin.adoptReview('p-1');
    await userEvent.setup().click(button);
    expect(await screen.findByTestId('adopt-error')).toHaveTextContent("already in a hub's queue");
  });
});

describe('HubScheduling team editor', () => {
  it('takes someone off a review and says so', async () => {
    const backend = coordinatorBackend();
    await backend.admin.scheduleReview('hub-north', {
      school_urn: '990301', visit_dates: ['2027-05-11', '2027-05-12', '2027-05-13'], framework_version: '2019', lead_reviewer_id: 'user-lead', reviewers: ['user-reviewer'], shadows: [],
    });
    renderWith(HubScheduling, { hubId: 'hub-north' }, backend);
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('edit-team'));
    await user.click(screen.getByTestId('edit-reviewer-user-reviewer'));
    await user.click(screen.getByTestId('team-save'));
    expect(await screen.findByTestId('team-message')).toHaveTextContent('Taken off: Tom Okafor');
  });
});
