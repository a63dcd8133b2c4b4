import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { contextFor } from '../context';
import { MockBackend, type MockOptions } from '../mockBackend';
import { SessionState } from '../session.svelte';
import { SyncState } from '../sync.svelte';
import { AREAS, REQUIRED_SECTIONS, sessionOf, TEAM } from '../../test/people';
import CoordinatorQueue from './CoordinatorQueue.svelte';
import CoordinatorReview from './CoordinatorReview.svelte';
import SyncPanel from './SyncPanel.svelte';
import ReviewList from './ReviewList.svelte';

function hubBackend(options: MockOptions = {}) {
  return new MockBackend({
    session: sessionOf('coordinator'),
    reviews: [
      { id: 'r1', schoolName: 'Oakfield Primary', schoolUrn: '123456', startDate: '2026-11-23', state: 'submitted', team: TEAM },
      { id: 'r2', schoolName: 'Riverside Academy', startDate: '2026-10-05', state: 'approved', team: TEAM, approvedHash: 'old', approvedBy: 'Priya Shah' },
      { id: 'r3', schoolName: 'Brook Lane Primary', state: 'drafting', team: TEAM },
      { id: 'r4', schoolName: 'Other Hub School', state: 'submitted', team: TEAM, hubId: 'hub-south' },
    ],
    estimates: AREAS.map((areaCode) => ({ reviewId: 'r1', areaCode, value: 'effective', rationale: `Seen in ${areaCode}` })),
    sections: REQUIRED_SECTIONS.map((code) => ({ reviewId: 'r1', code, body: `Text of ${code}.` })),
    evidence: [{ reviewId: 'r1', notes: 'Team only', areaTags: ['leadership'] }],
    ...options,
  });
}

function mount<P extends Record<string, unknown>>(component: Parameters<typeof render>[0], props: P, backend: MockBackend) {
  const sync = new SyncState(backend);
  const session = new SessionState(backend);
  void session.load();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const result = render(component as any, { props, context: contextFor(backend, sync, session) });
  return { ...result, sync, user: userEvent.setup() };
}

describe('Coordinator queue', () => {
  it("lists the hub's submitted reports and approved ones, flagging changes since approval", async () => {
    mount(CoordinatorQueue, {}, hubBackend());
    expect(screen.getByRole('heading', { level: 1, name: 'Review queue' })).toBeInTheDocument();
    await waitFor(() => expect(screen.getAllByTestId('queue-row')).toHaveLength(2));
    const waiting = screen.getByRole('region', { name: 'Waiting for your decision' });
    const row = within(waiting).getByTestId('queue-row');
    expect(row).toHaveTextContent('Oakfield Primary');
    expect(within(row).getByRole('link')).toHaveAttribute('href', '#/queue/r1');
    const approved = within(screen.getByRole('region', { name: 'Approved' })).getByTestId('queue-row');
    expect(approved).toHaveTextContent('Riverside Academy');
    expect(within(approved).getByTestId('changed-since-approval')).toHaveTextContent('Changed since approval');
    expect(screen.queryByText('Other Hub School')).not.toBeInTheDocument();
    expect(screen.queryByText('Brook Lane Primary')).not.toBeInTheDocument();
  });

  it('shows who leads each waiting report and how long it has waited, sorted and found as asked', async () => {
    const days = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();
    const backend = hubBackend({
      reviews: [
        { id: 'r1', schoolName: 'Oakfield Primary', startDate: '2026-11-23', state: 'submitted', team: TEAM, stateSince: days(2) },
        { id: 'r5', schoolName: 'Alder Vale Primary', startDate: '2026-11-30', state: 'submitted', team: [{ ...TEAM[1], role: 'lead_reviewer' }], stateSince: days(9) },
      ],
    });
    const { user } = mount(CoordinatorQueue, {}, backend);
    await waitFor(() => expect(screen.getAllByTestId('queue-row')).toHaveLength(2));
    const rows = () => screen.getAllByTestId('queue-row');
    // Waiting longest first.
    expect(rows()[0]).toHaveTextContent('Alder Vale Primary');
    expect(within(rows()[0]).getByTestId('queue-lead')).toHaveTextContent(TEAM[1].name);
    expect(within(rows()[0]).getByTestId('queue-waiting')).toHaveTextContent('9 days waiting');
    expect(within(rows()[1]).getByTestId('queue-lead')).toHaveTextContent(TEAM[0].name);
    expect(within(rows()[1]).getByTestId('queue-waiting')).toHaveTextContent(/Submitted \d{1,2} [A-Z][a-z]{2} \d{4}/);
    await user.selectOptions(screen.getByTestId('queue-sort'), 'school');
    expect(rows()[0]).toHaveTextContent('Alder Vale Primary');
    await user.selectOptions(screen.getByTestId('queue-sort'), 'visit');
    expect(rows()[0]).toHaveTextContent('Oakfield Primary');
    await user.type(screen.getByTestId('queue-find'), TEAM[1].name.split(' ')[0]);
    expect(rows()).toHaveLength(1);
    expect(rows()[0]).toHaveTextContent('Alder Vale Primary');
  });
});

