import { screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { MockBackend } from '../mockBackend';
import { renderWith } from '../../test/render';
import { sessionOf } from '../../test/people';
import Insights from './Insights.svelte';

describe('Hub insights', () => {
  it("shows the coordinator's hub as charts, each with a summary, a keyboard-reachable data table and a CSV", async () => {
    const session = sessionOf('coordinator');
    renderWith(Insights, { focusHeading: true, roles: session.roles }, new MockBackend({ session }));
    const charts = await screen.findAllByTestId('insight-chart');
    expect(charts.map((c) => c.dataset.chart)).toEqual(['estimates', 'disadvantaged_by_fsm', 'reviews_by_state', 'overdue_by_month', 'aoe_by_theme']);
    expect(screen.getByTestId('insights-scope')).toHaveTextContent('Northmere Hub');
    const states = charts[2];
    expect(within(states).getByTestId('chart-summary')).toHaveTextContent('The largest count is Issued, 14.');
    expect(within(states).getByRole('img')).toHaveAccessibleName(/Reviews by state/);

    // The data table opens from the keyboard and reads hidden counts as "hidden".
    const user = userEvent.setup();
    const disclosure = within(states).getByText('Data table: Reviews by state');
    disclosure.focus();
    expect(disclosure).toHaveFocus();
    await user.keyboard('{Enter}');
    const table = within(states).getByRole('table');
    expect(within(table).getByRole('row', { name: 'Issued 14' })).toBeInTheDocument();
    expect(within(table).getByRole('row', { name: 'Preparing hidden' })).toBeInTheDocument();

    const csv = within(states).getByTestId('chart-csv');
    expect(csv).toHaveAttribute('download', 'insights-northmere-hub-2024-25-reviews-by-state.csv');
    expect(decodeURIComponent(csv.getAttribute('href')!.split(',').slice(1).join(','))).toContain('Row,Reviews\r\nScheduled,6\r\nPreparing,\r\n');
  });

  it('says the screen is for coordinators and administrators to anyone else', async () => {
    const session = sessionOf('lead');
    renderWith(Insights, { roles: session.roles }, new MockBackend({ session }));
    expect(await screen.findByText('Hub insights are for hub coordinators and administrators.')).toBeInTheDocument();
    expect(screen.queryByTestId('insight-chart')).toBeNull();
  });
});
