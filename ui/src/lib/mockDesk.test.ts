import { describe, expect, it, vi } from 'vitest';
import type { Session } from './backend';
import { estimateId, MOCK_PASSWORD, MOCK_PEOPLE, MockBackend, type MockOptions } from './mockBackend';

const REQUIRED = [
  'context',
  'leadership_www',
  'leadership_ebi',
  'provision_outcomes_www',
  'provision_outcomes_ebi',
  'disadvantaged_additional_needs_www',
  'disadvantaged_additional_needs_ebi',
  'next_steps',
];
const AREAS = ['leadership', 'provision_outcomes', 'disadvantaged_additional_needs'];

function as(person: keyof typeof MOCK_PEOPLE): Session {
  const p = MOCK_PEOPLE[person];
  return { ...p, serverUrl: 'https://sync.example.org', deviceName: 'Laptop', signedInAt: '2026-11-23T08:00:00Z' };
}

const team = [
  { userId: MOCK_PEOPLE.lead.userId, name: MOCK_PEOPLE.lead.name, role: 'lead_reviewer' as const },
  { userId: MOCK_PEOPLE.reviewer.userId, name: MOCK_PEOPLE.reviewer.name, role: 'reviewer' as const },
];

function desk(state: string, options: MockOptions = {}) {
  return new MockBackend({ session: as('lead'), reviews: [{ id: 'r1', schoolName: 'Oakfield Primary', state, team }], ...options });
}

async function complete(b: MockBackend) {
  for (const area of AREAS) await b.setEstimate('r1', area, 'effective', `Why ${area}`);
  for (const code of REQUIRED) await b.saveReportSection('r1', code, `Text for ${code}`);
}

