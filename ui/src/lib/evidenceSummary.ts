import type { Evidence } from './backend';

export type Count = { key: string; label: string; count: number };

/** How many of `items` fall under each key, most first (ties in label order). */
function countBy(items: Evidence[], key: (e: Evidence) => string, label: (key: string) => string): Count[] {
  const counts = new Map<string, number>();
  for (const e of items) counts.set(key(e), (counts.get(key(e)) ?? 0) + 1);
  return [...counts]
    .map(([k, count]) => ({ key: k, label: label(k), count }))
    .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
}

/** What the evidence for one area rests on: by activity, by reviewer, strengths and development points. */
export function summariseEvidence(items: Evidence[], activityLabel: (code: string) => string, authorName: (id: string) => string) {
  return {
    total: items.length,
    byActivity: countBy(items, (e) => e.activityType, activityLabel),
    byReviewer: countBy(items, (e) => e.authorId, authorName),
    withStrengths: items.filter((e) => e.strengths.trim() !== '').length,
    withDevelopment: items.filter((e) => e.developmentPoints.trim() !== '').length,
  };
}

/** Notes with no area ticked: they reach neither Estimates nor the report until tagged. */
export function untagged(items: Evidence[]): Evidence[] {
  return items.filter((e) => e.areaTags.length === 0);
}

/** Whether a note mentions every searched word (in its notes, strengths or development points). */
export function mentionsAll(e: Evidence, words: string[]): boolean {
  const text = `${e.notes}\n${e.strengths}\n${e.developmentPoints}\n${e.subject}\n${e.yearGroup}`.toLowerCase();
  return words.every((w) => text.includes(w));
}
