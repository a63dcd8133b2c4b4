// A sample register for the browser preview and component tests (issue 23): invented schools
// only, searched with the laptop's rule (every word a prefix of a word in the title, summary,
// school or local authority; every filter applies), so the screens behave as over the real copy.

import type { AoeTheme, Register, RegisterEntry, RegisterFacets, RegisterFilter, VisitRequest } from './register';

type Options = {
  online: () => boolean;
  offlineError: () => unknown;
  pause: () => Promise<void>;
  personName: () => string;
  now: () => Date;
};

export const SAMPLE_THEMES: AoeTheme[] = [
  { code: 'early_reading', label: 'Early reading and phonics' },
  { code: 'mathematics', label: 'Mathematics' },
  { code: 'oracy', label: 'Oracy' },
  { code: 'send_inclusion', label: 'SEND and inclusion' },
  { code: 'disadvantaged_attainment', label: 'Attainment of disadvantaged pupils' },
  { code: 'attendance', label: 'Attendance' },
  { code: 'family_engagement', label: 'Working with families' },
];

function entry(
  n: number,
  school: string,
  phase: string,
  region: string,
  la: string,
  year: number,
  title: string,
  summary: string,
  themes: string[],
  focus: boolean,
): RegisterEntry {
  return {
    review_id: `0190aaaa-0000-7000-8000-${String(n).padStart(12, '0')}`,
    urn: `9901${String(50 + n)}`,
    school_name: school,
    phase,
    region,
    la_name: la,
    title,
    summary,
    areas: focus ? ['disadvantaged_additional_needs'] : ['provision_outcomes'],
    themes,
    disadvantaged_focus: focus,
    academic_year: year,
    issued_ms: Date.UTC(year + 1, 2, 10 - n),
  };
}

export function sampleRegister(): RegisterEntry[] {
  return [
    entry(1, 'Larkspur Primary School', 'Primary', 'North West', 'Fellshire', 2025, 'Phonics catch-up the same day',
      'Pupils who stumble in the morning phonics lesson get ten minutes with the same teacher that afternoon.\n\nDisadvantaged pupils now keep pace with their classmates by the end of Reception.',
      ['early_reading', 'disadvantaged_attainment'], true),
    entry(2, 'Heron Vale Academy', 'Secondary', 'North West', 'Fellshire', 2025, 'Talk before writing in every subject',
      'Structured talk partners in every lesson before pupils write at length.', ['oracy'], false),
    entry(3, 'Moorgate Church of England Primary', 'Primary', 'South West', 'Estuary', 2024, 'Mathematics mastery in mixed-age classes',
      'Small steps and shared models let mixed-age classes keep to one lesson.', ['mathematics'], false),
    entry(4, 'Tarn Bridge Community School', 'All-through', 'South West', 'Moorland', 2024, 'Families as partners in attendance',
      'A named adult calls home on the first morning of absence and visits on the third.', ['attendance', 'family_engagement'], true),
    entry(5, 'Kestrel Brook Primary School', 'Primary', 'North West', 'Fellshire', 2023, 'Inclusion that starts at the door',
      'Every pupil with an education, health and care plan has a morning check-in with a trusted adult.', ['send_inclusion'], true),
  ];
}

function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '');
}

export class MockRegister implements Register {
  entries: RegisterEntry[] = sampleRegister();
  /** Requests made through this mock, newest last. */
  readonly requests: VisitRequest[] = [];
  private nextId = 1;

  constructor(private readonly options: Options) {}

  async search(filter: RegisterFilter): Promise<RegisterEntry[]> {
    await this.options.pause();
    const asked = words(filter.text);
    const found = this.entries.filter((e) => {
      const own = words(`${e.title} ${e.summary} ${e.school_name} ${e.la_name}`);
      return (
        asked.every((w) => own.some((o) => o.startsWith(w))) &&
        (!filter.phase || e.phase === filter.phase) &&
        (!filter.region || e.region === filter.region) &&
        (!filter.theme || e.themes.includes(filter.theme)) &&
        (filter.disadvantagedFocus === null || filter.disadvantagedFocus === undefined || e.disadvantaged_focus === filter.disadvantagedFocus) &&
        (!filter.academicYear || e.academic_year === filter.academicYear)
      );
    });
    return found.sort((a, b) => b.issued_ms - a.issued_ms).slice(0, filter.limit ?? 50);
  }

  async facets(): Promise<RegisterFacets> {
    const distinct = <T>(values: T[]) => [...new Set(values)];
    return {
      entries: this.entries.length,
      phases: distinct(this.entries.map((e) => e.phase)).sort(),
      regions: distinct(this.entries.map((e) => e.region)).sort(),
      years: distinct(this.entries.map((e) => e.academic_year)).sort((a, b) => b - a),
      themes: SAMPLE_THEMES,
    };
  }

  async entry(reviewId: string): Promise<RegisterEntry | null> {
    return this.entries.find((e) => e.review_id === reviewId) ?? null;
  }

  async askToVisit(reviewId: string, message: string): Promise<VisitRequest> {
    await this.options.pause();
    if (!this.options.online()) throw this.options.offlineError();
    const e = this.entries.find((x) => x.review_id === reviewId);
    if (!e) throw { code: 'not_found', message: `There is no register entry for review ${reviewId}.` };
    const text = message.trim();
    if (text === '') throw { code: 'invalid', message: 'Your message is required' };
    const made: VisitRequest = {
      id: `visit-request-${this.nextId++}`,
      review_id: reviewId,
      urn: e.urn,
      entry_title: e.title,
      requester_name: this.options.personName(),
      message: text,
      created_ms: this.options.now().getTime(),
    };
    this.requests.push(made);
    return made;
  }
}
