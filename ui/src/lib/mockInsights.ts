// Sample insights for the browser preview and component tests (issue 23): the shape the server
// answers, with numbers already through the small-group rule as the server would leave them
// (decision 68). The real numbers are computed only on the server.

import type { Chart, HubInsights } from './insights';

const SCALE = [
  { code: 'leading', label: 'Leading' },
  { code: 'effective', label: 'Effective' },
  { code: 'working_towards_effective', label: 'Working Towards Effective' },
  { code: 'ineffective', label: 'Ineffective' },
];
const AREAS = [
  ['leadership', 'Leadership at all levels'],
  ['provision_outcomes', 'The quality of provision and outcomes'],
  ['disadvantaged_additional_needs', 'The quality of provision and outcomes for disadvantaged pupils and pupils with additional needs'],
];

function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function chart(code: string, title: string, unit: string, note: string, columns: { code: string; label: string }[], rows: Chart['rows']): Chart {
  const grouped = rows.some((r) => r.group);
  const header = [...(grouped ? ['Academic year'] : []), 'Row', ...columns.map((c) => c.label)];
  const lines = rows.map((r) => [...(grouped ? [r.group] : []), r.label, ...r.values.map((v) => (v === null ? '' : String(v)))]);
  const csv = '\uFEFF' + [header, ...lines].map((l) => l.map(csvField).join(',') + '\r\n').join('');
  const suppressed = rows.flatMap((r) => r.values).filter((v) => v === null).length;
  return { code, title, unit, note, columns, rows, suppressed, csv };
}

/** The sample for a scope and year; `hubName` null means every hub. */
export function sampleInsights(hubId: string | null, hubName: string, academicYear: string): HubInsights {
  const years = ['2022/23', '2023/24', '2024/25'];
  const counts: (number | null)[][] = [
    [5, 9, 0, 0],
    [null, 11, null, 0],
    [6, 8, 0, 0],
  ];
  const estimates = chart(
    'estimates',
    'Issued estimates by area and academic year',
    'issued reviews',
    "Each issued review's estimates as issued (its latest version), by the academic year of its visit.",
    SCALE,
    years.flatMap((y, yi) => AREAS.map(([code, label], ai) => ({ code: `${y}:${code}`, label, group: y, values: counts[(yi + ai) % 3] }))),
  );
  const fsm = chart(
    'disadvantaged_by_fsm',
    'Disadvantaged pupils and additional needs: estimate by free school meals band',
    'schools',
    'Each school once, with its most recent issued review, against its percentage of pupils eligible for free school meals in the school register.',
    SCALE,
    [
      { code: 'fsm_0_10', label: 'Under 10%', group: '', values: [null, 6, null, 0] },
      { code: 'fsm_10_20', label: '10% to under 20%', group: '', values: [5, 7, 0, 0] },
      { code: 'fsm_20_30', label: '20% to under 30%', group: '', values: [0, 5, 0, 0] },
      { code: 'fsm_30_40', label: '30% to under 40%', group: '', values: [0, 0, 0, 0] },
      { code: 'fsm_40_up', label: '40% or more', group: '', values: [0, 0, 0, 0] },
      { code: 'fsm_unknown', label: 'Not in the register', group: '', values: [0, 0, 0, 0] },
    ],
  );
  const states = chart('reviews_by_state', 'Reviews by state', 'reviews', `Reviews with their visit in ${academicYear}, by the state they are in now.`, [{ code: 'reviews', label: 'Reviews' }], [
    { code: 'scheduled', label: 'Scheduled', group: '', values: [6] },
    { code: 'preparing', label: 'Preparing', group: '', values: [null] },
    { code: 'drafting', label: 'Drafting', group: '', values: [null] },
    { code: 'issued', label: 'Issued', group: '', values: [14] },
  ]);
  const months = ['September', 'October', 'November', 'December', 'January', 'February', 'March', 'April', 'May', 'June', 'July', 'August'];
  const start = Number(academicYear.slice(0, 4)) || 2024;
  const overdue = chart(
    'overdue_by_month',
    'Reports due and overdue by month',
    'reports',
    `By the month the report fell due in ${academicYear}: reports due, and of those the ones still not sent to the hub.`,
    [
      { code: 'due', label: 'Reports due' },
      { code: 'overdue', label: 'Overdue now' },
    ],
    months.map((m, i) => ({ code: `m${i}`, label: `${m} ${i < 4 ? start : start + 1}`, group: '', values: i === 2 ? [7, 0] : i === 5 ? [6, null] : [0, 0] })),
  );
  const aoe = chart('aoe_by_theme', 'Areas of Excellence by theme', 'Areas of Excellence', 'Areas of Excellence written up in issued reports, by theme and the academic year of the visit.', years.map((y) => ({ code: y, label: y })), [
    { code: 'untagged', label: 'Not tagged with a theme', group: '', values: [5, 8, null] },
  ]);
  return {
    hub_id: hubId,
    scope_label: hubName,
    academic_year: academicYear,
    academic_years: years,
    min_schools: 5,
    computed_ms: Date.now(),
    charts: [estimates, fsm, states, overdue, aoe],
  };
}