describe('MockBackend review desk', () => {
  it('signs in with the right details and refuses the wrong ones by code', async () => {
    const b = new MockBackend({ session: null });
    expect(await b.session()).toBeNull();
    const input = { serverUrl: 'https://sync.example.org/', email: MOCK_PEOPLE.coordinator.email, password: MOCK_PASSWORD, totpCode: '123456' };
    await expect(b.signIn({ ...input, serverUrl: 'sync.example.org' })).rejects.toMatchObject({ code: 'invalid' });
    await expect(b.signIn({ ...input, password: 'nope' })).rejects.toMatchObject({ code: 'invalid_credentials' });
    await expect(b.signIn({ ...input, totpCode: '000000' })).rejects.toMatchObject({ code: 'invalid_credentials' });
    b.setOnline(false);
    await expect(b.signIn(input)).rejects.toMatchObject({ code: 'offline' });
    b.setOnline(true);
    const session = await b.signIn({ ...input, deviceName: ' Hub laptop ' });
    expect(session).toMatchObject({ name: 'Priya Shah', serverUrl: 'https://sync.example.org', deviceName: 'Hub laptop' });
    expect(session.roles).toEqual([{ role: 'hub_coordinator', hubId: 'hub-north' }]);
    await b.signOut();
    expect(await b.session()).toBeNull();
    for (let i = 0; i < 5; i++) await b.signIn({ ...input, password: 'x' }).catch(() => {});
    await expect(b.signIn(input)).rejects.toMatchObject({ code: 'rate_limited' });
  });

  it('gives each person the actions the permission table allows, and walks the lifecycle', async () => {
    const b = desk('preparing');
    const detail = await b.reviewDetail('r1');
    expect(detail.visitDays).toEqual(['2026-11-23', '2026-11-24', '2026-11-25']);
    expect(detail.summary.myRole).toBe('lead_reviewer');
    expect(detail.allowedActions).toContain('start_visit');
    expect(detail.allowedActions).not.toContain('set_estimate');
    await expect(b.setEstimate('r1', 'leadership', 'effective', '')).rejects.toEqual({
      code: 'forbidden',
      message: 'You can set estimates only while the review is in visit, estimates agreed, drafting or returned; it is preparing',
    });
    await expect(b.transitionReview('r1', 'drafting')).rejects.toEqual({
      code: 'invalid',
      message: 'A review cannot move from Preparing to Drafting',
    });
    expect((await b.transitionReview('r1', 'in_visit')).state).toBe('in_visit');
    expect((await b.reviewDetail('r1')).allowedActions).toEqual(expect.arrayContaining(['set_estimate', 'agree_estimates', 'create_evidence']));

    const reviewer = desk('in_visit', { session: as('reviewer') });
    const seen = await reviewer.reviewDetail('r1');
    expect(seen.summary.myRole).toBe('reviewer');
    expect(seen.allowedActions).not.toContain('set_estimate');
    await expect(reviewer.setEstimate('r1', 'leadership', 'effective', '')).rejects.toEqual({
      code: 'forbidden',
      message: 'Only the Lead Reviewer can set estimates',
    });
    await expect(reviewer.transitionReview('r1', 'estimates_agreed')).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('checks estimates against the scale', async () => {
    const b = desk('in_visit');
    await expect(b.setEstimate('r1', 'leadership', 'outstanding', '')).rejects.toEqual({
      code: 'invalid',
      message: "Estimate 'outstanding' is not in framework 2019 area 'Leadership at all levels' (choose Leading, Effective, Working Towards Effective or Ineffective)",
    });
    const e = await b.setEstimate('r1', 'leadership', 'leading', 'Strong');
    expect(e).toMatchObject({ id: estimateId('r1', 'leadership'), value: 'leading', rationale: 'Strong' });
    expect(await b.listEstimates('r1')).toHaveLength(1);
    expect((await b.getReview('r1')).pendingOps).toBe(1);
  });

  it('refuses a submit until every estimate and required section is there, naming what is missing', async () => {
    const b = desk('drafting');
    const missing = await b.submitCheck('r1');
    expect(missing).toHaveLength(11);
    expect(missing[0]).toEqual({ kind: 'estimate', areaCode: 'leadership', areaLabel: 'Leadership at all levels' });
    expect(missing).toContainEqual({ kind: 'section', code: 'leadership_ebi', title: 'Even better if…', areaLabel: 'Leadership at all levels' });
    expect(missing.some((m) => m.kind === 'section' && m.code === 'area_of_excellence')).toBe(false);
    await expect(b.transitionReview('r1', 'submitted')).rejects.toMatchObject({
      code: 'incomplete',
      message: expect.stringContaining("The report can't be submitted yet. Still missing: the estimate for Leadership at all levels;"),
    });
    await complete(b);
    const section = (await b.listReportSections('r1')).find((s) => s.code === 'context');
    expect(section).toMatchObject({ body: 'Text for context', wordCount: 3 });
    expect(await b.submitCheck('r1')).toEqual([]);
    expect((await b.transitionReview('r1', 'submitted')).state).toBe('submitted');
    await expect(b.saveReportSection('r1', 'context', 'x')).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('approves online only, bound to the report hash; an LR edit afterwards needs approving again', async () => {
    const b = desk('drafting');
    await complete(b);
    await b.transitionReview('r1', 'submitted');

    const hub = as('coordinator');
    b.setOnline(false);
    await b.signOut();
    await b.signIn({ serverUrl: 'https://sync.example.org', email: hub.email, password: MOCK_PASSWORD, totpCode: '111111' }).catch((e) => e);
    b.setOnline(true);
    await b.signIn({ serverUrl: 'https://sync.example.org', email: hub.email, password: MOCK_PASSWORD, totpCode: '111111' });
    const queue = await b.listReviews();
    expect(queue.map((r) => [r.schoolName, r.myRole, r.evidenceCount])).toEqual([['Oakfield Primary', null, 0]]);
    expect((await b.reviewDetail('r1')).allowedActions).toEqual(expect.arrayContaining(['approve', 'return']));

    b.setOnline(false);
    await expect(b.approveReview('r1')).rejects.toMatchObject({ code: 'offline' });
    b.setOnline(true);
    // A change another laptop made meanwhile: the approval is refused until it is read.
    b.changeRemotely('r1', (m) => m.writeSectionDirect('r1', 'context', 'Edited elsewhere'));
    const changed = vi.fn();
    await b.onDataChanged(changed);
    await expect(b.approveReview('r1')).rejects.toMatchObject({ code: 'report_changed' });
    expect(changed).toHaveBeenCalledWith({ reviewIds: ['r1'] });
    const approved = await b.approveReview('r1');
    expect(approved).toMatchObject({ state: 'approved', changedSinceApproval: false });
    const detail = await b.reviewDetail('r1');
    expect(detail.approvedHash).toBe(detail.reportHash);
    expect(detail.approvedBy).toBe('Priya Shah');

    await b.signOut();
    await b.signIn({ serverUrl: 'https://sync.example.org', email: MOCK_PEOPLE.lead.email, password: MOCK_PASSWORD, totpCode: '222222' });
    expect((await b.reviewDetail('r1')).allowedActions).toContain('edit_report');
    await b.saveReportSection('r1', 'next_steps', 'Changed after approval');
    const after = await b.getReview('r1');
    expect(after).toMatchObject({ state: 'submitted', changedSinceApproval: true });
  });

  it('lets the Lead Reviewer correct an issued report, which goes back for approval (as Rust allows)', async () => {
    const b = desk('issued', { reviews: [{ id: 'r1', schoolName: 'Oakfield Primary', state: 'issued', team, approvedHash: 'f'.repeat(64) }] });
    expect((await b.reviewDetail('r1')).allowedActions).toContain('edit_report');
    await b.saveReportSection('r1', 'next_steps', 'Corrected after issue');
    expect(await b.getReview('r1')).toMatchObject({ state: 'submitted', changedSinceApproval: true });
  });

  it('returns with comments per section or estimate, refusing none or blank ones; the LR marks them addressed', async () => {
    const b = desk('drafting');
    await complete(b);
    await b.transitionReview('r1', 'submitted');
    await b.signOut();
    await b.signIn({ serverUrl: 'https://sync.example.org', email: MOCK_PEOPLE.coordinator.email, password: MOCK_PASSWORD, totpCode: '123456' });
    await expect(b.returnReview('r1', [])).rejects.toEqual({ code: 'invalid', message: 'Return comments must not be empty' });
    await expect(b.returnReview('r1', [{ target: 'section:context', text: '  ' }])).rejects.toEqual({
      code: 'invalid',
      message: 'Comment must not be empty',
    });
    await expect(b.returnReview('r1', [{ target: 'page:3', text: 'x' }])).rejects.toMatchObject({ code: 'invalid' });
    const returned = await b.returnReview('r1', [
      { target: 'section:leadership_ebi', text: ' Name the leaders. ' },
      { target: 'estimate:leadership', text: 'Say why.' },
    ]);
    expect(returned).toMatchObject({ state: 'returned', openComments: 2 });
    const comments = await b.listComments('r1');
    expect(comments.map((c) => [c.target, c.text, c.authorName, c.resolved])).toEqual([
      ['section:leadership_ebi', 'Name the leaders.', 'Priya Shah', false],
      ['estimate:leadership', 'Say why.', 'Priya Shah', false],
    ]);
    await expect(b.resolveComment(comments[0].id)).rejects.toMatchObject({ code: 'forbidden' });

    await b.signOut();
    await b.signIn({ serverUrl: 'https://sync.example.org', email: MOCK_PEOPLE.lead.email, password: MOCK_PASSWORD, totpCode: '123456' });
    expect((await b.resolveComment(comments[0].id)).resolved).toBe(true);
    expect((await b.getReview('r1')).openComments).toBe(1);
    expect((await b.transitionReview('r1', 'drafting')).state).toBe('drafting');
  });

  it('keeps conflicts until a person chooses: keep current, keep other or merged text', async () => {
    const b = desk('in_visit', {
      evidence: [{ id: 'e1', reviewId: 'r1', activityType: 'learning_walk', startedAt: '2026-11-23T09:10', notes: 'Mine', authorId: MOCK_PEOPLE.lead.userId }],
      estimates: [{ reviewId: 'r1', areaCode: 'leadership', value: 'effective', rationale: 'Ours' }],
    });
    const c1 = b.addConflict({ reviewId: 'r1', entity: 'evidence', recordId: 'e1', field: 'notes', otherValue: 'Theirs' });
    const c2 = b.addConflict({ reviewId: 'r1', entity: 'estimate', recordId: estimateId('r1', 'leadership'), field: 'rationale', otherValue: 'Other' });
    const c3 = b.addConflict({ reviewId: 'r1', entity: 'evidence', recordId: 'e1', field: 'year_group', otherValue: 'Y4' });
    const list = await b.listConflicts(null);
    expect(list.map((c) => [c.recordLabel, c.fieldLabel, c.currentValue, c.otherValue])).toEqual([
      ['Learning walk, 2026-11-23 09:10', 'Notes', 'Mine', 'Theirs'],
      ['Estimate: Leadership at all levels', 'Rationale', 'Ours', 'Other'],
      ['Learning walk, 2026-11-23 09:10', 'Year group', '', 'Y4'],
    ]);
    expect((await b.syncStatus()).openConflicts).toBe(3);
    expect((await b.getReview('r1')).openConflicts).toBe(3);

    await b.resolveConflict(c1.id, 'keep_other');
    expect((await b.listEvidence('r1'))[0].notes).toBe('Theirs');
    await expect(b.resolveConflict(c2.id, 'merged')).rejects.toMatchObject({ code: 'invalid' });
    await b.resolveConflict(c2.id, 'merged', 'Ours and other');
    expect((await b.listEstimates('r1'))[0].rationale).toBe('Ours and other');
    await b.resolveConflict(c3.id, 'keep_current');
    expect((await b.listEvidence('r1'))[0].yearGroup).toBe('');
    expect(await b.listConflicts('r1')).toEqual([]);
    await expect(b.resolveConflict(c3.id, 'keep_current')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('reports the offline code, needs-sign-in and sync badges in the status and summaries', async () => {
    const b = new MockBackend({ online: false, session: as('lead') });
    const review = await b.createReview({ schoolName: 'Oakfield Primary', schoolUrn: '123456', startDate: '2026-11-23' });
    expect(review).toMatchObject({ syncBadge: 'local', myRole: 'lead_reviewer', changedSinceApproval: false, openComments: 0 });
    const status = await b.syncNow();
    expect(status).toMatchObject({ lastErrorCode: 'offline', openConflicts: 0, progress: null, needsSignIn: false });
    b.setOnline(true);
    await b.syncNow();
    expect((await b.getReview(review.id)).syncBadge).toBe('acknowledged');
    await b.transitionReview(review.id, 'in_visit');
    expect((await b.getReview(review.id)).syncBadge).toBe('queued');
    b.expireSignIn();
    expect(await b.syncNow()).toMatchObject({ needsSignIn: true, lastErrorCode: 'signed_out' });
  });
});
