import { describe, expect, it } from 'vitest';
import { clockTime, notePrefill, planTime, timeOf } from './visitPlan';

describe('visit plan times', () => {
  it('reads times of day as people type them', () => {
    expect(clockTime('9:30')).toBe('09:30');
    expect(clockTime('09.30')).toBe('09:30');
    expect(clockTime('0930')).toBe('09:30');
    expect(clockTime(' 14:05 ')).toBe('14:05');
    for (const wrong of ['', '24:00', '9:60', 'half nine', '9']) expect(clockTime(wrong)).toBeNull();
  });

  it('puts a day and a time together and takes the time back out', () => {
    expect(planTime('2026-11-24', '09:30')).toBe('2026-11-24T09:30');
    expect(timeOf('2026-11-24T09:30')).toBe('09:30');
  });

  it('starts a note with the activity, its time, year group, subject and host colleague', () => {
    const prefill = notePrefill({
      id: 'p1',
      reviewId: 'r1',
      startsAt: '2026-11-24T09:30',
      endsAt: '2026-11-24T10:15',
      activityType: 'joint_lesson_observation',
      reviewerIds: ['user-owen'],
      hostColleague: 'Deputy headteacher',
      yearGroup: 'Y4',
      subject: 'Maths',
      focus: 'Reasoning',
      updatedAt: '',
    });
    expect(prefill).toEqual({
      activityType: 'joint_lesson_observation',
      startedAt: '2026-11-24T09:30',
      yearGroup: 'Y4',
      subject: 'Maths',
      hostColleagueRole: 'Deputy headteacher',
    });
  });
});
