import { describe, expect, it } from 'vitest';
import { coordinatedHubs, threeDays } from './hubAdmin';
import { MockHubAdmin } from './mockHubAdmin';

const coordinator = () => [{ role: 'hub_coordinator', hubId: 'hub-north' }];
const elsewhere = () => [{ role: 'hub_coordinator', hubId: 'hub-south' }];
const adminRole = () => [{ role: 'admin' }];
const nobody = () => [];

const request = (urn = '990301', lead = 'user-lead', reviewers: string[] = []) => ({
  school_urn: urn,
  visit_dates: ['2027-05-11', '2027-05-12', '2027-05-13'],
  framework_version: '2019',
  lead_reviewer_id: lead,
  reviewers,
  shadows: [],
});

/** Today pinned to the week before the days `request()` schedules (past days are refused). */
function pinned(admin: MockHubAdmin): MockHubAdmin {
  admin.today = '2027-05-03';
  return admin;
}

describe('hub administration rules (mock, as the server)', () => {
  it('lets only the coordinator of the hub or an admin schedule, with reasons', async () => {
    await expect(new MockHubAdmin(elsewhere).scheduleReview('hub-north', request())).rejects.toMatchObject({ code: 'not_your_hub' });
    await expect(new MockHubAdmin(nobody).scheduleReview('hub-north', request())).rejects.toMatchObject({ code: 'not_your_role' });
    const done = await pinned(new MockHubAdmin(coordinator)).scheduleReview('hub-north', request());
    expect(done.review.fields.state.value).toBe('scheduled');
  });

  it('warns of a conflict of interest when a team member works at the school', async () => {
    const admin = pinned(new MockHubAdmin(coordinator));
    const done = await admin.scheduleReview('hub-north', request('990302', 'user-lead', ['user-reviewer']));
    expect(done.warnings).toEqual([expect.objectContaining({ code: 'conflict_of_interest', user_id: 'user-reviewer' })]);
  });

  it('refuses non-admins and duplicate invitations', async () => {
    await expect(new MockHubAdmin(coordinator).invite({ email: 'x@example.org', name: 'X', role: { role: 'reviewer' } })).rejects.toMatchObject({ code: 'admin_only' });
    const admin = new MockHubAdmin(adminRole);
    const issued = await admin.invite({ email: 'x@example.org', name: 'X Example', role: { role: 'reviewer' } });
    expect(issued.code).toBeTruthy();
    await expect(admin.invite({ email: 'X@example.org', name: 'X', role: { role: 'reviewer' } })).rejects.toMatchObject({ code: 'invitation_pending' });
    await expect(admin.invite({ email: 'tom.okafor@example.org', name: 'Tom', role: { role: 'reviewer' } })).rejects.toMatchObject({ code: 'already_active' });
  });

  it('marks a report overdue after the hub deadline', async () => {
    const admin = new MockHubAdmin(coordinator);
    // Past days cannot be scheduled now: this review was scheduled back then.
    admin.today = '2025-01-10';
    await admin.scheduleReview('hub-north', { ...request(), visit_dates: ['2025-01-13', '2025-01-14', '2025-01-15'] });
    admin.today = '2025-03-01';
    const view = await admin.hubOverview('hub-north');
    expect(view.reviews[0]).toMatchObject({ report_due: '2025-02-12', overdue: true });
    expect(view.by_state).toEqual({ scheduled: 1 });
  });

  it('helpers: three visit days and the hubs a person coordinates', () => {
    expect(threeDays('2026-12-30')).toEqual(['2026-12-30', '2026-12-31', '2027-01-01']);
    expect(coordinatedHubs([{ role: 'admin' }, { role: 'hub_coordinator', hubId: 'hub-a' }])).toEqual(['hub-a']);
  });
});

describe('school register import (mock)', () => {
  it('adds, reports bad rows by line, refuses a file without the required columns, and is idempotent', async () => {
    const admin = new MockHubAdmin(adminRole);
    const csv = new TextEncoder().encode('"URN","EstablishmentName","Extra"\n"990501","Fenwick School","x"\n"99X","Bad","x"\n');
    const first = await admin.importSchools(csv);
    expect(first).toMatchObject({ added: 1, rejected: 1, rejections: [{ line: 3, urn: '99X' }] });
    expect((await admin.importSchools(csv)).unchanged).toBe(1);
    await expect(admin.importSchools(new TextEncoder().encode('a,b\n1,2\n'))).rejects.toMatchObject({ code: 'invalid_file' });
    await expect(new MockHubAdmin(coordinator).importSchools(csv)).rejects.toMatchObject({ code: 'admin_only' });
  });
});
