import { getContext, setContext } from 'svelte';
import { errorMessage } from './backend';
import type { Protection, VaultStatus } from './protection';

/** Whether the store is open, shared by the start-up gate and the screens that wipe. */
export class VaultGate {
  status = $state<VaultStatus | null>(null);
  /** The status could not be read at all. */
  problem = $state<string | null>(null);

  constructor(readonly protection: Protection) {}

  async load() {
    try {
      this.status = await this.protection.status();
      this.problem = null;
    } catch (e) {
      this.problem = errorMessage(e);
    }
  }

  /** After an unlock or a wipe: the new status. */
  set(status: VaultStatus) {
    this.status = status;
  }
}

const VAULT = Symbol('vault');

export function setVaultGate(gate: VaultGate) {
  setContext(VAULT, gate);
}

/** The app's gate, when it runs behind one (screens mounted on their own in tests may have none). */
export function getVaultGate(): VaultGate | undefined {
  return getContext<VaultGate | undefined>(VAULT);
}
