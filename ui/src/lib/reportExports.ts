import { invoke } from '@tauri-apps/api/core';
import { toBackendError } from './backend';

// The report as a file (issue 10): the model the preview shows and the PDF/DOCX render, offline
// export, the coordinator's issue to the school, and the versions kept.

import type { ExportedReport, ReportDocument, ReportVersion } from './generated';
export type { ExportedReport, ReportDocument as ReportModel, ReportStatus as ReportStatusModel, ReportVersion } from './generated';

/** The formats `export_report` accepts (qar_client::ExportFormat::parse). */
export type ExportFormat = 'pdf' | 'docx';

export interface ReportExports {
  preview(reviewId: string): Promise<ReportDocument>;
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
    return call<ReportDocument>('report_preview', { reviewId });
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
