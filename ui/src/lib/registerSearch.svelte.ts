import { errorMessage } from './backend';
import { emptyFilter, type Register, type RegisterEntry, type RegisterFacets, type RegisterFilter } from './register';

/** The pause in typing before the words are searched: one search per pause, not per key. */
export const REGISTER_SEARCH_DELAY_MS = 200;

export type RegisterFilterKey = 'phase' | 'region' | 'theme' | 'focus' | 'year';

/**
 * The register screen's question and its latest answer. Words wait for a pause in typing; a
 * filter applies at once. An answer that arrives after a newer question was asked is dropped,
 * so fast typing never shows an older answer over a newer one. The object outlives the screen
 * (see `registerSearchFor`), so coming back from an entry finds the same search.
 */
export class RegisterSearch {
  text = $state('');
  phase = $state('');
  region = $state('');
  theme = $state('');
  /** '' any, 'yes' disadvantaged pupils or SEND, 'no' other practice. */
  focus = $state('');
  /** An academic year as its starting year ('2024'), or '' for any. */
  year = $state('');
  facets = $state<RegisterFacets | null>(null);
  /** The latest answer; null until the first one arrives. */
  results = $state<RegisterEntry[] | null>(null);
  error = $state<string | null>(null);
  /** A search was asked and its answer has not arrived yet. */
  searching = $state(false);
  /** Answers shown so far: the screen publishes it, so the webview journey can time a search. */
  answers = $state(0);

  /** Words or a filter are set. A getter, not `$derived`: the search outlives the screen that
   *  made it, and a derived would belong to that screen's (destroyed) effect. */
  get active(): boolean {
    return this.text.trim() !== '' || this.phase !== '' || this.region !== '' || this.theme !== '' || this.focus !== '' || this.year !== '';
  }

  private timer: ReturnType<typeof setTimeout> | undefined;
  private asked = 0;

  constructor(
    private readonly register: Register,
    private readonly delayMs = REGISTER_SEARCH_DELAY_MS,
  ) {}

  /** The filters' choices and a first answer (the newest entries). */
  async load() {
    try {
      this.facets = await this.register.facets();
    } catch (e) {
      this.error = errorMessage(e);
    }
    await this.run();
  }

  /** The question as `search_register` takes it. */
  filter(): RegisterFilter {
    return {
      ...emptyFilter(),
      text: this.text.trim(),
      phase: this.phase || null,
      region: this.region || null,
      theme: this.theme || null,
      disadvantagedFocus: this.focus === '' ? null : this.focus === 'yes',
      academicYear: this.year === '' ? null : Number(this.year),
    };
  }

  setText(text: string) {
    this.text = text;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), this.delayMs);
  }

  setFilter(key: RegisterFilterKey, value: string) {
    this[key] = value;
    void this.run();
  }

  clear() {
    this.text = this.phase = this.region = this.theme = this.focus = this.year = '';
    void this.run();
  }

  dispose() {
    clearTimeout(this.timer);
  }

  private async run() {
    clearTimeout(this.timer);
    const asked = ++this.asked;
    this.searching = true;
    try {
      const found = await this.register.search(this.filter());
      if (asked !== this.asked) return;
      this.results = found;
      this.error = null;
      this.answers++;
    } catch (e) {
      if (asked === this.asked) this.error = errorMessage(e);
    } finally {
      if (asked === this.asked) this.searching = false;
    }
  }
}

const kept = new WeakMap<Register, RegisterSearch>();

/** The one search of this register, kept while the app runs. */
export function registerSearchFor(register: Register): RegisterSearch {
  let search = kept.get(register);
  if (!search) {
    search = new RegisterSearch(register);
    kept.set(register, search);
  }
  return search;
}
