import { invoke } from '@tauri-apps/api/core';
import { toBackendError } from './backend';
import type { Attachment, AttachmentCheck, AttachmentKind, NewAttachment, ReportFigure } from './generated';
import { TABLES } from './tables';
export type { Attachment, AttachmentCheck, AttachmentKind, NewAttachment } from './generated';

// Photos and documents on notes (issue 19). A picked, dropped or pasted file is read in the
// webview and its bytes go to the app as the raw body of the IPC call (not a JSON array of
// numbers); the choices travel in one header. The app cleans the file (qar-media) before
// anything is kept: `check` runs that pipeline and stores nothing, `attach` stores.

/** The header `src-tauri/src/attachment_commands.rs` reads the choices from. */
export const ATTACHMENT_HEADER = 'x-qar-attachment';

/** What a file is for, as the form offers it (qar-core's `AttachmentKind`, from tables.json). */
export const ATTACHMENT_KINDS: { code: AttachmentKind; label: string }[] = TABLES.attachment_kinds as {
  code: AttachmentKind;
  label: string;
}[];

export function attachmentKindLabel(code: AttachmentKind): string {
  return ATTACHMENT_KINDS.find((k) => k.code === code)?.label ?? code;
}

/** The file types the picker offers; anything else is refused by the app in words. */
export const ACCEPTED_FILES = 'image/jpeg,image/png,application/pdf,.jpg,.jpeg,.png,.pdf,.heic,.heif';

export interface Attachments {
  /** Cleans the file as `attach` would and says what would be kept (face check included); stores nothing.
   *  Rejects with 'invalid_file' and a message naming the file for a damaged, oversized or unsupported one. */
  check(evidenceId: string, file: File, fullSize: boolean): Promise<AttachmentCheck>;
  attach(choice: Omit<NewAttachment, 'fileName'>, file: File): Promise<Attachment>;
  /** One note's, oldest first. */
  list(evidenceId: string): Promise<Attachment[]>;
  /** A whole review's, for the thumbnails in the evidence list. */
  listReview(reviewId: string): Promise<Attachment[]>;
  setCaption(attachmentId: string, caption: string): Promise<Attachment>;
  remove(attachmentId: string): Promise<void>;
  /** The cleaned file; a teammate's is fetched from the server the first time (rejects 'offline' then). */
  open(attachmentId: string): Promise<Blob>;
  /** The bytes for a tile in a list: a photo's small thumbnail (a teammate's is fetched once, a few
   *  kilobytes), or the full file when the record has none (a document, a photo from before thumbnails). */
  thumbnail(attachmentId: string): Promise<Blob>;
  /** A photo the report shows, for the print preview: from this laptop, or fetched once from the
   *  report's own route, which also serves the hub coordinator (who has no other way to it). */
  reportPhoto(reviewId: string, photo: Pick<ReportFigure, 'attachment_id' | 'sha256' | 'caption'>): Promise<Blob>;
}

async function call<T>(command: string, args?: Record<string, unknown> | Uint8Array, headers?: Record<string, string>): Promise<T> {
  try {
    return await invoke<T>(command, args, headers ? { headers } : undefined);
  } catch (e) {
    throw toBackendError(e);
  }
}

async function withFile<T>(command: string, file: File, choice: NewAttachment): Promise<T> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  return call<T>(command, bytes, { [ATTACHMENT_HEADER]: encodeURIComponent(JSON.stringify(choice)) });
}

export class TauriAttachments implements Attachments {
  check(evidenceId: string, file: File, fullSize: boolean) {
    const choice: NewAttachment = { evidenceId, fileName: file.name, kind: 'other', caption: '', fullSize, blurFaces: false };
    return withFile<AttachmentCheck>('check_attachment', file, choice);
  }
  attach(choice: Omit<NewAttachment, 'fileName'>, file: File) {
    return withFile<Attachment>('attach_file', file, { ...choice, fileName: file.name });
  }
  list(evidenceId: string) {
    return call<Attachment[]>('list_attachments', { evidenceId });
  }
  listReview(reviewId: string) {
    return call<Attachment[]>('list_review_attachments', { reviewId });
  }
  setCaption(attachmentId: string, caption: string) {
    return call<Attachment>('set_attachment_caption', { attachmentId, caption });
  }
  async remove(attachmentId: string) {
    await call<null>('delete_attachment', { attachmentId });
  }
  async open(attachmentId: string) {
    const bytes = await call<ArrayBuffer>('open_attachment', { attachmentId });
    return new Blob([bytes]);
  }
  async thumbnail(attachmentId: string) {
    return new Blob([await call<ArrayBuffer>('open_attachment_thumbnail', { attachmentId })]);
  }
  async reportPhoto(reviewId: string, photo: Pick<ReportFigure, 'attachment_id' | 'sha256' | 'caption'>) {
    const args = { reviewId, attachmentId: photo.attachment_id, sha256: photo.sha256, caption: photo.caption };
    return new Blob([await call<ArrayBuffer>('report_photo', args)]);
  }
}

/** "2.4 MB", "310 KB": sizes as people read them (1 MB = 1,000,000 bytes, as file managers show). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1_000_000) return `${(bytes / 1_000_000).toFixed(1)} MB`;
  if (bytes >= 1_000) return `${Math.round(bytes / 1_000)} KB`;
  return `${bytes} bytes`;
}

export function isImage(attachment: Pick<Attachment, 'mime'>): boolean {
  return attachment.mime.startsWith('image/');
}

/** The words that name an attachment when it has no caption. */
export function attachmentLabel(attachment: Pick<Attachment, 'caption' | 'kind' | 'mime'>): string {
  if (attachment.caption.trim() !== '') return attachment.caption;
  return `${attachmentKindLabel(attachment.kind)} (${isImage(attachment) ? 'photo' : 'PDF'})`;
}

/** Where an attachment's bytes stand, in words for the note. */
export function uploadState(attachment: Attachment): { state: 'failed' | 'queued' | 'sent' | 'elsewhere'; words: string } {
  if (attachment.uploadError) return { state: 'failed', words: attachment.uploadError };
  if (attachment.uploadPending) return { state: 'queued', words: 'Waiting to upload' };
  if (attachment.heldHere) return { state: 'sent', words: 'On the server' };
  return { state: 'elsewhere', words: 'On the server: downloaded when opened' };
}
