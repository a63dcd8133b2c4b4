import { screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { MockBackend } from '../mockBackend';
import { sampleRegister } from '../mockRegister';
import { registerEntryHref } from '../route';
import { renderWith } from '../../test/render';
import { sessionOf } from '../../test/people';
import Register from './Register.svelte';
import RegisterEntryView from './RegisterEntryView.svelte';

function titles(): string[] {
  return screen.queryAllByTestId('register-entry').map((li) => within(li).getByRole('heading').textContent?.trim() ?? '');
}

function backend(online = true) {
  return new MockBackend({ session: sessionOf('reviewer'), online });
}

describe('The Areas of Excellence register', () => {
  it('lists the newest entries first, each a link to its page with the school, place, year and themes', async () => {
    const mock = backend();
    renderWith(Register, { focusHeading: true }, mock);
    expect(await screen.findByText('The 5 newest entries.')).toHaveAttribute('role', 'status');
    expect(screen.getByRole('heading', { level: 1, name: 'Areas of Excellence' })).toHaveFocus();
    expect(titles()[0]).toBe('Phonics catch-up the same day');
    const first = screen.getAllByTestId('register-entry')[0];
    expect(within(first).getByRole('link', { name: 'Phonics catch-up the same day' })).toHaveAttribute('href', registerEntryHref(sampleRegister()[0].review_id));
    expect(first).toHaveTextContent('Larkspur Primary School');
    expect(first).toHaveTextContent('Primary · North West · Fellshire · 2025/26');
    const tags = within(within(first).getByRole('list', { name: 'Themes' })).getAllByRole('listitem');
    expect(tags.map((t) => t.textContent)).toEqual(['Disadvantaged pupils or SEND', 'Early reading and phonics', 'Attainment of disadvantaged pupils']);
  });

  it('searches words once typing pauses, not at every key, and says when nothing matches', async () => {
    const mock = backend();
    const search = vi.spyOn(mock.aoe, 'search');
    renderWith(Register, {}, mock);
    await screen.findByText('The 5 newest entries.');
    const before = search.mock.calls.length;
    const user = userEvent.setup();
    await user.type(screen.getByRole('searchbox', { name: 'Search' }), 'phon catch');
    await waitFor(() => expect(screen.getByTestId('register-outcome')).toHaveTextContent('1 entry matches this search.'));
    expect(titles()).toEqual(['Phonics catch-up the same day']);
    // Ten keys, one search: the words waited for the pause.
    expect(search.mock.calls.length - before).toBe(1);
    expect(search.mock.lastCall?.[0]).toMatchObject({ text: 'phon catch', phase: null, disadvantagedFocus: null, academicYear: null });

    await user.selectOptions(screen.getByLabelText('Region'), 'South West');
    expect(await screen.findByText('No entries match this search.')).toBeInTheDocument();
    expect(screen.getByTestId('register-no-results')).toHaveTextContent('Try fewer words');

    await user.click(screen.getByRole('button', { name: 'Clear search' }));
    expect(await screen.findByText('The 5 newest entries.')).toBeInTheDocument();
    expect(screen.getByRole('searchbox', { name: 'Search' })).toHaveFocus();
    expect(screen.getByRole('searchbox', { name: 'Search' })).toHaveValue('');
  });

  it('applies the phase, theme, focus and year filters together, from the keyboard', async () => {
    const mock = backend();
    renderWith(Register, {}, mock);
    await screen.findByText('The 5 newest entries.');
    const user = userEvent.setup();
    await user.selectOptions(screen.getByLabelText('Focus'), 'Disadvantaged or SEND');
    await waitFor(() => expect(titles()).toEqual(['Phonics catch-up the same day', 'Families as partners in attendance', 'Inclusion that starts at the door']));
    await user.selectOptions(screen.getByLabelText('Phase'), 'Primary');
    await user.selectOptions(screen.getByLabelText('Academic year'), '2023/24');
    await waitFor(() => expect(titles()).toEqual(['Inclusion that starts at the door']));
    await user.selectOptions(screen.getByLabelText('Theme'), 'Mathematics');
    expect(await screen.findByText('No entries match this search.')).toBeInTheDocument();
    // Each filter is a labelled select the keyboard reaches in order after the search box.
    screen.getByRole('searchbox', { name: 'Search' }).focus();
    await user.tab();
    expect(screen.getByLabelText('Phase')).toHaveFocus();
  });

  it('says the copy is empty until the laptop syncs, instead of showing empty filters', async () => {
    const mock = backend();
    mock.aoe.entries = [];
    renderWith(Register, {}, mock);
    expect(await screen.findByTestId('register-empty')).toHaveTextContent('Nothing in the register on this laptop yet');
    expect(screen.queryByRole('search')).toBeNull();
  });
});

describe('An entry of the register', () => {
  const entry = sampleRegister()[0];

  it('shows the whole entry and sends "Ask to visit" to the school', async () => {
    const mock = backend();
    renderWith(RegisterEntryView, { reviewId: entry.review_id, focusHeading: true }, mock);
    const heading = await screen.findByRole('heading', { level: 1, name: entry.title });
    await waitFor(() => expect(heading).toHaveFocus());
    const view = screen.getByTestId('register-entry-view');
    expect(view).toHaveTextContent('Larkspur Primary School');
    expect(view).toHaveTextContent('2025/26');
    expect(view).toHaveTextContent('Yes: this practice concerns disadvantaged pupils');
    expect(view).toHaveTextContent('Early reading and phonics; Attainment of disadvantaged pupils');
    // The summary's paragraphs stay paragraphs.
    expect(within(view).getByText(/Disadvantaged pupils now keep pace/).tagName).toBe('P');

    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Send the request' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Write what you would like to see');
    expect(mock.aoe.requests).toHaveLength(0);

    await user.type(screen.getByLabelText('What would you like to see, and when could you come?'), 'Phonics in Reception, any Tuesday in March.');
    await user.click(screen.getByRole('button', { name: 'Send the request' }));
    expect(await screen.findByTestId('visit-sent')).toHaveTextContent('Your request was sent to Larkspur Primary School.');
    expect(mock.aoe.requests.map((r) => [r.review_id, r.message, r.requester_name])).toEqual([
      [entry.review_id, 'Phonics in Reception, any Tuesday in March.', 'Tom Okafor'],
    ]);
    expect(screen.getByLabelText('What would you like to see, and when could you come?')).toHaveValue('');
  });

  it('offline, says the request was not sent and keeps the message for another try', async () => {
    const mock = backend(false);
    renderWith(RegisterEntryView, { reviewId: entry.review_id }, mock);
    const box = await screen.findByLabelText('What would you like to see, and when could you come?');
    const user = userEvent.setup();
    await user.type(box, 'Could two of our Reception staff visit?');
    await user.click(screen.getByRole('button', { name: 'Send the request' }));
    expect(await screen.findByTestId('visit-error')).toHaveTextContent('The server cannot be reached, so the request was not sent. Your message is still here');
    expect(box).toHaveValue('Could two of our Reception staff visit?');
    expect(mock.aoe.requests).toHaveLength(0);

    // Back online, the same text goes with one more press.
    mock.online = true;
    await user.click(screen.getByRole('button', { name: 'Send the request' }));
    expect(await screen.findByTestId('visit-sent')).toBeInTheDocument();
    expect(mock.aoe.requests[0].message).toBe('Could two of our Reception staff visit?');
  });

  it('says so when the entry has left the register', async () => {
    renderWith(RegisterEntryView, { reviewId: 'no-such-entry' }, backend());
    expect(await screen.findByRole('heading', { level: 1, name: 'This entry is no longer in the register' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Send the request' })).toBeNull();
  });
});
