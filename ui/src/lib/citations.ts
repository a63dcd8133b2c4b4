import type { Citation } from './generated';
import { TABLES } from './tables';

// Citations of notes in report sections (qar-core's citation.rs): the token's shape comes from
// the generated tables, and the app's own list of a section's citations comes from Rust; this
// file only builds a token, finds tokens for the live word count, and splits a body for display.

const { prefix, suffix } = TABLES.citation;
const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const TOKEN = new RegExp(` ?${escape(prefix)}(${UUID})${escape(suffix)}`, 'g');

/** The token that cites a note. */
export function citationToken(noteId: string): string {
  return `${prefix}${noteId}${suffix}`;
}

/** The note ids cited in `text`, in order. */
export function citedNoteIds(text: string): string[] {
  return [...text.matchAll(TOKEN)].map((m) => m[1]);
}

/** `text` as the school will read it: citations (and the space before each) left out. */
export function withoutCitations(text: string): string {
  return text.replace(TOKEN, '');
}

/** Inserts a citation at `caret`, with a space before it unless the text there already has one. */
export function insertCitation(text: string, caret: number, noteId: string): { text: string; caret: number } {
  const before = text.slice(0, caret);
  const token = (before === '' || /\s$/.test(before) ? '' : ' ') + citationToken(noteId);
  return { text: before + token + text.slice(caret), caret: caret + token.length };
}

export type Segment = { kind: 'text'; text: string } | { kind: 'citation'; citation: Citation };

/** `body` cut at each of its citations (as Rust listed them), for display. */
export function splitByCitations(body: string, citations: Citation[]): Segment[] {
  const out: Segment[] = [];
  let rest = body;
  for (const c of citations) {
    const at = rest.indexOf(c.token);
    if (at < 0) continue;
    if (at > 0) out.push({ kind: 'text', text: rest.slice(0, at) });
    out.push({ kind: 'citation', citation: c });
    rest = rest.slice(at + c.token.length);
  }
  if (rest !== '') out.push({ kind: 'text', text: rest });
  return out;
}