describe('Coordinator review', () => {
  it('shows the report read-only with its estimates, and no team evidence', async () => {
    mount(CoordinatorReview, { reviewId: 'r1' }, hubBackend());
    expect(await screen.findByRole('heading', { level: 1, name: 'Oakfield Primary' })).toBeInTheDocument();
    const doc = await screen.findByRole('region', { name: 'The report, read-only' });
    await waitFor(() => expect(doc).toHaveTextContent('Text of leadership_ebi.'));
    expect(within(doc).getByRole('row', { name: /Leadership at all levels Effective Seen in leadership/ })).toBeInTheDocument();
    expect(within(doc).queryByRole('textbox')).not.toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Evidence summary' })).toHaveTextContent('not shared with coordinators');
  });

  it('returns with comments per section or estimate, refusing none and blank ones', async () => {
    const backend = hubBackend();
    const ret = vi.spyOn(backend, 'returnReview');
    const { user } = mount(CoordinatorReview, { reviewId: 'r1' }, backend);
    const text = await screen.findByTestId('return-comment-text');
    const target = screen.getByTestId('return-comment-target') as HTMLSelectElement;
    expect(target).toHaveAccessibleName('About');
    expect([...target.options].map((o) => o.value)).toEqual([
      'section:context',
      // A returned report may be commented on its progress since the last review too.
      'section:progress',
      'section:leadership_www',
      'section:leadership_ebi',
      'section:provision_outcomes_www',
      'section:provision_outcomes_ebi',
      'section:disadvantaged_additional_needs_www',
      'section:disadvantaged_additional_needs_ebi',
      'section:area_of_excellence',
      'section:next_steps',
      'estimate:leadership',
      'estimate:provision_outcomes',
      'estimate:disadvantaged_additional_needs',
    ]);
    expect([...target.options].find((o) => o.value === 'section:leadership_ebi')?.text).toBe('Even better if… (Leadership at all levels)');

    await user.click(screen.getByTestId('return-review'));
    expect(screen.getByTestId('return-error')).toHaveTextContent('Write at least one comment');
    expect(ret).not.toHaveBeenCalled();

    await user.selectOptions(target, 'section:leadership_ebi');
    await user.type(text, 'Name which leaders.');
    await user.click(screen.getByTestId('add-comment'));
    const targets = screen.getAllByTestId('return-comment-target');
    expect(targets).toHaveLength(2);
    expect(screen.getAllByTestId('return-comment-text')[1]).toHaveFocus();
    await user.click(screen.getByTestId('return-review'));
    expect(screen.getByTestId('return-error')).toHaveTextContent('Comment 2 is blank: write it or remove it.');
    expect(ret).not.toHaveBeenCalled();

    await user.selectOptions(targets[1], 'estimate:leadership');
    await user.type(screen.getAllByTestId('return-comment-text')[1], '  Say why.  ');
    await user.click(screen.getByTestId('return-review'));
    await waitFor(() => expect(screen.getByTestId('review-state')).toHaveTextContent('Returned'));
    expect(ret).toHaveBeenCalledWith('r1', [
      { target: 'section:leadership_ebi', text: 'Name which leaders.' },
      { target: 'estimate:leadership', text: 'Say why.' },
    ]);
    expect(screen.queryByTestId('approve-review')).not.toBeInTheDocument();
    expect(await screen.findByRole('region', { name: 'Earlier comments' })).toHaveTextContent('Name which leaders.');
  });

  it('approves after a confirmation, and says in plain words when it needs a connection', async () => {
    const backend = hubBackend({ online: false });
    const { user } = mount(CoordinatorReview, { reviewId: 'r1' }, backend);
    await user.click(await screen.findByTestId('approve-review'));
    const dialog = screen.getByRole('dialog', { name: 'Approve this report?' });
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await user.click(within(dialog).getByTestId('confirm-approve'));
    expect(await screen.findByTestId('decision-error')).toHaveTextContent('Approving needs a connection to the server.');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();

    backend.setOnline(true);
    await user.click(screen.getByTestId('approve-review'));
    await user.click(screen.getByTestId('confirm-approve'));
    await waitFor(() => expect(screen.getByTestId('review-state')).toHaveTextContent('Approved'));
    const detail = await backend.reviewDetail('r1');
    expect(detail.approvedHash).toBe(detail.reportHash);
    expect(screen.getByRole('region', { name: 'Decision' })).toHaveTextContent('Approved by Priya Shah.');
    // Nothing else waits in this hub: the page says so rather than offer a next report.
    expect(screen.getByTestId('queue-done')).toHaveTextContent('No other report is waiting.');
  });

  it('approves and issues in one confirmed step when asked', async () => {
    const backend = hubBackend();
    const { user } = mount(CoordinatorReview, { reviewId: 'r1' }, backend);
    await user.click(await screen.findByTestId('approve-review'));
    const dialog = screen.getByRole('dialog', { name: 'Approve this report?' });
    await user.click(within(dialog).getByTestId('approve-and-issue'));
    expect(within(dialog).getByTestId('confirm-approve')).toHaveTextContent('Approve and issue');
    await user.click(within(dialog).getByTestId('confirm-approve'));
    await waitFor(() => expect(screen.getByTestId('review-state')).toHaveTextContent(/issued/i));
    expect(screen.getAllByText('Approved and issued to the school as version 1.').length).toBeGreaterThan(0);
    expect(await backend.reports().versions('r1')).toHaveLength(1);
  });

  it('offers the next waiting report after a decision', async () => {
    const backend = hubBackend({
      reviews: [
        { id: 'r1', schoolName: 'Oakfield Primary', startDate: '2026-11-23', state: 'submitted', team: TEAM, stateSince: '2026-11-30T10:00:00Z' },
        { id: 'r5', schoolName: 'Alder Vale Primary', startDate: '2026-11-30', state: 'submitted', team: TEAM, stateSince: '2026-12-01T10:00:00Z' },
      ],
    });
    mount(CoordinatorReview, { reviewId: 'r1' }, backend);
    const next = await screen.findByTestId('next-report');
    expect(next).toHaveTextContent('Next report: Alder Vale Primary');
    expect(next).toHaveAttribute('href', '#/queue/r5');
  });

  it('reads a resubmitted report as what changed since the return', async () => {
    const backend = hubBackend();
    const { user } = mount(CoordinatorReview, { reviewId: 'r1' }, backend);
    await user.type(await screen.findByTestId('return-comment-text'), 'Name which leaders.');
    await user.click(screen.getByTestId('return-review'));
    await waitFor(() => expect(screen.getByTestId('review-state')).toHaveTextContent('Returned'));
    expect(screen.queryByTestId('changes-since-return')).not.toBeInTheDocument();

    // The Lead Reviewer rewrites one section and resubmits; the coordinator's laptop syncs.
    backend.changeRemotely('r1', (m) => {
      m.writeSectionDirect('r1', 'leadership_ebi', 'Middle leaders: protected monitoring time by Easter.');
      m.setStateDirect('r1', 'submitted');
    });
    await backend.syncNow();
    const changes = await screen.findByTestId('changes-since-return');
    expect(within(changes).getByRole('heading', { level: 2, name: 'Changes since it was returned' })).toBeInTheDocument();
    const parts = within(changes).getAllByTestId('changed-part');
    expect(parts).toHaveLength(1);
    expect(within(parts[0]).getByRole('heading', { level: 3 })).toHaveTextContent('Even better if… (Leadership at all levels)');
    expect(parts[0].querySelector('del')).toHaveTextContent('Text of leadership_ebi.');
    expect(parts[0].querySelector('ins')).toHaveTextContent('Middle leaders: protected monitoring time by Easter.');
  });

  it('refuses an approval when the report changed meanwhile, and reloads it', async () => {
    const backend = hubBackend();
    const { user } = mount(CoordinatorReview, { reviewId: 'r1' }, backend);
    await screen.findByTestId('approve-review');
    backend.changeRemotely('r1', (m) => m.writeSectionDirect('r1', 'context', 'A new context.'));
    await user.click(screen.getByTestId('approve-review'));
    await user.click(screen.getByTestId('confirm-approve'));
    expect(await screen.findByTestId('decision-error')).toHaveTextContent('The report changed while you were reading it.');
    await waitFor(() => expect(screen.getByRole('region', { name: 'The report, read-only' })).toHaveTextContent('A new context.'));
  });
});

