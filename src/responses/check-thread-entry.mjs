// Worker threads do not inherit the tsx loader that `node --import tsx` installs on the main thread,
// so the check thread registers it before loading its TypeScript body. The bundled server
// (`npm start`) starts the thread's own bundle instead (scripts/build-server.mjs).
import { register } from "tsx/esm/api";

register();
await import("./check-thread-main.ts");
