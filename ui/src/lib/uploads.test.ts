import { describe, expect, it } from 'vitest';
import type { UploadStatus } from './generated';
import { formatTimeLeft, sendingLine, uploadSummary } from './uploads';

const idle: UploadStatus = { waitingFiles: 0, bytesLeft: 0, sending: null, secondsLeft: null, sentFiles: 0, failed: [] };

describe('the upload queue in words', () => {
  it('says when nothing waits, and how many went since the app opened', () => {
    expect(uploadSummary(idle)).toBe('No photos or files waiting to upload.');
    expect(uploadSummary({ ...idle, sentFiles: 3 })).toBe('All photos and files are on the server (3 files sent since QAR Field opened).');
  });

  it('counts files and bytes waiting, with the time left once the link has been measured', () => {
    expect(uploadSummary({ ...idle, waitingFiles: 1, bytesLeft: 2_400_000 })).toBe('1 photo or file waiting to upload (2.4 MB).');
    expect(uploadSummary({ ...idle, waitingFiles: 5, bytesLeft: 12_000_000, secondsLeft: 150 })).toBe(
      '5 photos or files waiting to upload (12.0 MB), about 3 minutes left.',
    );
  });

  it('names the file on its way as n of m', () => {
    expect(sendingLine(idle)).toBeNull();
    expect(sendingLine({ ...idle, waitingFiles: 5, sending: { index: 2, of: 5, sent: 1_200_000, size: 3_400_000 } })).toBe(
      'Sending file 2 of 5: 1.2 MB of 3.4 MB.',
    );
  });

  it('rounds time left the way people say it', () => {
    expect(formatTimeLeft(20)).toBe('under a minute');
    expect(formatTimeLeft(61)).toBe('about 1 minute');
    expect(formatTimeLeft(3 * 3600)).toBe('about 3 hours');
  });
});
