import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Evidence } from '../backend';
import CharCount from './CharCount.svelte';
import EvidenceItem from './EvidenceItem.svelte';

function note(notes: string): Evidence {
  return {
    id: 'e1', reviewId: 'r1', authorId: '', activityType: 'lesson_observation', startedAt: null, yearGroup: '', subject: '',
    hostColleagueRole: '', areaTags: [], notes, strengths: '', developmentPoints: '', createdAt: '2026-11-23T09:00:00Z',
    updatedAt: '2026-11-23T09:00:00Z', frameworkVersion: '2019',
  } as Evidence;
}

describe('EvidenceItem', () => {
  it('shows a long note collapsed with "Show all", and all of it on request', async () => {
    const text = Array.from({ length: 300 }, (_, i) => `word${i}`).join(' ');
    render(EvidenceItem, { item: note(text), activityLabel: 'Lesson observation', areas: new Map(), onopen: vi.fn() });
    const more = screen.getByTestId('show-all');
    expect(more).toHaveTextContent('Show all (300 words)');
    expect(more).toHaveAttribute('aria-expanded', 'false');
    expect(document.getElementById('notes-e1')).toHaveClass('clamped');
    await userEvent.setup().click(more);
    expect(more).toHaveAttribute('aria-expanded', 'true');
    expect(more).toHaveTextContent('Show less');
    expect(document.getElementById('notes-e1')).not.toHaveClass('clamped');
  });

  it('shows a short note whole, with no button', () => {
    render(EvidenceItem, { item: note('Calm start to the lesson.'), activityLabel: 'Lesson observation', areas: new Map(), onopen: vi.fn() });
    expect(screen.queryByTestId('show-all')).toBeNull();
    expect(document.getElementById('notes-e1')).not.toHaveClass('clamped');
  });
});

describe('CharCount', () => {
  it('is quiet on short text, counts near the limit, and says what to do over it', () => {
    const { rerender } = render(CharCount, { id: 'c', testid: 'count', length: 100, max: 20_000 });
    expect(screen.queryByTestId('count')).toBeNull();
    rerender({ id: 'c', testid: 'count', length: 19_500, max: 20_000 });
    expect(screen.getByTestId('count')).toHaveTextContent('19,500 of 20,000 characters');
    rerender({ id: 'c', testid: 'count', length: 25_000, max: 20_000 });
    expect(screen.getByTestId('count')).toHaveTextContent('25,000 characters: 5,000 over the 20,000 limit.');
    expect(screen.getByTestId('count')).toHaveAttribute('role', 'alert');
  });
});
