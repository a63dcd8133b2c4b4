// The test's authenticator agrees with RFC 6238's published vectors (SHA-1, 8 → 6 digits).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { totpCode } from '../../scripts/totp.mjs';

test('TOTP codes match the RFC 6238 test vectors', () => {
  // Secret "12345678901234567890" in base32; RFC values truncated to six digits.
  const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  assert.equal(totpCode(secret, 59_000), '287082');
  assert.equal(totpCode(secret, 1_111_111_109_000), '081804');
  assert.equal(totpCode(secret, 20_000_000_000_000), '353130');
});
