import { screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { MockBackend } from '../mockBackend';
import { renderWith } from '../../test/render';
import NoteAttachments from './NoteAttachments.svelte';

// jsdom has no object URLs; the thumbnails and the viewer only need one to exist.
beforeAll(() => {
  URL.createObjectURL ??= () => 'blob:test';
  URL.revokeObjectURL ??= () => {};
});

const JPEG = [0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46];
const photo = (name: string) => new File([new Uint8Array(JPEG)], name, { type: 'image/jpeg' });

async function setup() {
  const backend = new MockBackend({ reviews: [{ id: 'r1', schoolName: 'Oakfield Primary' }] });
  const note = await backend.addEvidence({ reviewId: 'r1', activityType: 'work_scrutiny', notes: 'Year 5 books' });
  const onchanged = vi.fn();
  renderWith(NoteAttachments, { evidenceId: note.id, onchanged }, backend);
  // A file dialog's "All files" lets people pick anything: the app, not the picker, refuses.
  const user = userEvent.setup({ applyAccept: false });
  const input = screen.getByTestId('attach-input') as HTMLInputElement;
  return { backend, note, onchanged, user, input };
}

describe('NoteAttachments', () => {
  it('says what the cleaning did, attaches with a caption and shows the file waiting to upload', async () => {
    const { backend, user, input, onchanged } = await setup();
    await user.upload(input, photo('IMG_0042.jpg'));

    const dialog = await screen.findByTestId('attach-dialog');
    expect(await within(dialog).findByTestId('attach-check')).toHaveTextContent('Location, camera details and any other hidden information have been removed');
    expect(within(dialog).queryByTestId('face-warning')).toBeNull();
    await user.type(within(dialog).getByLabelText(/Caption/), 'Year 5 maths book, page 12');
    await user.click(within(dialog).getByTestId('attach-save'));

    await waitFor(() => expect(screen.queryByTestId('attach-dialog')).toBeNull());
    expect(screen.getAllByTestId('attachment-thumb')).toHaveLength(1);
    expect(screen.getByTestId('attachment-state')).toHaveTextContent('Waiting to upload');
    expect(onchanged).toHaveBeenCalledTimes(1);

    // Not safe to wipe while the photo is only here, even once the notes are sent.
    const check = await backend.wipeCheck();
    expect(check.safe).toBe(false);
    expect(check.unsent[0].files).toBe(1);
    expect((await backend.syncStatus()).uploads.waitingFiles).toBe(1);
  });

  it('warns about a face and keeps a photo unblurred only after the reviewer confirms', async () => {
    const { backend, user, input } = await setup();
    const attach = vi.spyOn(backend.files, 'attach');
    await user.upload(input, photo('class-face.jpg'));

    const dialog = await screen.findByTestId('attach-dialog');
    expect(await within(dialog).findByTestId('face-warning')).toHaveTextContent("This photo may show a child's face.");
    await user.click(within(dialog).getByLabelText('Keep the photo as it is'));
    await user.click(within(dialog).getByTestId('attach-save'));
    expect(within(dialog).getByTestId('attach-error')).toHaveTextContent('Tick the box to confirm no child can be identified');
    expect(attach).not.toHaveBeenCalled();

    await user.click(within(dialog).getByLabelText(/Blur the faces before saving/));
    await user.click(within(dialog).getByTestId('attach-save'));
    await waitFor(() => expect(attach).toHaveBeenCalledTimes(1));
    expect(attach.mock.calls[0][0]).toMatchObject({ blurFaces: true });
  });

  it('refuses a file that is not a photo or PDF in words, keeping nothing', async () => {
    const { backend, note, user, input } = await setup();
    await user.upload(input, new File(['just some text'], 'notes.txt', { type: 'text/plain' }));

    const dialog = await screen.findByTestId('attach-dialog');
    expect(await within(dialog).findByTestId('attach-error')).toHaveTextContent('“notes.txt” is not a JPEG, PNG or PDF');
    expect(within(dialog).queryByTestId('attach-save')).toBeNull();
    expect(await backend.files.list(note.id)).toHaveLength(0);
  });

  it('draws the tile from the thumbnail and asks for the full file only when the viewer opens', async () => {
    const { backend, user, input } = await setup();
    await user.upload(input, photo('IMG_0042.jpg'));
    const dialog = await screen.findByTestId('attach-dialog');
    await user.click(await within(dialog).findByTestId('attach-save'));
    await waitFor(() => expect(screen.queryByTestId('attach-dialog')).toBeNull());
    const [attached] = await backend.files.list((await backend.files.listReview('r1'))[0].evidenceId);
    await waitFor(() => expect(backend.files.tileOpens).toContain(attached.id));
    expect(backend.files.fullOpens).toEqual([]);

    await user.click(screen.getByTestId('attachment-thumb'));
    await screen.findByTestId('attachment-viewer');
    await waitFor(() => expect(backend.files.fullOpens).toEqual([attached.id]));
  });

  it('opens a viewer that moves with the arrow keys, closes with Escape and removes a file', async () => {
    const { backend, note, user, input } = await setup();
    for (const name of ['a.jpg', 'b.jpg']) {
      await user.upload(input, photo(name));
      const dialog = await screen.findByTestId('attach-dialog');
      await user.click(await within(dialog).findByTestId('attach-save'));
      await waitFor(() => expect(screen.queryByTestId('attach-dialog')).toBeNull());
    }
    await user.click(screen.getAllByTestId('attachment-thumb')[0]);
    const viewer = await screen.findByTestId('attachment-viewer');
    expect(within(viewer).getByTestId('viewer-position')).toHaveTextContent('1 of 2');
    await user.keyboard('{ArrowRight}');
    expect(within(viewer).getByTestId('viewer-position')).toHaveTextContent('2 of 2');
    await user.keyboard('{ArrowRight}');
    expect(within(viewer).getByTestId('viewer-position')).toHaveTextContent('1 of 2');

    await user.click(within(viewer).getByTestId('remove-attachment'));
    await user.click(within(viewer).getByTestId('confirm-remove-attachment'));
    await waitFor(() => expect(within(viewer).getByTestId('viewer-position')).toHaveTextContent('1 of 1'));
    expect(await backend.files.list(note.id)).toHaveLength(1);

    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByTestId('attachment-viewer')).toBeNull());
  });
});
