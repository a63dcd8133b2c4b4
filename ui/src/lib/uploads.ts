import type { UploadStatus } from './generated';
import { formatBytes } from './attachments';
import { plural } from './format';

// The attachment upload queue in words, for the sync panel (issue 19): queued, sending n of m,
// sent, failed with why, and roughly how long is left.

/** "about 2 minutes", "under a minute": time left as people say it, never falsely precise. */
export function formatTimeLeft(seconds: number): string {
  if (seconds < 60) return 'under a minute';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${plural(minutes, 'minute')}`;
  const hours = Math.round(minutes / 60);
  return `about ${plural(hours, 'hour')}`;
}

/** The headline: what the queue is doing now. */
export function uploadSummary(u: UploadStatus): string {
  if (u.waitingFiles === 0) {
    return u.sentFiles > 0
      ? `All photos and files are on the server (${plural(u.sentFiles, 'file')} sent since QAR Field opened).`
      : 'No photos or files waiting to upload.';
  }
  const waiting = `${u.waitingFiles === 1 ? '1 photo or file' : `${u.waitingFiles} photos or files`} waiting to upload (${formatBytes(u.bytesLeft)})`;
  const left = u.secondsLeft !== null ? `, ${formatTimeLeft(u.secondsLeft)} left` : '';
  return `${waiting}${left}.`;
}

/** "Sending file 2 of 5: 1.2 MB of 3.4 MB", or null when nothing is on its way. */
export function sendingLine(u: UploadStatus): string | null {
  if (!u.sending) return null;
  const s = u.sending;
  return `Sending file ${s.index} of ${s.of}: ${formatBytes(s.sent)} of ${formatBytes(s.size)}.`;
}
