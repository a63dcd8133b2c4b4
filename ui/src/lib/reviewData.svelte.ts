import {
  CURRENT_FRAMEWORK,
  errorMessage,
  toBackendError,
  type ActivityType,
  type Backend,
  type BackendError,
  type Estimate,
  type Evidence,
  type Framework,
  type ReportSection,
  type ReportTemplate,
  type ReviewComment,
  type ReviewDetail,
} from './backend';

/**
 * Everything one review's workspace shows, loaded once and reloaded when synced changes arrive.
 * Panels read it and tell it when they wrote something, so the others stay current.
 */
export class ReviewData {
  detail = $state<ReviewDetail | null>(null);
  framework = $state<Framework | null>(null);
  template = $state<ReportTemplate | null>(null);
  estimates = $state<Estimate[]>([]);
  sections = $state<ReportSection[]>([]);
  comments = $state<ReviewComment[]>([]);
  /** Every note of the review, newest first (for the timetable and the evidence beside estimates). */
  evidence = $state<Evidence[]>([]);
  activityTypes = $state<ActivityType[]>([]);
  /** The review could not be opened at all. */
  error = $state<BackendError | null>(null);
  /** A part could not be loaded; the rest still works. */
  problem = $state<string | null>(null);
  /** Bumped on every reload, so editors can take in text that changed elsewhere. */
  version = $state(0);

  constructor(
    private readonly backend: Backend,
    readonly reviewId: string,
  ) {}

  can(action: string): boolean {
    return this.detail?.allowedActions.includes(action) ?? false;
  }

  activityLabel(code: string): string {
    return this.activityTypes.find((a) => a.code === code)?.label ?? code;
  }

  areaLabel(code: string): string {
    return this.framework?.areas.find((a) => a.code === code)?.label ?? code;
  }

  /** The review itself; false when it could not be opened. */
  async load(): Promise<boolean> {
    try {
      const [detail, activityTypes] = await Promise.all([this.backend.reviewDetail(this.reviewId), this.backend.activityTypes()]);
      this.detail = detail;
      this.activityTypes = activityTypes;
      this.error = null;
    } catch (e) {
      this.error = toBackendError(e);
      return false;
    }
    // Without the framework, notes can still be written; only tagging and the area parts wait.
    this.backend.framework(CURRENT_FRAMEWORK).then(
      (framework) => (this.framework = framework),
      (e) => (this.problem = `The framework's areas could not be loaded: ${errorMessage(e)}`),
    );
    return true;
  }

  /** The report, estimates and comments (the tabs that show them call this). */
  async loadReport() {
    try {
      const [template, sections, estimates, comments] = await Promise.all([
        this.backend.reportTemplate(this.reviewId),
        this.backend.listReportSections(this.reviewId),
        this.backend.listEstimates(this.reviewId),
        this.backend.listComments(this.reviewId),
      ]);
      this.template = template;
      this.sections = sections;
      this.estimates = estimates;
      this.comments = comments;
      this.version++;
    } catch (e) {
      this.problem = `The report could not be loaded: ${errorMessage(e)}`;
    }
  }

  async loadEvidence() {
    try {
      this.evidence = await this.backend.listEvidence(this.reviewId);
    } catch (e) {
      this.problem = `The evidence could not be loaded: ${errorMessage(e)}`;
    }
  }

  /** The state, allowed actions and badges, after a change of state or a write that may move it. */
  async reloadDetail() {
    try {
      this.detail = await this.backend.reviewDetail(this.reviewId);
    } catch (e) {
      this.problem = errorMessage(e);
    }
  }

  async reloadComments() {
    try {
      this.comments = await this.backend.listComments(this.reviewId);
    } catch (e) {
      this.problem = errorMessage(e);
    }
  }

  /** Synced changes arrived: reload what is loaded. */
  async reloadAll(withReport: boolean, withEvidence: boolean) {
    await this.reloadDetail();
    await Promise.all([withReport ? this.loadReport() : null, withEvidence ? this.loadEvidence() : null]);
  }

  sectionBody(code: string): string {
    return this.sections.find((s) => s.code === code)?.body ?? '';
  }

  estimateFor(area: string): Estimate | undefined {
    return this.estimates.find((e) => e.areaCode === area);
  }

  commentsOn(target: string): ReviewComment[] {
    return this.comments.filter((c) => c.target === target);
  }

  evidenceFor(area: string): Evidence[] {
    return this.evidence.filter((e) => e.areaTags.includes(area));
  }
}
