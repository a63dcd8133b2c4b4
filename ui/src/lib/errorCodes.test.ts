import { describe, expect, it } from 'vitest';
import { toBackendError } from './backend';
import { ERROR_TITLES, GENERIC_TITLE, describeError, hasCode, isKnownCode } from './errorCodes';
import { ERROR_CODES } from './generated/ErrorCode';

describe('error codes generated from Rust', () => {
  it('lists each code once and gives every one a title', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    expect(Object.keys(ERROR_TITLES).sort()).toEqual([...ERROR_CODES].sort());
    for (const code of ERROR_CODES) expect(ERROR_TITLES[code].length).toBeGreaterThan(0);
  });

  it('keeps a known code and tells it by the typed guard', () => {
    const e = toBackendError({ code: 'report_changed', message: 'The report changed after you read it.' });
    expect(e).toEqual({ code: 'report_changed', message: 'The report changed after you read it.' });
    expect(hasCode(e, 'report_changed')).toBe(true);
    expect(hasCode(e, 'offline', 'signed_out')).toBe(false);
    expect(describeError(e)).toEqual({ title: 'The report changed', message: 'The report changed after you read it.' });
  });

  it('shows a code from a newer server with its own message under a generic title', () => {
    const sent = { code: 'review_frozen_for_moderation', message: 'this review is with the moderators until Friday' };
    expect(isKnownCode(sent.code)).toBe(false);
    const e = toBackendError(sent);
    expect(e).toEqual({ code: 'unknown', message: sent.message, unknownCode: 'review_frozen_for_moderation' });
    expect(hasCode(e, 'wrong_state', 'forbidden')).toBe(false);
    expect(describeError(e)).toEqual({ title: GENERIC_TITLE, message: 'This review is with the moderators until Friday' });
    // Normalising again (a rethrown error) keeps what the server sent.
    expect(toBackendError(e)).toEqual(e);
  });

  it('never shows an empty message', () => {
    expect(describeError(toBackendError({ code: 'something_new', message: '  ' }))).toEqual({
      title: GENERIC_TITLE,
      message: 'The app did not say what went wrong.',
    });
  });
});
