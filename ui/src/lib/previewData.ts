import { MOCK_PEOPLE, MockBackend, sectionId } from './mockBackend';

/** Sample reviews for running the UI in a plain browser. Nothing here is saved. */
export function previewBackend(): MockBackend {
  const today = new Date();
  const iso = (offsetDays: number) => {
    const d = new Date(today.getFullYear(), today.getMonth(), today.getDate() + offsetDays);
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  };
  const lead = MOCK_PEOPLE.lead;
  const reviewer = MOCK_PEOPLE.reviewer;
  const team = [
    { userId: lead.userId, name: lead.name, role: 'lead_reviewer' as const },
    { userId: reviewer.userId, name: reviewer.name, role: 'reviewer' as const },
    { userId: 'user-shadow', name: 'Sam Patel', role: 'shadow' as const },
  ];
  const backend = new MockBackend({
    latencyMs: 250,
    // Online, so sign-in, approving and returning work; choose "Sync now" to send the sample changes.
    online: true,
    session: {
      userId: lead.userId,
      name: lead.name,
      email: lead.email,
      serverUrl: 'https://qar.example.org',
      roles: [],
      deviceName: 'School laptop',
      signedInAt: today.toISOString(),
    },
    serverUrl: 'https://qar.example.org',
    reviews: [
      { id: 'preview-1', schoolName: 'Oakfield Primary School', schoolUrn: '131245', startDate: iso(-1), state: 'in_visit', pendingOps: 6, team },
      { id: 'preview-2', schoolName: 'Riverside Academy', schoolUrn: '140872', startDate: iso(20), state: 'scheduled', team },
      { id: 'preview-3', schoolName: "St Mary's C of E Junior School", schoolUrn: '009134', startDate: iso(-30), state: 'returned', team },
      { id: 'preview-4', schoolName: 'Hillcrest Community School', schoolUrn: '118822', startDate: iso(-45), state: 'submitted', team },
    ],
    evidence: [
      {
        id: 'preview-e1',
        reviewId: 'preview-1',
        activityType: 'leadership_meeting',
        startedAt: `${iso(-1)}T08:45`,
        hostColleagueRole: 'Headteacher',
        areaTags: ['leadership'],
        notes: 'Initial meeting with the headteacher and deputy.\nSchool improvement priorities: reading fluency in KS2, attendance of disadvantaged pupils.',
        strengths: 'Leaders know the school well; self-evaluation matches what we saw on the learning walk.',
        authorId: lead.userId,
      },
      {
        id: 'preview-e2',
        reviewId: 'preview-1',
        activityType: 'learning_walk',
        startedAt: `${iso(-1)}T10:15`,
        yearGroup: 'Y4 and Y5',
        subject: 'English',
        areaTags: ['provision_outcomes', 'disadvantaged_additional_needs'],
        notes: 'Year 4 and Year 5 classrooms. Consistent use of retrieval practice starters.\nPupils articulate what they are learning and why.',
        strengths: 'Retrieval practice is embedded.',
        developmentPoints: 'Adaptations for pupils with SEND were less visible in Y5.',
        authorId: reviewer.userId,
      },
      {
        id: 'preview-e3',
        reviewId: 'preview-1',
        activityType: 'pupil_voice',
        startedAt: `${iso(0)}T13:30`,
        yearGroup: 'Y6',
        areaTags: ['provision_outcomes'],
        notes: 'Pupils spoke confidently about the books they are reading and why they chose them.',
        authorId: reviewer.userId,
      },
    ],
    estimates: [
      { reviewId: 'preview-3', areaCode: 'leadership', value: 'effective', rationale: 'Leaders at all levels share a clear, accurate view of the school.' },
      { reviewId: 'preview-3', areaCode: 'provision_outcomes', value: 'effective', rationale: 'Consistent teaching routines; outcomes improving in reading.' },
      { reviewId: 'preview-3', areaCode: 'disadvantaged_additional_needs', value: 'working_towards_effective', rationale: 'Adaptations are not yet consistent across classes.' },
      { reviewId: 'preview-4', areaCode: 'leadership', value: 'leading', rationale: 'Leadership development is a strength across the trust.' },
      { reviewId: 'preview-4', areaCode: 'provision_outcomes', value: 'effective', rationale: 'Strong curriculum sequencing.' },
      { reviewId: 'preview-4', areaCode: 'disadvantaged_additional_needs', value: 'effective', rationale: 'Well-targeted support.' },
    ],
    sections: [
      ...['context', 'leadership_www', 'leadership_ebi', 'provision_outcomes_www', 'provision_outcomes_ebi', 'disadvantaged_additional_needs_www', 'disadvantaged_additional_needs_ebi', 'next_steps'].flatMap((code) => [
        { reviewId: 'preview-3', code, body: `Draft text for this section, agreed with the school on the final day.` },
        { reviewId: 'preview-4', code, body: `What the team saw, set out for the school and its hub.` },
      ]),
    ],
    comments: [
      { reviewId: 'preview-3', target: 'section:leadership_ebi', text: 'Name which leaders the first point is for, and by when.' },
      { reviewId: 'preview-3', target: 'estimate:disadvantaged_additional_needs', text: 'The rationale should say which classes the team visited.' },
    ],
  });
  backend.addConflict({
    reviewId: 'preview-1',
    entity: 'evidence',
    recordId: 'preview-e1',
    field: 'strengths',
    otherValue: 'Leaders know the school well. The deputy leads CPD on reading fluency.',
    currentIsMine: true,
  });
  backend.addConflict({
    reviewId: 'preview-3',
    entity: 'report_section',
    recordId: sectionId('preview-3', 'context'),
    field: 'body',
    otherValue: 'A larger than average primary school serving a diverse community.',
    currentIsMine: true,
  });
  return backend;
}
