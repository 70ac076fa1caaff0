// The dashboard's response shapes are the server's zod schemas (type-only: nothing of the server is bundled).
import type { z } from "@hono/zod-openapi";
import type {
  ActionsResponse,
  AlertResponse,
  CasesResponse,
  ConductResponse,
  DrillResponse,
  EvaluationResponse,
  FiltersResponse,
  FrequencyResponse,
  ItemsResponse,
  ProblemsResponse,
  VisitResponse,
} from "../../src/dashboard/schemas";

export type Visits = z.infer<typeof VisitResponse>;
export type Frequency = z.infer<typeof FrequencyResponse>;
export type Items = z.infer<typeof ItemsResponse>;
export type Evaluations = z.infer<typeof EvaluationResponse>;
export type Problems = z.infer<typeof ProblemsResponse>;
export type Alerts = z.infer<typeof AlertResponse>;
export type Conduct = z.infer<typeof ConductResponse>;
export type Drill = z.infer<typeof DrillResponse>;
export type Filters = z.infer<typeof FiltersResponse>;
export type Cases = z.infer<typeof CasesResponse>;
export type Actions = z.infer<typeof ActionsResponse>;

export type VisitFigures = Visits["totals"];
export type FrequencyFigures = Frequency["totals"];
export type ConductFigures = Conduct["totals"];
export type CaseFigures = Cases["totals"];
export type ActionFigures = Actions["totals"];
export type Item = Items["items"][number];
export type DrillRow = Drill["items"][number];
export type DrillGroup = NonNullable<Drill["groups"]>[number];
export type DrillComplaint = NonNullable<Drill["complaints"]>[number];
export type Keyed<F> = { key: string; figures: F }[];
