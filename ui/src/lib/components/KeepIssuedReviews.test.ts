import { screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { MockBackend } from '../mockBackend';
import { renderWith } from '../../test/render';
import KeepIssuedReviews from './KeepIssuedReviews.svelte';

describe('KeepIssuedReviews', () => {
  it('shows the month kept by default and changes it', async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    renderWith(KeepIssuedReviews, {}, backend);
    const select = await screen.findByRole('combobox', { name: 'Keep an issued review on this laptop' });
    expect(select).toHaveValue('30');
    expect(select).toHaveAccessibleDescription(expect.stringContaining('this laptop removes its notes, comments and photos by itself'));

    await user.selectOptions(select, 'Until I remove them');
    expect(await screen.findByText('Saved. It applies after the next sync.')).toBeInTheDocument();
    expect(await backend.keepIssuedDays()).toBeNull();

    // A native select: the keyboard moves through it as in any form.
    await user.selectOptions(select, 'A year after issue');
    await waitFor(async () => expect(await backend.keepIssuedDays()).toBe(365));
    expect(select).toHaveValue('365');
  });

  it('shows a number of days set elsewhere, and refuses one out of its limits', async () => {
    const backend = new MockBackend();
    backend.keepDays = 14;
    renderWith(KeepIssuedReviews, {}, backend);
    expect(await screen.findByRole('option', { name: '14 days after issue' })).toBeInTheDocument();
    await expect(backend.setKeepIssuedDays(0)).rejects.toMatchObject({ code: 'invalid' });
    expect(await backend.keepIssuedDays()).toBe(14);
  });
});
