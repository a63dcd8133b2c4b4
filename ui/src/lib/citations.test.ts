import { describe, expect, it } from 'vitest';
import { citationToken, citedNoteIds, insertCitation, splitByCitations, withoutCitations } from './citations';
import { countWords } from './format';

const A = '0190a5b2-0000-7000-8000-000000000001';
const B = '0190a5b2-0000-7000-8000-000000000002';

describe('citations of notes', () => {
  it('builds the token qar-core reads, and inserts it with one space before', () => {
    expect(citationToken(A)).toBe(`[[note:${A}]]`);
    expect(insertCitation('Reading is strong.', 17, A)).toEqual({ text: `Reading is strong [[note:${A}]].`, caret: 17 + 1 + citationToken(A).length });
    expect(insertCitation('Reading ', 8, A).text).toBe(`Reading [[note:${A}]]`);
    expect(insertCitation('', 0, A).text).toBe(`[[note:${A}]]`);
  });

  it('leaves citations out of the words the school reads, as the exports do', () => {
    const text = `Reading is strong [[note:${A}]] and well taught [[note:${B}]]. Not [[note:12]].`;
    expect(citedNoteIds(text)).toEqual([A, B]);
    expect(withoutCitations(text)).toBe('Reading is strong and well taught. Not [[note:12]].');
    expect(countWords(text)).toBe(8);
  });

  it('splits a body at the citations Rust listed', () => {
    const body = `Seen [[note:${A}]] twice [[note:${A}]].`;
    const c = { token: `[[note:${A}]]`, noteId: A, label: 'Learning walk, 24 Nov 10:15', available: true };
    expect(splitByCitations(body, [c, c])).toEqual([
      { kind: 'text', text: 'Seen ' },
      { kind: 'citation', citation: c },
      { kind: 'text', text: ' twice ' },
      { kind: 'citation', citation: c },
      { kind: 'text', text: '.' },
    ]);
  });
});
