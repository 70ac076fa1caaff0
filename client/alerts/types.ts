// The alert page's response shapes: the server's zod schemas (type-only imports), with the detail's
// source records, which the schema leaves open, spelled out.
import type { z } from "@hono/zod-openapi";
import type { AlertDetailSchema, AlertItemSchema } from "../../src/alerts/schemas";

export type AlertItem = z.infer<typeof AlertItemSchema>;
export type Person = NonNullable<AlertItem["assignedTo"]>;

export type AlertDetail = Omit<
  z.infer<typeof AlertDetailSchema>,
  "complaint" | "evaluation" | "inspection"
> & {
  complaint: {
    receiptNo: string;
    kind: string;
    visitDate: string;
    text: string;
    unfiledVisit: boolean;
    createdAt: string;
  } | null;
  evaluation: {
    submittedAt: string;
    score: number | null;
    answers: { name: string; title: string; text: string; negative: boolean }[];
  } | null;
  inspection: {
    typeLabel: string;
    statusLabel: string;
    plannedStart: string;
    plannedEnd: string;
    enterprise: { name: string; creditCode: string };
    departments: { id: string; name: string }[];
    officers: { name: string; credentialNo: string | null; isHelper: boolean }[];
    items: { code: string; name: string }[];
  } | null;
};
