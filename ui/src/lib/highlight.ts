/** Pieces of a text, each marked when it matches one of the searched words (case-insensitive). */
export type Piece = { text: string; match: boolean };

export function searchWords(query: string): string[] {
  return [...new Set(query.trim().toLowerCase().split(/\s+/).filter((w) => w.length > 0))];
}

/** Splits `text` into matching and other pieces, so a screen can mark what the search found. */
export function highlightPieces(text: string, words: string[]): Piece[] {
  if (words.length === 0 || text === '') return [{ text, match: false }];
  const escaped = [...words].sort((a, b) => b.length - a.length).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = new RegExp(`(${escaped.join('|')})`, 'gi');
  const pieces: Piece[] = [];
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    if (m.index > last) pieces.push({ text: text.slice(last, m.index), match: false });
    pieces.push({ text: m[0], match: true });
    last = m.index + m[0].length;
  }
  if (last < text.length) pieces.push({ text: text.slice(last), match: false });
  return pieces;
}
