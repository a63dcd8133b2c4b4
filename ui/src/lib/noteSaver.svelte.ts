import { errorMessage, type Backend, type Evidence } from './backend';
import {
  copyNote,
  FIELD_NAMES,
  fieldValue,
  hasWriting,
  newEvidenceInput,
  noteValues,
  overLimit,
  TEXT_LABELS,
  TEXT_LIMITS,
  sameValue,
  type NoteKey,
  type NoteValues,
} from './evidenceFields';
import { registerFlusher } from './pendingSaves';

export type SaveStatus = 'idle' | 'saving' | 'saved' | 'error';

export type NoteSaverOptions = {
  backend: Backend;
  reviewId: string;
  /** The form's values as they stand. Read when a write runs, so the latest value is what is sent. */
  read: () => NoteValues;
  /** After each write the backend accepted; `created` for the add that made the note. */
  onsaved?: (evidence: Evidence, created: boolean) => void;
  /** Quiet period after the last change of a field before it is written. */
  delayMs?: number;
};

export const AUTOSAVE_DELAY_MS = 300;

/** Held at the box rather than sent: the store would refuse it, and the words stay where they are. */
export const TOO_LONG_MESSAGE = 'Not saved: the note is longer than it can be. Shorten it to save (the count is under the box).';

class TooLong extends Error {
  constructor() {
    super(TOO_LONG_MESSAGE);
  }
}

/**
 * Autosave for one note at a time. A change to a field is written after a quiet period (typing
 * restarts it); the first write of a new note creates it with `add_evidence`, later ones change
 * one field each with `update_evidence_field`. Writes run one after another, never two at once,
 * and each sends the field's value as it is when the write starts, so the latest value wins and
 * a note is created exactly once.
 */
export class NoteSaver {
  /** The note being written, once it exists. */
  evidenceId = $state<string | null>(null);
  /** Why the last write failed; cleared once every failed field has been written. */
  error = $state<string | null>(null);
  /** Fields waiting out their quiet period. */
  private waiting = $state(0);
  /** Writes queued or under way. */
  private running = $state(0);
  /** The last thing that happened was a write the backend accepted. */
  private saved = $state(false);

  status: SaveStatus = $derived.by(() => {
    if (this.waiting > 0 || this.running > 0) return 'saving';
    if (this.error !== null) return 'error';
    return this.saved ? 'saved' : 'idle';
  });

  private readonly backend: Backend;
  private readonly reviewId: string;
  private readonly read: () => NoteValues;
  private readonly onsaved?: (evidence: Evidence, created: boolean) => void;
  private readonly delayMs: number;
  private timers = new Map<NoteKey, ReturnType<typeof setTimeout>>();
  private queued = new Set<NoteKey>();
  private failed = new Set<NoteKey>();
  /** What the backend holds for the current note (null before it exists). */
  private committed: NoteValues | null = null;
  private tail: Promise<void> = Promise.resolve();
  /** Bumped when the saver moves to another note, so late answers for the old one change nothing here. */
  private generation = 0;

  private unregister: () => void;

  constructor(options: NoteSaverOptions) {
    this.backend = options.backend;
    this.reviewId = options.reviewId;
    this.read = options.read;
    this.onsaved = options.onsaved;
    this.delayMs = options.delayMs ?? AUTOSAVE_DELAY_MS;
    // Closing the window, signing out or locking writes what waits here first.
    this.unregister = registerFlusher({ flush: () => this.flush(), unsaveable: () => this.unsaveable() });
  }

  /** Why what is typed cannot be saved as it stands (a field over its limit), or null. */
  unsaveable(): string | null {
    const over = overLimit(this.read());
    if (over.length === 0) return null;
    return over
      .map((key) => `${TEXT_LABELS[key]} has ${this.read()[key].length - TEXT_LIMITS[key]} characters more than the ${TEXT_LIMITS[key]} a note can hold, so it is not saved.`)
      .join(' ');
  }

  /** Whether a change is waiting or being written. */
  get busy(): boolean {
    return this.waiting > 0 || this.running > 0;
  }

  /**
   * Moves to a blank note (null) or to an existing one to edit. Call `flush` first: changes
   * still waiting are dropped. `saved` sets what the status says until the next change.
   */
  begin(evidence: Evidence | null, { saved = false } = {}) {
    this.cancelTimers();
    this.generation++;
    this.queued.clear();
    this.failed.clear();
    this.evidenceId = evidence?.id ?? null;
    this.committed = evidence ? noteValues(evidence) : null;
    this.error = null;
    this.saved = saved;
  }

