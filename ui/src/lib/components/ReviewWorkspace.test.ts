import { screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { MockBackend, type MockOptions } from '../mockBackend';
import { SessionState } from '../session.svelte';
import { contextFor } from '../context';
import { SyncState } from '../sync.svelte';
import { render } from '@testing-library/svelte';
import { AREAS, REQUIRED_SECTIONS, sessionOf, TEAM } from '../../test/people';
import ReviewView from './ReviewView.svelte';
import type { ReviewTab } from '../route';

function backendIn(state: string, options: MockOptions = {}) {
  return new MockBackend({
    session: sessionOf('lead'),
    reviews: [{ id: 'r1', schoolName: 'Oakfield Primary', schoolUrn: '123456', startDate: '2026-11-23', state, team: TEAM }],
    evidence: [
      { id: 'e1', reviewId: 'r1', activityType: 'learning_walk', startedAt: '2026-11-24T10:15', areaTags: ['leadership'], notes: 'Calm corridors', authorId: TEAM[1].userId },
      { id: 'e2', reviewId: 'r1', activityType: 'leadership_meeting', startedAt: '2026-11-23T08:45', areaTags: ['leadership', 'provision_outcomes'], notes: 'Meeting with the head', authorId: TEAM[0].userId },
      { id: 'e3', reviewId: 'r1', activityType: 'pupil_voice', startedAt: '2026-11-23T13:30', notes: 'Pupils feel safe', authorId: TEAM[1].userId },
    ],
    ...options,
  });
}

async function open(backend: MockBackend, tab?: ReviewTab) {
  const user = userEvent.setup();
  const sync = new SyncState(backend);
  const session = new SessionState(backend);
  await session.load();
  const result = render(ReviewView, { props: { reviewId: 'r1', tab }, context: contextFor(backend, sync, session) });
  await screen.findByRole('heading', { level: 1, name: 'Oakfield Primary' });
  return { ...result, user, backend, sync };
}

const tab = (name: string) => screen.getByRole('tab', { name: new RegExp(`^${name}`) });

describe('Review workspace', () => {
  it('shows the register\'s facts about the school while preparing, and nothing for a review set up on the laptop', async () => {
    const school = {
      urn: '123456', name: 'Oakfield Primary', type: 'Academy converter', phase: 'Primary', status: 'Open', la_name: 'Westmere',
      trust_name: 'Fenland Learning Trust', town: 'Fenbridge', postcode: 'FB1 2AB', region: 'East of England', number_of_pupils: 412,
      percentage_fsm: 27.5, head_name: 'Ruth Calder', ofsted_last_inspection: '2023-06-14',
    };
    const { unmount } = await open(backendIn('preparing', { reviews: [{ id: 'r1', schoolName: 'Oakfield Primary', schoolUrn: '123456', startDate: '2026-11-23', state: 'preparing', team: TEAM, school }] }), 'overview');
    const facts = await screen.findByTestId('school-facts');
    expect(within(facts).getByRole('heading', { level: 2, name: 'The school' })).toBeInTheDocument();
    expect(facts).toHaveTextContent('Free school meals 27.5% of pupils eligible');
    expect(facts).toHaveTextContent('Pupils 412');
    expect(facts).toHaveTextContent('Last Ofsted inspection 14 Jun 2023');
    expect(facts).toHaveTextContent('Trust Fenland Learning Trust');
    unmount();

    await open(backendIn('preparing'), 'overview');
    expect(screen.queryByTestId('school-facts')).not.toBeInTheDocument();
  });

  it('has a keyboard tablist: arrows move between tabs and the address follows', async () => {
    const { user } = await open(backendIn('drafting'));
    const tabs = screen.getAllByRole('tab');
    expect(tabs.map((t) => t.dataset.testid)).toEqual(['tab-overview', 'tab-plan', 'tab-evidence', 'tab-estimates', 'tab-report', 'tab-submit']);
    expect(screen.getByRole('tablist')).toHaveAccessibleName('Parts of the review');
    // Drafting opens on the overview.
    expect(tab('Overview')).toHaveAttribute('aria-selected', 'true');
    expect(screen.getByRole('tabpanel')).toHaveAttribute('aria-labelledby', 'tab-overview');
    expect(tabs.filter((t) => t.tabIndex === 0)).toEqual([tab('Overview')]);

    tab('Overview').focus();
    await user.keyboard('{ArrowRight}');
    expect(tab('Plan')).toHaveAttribute('aria-selected', 'true');
    expect(tab('Plan')).toHaveFocus();
    expect(window.location.hash).toBe('#/reviews/r1/plan');
    await user.keyboard('{ArrowLeft}{ArrowLeft}');
    expect(tab('Submit')).toHaveFocus();
    await user.keyboard('{Home}');
    expect(tab('Overview')).toHaveAttribute('aria-selected', 'true');
    await user.keyboard('{End}');
    expect(await screen.findByRole('heading', { level: 2, name: 'Submit' })).toBeInTheDocument();
  });

  it('opens on evidence during the visit, and Alt+N from another tab starts a new note', async () => {
    const { user } = await open(backendIn('in_visit'));
    expect(tab('Evidence')).toHaveAttribute('aria-selected', 'true');
    await user.click(tab('Overview'));
    await screen.findByRole('heading', { level: 2, name: 'Timetable' });
    await user.keyboard('{Alt>}n{/Alt}');
    await waitFor(() => expect(screen.getByLabelText('Notes')).toHaveFocus());
    expect(tab('Evidence')).toHaveAttribute('aria-selected', 'true');
    expect(screen.getByTestId('new-note')).toHaveAttribute('aria-keyshortcuts', 'Alt+N');
    expect(screen.getByText(/for a new note from anywhere in the review/)).toBeInTheDocument();
  });

  it('shows the overview: facts, team, a three-day timetable by time, and the lifecycle buttons allowed', async () => {
    const { user, backend } = await open(backendIn('in_visit'), 'overview');
    const overview = await screen.findByRole('region', { name: 'Overview' });
    expect(overview).toHaveTextContent('123456');
    expect(overview).toHaveTextContent('Mon 23 Nov 2026 to Wed 25 Nov 2026');
    const team = screen.getByRole('region', { name: 'Team' });
    expect(team).toHaveTextContent('Amara Lewis');
    expect(team).toHaveTextContent('Lead Reviewer');
    expect(team).toHaveTextContent('Tom Okafor');

    const day1 = await screen.findByRole('region', { name: 'Mon 23 Nov' });
    await waitFor(() => expect(within(day1).getAllByRole('listitem')).toHaveLength(2));
    const [first, second] = within(day1).getAllByRole('listitem');
    expect(first).toHaveTextContent('08:45');
    expect(first).toHaveTextContent('Meeting with leaders');
    expect(first).toHaveTextContent('You');
    expect(second).toHaveTextContent('13:30');
    expect(second).toHaveTextContent('Tom Okafor');
    expect(within(screen.getByRole('region', { name: 'Tue 24 Nov' })).getByRole('listitem')).toHaveTextContent('Learning walk');
    expect(within(screen.getByRole('region', { name: 'Wed 25 Nov' })).getByText('No activities recorded.')).toBeInTheDocument();

    expect(screen.queryByTestId('transition-submitted')).not.toBeInTheDocument();
    const transition = vi.spyOn(backend, 'transitionReview');
    await user.click(screen.getByTestId('transition-estimates_agreed'));
    await waitFor(() => expect(screen.getByTestId('review-state')).toHaveTextContent('Estimates agreed'));
    expect(transition).toHaveBeenCalledWith('r1', 'estimates_agreed');
    expect(await screen.findByTestId('transition-drafting')).toBeInTheDocument();
  });

  it('hides lifecycle buttons from a reviewer', async () => {
    await open(backendIn('in_visit', { session: sessionOf('reviewer') }), 'overview');
    await screen.findByRole('heading', { level: 2, name: 'Next step' });
    expect(screen.queryByTestId('transition-estimates_agreed')).not.toBeInTheDocument();
    expect(screen.getByText('The Lead Reviewer moves the review on to its next stage.')).toBeInTheDocument();
  });

  it('sets estimates with radios and a rationale, autosaved as one write, with tagged evidence beside each', async () => {
    const backend = backendIn('in_visit');
    backend.addComment({ reviewId: 'r1', target: 'estimate:leadership', text: 'Say which leaders.' });
    const set = vi.spyOn(backend, 'setEstimate');
    const { user } = await open(backend, 'estimates');
    const leadership = await screen.findByRole('article', { name: 'Leadership at all levels' });
    const group = within(leadership).getByRole('group', { name: 'Estimate' });
    expect(group).toHaveAttribute('id', 'estimate-leadership');
    const effective = within(group).getByRole('radio', { name: 'Effective' });
    expect(effective).toHaveAttribute('id', 'estimate-leadership-effective');

    await user.type(within(leadership).getByLabelText('Rationale'), 'Clear');
    expect(within(leadership).getByText('Choose an estimate: the rationale is saved with it.')).toBeInTheDocument();
    await user.click(effective);
    await user.type(within(leadership).getByLabelText('Rationale'), ' vision');
    expect(within(leadership).getByLabelText('Rationale')).toHaveAttribute('id', 'rationale-leadership');
    await waitFor(() => expect(within(leadership).getByTestId('save-state')).toHaveTextContent('Saved'), { timeout: 2000 });
    expect(set).toHaveBeenCalledTimes(1);
    expect(set).toHaveBeenCalledWith('r1', 'leadership', 'effective', 'Clear vision');
    expect((await backend.listEstimates('r1'))[0]).toMatchObject({ value: 'effective', rationale: 'Clear vision' });

    const tagged = within(leadership).getByRole('complementary', { name: 'Evidence for Leadership at all levels' });
    expect(tagged).toHaveTextContent('Evidence tagged to this area (2 notes)');
    expect(tagged).toHaveTextContent('Calm corridors');
    expect(tagged).toHaveTextContent('Tom Okafor');
    const comment = within(leadership).getByTestId('comment');
    expect(comment).toHaveAttribute('data-target', 'estimate:leadership');
    expect(comment).toHaveTextContent('Say which leaders.');
  });

  it('shows what each estimate rests on: counts, every tagged note searchable, untagged notes tagged with one key', async () => {
    const backend = backendIn('in_visit');
    const update = vi.spyOn(backend, 'updateEvidenceField');
    const { user } = await open(backend, 'estimates');
    const leadership = await screen.findByRole('article', { name: 'Leadership at all levels' });
    const tagged = within(leadership).getByTestId('tagged-evidence');
    await waitFor(() => expect(within(tagged).getByTestId('evidence-counts')).toBeInTheDocument());
    const counts = within(tagged).getByTestId('evidence-counts');
    expect(counts).toHaveTextContent('By activity Learning walk 1 · Meeting with leaders 1');
    expect(counts).toHaveTextContent('By reviewer Tom Okafor 1 · You 1');
    expect(within(tagged).getByTestId('strengths-vs-development')).toHaveTextContent('0 notes with strengths · 0 notes with development points');

    // Words narrow the notes and are marked where they are found.
    await user.type(within(tagged).getByLabelText('Words in the notes'), 'corridors');
    expect(within(tagged).getAllByTestId('tagged-note')).toHaveLength(1);
    expect(within(tagged).getByText('corridors', { selector: 'mark' })).toBeInTheDocument();
    expect(within(tagged).getByRole('status')).toHaveTextContent('1 of 2 notes');

    // The untagged note is flagged; its number key tags it to the first area.
    const untagged = screen.getByTestId('untagged-notes');
    expect(untagged).toHaveTextContent('1 note with no area ticked');
    const row = within(untagged).getByTestId('untagged-note');
    expect(row).toHaveTextContent('Pupils feel safe');
    row.focus();
    await user.keyboard('1');
    expect(update).toHaveBeenCalledWith('e3', 'area_tags', ['leadership']);
    await waitFor(() => expect(screen.queryByTestId('untagged-notes')).not.toBeInTheDocument());
    await user.clear(within(tagged).getByLabelText('Words in the notes'));
    expect(within(leadership).getByTestId('tagged-evidence')).toHaveTextContent('Evidence tagged to this area (3 notes)');
    expect(within(leadership).getByTestId('tagged-evidence')).toHaveTextContent('Pupils feel safe');
  });

  it('shows estimates read-only to a reviewer', async () => {
    const backend = backendIn('in_visit', {
      session: sessionOf('reviewer'),
      estimates: [{ reviewId: 'r1', areaCode: 'leadership', value: 'leading', rationale: 'Strong' }],
    });
    await open(backend, 'estimates');
    expect(await screen.findByText('The Lead Reviewer sets the estimates. You can read them here.')).toBeInTheDocument();
    expect(screen.queryAllByRole('radio')).toHaveLength(0);
    const leadership = screen.getByRole('article', { name: 'Leadership at all levels' });
    expect(leadership).toHaveTextContent('Leading');
    expect(leadership).toHaveTextContent('Strong');
  });

  it('writes report sections grouped by area, autosaved one write per pause, counting words against the guide', async () => {
    const backend = backendIn('drafting');
    const save = vi.spyOn(backend, 'saveReportSection');
    const { user } = await open(backend, 'report');
    const context = await screen.findByLabelText('Context and character of the school');
    expect(context).toHaveAttribute('id', 'section-context');
    expect(screen.getByRole('heading', { level: 3, name: 'Leadership at all levels' })).toBeInTheDocument();
    expect(screen.getAllByRole('heading', { level: 4, name: /What went well/ })).toHaveLength(3);
    expect(screen.getByLabelText('Even better if…: Leadership at all levels')).toHaveAttribute('id', 'section-leadership_ebi');

    await user.type(context, 'A large primary school');
    await waitFor(() => expect(save).toHaveBeenCalledTimes(1), { timeout: 2000 });
    expect(save).toHaveBeenCalledWith('r1', 'context', 'A large primary school');
    const section = context.closest('.section') as HTMLElement;
    expect(within(section).getByTestId('word-count')).toHaveTextContent('4 of 400 words');
    await waitFor(() => expect(within(section).getByTestId('save-state')).toHaveTextContent('Saved'));

    // Past the guide: a warning, not a block.
    const next = screen.getByLabelText('Support from the Challenge Partners network');
    await user.click(next);
    await user.paste(Array.from({ length: 260 }, (_, i) => `w${i}`).join(' '));
    const nextSection = next.closest('.section') as HTMLElement;
    expect(within(nextSection).getByTestId('word-count')).toHaveTextContent('260 words: 10 over the guide of 250');
    await waitFor(() => expect(within(nextSection).getByTestId('save-state')).toHaveTextContent('Saved'), { timeout: 2000 });
    expect((await backend.listReportSections('r1')).find((s) => s.code === 'next_steps')?.wordCount).toBe(260);

    const tagged = within(screen.getByRole('region', { name: 'Leadership at all levels' })).getAllByText(/Evidence tagged to this area/)[0];
    expect(tagged.closest('details')).not.toHaveAttribute('open');
  });

  it('cites a note from a section: the token goes in at the caret, the team opens the note, the words do not count', async () => {
    const NOTE = '0190a5b2-0000-7000-8000-0000000000e1';
    const backend = backendIn('drafting', {
      evidence: [
        { id: NOTE, reviewId: 'r1', activityType: 'learning_walk', startedAt: '2026-11-24T10:15', notes: 'Calm corridors', authorId: TEAM[1].userId },
        { id: 'e2', reviewId: 'r1', activityType: 'pupil_voice', startedAt: '2026-11-23T13:30', notes: 'Pupils feel safe', authorId: TEAM[1].userId },
      ],
    });
    const save = vi.spyOn(backend, 'saveReportSection');
    const { user } = await open(backend, 'report');
    const context = await screen.findByLabelText('Context and character of the school');
    await user.type(context, 'Calm corridors throughout.');
    await waitFor(() => expect(save).toHaveBeenCalledTimes(1), { timeout: 2000 });
    const section = context.closest('.section') as HTMLElement;

    (context as HTMLTextAreaElement).setSelectionRange(25, 25); // after "throughout", before "."
    await user.click(within(section).getByTestId('cite-note'));
    const dialog = await screen.findByTestId('cite-note-dialog');
    await user.type(within(dialog).getByLabelText('Find a note'), 'corridors');
    const picks = within(dialog).getAllByTestId('cite-pick');
    expect(picks).toHaveLength(1);
    await user.click(picks[0]);

    expect(context).toHaveValue(`Calm corridors throughout [[note:${NOTE}]].`);
    await waitFor(() => expect(save).toHaveBeenLastCalledWith('r1', 'context', `Calm corridors throughout [[note:${NOTE}]].`), { timeout: 2000 });
    expect(within(section).getByTestId('word-count')).toHaveTextContent('3 of 400 words');
    const link = await within(within(section).getByTestId('section-citations')).findByRole('button', { name: /Learning walk/ });
    await user.click(link);
    const note = await screen.findByTestId('cited-note');
    expect(note).toHaveTextContent('Calm corridors');
  });

  it('shows return comments on their section and marks them addressed', async () => {
    const backend = backendIn('returned', {
      sections: [{ reviewId: 'r1', code: 'leadership_ebi', body: 'Old text' }],
    });
    backend.addComment({ reviewId: 'r1', target: 'section:leadership_ebi', text: 'Name which leaders.' });
    const { user } = await open(backend, 'report');
    const comment = await screen.findByTestId('comment');
    expect(comment).toHaveAttribute('data-target', 'section:leadership_ebi');
    expect(comment).toHaveTextContent('Name which leaders.');
    expect(comment).toHaveTextContent('Priya Shah');
    expect(screen.getByText(/returned the report with a comment/)).toBeInTheDocument();
    expect(tab('Report')).toHaveTextContent('1');
    await user.click(within(comment).getByTestId('mark-addressed'));
    await waitFor(() => expect(screen.getByTestId('comment')).toHaveTextContent('Addressed'));
    expect(screen.queryByTestId('mark-addressed')).not.toBeInTheDocument();
    expect((await backend.listComments('r1'))[0].resolved).toBe(true);
  });

  it('resubmits from the report once every returned comment is addressed', async () => {
    const backend = backendIn('returned', {
      sections: REQUIRED_SECTIONS.map((code) => ({ reviewId: 'r1', code, body: `Written ${code}` })),
      estimates: AREAS.map((areaCode) => ({ reviewId: 'r1', areaCode, value: 'effective', rationale: 'Agreed' })),
    });
    backend.addComment({ reviewId: 'r1', target: 'section:leadership_ebi', text: 'Name which leaders.' });
    const transition = vi.spyOn(backend, 'transitionReview');
    const { user } = await open(backend, 'report');
    const comment = await screen.findByTestId('comment');
    expect(screen.queryByTestId('resubmit-panel')).not.toBeInTheDocument();
    await user.click(within(comment).getByTestId('mark-addressed'));
    await user.click(await screen.findByTestId('resubmit'));
    await waitFor(() => expect(screen.getByTestId('resubmitted')).toHaveTextContent('Resubmitted.'));
    expect(transition.mock.calls).toEqual([
      ['r1', 'drafting'],
      ['r1', 'submitted'],
    ]);
    await waitFor(() => expect(screen.getByTestId('review-state')).toHaveTextContent('Submitted'));
  });

  it('opens a print preview with the estimates table, closed with Escape', async () => {
    const backend = backendIn('drafting', {
      estimates: [{ reviewId: 'r1', areaCode: 'leadership', value: 'leading', rationale: 'Strong leaders' }],
      sections: [{ reviewId: 'r1', code: 'context', body: 'A large primary school.' }],
    });
    const { user } = await open(backend, 'report');
    await screen.findByLabelText('Context and character of the school');
    const print = vi.spyOn(window, 'print').mockImplementation(() => {});
    await user.click(screen.getByTestId('print-preview'));
    const dialog = screen.getByRole('dialog', { name: 'Print preview' });
    expect(dialog).toHaveAttribute('aria-modal', 'true');
    const table = within(dialog).getByTestId('estimates-table');
    expect(within(table).getByRole('row', { name: /Leadership at all levels Leading Strong leaders/ })).toBeInTheDocument();
    expect(within(table).getAllByText('Not set')).toHaveLength(2);
    expect(dialog).toHaveTextContent('A large primary school.');
    expect(dialog).toHaveTextContent('Amara Lewis');
    await user.click(within(dialog).getByRole('button', { name: 'Print…' }));
    expect(print).toHaveBeenCalled();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(screen.getByTestId('print-preview')).toHaveFocus();
    print.mockRestore();
  });

  it('lists what is missing before submitting, each linking to its place, and submits once complete', async () => {
    const backend = backendIn('drafting', {
      estimates: AREAS.slice(1).map((areaCode) => ({ reviewId: 'r1', areaCode, value: 'effective' })),
      sections: REQUIRED_SECTIONS.slice(1).map((code) => ({ reviewId: 'r1', code, body: 'Written.' })),
    });
    const { user } = await open(backend, 'submit');
    await waitFor(() => expect(screen.getAllByTestId('missing-item')).toHaveLength(2));
    const [estimate, section] = screen.getAllByTestId('missing-item');
    expect(estimate).toHaveTextContent('Set the estimate for Leadership at all levels');
    expect(section).toHaveTextContent('Write “Context and character of the school”');
    expect(screen.getByTestId('submit-review')).toBeDisabled();
    expect(screen.getByText(/Without a connection it is kept on this laptop/)).toBeInTheDocument();

    await user.click(within(estimate).getByRole('button'));
    await waitFor(() => expect(document.getElementById('estimate-leadership-leading')).toHaveFocus());
    await user.click(document.getElementById('estimate-leadership-effective')!);
    await waitFor(() => expect(within(screen.getByRole('article', { name: 'Leadership at all levels' })).getByTestId('save-state')).toHaveTextContent('Saved'), { timeout: 2000 });

    await user.click(tab('Submit'));
    await waitFor(() => expect(screen.getAllByTestId('missing-item')).toHaveLength(1));
    await user.click(within(screen.getByTestId('missing-item')).getByRole('button'));
    await waitFor(() => expect(document.getElementById('section-context')).toHaveFocus());
    await user.type(document.getElementById('section-context')!, 'A primary school.');
    await waitFor(() => expect((document.getElementById('section-context')!.closest('.section') as HTMLElement).querySelector('[data-testid="save-state"]')).toHaveTextContent('Saved'), { timeout: 2000 });

    await user.click(tab('Submit'));
    expect(await screen.findByTestId('submit-complete')).toHaveTextContent('Nothing is missing.');
    await user.click(screen.getByTestId('submit-review'));
    await waitFor(() => expect(screen.getByTestId('review-state')).toHaveTextContent('Submitted'));
    expect(await screen.findByTestId('submit-status')).toHaveTextContent('The report is submitted on this laptop and waits to sync');
    expect(screen.queryByTestId('submit-review')).not.toBeInTheDocument();
  });

  it('marks a report changed since approval, and warns before an edit of an approved report', async () => {
    const backend = backendIn('approved', {
      sections: REQUIRED_SECTIONS.map((code) => ({ reviewId: 'r1', code, body: 'Written.' })),
      reviews: [{ id: 'r1', schoolName: 'Oakfield Primary', state: 'approved', team: TEAM, approvedHash: 'x', approvedBy: 'Priya Shah' }],
    });
    await open(backend, 'report');
    expect(screen.getByTestId('changed-since-approval')).toHaveTextContent('Changed since approval');
    expect(await screen.findByText(/If you change it, it goes back to the hub coordinator/)).toBeInTheDocument();
  });

  it('lets the Lead Reviewer correct an issued report, warning that it goes back for approval', async () => {
    const backend = backendIn('issued', {
      sections: REQUIRED_SECTIONS.map((code) => ({ reviewId: 'r1', code, body: 'Written.' })),
      reviews: [{ id: 'r1', schoolName: 'Oakfield Primary', state: 'issued', team: TEAM, approvedHash: 'x', approvedBy: 'Priya Shah' }],
    });
    await open(backend, 'report');
    expect(await screen.findByText(/This report is issued\. If you change it, it goes back to the hub coordinator/)).toBeInTheDocument();
    expect(screen.getByLabelText('Context and character of the school').tagName).toBe('TEXTAREA');
  });

  it('reloads when synced changes arrive for this review', async () => {
    const backend = backendIn('returned');
    await open(backend, 'report');
    await screen.findByLabelText('Context and character of the school');
    backend.addComment({ reviewId: 'r1', target: 'section:context', text: 'Add the school’s size.' });
    backend.emitDataChanged(['other']);
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.queryByTestId('comment')).not.toBeInTheDocument();
    backend.emitDataChanged(['r1']);
    expect(await screen.findByTestId('comment')).toHaveTextContent('Add the school’s size.');
  });
});
