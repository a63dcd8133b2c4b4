import type { Estimate, Framework, ReportSection, ReportTemplate, ReviewDetail } from './backend';
import type { ExportFormat, ExportedReport, ReportExports, ReportModel, ReportVersion } from './reportExports';
import { teamRoleLabel } from './tables';

// In-memory report exports for vitest and the browser preview: the same rules as the app
// (issue needs an approved review, the coordinator, the server; a later version needs a reason).

export type MockReportHost = {
  online(): boolean;
  isCoordinator(): boolean;
  personName(): string;
  review(reviewId: string): { state: string; schoolName: string; schoolUrn: string; approvedHash: string; approvedBy: string };
  setState(reviewId: string, state: string): void;
  /** What the model is built from, through the backend's own calls. */
  parts(reviewId: string): Promise<{ detail: ReviewDetail; template: ReportTemplate; sections: ReportSection[]; estimates: Estimate[]; framework: Framework }>;
};


export class MockReportExports implements ReportExports {
  private kept = new Map<string, ReportVersion[]>();
  /** Every file "written", newest last; tests read it. */
  readonly written: ExportedReport[] = [];
  /** Set to make the next export fail, as a full disk would. */
  failNextExport: { code: string; message: string } | null = null;
  /** While set, exports wait for it: a test sees the busy state without racing the export. */
  holdExports: Promise<void> | null = null;

  constructor(private host: MockReportHost) {}

  async preview(reviewId: string): Promise<ReportModel> {
    const r = this.host.review(reviewId);
    const { detail, template, sections, estimates, framework } = await this.host.parts(reviewId);
    const status = (r.state === 'approved' || r.state === 'issued') && r.approvedHash
      ? { state: 'approved' as const, approved_on: '2025-03-10', approved_by: r.approvedBy, short_hash: r.approvedHash.slice(0, 12) }
      : { state: 'draft' as const };
    return {
      school_name: r.schoolName,
      school_urn: r.schoolUrn,
      visit_days: detail.visitDays,
      lead_reviewer: detail.team.find((m) => m.role === 'lead_reviewer')?.name ?? '',
      team: detail.team.map((m) => [m.name, teamRoleLabel(m.role) ?? m.role] as [string, string]),
      framework_version: template.frameworkVersion,
      template: {
        version: template.version,
        framework_version: template.frameworkVersion,
        title: template.title,
        sections: template.sections.map((t) => ({
          code: t.code,
          title: t.title,
          kind: t.kind,
          ...(t.areaCode ? { area_code: t.areaCode } : {}),
          guidance: t.guidance,
          word_limit: t.wordLimit,
          required: t.required,
        })),
      },
      area_labels: Object.fromEntries(framework.areas.map((a) => [a.code, a.label])),
      estimates: framework.areas.map((a) => {
        const e = estimates.find((x) => x.areaCode === a.code && x.value);
        return { area_code: a.code, area_label: a.label, value_label: framework.scale.find((v) => v.code === e?.value)?.label ?? 'Not set', rationale: e?.rationale ?? '' };
      }),
      sections: sections.filter((s) => s.body.trim() !== '').map((s) => ({ code: s.code, body: s.body })),
      // The preview of the mock's reviews leaves out progress since a last review (the real model
      // fills it from the laptop's copy of the previous review).
      progress: [],
      // The chosen photos by section, as the model names them (its bytes never reach the webview).
      photos: sections.flatMap((s) =>
        s.photos.map((p) => ({ section_code: s.code, attachment_id: p.attachment_id, caption: p.caption, mime: 'image/jpeg', sha256: '' })),
      ),
      status,
    };
  }

  async exportReport(reviewId: string, format: ExportFormat, version?: number): Promise<ExportedReport> {
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (this.holdExports) await this.holdExports;
    if (this.failNextExport) {
      const e = this.failNextExport;
      this.failNextExport = null;
      throw e;
    }
    const r = this.host.review(reviewId);
    if (version !== undefined && !(this.kept.get(reviewId) ?? []).some((v) => v.version === version)) {
      throw { code: 'not_found', message: `Issued version ${version} of this report was not found on this laptop` };
    }
    const tag = version !== undefined ? `report v${version}` : r.state === 'approved' || r.state === 'issued' ? 'report (approved)' : 'report (draft)';
    const out = { path: `/home/reviewer/Documents/QAR Field/${r.schoolName} ${r.schoolUrn} ${tag}.${format}`, bytes: format === 'pdf' ? 48_213 : 12_877, millis: 180 };
    this.written.push(out);
    return out;
  }

  async issue(reviewId: string, reason?: string): Promise<{ state: string }> {
    const r = this.host.review(reviewId);
    if (!this.host.online()) throw { code: 'offline', message: "Can't reach the sync server. Issuing a report needs the server." };
    if (!this.host.isCoordinator()) throw { code: 'not_your_role', message: 'Only the hub coordinator can issue the report' };
    if (r.state !== 'approved') throw { code: 'wrong_state', message: 'Only an approved report can be issued' };
    const versions = this.kept.get(reviewId) ?? [];
    if (versions.length > 0 && !reason?.trim()) {
      throw { code: 'reason_required', message: `Version ${versions.length + 1} corrects an issued report: say why.` };
    }
    versions.push({ version: versions.length + 1, sha256: 'ab'.repeat(32), report_hash: r.approvedHash, issued_ms: Date.UTC(2025, 2, 12), issued_by: this.host.personName(), reason: reason?.trim() ?? '' });
    this.kept.set(reviewId, versions);
    this.host.setState(reviewId, 'issued');
    return { state: 'issued' };
  }

  async versions(reviewId: string): Promise<ReportVersion[]> {
    return structuredClone(this.kept.get(reviewId) ?? []);
  }
}
