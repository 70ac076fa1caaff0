// The portal's response shapes: the server's zod schemas where it names them (type-only imports).
import type { z } from "@hono/zod-openapi";
import type { ComplaintItem } from "../../src/enterprise/complaints";
import type { Summary as SummarySchema } from "../../src/enterprise/inspections";
import type { EnterpriseSessionSchema } from "../../src/enterprise/schemas";
import type { ChecklistResultItem, InspectingOfficer } from "../lib/checklist-result";

export type Me = z.infer<typeof EnterpriseSessionSchema>;
export type Summary = z.infer<typeof SummarySchema>;
export type Complaint = z.infer<typeof ComplaintItem>;
export type Officer = InspectingOfficer;

export interface Detail {
  id: string;
  statusLabel: string;
  typeLabel: string;
  caseReason: string | null;
  plannedStart: string;
  plannedEnd: string;
  departments: { name: string; lead: boolean }[];
  officers: Officer[];
  items: { code: string; name: string; legalBasis: string | null }[];
  /** The inspection's basis as filed. */
  legalBasis: string;
  checklist: { items: ChecklistResultItem[]; submittedAt: string | null } | null;
  evaluation:
    { formId: string; version: number; schema: Record<string, unknown> } | { submitted: true } | null;
  evaluationOpen: boolean;
  evaluated: boolean;
  enterpriseArrivalAt: string | null;
  canConfirmArrival: boolean;
  avoidance: Avoidance;
}

export interface Avoidance {
  open: boolean;
  officers: { id: string; name: string; isHelper: boolean }[];
  requests: {
    id: string;
    officerId: string;
    officerName: string;
    reason: string;
    status: "pending" | "replaced" | "refused";
    statusLabel: string;
    answer: string | null;
    replacementName: string | null;
    createdAt: string;
    answeredAt: string | null;
  }[];
}