describe('Sync panel', () => {
  function conflicted(options: MockOptions = {}) {
    const backend = new MockBackend({
      session: sessionOf('lead'),
      reviews: [{ id: 'r1', schoolName: 'Oakfield Primary', state: 'in_visit', team: TEAM }],
      evidence: [{ id: 'e1', reviewId: 'r1', activityType: 'learning_walk', startedAt: '2026-11-23T09:10', notes: 'My words', authorId: TEAM[0].userId }],
      ...options,
    });
    backend.addConflict({ id: 'c1', reviewId: 'r1', entity: 'evidence', recordId: 'e1', field: 'notes', otherValue: 'Their words', currentIsMine: true });
    return backend;
  }

  it('shows pending changes, errors in plain words, the clock warning and progress', async () => {
    const backend = conflicted({ online: false });
    backend.clockWarning = "This laptop's clock is about 10 minutes behind the server's.";
    backend.progress = { done: 40, total: 200 };
    backend.purgeNotice = '12 records of older reviews were removed from this laptop on 7 Dec 2026.';
    const { sync, user } = mount(SyncPanel, {}, backend);
    sync.start();
    expect(screen.getByRole('heading', { level: 1, name: 'Sync' })).toBeInTheDocument();
    await user.click(await screen.findByRole('button', { name: 'Sync now' }));
    expect(await screen.findByTestId('sync-panel-error')).toHaveTextContent("Can't reach the server. Your work is saved on this laptop");
    expect(screen.getByTestId('sync-panel-clock')).toHaveTextContent('about 10 minutes behind');
    expect(screen.getByTestId('sync-panel-purge')).toHaveTextContent('12 records of older reviews were removed');
    const bar = screen.getByRole('progressbar', { name: /Bringing reviews to this laptop: 40 of 200/ });
    expect(bar).toHaveAttribute('aria-valuenow', '40');
    expect(bar).toHaveAttribute('aria-valuemax', '200');
  });

  it('says the laptop is safe to wipe only when nothing is waiting to send', async () => {
    const backend = new MockBackend({ reviews: [{ id: 'r1', schoolName: 'Oakfield Primary', pendingOps: 2 }] });
    const { sync, user } = mount(SyncPanel, {}, backend);
    sync.start();
    expect(await screen.findByTestId('wipe-unsafe')).toHaveTextContent('Not yet');
    expect(screen.getByTestId('wipe-check')).toHaveTextContent('Oakfield Primary: 2 changes');
    await user.click(await screen.findByRole('button', { name: 'Sync now' }));
    expect(await screen.findByTestId('wipe-safe')).toHaveTextContent('The server holds every change');
  });

  it('shows each conflict side by side as Yours and Theirs and keeps the one chosen', async () => {
    const backend = conflicted();
    const resolve = vi.spyOn(backend, 'resolveConflict');
    const { user } = mount(SyncPanel, {}, backend);
    const conflict = await screen.findByTestId('conflict');
    expect(conflict).toHaveTextContent('Learning walk, 2026-11-23 09:10: Notes');
    expect(conflict).toHaveTextContent('Oakfield Primary');
    expect(within(conflict).getByTestId('conflict-mine')).toHaveTextContent('My words');
    expect(within(conflict).getByTestId('conflict-theirs')).toHaveTextContent('Their words');
    await user.click(within(conflict).getByTestId('keep-theirs'));
    await waitFor(() => expect(screen.queryByTestId('conflict')).not.toBeInTheDocument());
    expect(resolve).toHaveBeenCalledWith('c1', 'keep_other', undefined);
    expect((await backend.listEvidence('r1'))[0].notes).toBe('Their words');
    expect(screen.getByTestId('no-conflicts')).toBeInTheDocument();
  });

  it('labels sides by who wrote the current value, and merges by hand', async () => {
    const backend = conflicted();
    backend.addConflict({ id: 'c2', reviewId: 'r1', entity: 'evidence', recordId: 'e1', field: 'strengths', otherValue: 'Mine from the other laptop', currentIsMine: false });
    const resolve = vi.spyOn(backend, 'resolveConflict');
    const { user } = mount(SyncPanel, {}, backend);
    await waitFor(() => expect(screen.getAllByTestId('conflict')).toHaveLength(2));
    const second = screen.getAllByTestId('conflict')[1];
    expect(within(second).getByTestId('conflict-mine')).toHaveTextContent('Mine from the other laptop');
    expect(within(second).getByTestId('conflict-theirs')).toHaveTextContent('(empty)');
    await user.click(within(second).getByTestId('keep-mine'));
    await waitFor(() => expect(resolve).toHaveBeenCalledWith('c2', 'keep_other', undefined));

    const first = await screen.findByTestId('conflict');
    await user.click(within(first).getByTestId('merge-by-hand'));
    const box = within(first).getByLabelText('Merged text');
    expect(box).toHaveValue('My words\n\nTheir words');
    expect(box).toHaveFocus();
    await user.clear(box);
    await user.type(box, 'Both of our words');
    await user.click(within(first).getByTestId('save-merge'));
    await waitFor(() => expect(resolve).toHaveBeenCalledWith('c1', 'merged', 'Both of our words'));
    expect((await backend.listEvidence('r1'))[0].notes).toBe('Both of our words');
  });
});

