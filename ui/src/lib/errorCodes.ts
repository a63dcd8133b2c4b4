import { ERROR_CODES, type ErrorCode } from './generated/ErrorCode';

export type { ErrorCode };

/**
 * Error codes in the UI (issue 16). The union `ErrorCode` is generated from Rust
 * (`qar_core::ErrorCode`), so comparing a `BackendError`'s code with a code that does not exist
 * fails the type check. A code this build does not know (sent by a newer server) arrives as
 * `unknown` with the code as sent in `unknownCode`: it is shown with the message that came with
 * it and a generic title, never dropped.
 */

/** `unknown`: not a code this build knows, or a failure that carried no code at all. */
export type BackendErrorCode = ErrorCode | 'unknown';

const KNOWN: ReadonlySet<string> = new Set(ERROR_CODES);

export function isKnownCode(code: string): code is ErrorCode {
  return KNOWN.has(code);
}

/** Whether the error has one of these codes: `hasCode(e, 'wrong_passphrase', 'vault')`. */
export function hasCode(error: { code: BackendErrorCode }, ...codes: ErrorCode[]): boolean {
  return (codes as string[]).includes(error.code);
}

/** For `switch` statements that must handle every code: `default: return assertNever(code)`. */
export function assertNever(value: never): never {
  throw new Error(`unhandled error code: ${String(value)}`);
}

/** The title shown above an error's message. Every code has one (a code added in Rust without a
 *  title here does not compile); a code this build does not know gets GENERIC_TITLE. */
export const ERROR_TITLES: Record<ErrorCode, string> = {
  // The request itself
  malformed_json: 'The request was not accepted',
  invalid_body: 'The request was not accepted',
  expected_json: 'The request was not accepted',
  body_too_large: 'The request was not accepted',
  unsupported_encoding: 'The request was not accepted',
  bad_body: 'The request was not accepted',
  bad_query: 'The request was not accepted',
  invalid_review_id: 'The request was not accepted',
  invalid_device_id: 'The request was not accepted',
  unknown_version: 'The request was not accepted',
  not_found: 'Not found',
  method_not_allowed: 'The request was not accepted',
  unknown_host: 'The request was not accepted',
  request_timeout: 'The request was not accepted',
  internal: 'The server hit a problem',
  stored_data_unreadable: 'The server hit a problem',
  // Signing in and devices
  unauthenticated: 'Sign-in problem',
  invalid_token: 'Sign-in problem',
  device_revoked: 'This laptop was signed out',
  token_expired: 'Sign-in problem',
  invalid_credentials: 'Sign-in failed',
  account_disabled: 'Sign-in problem',
  too_many_attempts: 'Too many attempts',
  server_busy: 'Sign-in problem',
  device_in_use: 'Sign-in problem',
  invalid_device_name: 'Sign-in problem',
  device_not_found: 'Sign-in problem',
  device_active: 'Sign-in problem',
  device_mismatch: 'Sign-in problem',
  forbidden: 'Sign-in problem',
  // Sync
  seq_gap: 'Sync problem',
  not_contiguous: 'Sync problem',
  update_required: 'Update QAR Field',
  not_on_review: 'Sync problem',
  too_many_ops: 'Sync problem',
  cursor_out_of_range: 'Sync problem',
  server_field: 'Sync problem',
  not_adopted: 'Sync problem',
  scheduled_field: 'Sync problem',
  server_decides: 'Sync problem',
  removed_from_team: 'Sync problem',
  unknown_schema: 'Sync problem',
  wrong_review: 'Sync problem',
  // The permission table
  not_your_role: 'Not allowed',
  other_hub: 'Not allowed',
  not_your_evidence: 'Not allowed',
  evidence_read_only: 'Not allowed',
  review_closed: 'Not allowed',
  wrong_state: 'Not allowed',
  needs_connection: 'Not allowed',
  // Reviews, reports and their versions
  unknown_review: 'Not found',
  report_changed: 'The report changed',
  invalid: 'Check what you entered',
  reason_required: 'The review could not be changed',
  reason_too_long: 'The review could not be changed',
  // Hub administration and scheduling
  admin_only: 'Hub administration',
  not_your_hub: 'Hub administration',
  unknown_hub: 'Hub administration',
  unknown_user: 'Hub administration',
  unknown_school: 'Hub administration',
  school_not_in_hub: 'Hub administration',
  already_in_hub: 'Hub administration',
  hub_exists: 'Hub administration',
  review_exists: 'Hub administration',
  last_admin: 'Hub administration',
  cannot_deactivate_self: 'Hub administration',
  invalid_reason: 'Hub administration',
  invalid_dates: 'Hub administration',
  unknown_framework: 'Hub administration',
  no_lead_reviewer: 'Hub administration',
  lead_stays: 'Hub administration',
  coordinator_adds: 'Hub administration',
  duplicate_member: 'Hub administration',
  user_deactivated: 'Hub administration',
  visit_started: 'Hub administration',
  framework_locked: 'Hub administration',
  not_previous_review: 'Hub administration',
  invalid_file: 'Hub administration',
  // Invitations
  unknown_code: 'Invitation problem',
  code_used: 'Invitation problem',
  code_expired: 'Invitation problem',
  invitation_cancelled: 'Invitation problem',
  too_many_codes: 'Invitation problem',
  not_redeemed: 'Invitation problem',
  already_active: 'Invitation problem',
  invitation_pending: 'Invitation problem',
  invalid_email: 'Invitation problem',
  invalid_name: 'Invitation problem',
  weak_password: 'Choose another password',
  invalid_totp: 'Invitation problem',
  // The laptop
  signed_out: 'Signed out',
  rate_limited: 'Too many attempts',
  server_refused: 'This laptop could not do that',
  offline: 'You are offline',
  insecure_server: 'Not a secure address',
  protocol: 'This laptop could not do that',
  incomplete: 'The report is not finished',
  other_user: 'This laptop could not do that',
  wrong_key: 'This laptop could not do that',
  wrong_passphrase: 'Wrong passphrase',
  passphrase_needed: 'This laptop could not do that',
  wrong_password: 'Wrong password',
  lock_needs_sign_in: 'This laptop could not do that',
  vault: 'This laptop could not do that',
  report_invalid: 'This laptop could not do that',
  export_failed: 'This laptop could not do that',
  app_too_old: 'This laptop could not do that',
  store_unavailable: 'This laptop could not do that',
  store_error: 'This laptop could not do that',
  // The app's shell
  locked: 'This laptop could not do that',
  wiped: 'This laptop could not do that',
  unsent_work: 'This laptop could not do that',
  update_not_verified: 'Update refused',
  update_failed: 'Update not installed',
  // Attachment bytes
  wrong_offset: 'Upload not finished',
  file_too_large: 'File too large',
  review_storage_full: 'No room for more attachments',
  photo_not_uploaded: 'A photo in the report is not here yet',
  // The host school's factual-accuracy check (issue 22)
  accuracy_check_open: 'The school is still checking the report',
  accuracy_check_closed: 'The factual-accuracy check is not open',
  not_a_matter_of_fact: 'Not a matter of fact',
  hash_mismatch: 'Upload not finished',
};

export const GENERIC_TITLE = 'Something went wrong';

/** What to show a person for an error: a title for its code and the message it came with. */
export function describeError(error: { code: BackendErrorCode; message: string }): { title: string; message: string } {
  const title = error.code === 'unknown' ? GENERIC_TITLE : ERROR_TITLES[error.code];
  const text = error.message.trim() || 'The app did not say what went wrong.';
  return { title, message: text.charAt(0).toUpperCase() + text.slice(1) };
}
