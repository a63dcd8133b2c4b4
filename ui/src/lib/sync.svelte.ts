import { errorMessage, type Backend, type SyncStatus } from './backend';

/** The sync status the status bar shows, kept current from commands and `sync-status` events. */
export class SyncState {
  status = $state<SyncStatus | null>(null);
  /** A sync this window asked for is under way. */
  requested = $state(false);
  /** Set when the backend could not even be asked (not when the server is down: see lastError). */
  problem = $state<string | null>(null);

  syncing = $derived(this.requested || (this.status?.syncing ?? false));

  constructor(private readonly backend: Backend) {}

  /** Loads the status and follows the backend's events. Returns the unsubscribe. */
  start(): () => void {
    let unlisten: (() => void) | null = null;
    let stopped = false;
    this.backend
      .onSyncStatus((status) => this.apply(status))
      .then((stop) => (stopped ? stop() : (unlisten = stop)))
      .catch((e) => (this.problem = errorMessage(e)));
    void this.refresh();
    return () => {
      stopped = true;
      unlisten?.();
    };
  }

  /** Re-reads the status, e.g. after a local change added to the pending count. */
  async refresh() {
    try {
      this.apply(await this.backend.syncStatus());
    } catch (e) {
      this.problem = errorMessage(e);
    }
  }

  async syncNow() {
    if (this.syncing) return;
    this.requested = true;
    try {
      this.apply(await this.backend.syncNow());
    } catch (e) {
      this.problem = errorMessage(e);
    } finally {
      this.requested = false;
    }
  }

  private apply(status: SyncStatus) {
    this.status = status;
    this.problem = null;
  }
}
