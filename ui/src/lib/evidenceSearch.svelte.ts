import { errorMessage, type Backend, type Evidence, type EvidenceQueryInput } from './backend';
import { localDay } from './format';

export const SEARCH_DELAY_MS = 200;

export type FilterKey = 'area' | 'activityType' | 'day';

/** The day a note counts for under the day filter: its activity's, or (no time given) its last change's. */
export function noteDay(evidence: Evidence): string {
  return evidence.startedAt?.slice(0, 10) ?? localDay(evidence.updatedAt);
}

/**
 * The evidence list of one review: every note, and when words or filters are given, the notes
 * `search_evidence` finds. Words wait for a short pause in typing; filters apply at once. An
 * answer that arrives after a newer question was asked is dropped.
 */
export class EvidenceSearch {
  /** Every note of the review, newest first. */
  all = $state<Evidence[]>([]);
  loaded = $state(false);
  text = $state('');
  area = $state('');
  activityType = $state('');
  day = $state('');
  error = $state<string | null>(null);
  /** The latest answer to the current words and filters; null until the first one arrives. */
  private found = $state<Evidence[] | null>(null);

  active = $derived(this.text.trim() !== '' || this.area !== '' || this.activityType !== '' || this.day !== '');
  /** Waiting for the first answer since words or filters were set. */
  pending = $derived(this.active && this.found === null);
  shown = $derived(this.active ? (this.found ?? []) : this.all);
  /** The days the notes were written on, for the day filter (the chosen one stays listed). */
  days = $derived([...new Set([...this.all.map(noteDay), ...(this.day ? [this.day] : [])])].sort());

  private timer: ReturnType<typeof setTimeout> | undefined;
  private asked = 0;

  constructor(
    private readonly backend: Backend,
    private readonly reviewId: string,
    private readonly delayMs = SEARCH_DELAY_MS,
  ) {}

  async load() {
    this.all = await this.backend.listEvidence(this.reviewId);
    this.loaded = true;
  }

  /** The question as `search_evidence` takes it. */
  query(): EvidenceQueryInput {
    return {
      text: this.text.trim(),
      area: this.area || null,
      activityType: this.activityType || null,
      day: this.day || null,
    };
  }

  setText(text: string) {
    this.text = text;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), this.delayMs);
  }

  setFilter(key: FilterKey, value: string) {
    this[key] = value;
    void this.run();
  }

  clear() {
    clearTimeout(this.timer);
    this.asked++;
    this.text = this.area = this.activityType = this.day = '';
    this.found = null;
    this.error = null;
  }

  /** A note was created or changed in this window. */
  saved(evidence: Evidence, created: boolean) {
    this.all = created ? [evidence, ...this.all.filter((e) => e.id !== evidence.id)] : this.all.map((e) => (e.id === evidence.id ? evidence : e));
    if (this.active) void this.run();
  }

  removed(evidenceId: string) {
    this.all = this.all.filter((e) => e.id !== evidenceId);
    if (this.found) this.found = this.found.filter((e) => e.id !== evidenceId);
  }

  dispose() {
    clearTimeout(this.timer);
  }

  private async run() {
    clearTimeout(this.timer);
    const asked = ++this.asked;
    if (!this.active) {
      this.found = null;
      this.error = null;
      return;
    }
    try {
      const found = await this.backend.searchEvidence(this.reviewId, this.query());
      if (asked !== this.asked) return;
      this.found = found;
      this.error = null;
    } catch (e) {
      if (asked === this.asked) this.error = errorMessage(e);
    }
  }
}