  /** A field changed: write it once it has been quiet for the delay. Fields that failed are retried with it. */
  edited(key: NoteKey) {
    if (this.evidenceId === null && !hasWriting(this.read())) return; // nothing worth a note yet
    for (const failed of this.failed) if (failed !== key) this.schedule(failed);
    this.schedule(key);
  }

  /** Writes every waiting change now (and retries failed ones), then waits until all are done. True when nothing failed. */
  async flush(): Promise<boolean> {
    for (const key of this.failed) this.enqueue(key);
    while (this.timers.size > 0 || this.running > 0) {
      for (const key of [...this.timers.keys()]) {
        this.cancelTimer(key);
        this.enqueue(key);
      }
      await this.tail;
    }
    return this.error === null;
  }

  /** Deletes the current note after the writes under way; changes still waiting go with it. Rejects as the backend does. */
  async remove(): Promise<void> {
    this.cancelTimers();
    await this.tail;
    const id = this.evidenceId;
    if (id === null) return;
    await this.backend.deleteEvidence(id);
    this.begin(null);
  }

  /** The form is going away: start the waiting writes now rather than drop them. Stays registered
   *  for a close until those writes are done. */
  dispose() {
    for (const key of [...this.timers.keys()]) {
      this.cancelTimer(key);
      this.enqueue(key);
    }
    void this.tail.finally(() => this.unregister());
  }

  private schedule(key: NoteKey) {
    this.cancelTimer(key);
    this.timers.set(
      key,
      setTimeout(() => {
        this.cancelTimer(key);
        this.enqueue(key);
      }, this.delayMs),
    );
    this.waiting = this.timers.size;
  }

  private cancelTimer(key: NoteKey) {
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.waiting = this.timers.size;
  }

  private cancelTimers() {
    for (const key of [...this.timers.keys()]) this.cancelTimer(key);
  }

  private enqueue(key: NoteKey) {
    // A write queued but not started will send the latest value anyway.
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.running++;
    const generation = this.generation;
    this.tail = this.tail.then(() => this.write(key, generation));
  }

  private async write(key: NoteKey, generation: number) {
    this.queued.delete(key);
    let result: { evidence: Evidence; created: boolean } | null = null;
    try {
      if (generation !== this.generation) return;
      result = this.evidenceId === null ? await this.create(generation) : await this.update(key, generation);
      if (result && generation === this.generation) {
        if (this.failed.size === 0) this.error = null;
        this.saved = true;
      }
    } catch (e) {
      if (generation !== this.generation) return;
      this.failed.add(key);
      this.error = e instanceof TooLong ? TOO_LONG_MESSAGE : errorMessage(e);
      this.saved = false;
    } finally {
      this.running--;
    }
    if (result) this.onsaved?.(result.evidence, result.created);
  }

  private async create(generation: number) {
    const sent = copyNote(this.read());
    if (overLimit(sent).length > 0) throw new TooLong();
    if (!hasWriting(sent)) {
      // Everything was rubbed out: there is nothing left to save, so nothing failed either.
      this.failed.clear();
      this.error = null;
      return null;
    }
    const evidence = await this.backend.addEvidence(newEvidenceInput(this.reviewId, sent));
    if (generation === this.generation) {
      this.evidenceId = evidence.id;
      // What was sent, not what came back: the store trims short fields, and the form still
      // holding 'Y4 ' must not count as a change to write again.
      this.committed = sent;
      this.failed.clear();
    }
    return { evidence, created: true };
  }

  private async update(key: NoteKey, generation: number) {
    const value = copyNote(this.read())[key];
    if ((overLimit(this.read()) as NoteKey[]).includes(key)) throw new TooLong();
    if (this.committed && sameValue(value, this.committed[key])) {
      this.failed.delete(key);
      if (this.failed.size === 0) this.error = null;
      return null;
    }
    const evidence = await this.backend.updateEvidenceField(this.evidenceId!, FIELD_NAMES[key], fieldValue(key, value));
    if (generation === this.generation && this.committed) {
      this.committed = { ...this.committed, [key]: value };
      this.failed.delete(key);
    }
    return { evidence, created: false };
  }
}
