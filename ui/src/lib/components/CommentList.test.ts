import { screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { ReviewComment } from '../backend';
import { MockBackend } from '../mockBackend';
import { renderWith } from '../../test/render';
import CommentList from './CommentList.svelte';

const comment = (id: string, authorName: string, text: string): ReviewComment => ({
  id,
  reviewId: 'r1',
  target: 'section:context',
  text,
  authorName,
  createdAt: '2026-12-07T10:00:00Z',
  resolved: false,
});

describe('CommentList', () => {
  it('lists the coordinator’s and the school’s comments on a section, each under its author’s name', () => {
    const comments = [
      comment('c1', 'Hollie Brennan', 'Say more about the school’s context.'),
      comment('c2', 'Helen Heron', 'We have 412 pupils on roll, not 380.'),
    ];
    renderWith(CommentList, { comments }, new MockBackend());
    const list = screen.getByRole('list', { name: 'Comments on this part of the report' });
    const items = within(list).getAllByTestId('comment');
    expect(items[1]).toHaveTextContent('Helen Heron');
    expect(items[1]).toHaveTextContent('We have 412 pupils on roll, not 380.');
    // Read-only unless the Lead Reviewer may edit the report.
    expect(within(list).queryByRole('button')).toBeNull();
  });
});
