import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";

/** Appends text to a file, creating its folder first (the SMS file gateway, src/alerts/sms.ts). */
export async function appendTextFile(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await appendFile(path, text, "utf8");
}