describe('My reviews', () => {
  it('shows role, dates, state, a sync badge in words and flags for comments, conflicts and approval changes', async () => {
    const backend = new MockBackend({
      session: sessionOf('reviewer'),
      reviews: [
        { id: 'r1', schoolName: 'Oakfield Primary', startDate: '2026-11-23', state: 'returned', team: TEAM, pendingOps: 2 },
        { id: 'r2', schoolName: 'Riverside Academy', startDate: '2026-10-05', state: 'submitted', team: TEAM, approvedHash: 'old' },
      ],
      evidence: [{ id: 'e1', reviewId: 'r1', notes: 'x' }],
      comments: [{ reviewId: 'r1', target: 'section:context', text: 'Fix' }],
    });
    backend.addConflict({ reviewId: 'r1', entity: 'evidence', recordId: 'e1', field: 'notes', otherValue: 'y' });
    mount(ReviewList, {}, backend);
    const rows = await screen.findAllByTestId('review-row');
    const oak = rows.find((r) => r.textContent?.includes('Oakfield'))!;
    const river = rows.find((r) => r.textContent?.includes('Riverside'))!;
    expect(oak).toHaveTextContent('Reviewer');
    expect(oak).toHaveTextContent('Returned for changes');
    expect(oak).toHaveTextContent('to Wed 25 Nov');
    expect(within(oak).getByTestId('sync-badge')).toHaveAttribute('data-badge', 'queued');
    expect(within(oak).getByTestId('sync-badge')).toHaveTextContent('Not yet synced Waiting to send');
    expect(within(oak).getByTestId('comments-badge')).toHaveTextContent('1 comment to address');
    expect(within(oak).getByTestId('conflicts-badge')).toHaveTextContent('1 conflicting edit to resolve');
    expect(within(river).getByTestId('sync-badge')).toHaveTextContent('Synced');
    expect(within(river).getByTestId('changed-since-approval')).toBeInTheDocument();
  });
});
