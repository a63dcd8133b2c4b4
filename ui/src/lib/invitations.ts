import { invoke } from '@tauri-apps/api/core';
import { toBackendError } from './backend';

// Accepting an invitation (issue 9), from the sign-in screen: nobody is signed in yet, so every
// call names the server address itself. Online only.

import type { ActivatedAccount, InvitationSetup } from './generated';
export type { ActivatedAccount, InvitationSetup } from './generated';

export interface Invitations {
  /** Sets the password with the one-time code. Rejects with 'unknown_code', 'code_used',
   *  'code_expired', 'invitation_cancelled', 'weak_password', 'offline', 'invalid' (bad address). */
  redeem(serverUrl: string, code: string, password: string): Promise<InvitationSetup>;
  /** The authenticator's first code switches the account on. Rejects with 'invalid_totp' (try the
   *  next code), 'not_redeemed', 'code_used', … as above. */
  confirm(serverUrl: string, code: string, totpCode: string): Promise<ActivatedAccount>;
}

/** Groups a base32 secret in fours, as people type it into an authenticator app. */
export function groupSecret(secret: string): string {
  return secret.replace(/\s+/g, '').replace(/(.{4})(?=.)/g, '$1 ');
}

async function call<T>(command: string, args: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toBackendError(e);
  }
}

export class TauriInvitations implements Invitations {
  redeem(serverUrl: string, code: string, password: string) {
    return call<InvitationSetup>('redeem_invitation', { serverUrl, code, password });
  }
  confirm(serverUrl: string, code: string, totpCode: string) {
    return call<ActivatedAccount>('confirm_invitation', { serverUrl, code, totpCode });
  }
}
