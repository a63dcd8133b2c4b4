import { describe, expect, it } from 'vitest';
import { highlightPieces, searchWords } from './highlight';

describe('search highlighting', () => {
  it('marks every searched word, whatever its case, and keeps the text whole', () => {
    const pieces = highlightPieces('Phonics in Y1: phonics books matched (PHONICS).', searchWords('  phonics books '));
    expect(pieces.filter((p) => p.match).map((p) => p.text)).toEqual(['Phonics', 'phonics', 'books', 'PHONICS']);
    expect(pieces.map((p) => p.text).join('')).toBe('Phonics in Y1: phonics books matched (PHONICS).');
  });

  it('takes words with regular-expression characters literally', () => {
    expect(highlightPieces('Y4 (maths) + Y5', ['(maths)', '+']).filter((p) => p.match).map((p) => p.text)).toEqual(['(maths)', '+']);
  });

  it('marks nothing without words', () => {
    expect(highlightPieces('Calm corridors', [])).toEqual([{ text: 'Calm corridors', match: false }]);
  });
});
