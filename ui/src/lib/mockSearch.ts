import type { Evidence } from './backend';

/*
 * Text search as the Rust store does it with SQLite FTS5 (unicode61, remove_diacritics): the
 * text is split into words of letters and digits, folded to lower case without accents, and
 * every word the reviewer typed must start some word of the note's notes, strengths or
 * development points. Ranking is a simple stand-in for bm25: more hits in a shorter text first.
 */

/** How many words of a query count, as in the store. */
const MAX_QUERY_WORDS = 16;

export function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
}

export function words(text: string): string[] {
  return fold(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '');
}

export function queryWords(text: string): string[] {
  return words(text).slice(0, MAX_QUERY_WORDS);
}

/** The note's relevance to the query words, or null when some word does not occur. */
export function matchScore(evidence: Evidence, query: string[]): number | null {
  const tokens = words(`${evidence.notes}\n${evidence.strengths}\n${evidence.developmentPoints}`);
  let hits = 0;
  for (const q of query) {
    const n = tokens.filter((t) => t.startsWith(q)).length;
    if (n === 0) return null;
    hits += n;
  }
  return hits / Math.sqrt(tokens.length);
}
