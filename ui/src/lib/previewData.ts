import { MockBackend } from './mockBackend';

/** Sample reviews for running the UI in a plain browser. Nothing here is saved. */
export function previewBackend(): MockBackend {
  const today = new Date();
  const iso = (offsetDays: number) => {
    const d = new Date(today.getFullYear(), today.getMonth(), today.getDate() + offsetDays);
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  };
  return new MockBackend({
    latencyMs: 350,
    online: false,
    reviews: [
      { id: 'preview-1', schoolName: 'Oakfield Primary School', schoolUrn: '131245', startDate: iso(-1), state: 'in_visit', pendingOps: 6 },
      { id: 'preview-2', schoolName: 'Riverside Academy', schoolUrn: '140872', startDate: iso(20), state: 'scheduled' },
      { id: 'preview-3', schoolName: "St Mary's C of E Junior School", schoolUrn: '009134', startDate: iso(-60), state: 'drafting' },
    ],
    evidence: [
      {
        reviewId: 'preview-1',
        activityType: 'leadership_meeting',
        startedAt: `${iso(-1)}T08:45`,
        hostColleagueRole: 'Headteacher',
        areaTags: ['leadership'],
        notes: 'Initial meeting with the headteacher and deputy.\nSchool improvement priorities: reading fluency in KS2, attendance of disadvantaged pupils.',
        strengths: 'Leaders know the school well; self-evaluation matches what we saw on the learning walk.',
      },
      {
        reviewId: 'preview-1',
        activityType: 'learning_walk',
        startedAt: `${iso(-1)}T10:15`,
        yearGroup: 'Y4 and Y5',
        subject: 'English',
        areaTags: ['provision_outcomes', 'disadvantaged_additional_needs'],
        notes: 'Year 4 and Year 5 classrooms. Consistent use of retrieval practice starters.\nPupils articulate what they are learning and why.',
        strengths: 'Retrieval practice is embedded.',
        developmentPoints: 'Adaptations for pupils with SEND were less visible in Y5.',
        authorId: 'qa-reviewer-2',
      },
    ],
  });
}
