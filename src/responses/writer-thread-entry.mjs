// Worker threads do not inherit the tsx loader that `node --import tsx` installs on the main thread,
// so the writer thread registers it before loading its TypeScript body.
import { register } from "tsx/esm/api";

register();
await import("./writer-thread-worker.ts");
