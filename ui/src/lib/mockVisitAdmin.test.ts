import { describe, expect, it } from 'vitest';
import { MockHubAdmin } from './mockHubAdmin';

const coordinator = () => [{ role: 'hub_coordinator', hubId: 'hub-north' }];
const elsewhere = () => [{ role: 'hub_coordinator', hubId: 'hub-south' }];
const adminRole = () => [{ role: 'admin' }];
const nobody = () => [];

async function scheduled(admin: MockHubAdmin) {
  admin.today = '2027-05-03';
  const done = await admin.scheduleReview('hub-north', {
    school_urn: '990302', visit_dates: ['2027-05-11', '2027-05-12', '2027-05-13'], framework_version: '2019', lead_reviewer_id: 'user-lead', reviewers: ['user-reviewer'], shadows: [],
  });
  return done.review.id;
}

describe('changing visit days (mock, as the server)', () => {
  it('moves the days for the coordinator and the overview shows them', async () => {
    const admin = new MockHubAdmin(coordinator);
    const id = await scheduled(admin);
    const done = await admin.changeVisit(id, ['2027-05-18', '2027-05-19', '2027-05-20']);
    expect(done).toMatchObject({ changed: true, previous_dates: ['2027-05-11', '2027-05-12', '2027-05-13'] });
    const row = (await admin.hubOverview('hub-north')).reviews[0];
    expect([row.start_date, row.last_day, row.visit_dates]).toEqual(['2027-05-18', '2027-05-20', ['2027-05-18', '2027-05-19', '2027-05-20']]);
    expect((await admin.changeVisit(id, ['2027-05-18', '2027-05-19', '2027-05-20'])).changed).toBe(false);
  });

  it('refuses other hubs, other roles, started visits and bad dates with the reasons', async () => {
    let who: () => { role: string; hubId?: string }[] = coordinator;
    const owner = new MockHubAdmin(() => who());
    const id = await scheduled(owner);
    const days = ['2027-05-18', '2027-05-19', '2027-05-20'];
    who = elsewhere;
    await expect(owner.changeVisit(id, days)).rejects.toMatchObject({ code: 'not_your_hub', message: expect.stringContaining('Northmere Hub') });
    who = nobody;
    await expect(owner.changeVisit(id, days)).rejects.toMatchObject({ code: 'not_your_role' });
    who = coordinator;
    await expect(owner.changeVisit(id, ['2027-05-21', '2027-05-22', '2027-05-24'])).rejects.toMatchObject({ code: 'invalid_dates', message: expect.stringContaining('Saturday') });
    await expect(owner.changeVisit(id, ['2027-04-27', '2027-04-28', '2027-04-29'])).rejects.toMatchObject({ code: 'invalid_dates', message: expect.stringContaining('has passed') });
    owner.reviews[0].state = 'preparing';
    await expect(owner.changeVisit(id, days, '2031')).rejects.toMatchObject({ code: 'framework_locked' });
    owner.reviews[0].state = 'in_visit';
    await expect(owner.changeVisit(id, days)).rejects.toMatchObject({ code: 'visit_started', message: expect.stringContaining('in visit') });
    expect(owner.reviews[0].visit_dates).toEqual(['2027-05-11', '2027-05-12', '2027-05-13']);
    who = adminRole;
    await expect(owner.changeVisit('review-none', days)).rejects.toMatchObject({ code: 'unknown_review' });
  });
});

describe('home school (mock, as the server)', () => {
  it('an administrator sets it with a conflict warning, and clears it', async () => {
    const admin = new MockHubAdmin(adminRole);
    const id = await scheduled(admin);
    const set = await admin.setHomeSchool('user-lead', ' 990302 ');
    expect(set.user).toMatchObject({ home_school_urn: '990302', home_school_name: 'Curlew Rise Academy' });
    expect(set.warnings).toEqual([expect.objectContaining({ code: 'conflict_of_interest', review_id: id })]);
    const cleared = await admin.setHomeSchool('user-lead', null);
    expect(cleared).toEqual({ user: expect.objectContaining({ home_school_urn: null, home_school_name: null }), warnings: [] });
    expect((await admin.listUsers()).find((p) => p.id === 'user-lead')?.home_school_urn).toBeNull();
  });

  it('refuses unknown schools and people, and anyone but an administrator', async () => {
    await expect(new MockHubAdmin(adminRole).setHomeSchool('user-lead', '999999')).rejects.toMatchObject({ code: 'unknown_school' });
    await expect(new MockHubAdmin(adminRole).setHomeSchool('user-none', '990301')).rejects.toMatchObject({ code: 'unknown_user' });
    await expect(new MockHubAdmin(coordinator).setHomeSchool('user-lead', '990301')).rejects.toMatchObject({ code: 'admin_only' });
  });
});
