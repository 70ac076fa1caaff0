export type Role = "admin" | "dept_admin" | "officer" | "supervisor";
export type FormKind = "checklist" | "evaluation" | "survey" | "review";
export type FormStatus = "draft" | "published" | "archived";

export interface User {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  departmentId: string | null;
  disabled?: boolean;
  createdAt?: string;
}

export interface Department {
  id: string;
  name: string;
  code: string;
}

export interface FormSummary {
  id: string;
  title: string;
  kind: FormKind;
  status: FormStatus;
  departmentId: string | null;
  latestVersion: number | null;
  publishedVersion: number | null;
  responseCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface Form extends FormSummary {
  description: string | null;
  schema: Record<string, unknown>;
}

export interface VersionSummary {
  version: number;
  publishedAt: string;
  publishedBy: string | null;
  responseCount: number;
}

export interface ResponseItem {
  id: string;
  version: number;
  submittedAt: string;
  data: Record<string, unknown>;
}

export interface ResponseDetail extends ResponseItem {
  schema: Record<string, unknown>;
}

export interface PublicForm {
  id: string;
  title: string;
  version: number;
  schema: Record<string, unknown>;
}

export interface ShareInfo {
  url: string;
  qrSvgUrl: string;
  qrPngUrl: string;
  posterUrl: string;
}
