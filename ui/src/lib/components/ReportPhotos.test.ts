import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { MockBackend } from '../mockBackend';
import { SessionState } from '../session.svelte';
import { contextFor } from '../context';
import { SyncState } from '../sync.svelte';
import { sessionOf, TEAM } from '../../test/people';
import ReviewView from './ReviewView.svelte';

// Photos in the report (issue 19): the Lead Reviewer picks a photo from the team's notes for a
// section, rewords its caption for the school, and takes it out again; documents are not offered.

beforeAll(() => {
  URL.createObjectURL ??= () => 'blob:test';
  URL.revokeObjectURL ??= () => {};
});

const JPEG = [0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46];
const PDF = Array.from('%PDF-1.7\n', (c) => c.charCodeAt(0));

async function setup() {
  const backend = new MockBackend({
    session: sessionOf('lead'),
    reviews: [{ id: 'r1', schoolName: 'Oakfield Primary', schoolUrn: '123456', startDate: '2026-11-23', state: 'drafting', team: TEAM }],
    evidence: [{ id: 'e1', reviewId: 'r1', activityType: 'learning_walk', notes: 'Reading corners', authorId: TEAM[0].userId }],
  });
  const choice = { evidenceId: 'e1', kind: 'display' as const, caption: 'Y4 reading corner', fullSize: false, blurFaces: false };
  const photo = await backend.files.attach(choice, new File([new Uint8Array(JPEG)], 'IMG_0042.jpg', { type: 'image/jpeg' }));
  await backend.files.attach({ ...choice, kind: 'document', caption: 'Reading policy' }, new File([new Uint8Array(PDF)], 'policy.pdf'));
  const user = userEvent.setup();
  const sync = new SyncState(backend);
  const session = new SessionState(backend);
  await session.load();
  render(ReviewView, { props: { reviewId: 'r1', tab: 'report' }, context: contextFor(backend, sync, session) });
  await screen.findByRole('heading', { level: 1, name: 'Oakfield Primary' });
  return { backend, user, photo };
}

describe('Photos in the report', () => {
  it('adds a photo from the notes under a section, rewords its caption and takes it out again', async () => {
    const { backend, user, photo } = await setup();
    const set = vi.spyOn(backend, 'setReportPhotos');
    const aoe = (await screen.findByLabelText('Area of Excellence')).closest('.section') as HTMLElement;

    await user.click(await within(aoe).findByTestId('report-photo-add'));
    const dialog = await screen.findByTestId('report-photo-dialog');
    const offered = within(dialog).getAllByTestId('report-photo-pick');
    expect(offered.map((b) => b.textContent?.trim())).toEqual(['Y4 reading corner']);
    await user.click(offered[0]);

    await waitFor(() => expect(set).toHaveBeenCalledWith('r1', 'area_of_excellence', [{ attachment_id: photo.id, caption: 'Y4 reading corner' }]));
    expect(screen.queryByTestId('report-photo-dialog')).toBeNull();
    const chosen = await within(aoe).findAllByTestId('report-photo');
    expect(chosen).toHaveLength(1);
    expect(within(aoe).queryByTestId('report-photo-add')).toBeNull();

    // The school reads the report's caption, not the team's note.
    const caption = within(aoe).getByLabelText('Caption in the report');
    await user.clear(caption);
    await user.type(caption, 'A reading corner chosen by pupils{Enter}');
    await waitFor(() =>
      expect(set).toHaveBeenLastCalledWith('r1', 'area_of_excellence', [{ attachment_id: photo.id, caption: 'A reading corner chosen by pupils' }]),
    );
    const saved = (await backend.listReportSections('r1')).find((s) => s.code === 'area_of_excellence');
    expect(saved?.photos).toEqual([{ attachment_id: photo.id, caption: 'A reading corner chosen by pupils' }]);

    await user.click(within(aoe).getByTestId('report-photo-remove'));
    await waitFor(() => expect(set).toHaveBeenLastCalledWith('r1', 'area_of_excellence', []));
    await waitFor(() => expect(within(aoe).queryAllByTestId('report-photo')).toHaveLength(0));
  });

  it('shows the chosen photo with its caption in the print preview, and says so when it cannot be had', async () => {
    const { backend, user, photo } = await setup();
    await backend.setReportPhotos('r1', 'area_of_excellence', [{ attachment_id: photo.id, caption: 'A reading corner chosen by pupils' }]);
    const fetched = vi.spyOn(backend.files, 'reportPhoto');
    await user.click(screen.getByTestId('print-preview'));
    const dialog = await screen.findByRole('dialog', { name: 'Print preview' });
    const image = await within(dialog).findByTestId('preview-photo-image');
    expect(image).toHaveAttribute('alt', 'A reading corner chosen by pupils');
    expect(within(dialog).getByText('A reading corner chosen by pupils', { selector: 'figcaption' })).toBeInTheDocument();
    expect(fetched).toHaveBeenCalledWith('r1', expect.objectContaining({ attachment_id: photo.id }));
    await user.keyboard('{Escape}');

    // Offline on a laptop that does not hold the photo: words, and the rest of the report.
    fetched.mockRejectedValueOnce({ code: 'offline', message: 'connect to the server and try again' });
    await user.click(screen.getByTestId('print-preview'));
    const again = await screen.findByRole('dialog', { name: 'Print preview' });
    expect(await within(again).findByText('The photo cannot be shown here: connect to the server and try again')).toBeInTheDocument();
    expect(within(again).getByTestId('estimates-table')).toBeInTheDocument();
  });

  it('refuses a document in the report in words', async () => {
    const { backend } = await setup();
    const doc = (await backend.files.listReview('r1')).find((a) => a.mime === 'application/pdf')!;
    await expect(backend.setReportPhotos('r1', 'area_of_excellence', [{ attachment_id: doc.id, caption: '' }])).rejects.toMatchObject({
      code: 'invalid',
    });
  });
});
