import { z } from "@hono/zod-openapi";

export const EnterpriseSessionSchema = z
  .object({
    enterprise: z.object({ id: z.string(), name: z.string(), creditCode: z.string() }),
    csrfToken: z.string(),
  })
  .openapi("EnterpriseSession");
