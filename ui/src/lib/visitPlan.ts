import type { PlanActivity } from './backend';
import type { NoteValues } from './evidenceFields';

/** A time of day as typed ('9:30', '09.30', '0930', '14:05') → 'HH:MM', or null when it is none. */
export function clockTime(typed: string): string | null {
  const m = /^\s*([01]?\d|2[0-3])[:.]?([0-5]\d)\s*$/.exec(typed);
  return m ? `${m[1].padStart(2, '0')}:${m[2]}` : null;
}

/** A visit day and a time → the 'YYYY-MM-DDTHH:MM' the plan stores. */
export function planTime(day: string, time: string): string {
  return `${day}T${time}`;
}

/** 'YYYY-MM-DDTHH:MM' → 'HH:MM'. */
export function timeOf(value: string): string {
  return /T(\d{2}:\d{2})/.exec(value)?.[1] ?? value;
}

/** What a note started from a planned activity begins with. */
export function notePrefill(activity: PlanActivity): Partial<NoteValues> {
  return {
    activityType: activity.activityType,
    startedAt: activity.startsAt,
    yearGroup: activity.yearGroup,
    subject: activity.subject,
    hostColleagueRole: activity.hostColleague,
  };
}
