import { screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { MockBackend } from '../mockBackend';
import { renderWith } from '../../test/render';
import { sessionOf, TEAM } from '../../test/people';
import ReportFiles from './ReportFiles.svelte';

function backend(role: 'coordinator' | 'lead', state = 'approved') {
  return new MockBackend({
    session: sessionOf(role),
    reviews: [{ id: 'r2', schoolName: 'Riverside Academy', schoolUrn: '654321', state, team: TEAM, approvedHash: 'a1b2c3d4e5f6a7b8', approvedBy: 'Priya Shah' }],
  });
}

describe('Report files', () => {
  it('exports PDF and Word with the keyboard, showing progress and then the saved path', async () => {
    const b = backend('lead', 'drafting');
    renderWith(ReportFiles, { reviewId: 'r2', reviewState: 'drafting', canIssue: false }, b);
    const user = userEvent.setup();
    expect(screen.getByText(/exports are marked DRAFT/)).toBeInTheDocument();
    await user.tab();
    expect(screen.getByTestId('export-pdf')).toHaveFocus();
    let release = () => {};
    b.reportFiles.holdExports = new Promise((resolve) => (release = resolve));
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.getByTestId('export-pdf')).toHaveTextContent('Making the PDF…'));
    b.reportFiles.holdExports = null;
    release();
    expect(await screen.findByTestId('export-path')).toHaveTextContent('Riverside Academy 654321 report (draft).pdf');
    await user.click(screen.getByTestId('export-docx'));
    await waitFor(() => expect(screen.getByTestId('export-path')).toHaveTextContent('report (draft).docx'));
    expect(b.reportFiles.written.map((w) => w.path.split('.').pop())).toEqual(['pdf', 'docx']);
    expect(screen.queryByTestId('issue-report')).not.toBeInTheDocument();
  });

  it('says clearly when an export fails', async () => {
    const b = backend('lead', 'drafting');
    b.reportFiles.failNextExport = { code: 'export_failed', message: 'The disk is full.' };
    renderWith(ReportFiles, { reviewId: 'r2', reviewState: 'drafting', canIssue: false }, b);
    await userEvent.setup().click(screen.getByTestId('export-pdf'));
    expect(await screen.findByRole('alert')).toHaveTextContent('The PDF file could not be made. The disk is full.');
  });

  it('lets the coordinator issue, then asks for a reason for a correction, and lists versions to export', async () => {
    const b = backend('coordinator');
    const first = renderWith(ReportFiles, { reviewId: 'r2', reviewState: 'approved', canIssue: true }, b);
    const user = userEvent.setup();
    expect(screen.queryByTestId('issue-reason')).not.toBeInTheDocument();
    await user.click(screen.getByTestId('issue-report'));
    const list = await screen.findByTestId('report-versions');
    expect(list).toHaveTextContent('Version 1, issued 12 March 2025');
    first.unmount();

    // Corrected and approved again: version 2 needs a reason.
    b.reportFiles['host'].setState('r2', 'approved');
    renderWith(ReportFiles, { reviewId: 'r2', reviewState: 'approved', canIssue: true }, b);
    const button = await screen.findByRole('button', { name: 'Issue version 2 to school' });
    await user.click(button);
    expect(await screen.findByTestId('issue-error')).toHaveTextContent('say why');
    await user.type(screen.getByLabelText('Why this correction replaces version 1'), 'Age range corrected.');
    await user.click(button);
    await waitFor(() => expect(within(screen.getByTestId('report-versions')).getAllByRole('listitem')).toHaveLength(2));
    expect(screen.getByTestId('report-versions')).toHaveTextContent('Age range corrected.');
    await user.click(screen.getByRole('button', { name: 'Export version 1 as PDF' }));
    expect(await screen.findByTestId('export-path')).toHaveTextContent('Riverside Academy 654321 report v1.pdf');
  });

  it('refuses to issue offline with the reason in words', async () => {
    const b = backend('coordinator');
    b.setOnline(false);
    renderWith(ReportFiles, { reviewId: 'r2', reviewState: 'approved', canIssue: true }, b);
    await userEvent.setup().click(screen.getByTestId('issue-report'));
    expect(await screen.findByTestId('issue-error')).toHaveTextContent('Issuing a report needs the server');
  });
});
