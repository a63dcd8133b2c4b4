import { invoke } from '@tauri-apps/api/core';
import { toBackendError } from './backend';

// Protecting review data on the laptop (issue 8): the store is encrypted and opened only with
// its key (the OS keychain, else a passphrase), the idle lock, handover files, and the wipe.

import type { HandoverExport, VaultStatus } from './generated';
export type { HandoverExport, LockState as VaultState, Protection as ProtectionMode, VaultStatus } from './generated';

export interface Protection {
  status(): Promise<VaultStatus>;
  /** Opens the store. Rejects with 'wrong_passphrase', 'passphrase_needed', 'vault' (e.g. too short), 'wiped'. */
  unlock(passphrase?: string): Promise<VaultStatus>;
  /** The idle lock's check: the store passphrase, or in keychain mode the sign-in password.
   *  Rejects with 'wrong_passphrase' / 'wrong_password', or 'lock_needs_sign_in'. */
  unlockIdle(secret: string): Promise<void>;
  /** Seals the changes the server has not acknowledged (of one review, or all) into an encrypted file. */
  exportUnsent(path: string, passphrase: string, reviewId: string | null): Promise<HandoverExport>;
  /** Applies a handover file's changes here (queued for sync); returns how many were new. */
  importHandover(path: string, passphrase: string): Promise<number>;
  /** Forgotten passphrase: moves the locked store aside (not deleted) so a new passphrase can be
   *  set; returns the folder it went to. Only while locked with a passphrase. */
  startAfresh(): Promise<string>;
  /** Deletes the store and its key. Rejects with 'unsent_work' unless `discardUnsent`. */
  wipe(discardUnsent: boolean): Promise<void>;
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toBackendError(e);
  }
}

export class TauriProtection implements Protection {
  status() {
    return call<VaultStatus>('vault_status');
  }
  unlock(passphrase?: string) {
    return call<VaultStatus>('unlock_store', { passphrase: passphrase ?? null });
  }
  async unlockIdle(secret: string) {
    await call<null>('unlock_idle', { secret });
  }
  exportUnsent(path: string, passphrase: string, reviewId: string | null) {
    return call<HandoverExport>('export_unsent', { path, passphrase, reviewId });
  }
  importHandover(path: string, passphrase: string) {
    return call<number>('import_handover', { path, passphrase });
  }
  startAfresh() {
    return call<string>('start_afresh');
  }
  async wipe(discardUnsent: boolean) {
    await call<null>('wipe_laptop', { discardUnsent });
  }
}
