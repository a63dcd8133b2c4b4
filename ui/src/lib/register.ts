import { invoke } from '@tauri-apps/api/core';
import { toBackendError } from './backend';
import type { RegisterEntry, RegisterFacets, RegisterFilter, VisitRequest } from './generated';
import { LIMITS } from './tables';
export type { AoeTheme, RegisterEntry, RegisterFacets, RegisterFilter, VisitRequest } from './generated';

// The register of Areas of Excellence (issue 23, decisions 65–66). Search, its filters and one
// entry read this laptop's own copy, which every sync brings up to date: they work offline.
// "Ask to visit" goes to the server and is never queued here: offline it rejects with 'offline'
// and the screen keeps the message for another try.

/** Longest "Ask to visit" message, in characters (qar_core::register, through tables.json). */
export const MAX_VISIT_MESSAGE_CHARS: number = LIMITS.max_visit_message;
/** Longest search text, in characters. */
export const MAX_QUERY_CHARS: number = LIMITS.max_register_query;

export interface Register {
  /** Entries matching every filter given: best text match first, newest first without words. */
  search(filter: RegisterFilter): Promise<RegisterEntry[]>;
  /** The values the filters can offer, from this laptop's copy, and how many entries it holds. */
  facets(): Promise<RegisterFacets>;
  /** One entry; null once it is no longer published (consent revoked, report corrected). */
  entry(reviewId: string): Promise<RegisterEntry | null>;
  /** Online only: rejects with 'offline' when the server cannot be reached, and nothing is sent. */
  askToVisit(reviewId: string, message: string): Promise<VisitRequest>;
}

/** A filter with every field present: what the search screen sends. */
export function emptyFilter(): RegisterFilter {
  return { text: '', phase: null, region: null, theme: null, disadvantagedFocus: null, academicYear: null, limit: null };
}

/** The academic year an entry's visit fell in, named as schools name it: 2024 → '2024/25'. */
export function academicYearLabel(year: number): string {
  return `${year}/${String((year + 1) % 100).padStart(2, '0')}`;
}

/** A theme code in words, from the list the copy carries; an unknown code is shown as it is. */
export function themeLabel(themes: { code: string; label: string }[], code: string): string {
  return themes.find((t) => t.code === code)?.label ?? code;
}

/** 'Primary · North West · Lancashire': the facts that place a school, leaving out blanks. */
export function schoolPlace(entry: Pick<RegisterEntry, 'phase' | 'region' | 'la_name'>): string {
  return [entry.phase, entry.region, entry.la_name].filter((s) => s.trim() !== '').join(' · ');
}

/** The summary as paragraphs (the report's Area of Excellence keeps its blank lines). */
export function paragraphs(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toBackendError(e);
  }
}

export class TauriRegister implements Register {
  search(filter: RegisterFilter) {
    return call<RegisterEntry[]>('search_register', { filter });
  }
  facets() {
    return call<RegisterFacets>('register_facets');
  }
  entry(reviewId: string) {
    return call<RegisterEntry | null>('register_entry', { reviewId });
  }
  askToVisit(reviewId: string, message: string) {
    return call<VisitRequest>('ask_to_visit', { reviewId, message });
  }
}
