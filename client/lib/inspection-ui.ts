// Shared by the inspection list, filing and detail pages: API shapes, Chinese labels, badges, times.
import { STATUS_LABELS, TYPE_LABELS } from "../../src/inspections/labels";
import { h } from "./dom";
import { localDateTime } from "./local-time";

import type { InspectionStatus, InspectionType } from "../../src/db/schema";

export type { InspectionStatus, InspectionType };

export interface InspectionSummary {
  id: string;
  status: InspectionStatus;
  type: InspectionType;
  enterprise: { id: string; name: string; creditCode: string };
  leadDepartmentId: string;
  departments: { id: string; name: string }[];
  plannedStart: string;
  plannedEnd: string;
  lateFiling: boolean;
  joint: boolean;
  filedAt: string;
}

export interface InspectionDetail extends InspectionSummary {
  caseReason: string | null;
  lateReason: string | null;
  legalBasis: string;
  notes: string;
  refusalReason: string | null;
  cancelReason: string | null;
  filedBy: string | null;
  arrivalLocation: { lat: number; lng: number; accuracy?: number } | null;
  officers: {
    id: string;
    name: string;
    departmentId: string;
    credentialNo: string | null;
    isHelper: boolean;
  }[];
  /** legalBasis as filed; null: the inspection's basis alone says it. */
  items: { id: string; code: string; name: string; departmentId: string; legalBasis: string | null }[];
  times: {
    decidedAt: string | null;
    startedAt: string | null;
    registeredAt: string | null;
    evaluatedAt: string | null;
    closedAt: string | null;
    arrivedAt: string | null;
    enterpriseArrivalAt: string | null;
    cancelledAt: string | null;
  };
}

/** The coloured status pill; the colour comes from `badge-insp-<status>` in inspections-admin.css. */
export function statusBadge(status: InspectionStatus): HTMLElement {
  return h(
    "span",
    { className: `badge badge-insp-${status}`, "data-status": status },
    STATUS_LABELS[status] ?? status,
  );
}

/** The inspection type in words; case-triggered (个案) ones stand out. */
export function typeTag(type: InspectionType): HTMLElement {
  return h("span", { className: `type-tag type-${type}` }, TYPE_LABELS[type] ?? type);
}

/** Flags worth seeing next to the type: joint visit (联合检查), late filing (事后补办). */
export function flagBadges(s: Pick<InspectionSummary, "joint" | "lateFiling">): HTMLElement[] {
  const flags: HTMLElement[] = [];
  if (s.joint) flags.push(h("span", { className: "badge badge-flag badge-joint" }, "联合检查"));
  if (s.lateFiling) flags.push(h("span", { className: "badge badge-flag badge-late" }, "事后补办"));
  return flags;
}

/** Text with its dates and long numbers kept on one line (a date never breaks at its hyphens). */
export function keepTogether(text: string): (string | HTMLElement)[] {
  return text
    .split(/(\d{4}-\d{2}-\d{2}|\d{6,})/)
    .filter(Boolean)
    .map((part) =>
      /^(\d{4}-\d{2}-\d{2}|\d{6,})$/.test(part) ? h("span", { className: "nowrap" }, part) : part,
    );
}

/** "2025-03-04 09:00 至 11:00" (the same day) or both dates in full. */
export function formatWindow(startIso: string, endIso: string): string {
  const start = localDateTime(startIso);
  const end = localDateTime(endIso);
  return start.slice(0, 10) === end.slice(0, 10) ? `${start} 至 ${end.slice(11)}` : `${start} 至 ${end}`;
}
