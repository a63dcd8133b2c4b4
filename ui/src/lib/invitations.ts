import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { toBackendError } from './backend';

// Accepting an invitation (issue 9), from the sign-in screen: nobody is signed in yet, so every
// call names the server address itself. Online only.

import type { ActivatedAccount, InvitationLink, InvitationSetup } from './generated';
export type { ActivatedAccount, InvitationLink, InvitationSetup } from './generated';

/** The event the app sends when a `qarfield://` invitation link arrives while it runs. */
export const INVITATION_EVENT = 'invitation-link';

export interface Invitations {
  /** Sets the password with the one-time code. Rejects with 'unknown_code', 'code_used',
   *  'code_expired', 'invitation_cancelled', 'weak_password', 'offline', 'invalid' (bad address). */
  redeem(serverUrl: string, code: string, password: string): Promise<InvitationSetup>;
  /** The authenticator's first code switches the account on. Rejects with 'invalid_totp' (try the
   *  next code), 'not_redeemed', 'code_used', … as above. */
  confirm(serverUrl: string, code: string, totpCode: string): Promise<ActivatedAccount>;
  /** The `qarfield://` invitation link the app was opened with, once; null when there is none. */
  takeLink(): Promise<InvitationLink | null>;
  /** Calls `handler` for each invitation link that arrives while the app runs; resolves to the unlisten. */
  onLink(handler: (link: InvitationLink) => void): Promise<() => void>;
  /** Reads a pasted code that carries its server (`code@server`) or is a whole link. Rejects with 'invalid'. */
  readCode(text: string): Promise<InvitationLink>;
}

/** Whether a typed code may carry more than a code (its server, or a whole link). */
export function mayCarryServer(text: string): boolean {
  return text.includes('@') || text.trim().toLowerCase().startsWith('qarfield:');
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
  takeLink() {
    return call<InvitationLink | null>('take_invitation_link', {});
  }
  onLink(handler: (link: InvitationLink) => void) {
    return listen<InvitationLink>(INVITATION_EVENT, (event) => handler(event.payload));
  }
  readCode(text: string) {
    return call<InvitationLink>('read_invitation_code', { text });
  }
}
