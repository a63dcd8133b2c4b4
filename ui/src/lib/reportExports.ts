import { invoke } from '@tauri-apps/api/core';
import { toBackendError } from './backend';

// The report as a file (issue 10): the model the preview shows and the PDF/DOCX render, offline
// export, the coordinator's issue to the school, and the versions kept.

/** Where the report is in its life (qar_report::ReportStatus). */
export type ReportStatusModel =
  | { state: 'draft' }
  | { state: 'approved'; approved_on: string; approved_by: string; short_hash: string }
  | { state: 'issued'; version: number; issued_on: string; approved_by: string; short_hash: string };

/** qar_report::ReportDocument as JSON: preview, PDF and DOCX all come from this. */
export type ReportModel = {
  school_name: string;
  school_urn: string;
  visit_days: string[];
  lead_reviewer: string;
  team: [string, string][];
  framework_version: string;
  template: { title: string; sections: { code: string; title: string; kind: string; area_code?: string }[] };
  area_labels: Record<string, string>;
  estimates: { area_code: string; area_label: string; value_label: string; rationale: string }[];
  sections: { code: string; body: string }[];
  status: ReportStatusModel;
};

export type ExportFormat = 'pdf' | 'docx';
export type ExportedReport = { path: string; bytes: number; millis: number };
export type ReportVersion = { version: number; sha256: string; reportHash: string; issuedMs: number; issuedBy: string; reason: string };

export interface ReportExports {
  preview(reviewId: string): Promise<ReportModel>;
  /** Offline. `version` exports an issued version kept on this laptop; without it, the live report. */
  exportReport(reviewId: string, format: ExportFormat, version?: number): Promise<ExportedReport>;
  /** Coordinator, online only. Rejects with 'reason_required' for a correction without a reason,
   *  'report_changed', 'offline', 'forbidden'/'wrong_state'. Resolves to the review's new state. */
  issue(reviewId: string, reason?: string): Promise<{ state: string }>;
  /** Fetched when online, else what this laptop holds. Oldest first. */
  versions(reviewId: string): Promise<ReportVersion[]>;
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toBackendError(e);
  }
}

export class TauriReportExports implements ReportExports {
  preview(reviewId: string) {
    return call<ReportModel>('report_preview', { reviewId });
  }
  exportReport(reviewId: string, format: ExportFormat, version?: number) {
    return call<ExportedReport>('export_report', { reviewId, format, version: version ?? null });
  }
  issue(reviewId: string, reason?: string) {
    return call<{ state: string }>('issue_report', { reviewId, reason: reason ?? null });
  }
  versions(reviewId: string) {
    return call<ReportVersion[]>('report_versions', { reviewId });
  }
}
