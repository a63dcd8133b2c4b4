import { screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { MockBackend } from '../mockBackend';
import { renderWith } from '../../test/render';
import NewReviewForm from './NewReviewForm.svelte';

async function fill(name: string, urn: string, date: string) {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText('School name'), name);
  await user.type(screen.getByLabelText('URN'), urn);
  // Set whole and without an input event, as a script or WebDriver may: it must still count.
  (screen.getByLabelText('Visit start date') as HTMLInputElement).value = date;
  return user;
}

describe('NewReviewForm', () => {
  it('shows the backend message for an invalid URN and keeps what was typed', async () => {
    const backend = new MockBackend();
    const oncreated = vi.fn();
    renderWith(NewReviewForm, { oncreated, oncancel: vi.fn() }, backend);

    const user = await fill('Oakfield Primary', '12345', '2026-11-23');
    await user.click(screen.getByTestId('create-review'));

    const error = await screen.findByTestId('form-error');
    expect(error).toHaveTextContent("URN '12345' is not valid: a school's URN is exactly six digits");
    expect(screen.getByLabelText('School name')).toHaveValue('Oakfield Primary');
    expect(screen.getByLabelText('URN')).toHaveValue('12345');
    expect(screen.getByLabelText('Visit start date')).toHaveValue('2026-11-23');
    expect(oncreated).not.toHaveBeenCalled();
    expect(await backend.listReviews()).toEqual([]);
  });

  it('hands the created review over and clears the error after a correction', async () => {
    const backend = new MockBackend();
    const oncreated = vi.fn();
    renderWith(NewReviewForm, { oncreated, oncancel: vi.fn() }, backend);

    const user = await fill('Oakfield Primary', '12345', '2026-11-23');
    await user.click(screen.getByTestId('create-review'));
    await screen.findByTestId('form-error');

    await user.type(screen.getByLabelText('URN'), '6');
    await user.click(screen.getByTestId('create-review'));

    await waitFor(() => expect(oncreated).toHaveBeenCalledTimes(1));
    expect(oncreated.mock.calls[0][0]).toMatchObject({ schoolName: 'Oakfield Primary', schoolUrn: '123456', startDate: '2026-11-23' });
    expect(screen.queryByTestId('form-error')).not.toBeInTheDocument();
  });

  it('puts the cursor in the school name and cancels on request', async () => {
    const oncancel = vi.fn();
    renderWith(NewReviewForm, { oncreated: vi.fn(), oncancel }, new MockBackend());
    expect(screen.getByLabelText('School name')).toHaveFocus();
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(oncancel).toHaveBeenCalled();
  });
});
