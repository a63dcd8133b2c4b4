import { errorMessage } from './backend';
import type { SaveStatus } from './noteSaver.svelte';
import { registerFlusher } from './pendingSaves';

export const FIELD_SAVE_DELAY_MS = 400;

/**
 * Autosave for one thing written as a whole (an estimate with its rationale, a report section):
 * a change is written after a quiet period (typing restarts it), one write at a time, each
 * reading the value as it is when the write starts, so the latest text wins. `write` returns
 * false when there was nothing to write (e.g. no estimate chosen yet).
 */
export class AutoSaver {
  error = $state<string | null>(null);
  private waiting = $state(false);
  private running = $state(false);
  private saved = $state(false);

  status: SaveStatus = $derived.by(() => {
    if (this.waiting || this.running) return 'saving';
    if (this.error !== null) return 'error';
    return this.saved ? 'saved' : 'idle';
  });

  private timer: ReturnType<typeof setTimeout> | undefined;
  private again = false;
  private tail: Promise<void> = Promise.resolve();

  private readonly unregister: () => void;

  constructor(
    private readonly write: () => Promise<boolean>,
    private readonly delayMs = FIELD_SAVE_DELAY_MS,
  ) {
    // Closing the window, signing out or locking writes what waits here first.
    this.unregister = registerFlusher({ flush: () => this.flush() });
  }

  /** A change waits or is being written. */
  get busy(): boolean {
    return this.waiting || this.running;
  }

  /** Something changed: write it once typing has paused. */
  changed() {
    clearTimeout(this.timer);
    this.waiting = true;
    this.timer = setTimeout(() => this.start(), this.delayMs);
  }

  /** Writes what waits now and resolves once every write is done. True when nothing failed. */
  async flush(): Promise<boolean> {
    if (this.waiting) this.start();
    while (this.running) await this.tail;
    return this.error === null;
  }

  /** The screen is going away: start the waiting write now rather than drop it. */
  dispose() {
    if (this.waiting) this.start();
    void this.tail.finally(() => this.unregister());
  }

  private start() {
    clearTimeout(this.timer);
    this.waiting = false;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.tail = this.run();
  }

  private async run() {
    do {
      this.again = false;
      try {
        const wrote = await this.write();
        this.error = null;
        if (wrote) this.saved = true;
      } catch (e) {
        this.error = errorMessage(e);
        this.saved = false;
      }
    } while (this.again);
    this.running = false;
  }
}
