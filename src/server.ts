/** The Node entry (`npm start` runs its bundle, dist/server.mjs): see src/node/start.ts. */
import { startNodeServer } from "./node/start.ts";

startNodeServer(process.env).catch((err) => {
  console.error(err);
  process.exit(1);
});
