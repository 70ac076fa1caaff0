// Who a signed-in user is, and what a username and a password must be: the login routes answer with
// these, and the directory's user administration builds on them.
import { z } from "@hono/zod-openapi";
import { ROLES } from "../db/schema.ts";

export const RoleSchema = z.enum(ROLES);

export const UserSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    displayName: z.string(),
    role: RoleSchema,
    departmentId: z.string().nullable(),
  })
  .openapi("User");

export const usernameField = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{2,64}$/, "用户名只能包含字母、数字、下划线、点和连字符（2–64 位）");
export const passwordField = z.string().min(10, "密码至少 10 位").max(256);
