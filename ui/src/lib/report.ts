import type { ReportTemplate, SectionSpec } from './backend';

/** Sections as the report reads: the context, each area's What went well / Even better if, the rest. */
export type SectionGroup = { key: string; title: string; areaCode: string | null; sections: SectionSpec[] };

export function groupSections(template: ReportTemplate, areaLabel: (code: string) => string): SectionGroup[] {
  const groups: SectionGroup[] = [];
  for (const section of template.sections) {
    // Progress since the last review is written point by point beside the last review's
    // Even better if points (PreviousReviewPanel), never as one text.
    if (section.kind === 'progress') continue;
    if (section.areaCode) {
      const key = `area:${section.areaCode}`;
      let group = groups.find((g) => g.key === key);
      if (!group) {
        group = { key, title: areaLabel(section.areaCode), areaCode: section.areaCode, sections: [] };
        groups.push(group);
      }
      group.sections.push(section);
    } else {
      groups.push({ key: `section:${section.code}`, title: section.title, areaCode: null, sections: [section] });
    }
  }
  return groups;
}

/** A comment's target in words: 'section:leadership_ebi' → 'Even better if… (Leadership at all levels)'. */
export function targetLabel(target: string, template: ReportTemplate | null, areaLabel: (code: string) => string): string {
  const [kind, code] = target.split(':', 2);
  if (kind === 'estimate') return `Estimate: ${areaLabel(code)}`;
  const spec = template?.sections.find((s) => s.code === code);
  if (!spec) return code ?? target;
  return spec.areaCode ? `${spec.title} (${areaLabel(spec.areaCode)})` : spec.title;
}
