import type { Attachment, AttachmentCheck, Attachments, NewAttachment } from './attachments';

// In-memory attachments for vitest and the browser preview. The app's pipeline (qar-media)
// cannot run here: the file type is read from the first bytes as the app does, a file whose
// name holds "face" stands for a photo the face check flags, and the bytes are kept as given.

export type MockAttachmentHost = {
  pause(): Promise<void>;
  /** The note's review, after checking the person may edit the note (throws the app's refusal). */
  editableNote(evidenceId: string): { reviewId: string };
  /** A change waits to sync. */
  pend(reviewId: string, attachmentId: string): void;
};

type Stored = Attachment & { bytes: Uint8Array };

function sniff(bytes: Uint8Array): string | null {
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'image/png';
  if (String.fromCharCode(...bytes.slice(0, 5)) === '%PDF-') return 'application/pdf';
  return null;
}

/** The file's bytes; jsdom's File has no arrayBuffer(), its FileReader does the same job. */
function bytesOf(file: File): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
    reader.onerror = () => reject(reader.error);
    reader.readAsArrayBuffer(file);
  });
}

function refused(message: string) {
  return { code: 'invalid_file', message };
}

export class MockAttachments implements Attachments {
  private stored: Stored[] = [];
  /** Uploads not yet on the server, by attachment id; tests fail or finish them. */
  readonly waiting = new Map<string, { reviewId: string; error: string | null }>();

  constructor(private host: MockAttachmentHost) {}

  private async read(file: File): Promise<{ bytes: Uint8Array; mime: string }> {
    const bytes = await bytesOf(file);
    if (bytes.length === 0) throw refused(`“${file.name}” is empty: there is nothing in the file to attach.`);
    const mime = sniff(bytes);
    if (!mime) {
      throw refused(`“${file.name}” is not a JPEG, PNG or PDF. Save or export it as one of those and attach it again.`);
    }
    return { bytes, mime };
  }

  async check(evidenceId: string, file: File, fullSize: boolean): Promise<AttachmentCheck> {
    await this.host.pause();
    this.host.editableNote(evidenceId);
    const { bytes, mime } = await this.read(file);
    const photo = mime !== 'application/pdf';
    const side = fullSize ? 4032 : 2048;
    return {
      mime,
      width: photo ? side : null,
      height: photo ? Math.round((side * 3) / 4) : null,
      size: bytes.length,
      originalSize: bytes.length,
      metadataRemoved: photo,
      mayShowFace: photo && /face/i.test(file.name),
    };
  }

  async attach(choice: Omit<NewAttachment, 'fileName'>, file: File): Promise<Attachment> {
    const check = await this.check(choice.evidenceId, file, choice.fullSize);
    const { bytes } = await this.read(file);
    const { reviewId } = this.host.editableNote(choice.evidenceId);
    const id = `attachment-${this.stored.length + 1}-${Math.random().toString(36).slice(2, 8)}`;
    const attachment: Stored = {
      id,
      reviewId,
      evidenceId: choice.evidenceId,
      kind: choice.kind,
      caption: choice.caption.trim(),
      sha256: id,
      size: bytes.length,
      mime: check.mime,
      mayShowFace: check.mayShowFace,
      heldHere: true,
      uploadPending: true,
      uploadError: null,
      createdAt: new Date().toISOString(),
      bytes,
    };
    this.stored.push(attachment);
    this.waiting.set(id, { reviewId, error: null });
    this.host.pend(reviewId, id);
    return this.public(attachment);
  }

  async list(evidenceId: string): Promise<Attachment[]> {
    await this.host.pause();
    return this.stored.filter((a) => a.evidenceId === evidenceId).map((a) => this.public(a));
  }

  async listReview(reviewId: string): Promise<Attachment[]> {
    await this.host.pause();
    return this.stored.filter((a) => a.reviewId === reviewId).map((a) => this.public(a));
  }

  async setCaption(attachmentId: string, caption: string): Promise<Attachment> {
    await this.host.pause();
    const found = this.find(attachmentId);
    this.host.editableNote(found.evidenceId);
    found.caption = caption.trim();
    this.host.pend(found.reviewId, found.id);
    return this.public(found);
  }

  async remove(attachmentId: string): Promise<void> {
    await this.host.pause();
    const found = this.find(attachmentId);
    this.host.editableNote(found.evidenceId);
    this.stored = this.stored.filter((a) => a.id !== attachmentId);
    this.waiting.delete(attachmentId);
    this.host.pend(found.reviewId, found.id);
  }

  /** Ids whose full file was asked for (`open`), and whose tile was (`thumbnail`), in order:
   *  the app's lists must ask only for tiles, the viewer for the full file. */
  readonly fullOpens: string[] = [];
  readonly tileOpens: string[] = [];

  async open(attachmentId: string): Promise<Blob> {
    this.fullOpens.push(attachmentId);
    return this.bytesOf(attachmentId);
  }

  /** The mock keeps no separate thumbnail: a tile shows the stored bytes. */
  async thumbnail(attachmentId: string): Promise<Blob> {
    this.tileOpens.push(attachmentId);
    return this.bytesOf(attachmentId);
  }

  private async bytesOf(attachmentId: string): Promise<Blob> {
    await this.host.pause();
    const found = this.find(attachmentId);
    return new Blob([found.bytes.slice()], { type: found.mime });
  }

  async reportPhoto(_reviewId: string, photo: { attachment_id: string }): Promise<Blob> {
    return this.bytesOf(photo.attachment_id);
  }

  /** The server now holds every waiting file. */
  uploadAll() {
    this.waiting.clear();
  }

  /** The next upload attempt of this file fails with these words. */
  failUpload(attachmentId: string, reason: string) {
    const w = this.waiting.get(attachmentId);
    if (w) w.error = reason;
  }

  /** Files of a review held here (the mock holds every attached file). */
  heldFor(reviewId: string): number {
    return this.stored.filter((a) => a.reviewId === reviewId).length;
  }

  /** Forgets a review's files: its local copy was removed. */
  forget(reviewId: string) {
    this.stored = this.stored.filter((a) => a.reviewId !== reviewId);
  }

  private find(id: string): Stored {
    const found = this.stored.find((a) => a.id === id);
    if (!found) throw { code: 'not_found', message: `Attachment '${id}' was not found` };
    return found;
  }

  private public(a: Stored): Attachment {
    const { bytes: _bytes, ...rest } = a;
    const w = this.waiting.get(a.id);
    return { ...rest, uploadPending: w !== undefined, uploadError: w?.error ?? null };
  }
}
