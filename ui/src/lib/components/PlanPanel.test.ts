import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { contextFor } from '../context';
import { MockBackend, MOCK_PEOPLE } from '../mockBackend';
import { SessionState } from '../session.svelte';
import { SyncState } from '../sync.svelte';
import { sessionOf, TEAM } from '../../test/people';
import ReviewView from './ReviewView.svelte';

async function openPlan(person: 'lead' | 'reviewer', state = 'preparing') {
  const backend = new MockBackend({
    session: sessionOf(person),
    reviews: [{ id: 'r1', schoolName: 'Oakfield Primary', schoolUrn: '123456', startDate: '2026-11-23', state, team: TEAM }],
  });
  const user = userEvent.setup();
  const sync = new SyncState(backend);
  const session = new SessionState(backend);
  await session.load();
  render(ReviewView, { props: { reviewId: 'r1', tab: 'plan' }, context: contextFor(backend, sync, session) });
  await screen.findByRole('heading', { level: 2, name: 'Visit plan' });
  return { backend, user };
}

describe('Visit plan', () => {
  it('lets the Lead Reviewer plan an activity on a visit day, by keyboard, and shows it in time order', async () => {
    const { backend, user } = await openPlan('lead');
    const days = await screen.findAllByTestId('plan-day');
    expect(days.map((d) => within(d).getByRole('heading', { level: 3 }).textContent)).toEqual([
      'Monday 23 November 2026',
      'Tuesday 24 November 2026',
      'Wednesday 25 November 2026',
    ]);
    await user.click(within(days[1]).getByRole('button', { name: /Add an activity/ }));
    // The form opens on the day asked for, with the cursor in it.
    expect(screen.getByTestId('plan-day-select')).toHaveFocus();
    expect(screen.getByTestId('plan-day-select')).toHaveValue('2026-11-24');
    await user.type(screen.getByTestId('plan-starts'), '9.30');
    await user.type(screen.getByTestId('plan-ends'), '1015');
    await user.selectOptions(screen.getByTestId('plan-activity'), 'joint_lesson_observation');
    await user.click(screen.getByRole('checkbox', { name: MOCK_PEOPLE.reviewer.name }));
    await user.type(screen.getByTestId('plan-year'), 'Y4');
    await user.type(screen.getByTestId('plan-subject'), 'Maths');
    await user.type(screen.getByTestId('plan-focus'), 'Reasoning in mixed-attainment groups');
    await user.click(screen.getByTestId('plan-save'));

    const item = await screen.findByTestId('plan-item');
    expect(item).toHaveTextContent('09:30–10:15');
    expect(item).toHaveTextContent(MOCK_PEOPLE.reviewer.name);
    expect(item).toHaveTextContent('Y4 Maths');
    const [saved] = await backend.listPlan('r1');
    expect(saved).toMatchObject({ startsAt: '2026-11-24T09:30', endsAt: '2026-11-24T10:15', reviewerIds: [MOCK_PEOPLE.reviewer.userId] });

    // A time that is none is refused at the form, with nothing saved.
    await user.click(within(screen.getAllByTestId('plan-day')[0]).getByRole('button', { name: /Add an activity/ }));
    await user.type(screen.getByTestId('plan-starts'), 'half nine');
    await user.click(screen.getByTestId('plan-save'));
    expect(await screen.findByTestId('plan-problem')).toHaveTextContent('for example 09:30');
    expect(await backend.listPlan('r1')).toHaveLength(1);
  });

  it('starts a note from a planned activity with its details filled in', async () => {
    const { backend, user } = await openPlan('lead', 'in_visit');
    await backend.savePlanActivity('r1', null, {
      startsAt: '2026-11-24T11:00',
      endsAt: null,
      activityType: 'work_scrutiny',
      reviewerIds: [],
      hostColleague: 'English lead',
      yearGroup: 'Y6',
      subject: 'English',
      focus: '',
    });
    window.dispatchEvent(new Event('focus'));
    await user.click(screen.getByRole('tab', { name: /^Evidence/ }));
    await user.click(screen.getByRole('tab', { name: /^Plan/ }));
    await user.click(await screen.findByRole('button', { name: /Start a note/ }));
    await waitFor(() => expect(screen.getByRole('tab', { name: /^Evidence/ })).toHaveAttribute('aria-selected', 'true'));
    await waitFor(() => expect(screen.getByLabelText(/Activity/)).toHaveValue('work_scrutiny'));
    expect(screen.getByLabelText(/Year group/)).toHaveValue('Y6');
    expect(screen.getByLabelText(/^Subject/)).toHaveValue('English');
    await waitFor(() => expect(screen.getByLabelText(/^Notes/)).toHaveFocus());
  });

  it('shows a reviewer the plan without the means to change it', async () => {
    const { user } = await openPlan('reviewer', 'in_visit');
    expect(screen.queryByTestId('plan-add')).not.toBeInTheDocument();
    expect(screen.getByText(/The Lead Reviewer plans the visit/)).toBeInTheDocument();
    void user;
  });
});
