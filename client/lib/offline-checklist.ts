// The checklist's answers on the phone itself (issue 17): every change is written to IndexedDB at once,
// so a reload or a dead network loses nothing; what is not yet on the server is counted and sent in
// order (answers, then the submission) when the network returns.
import { openDB, type IDBPDatabase } from "idb";

export interface LocalChecklist {
  inspectionId: string;
  data: Record<string, unknown>;
  /** The server revision these answers build on (sent as baseRevision). */
  baseRevision: number;
  /** Answers changed here and not yet saved on the server. */
  dirty: boolean;
  /** When the answers last changed on this device (ISO). */
  changedAt: string;
  /** The server's time of the last save it acknowledged (ISO). */
  lastServerSave: string | null;
  /** A submission waiting for the network, with its client id (a retry is the same submission). */
  submit?: { clientId: string; at: string };
}

let opened: Promise<IDBPDatabase> | null = null;
const database = () =>
  (opened ??= openDB("lianma-offline", 1, {
    upgrade(db) {
      db.createObjectStore("checklists", { keyPath: "inspectionId" });
    },
  }));

export async function loadLocal(inspectionId: string): Promise<LocalChecklist | undefined> {
  try {
    return (await (await database()).get("checklists", inspectionId)) as LocalChecklist | undefined;
  } catch {
    return undefined;
  }
}

export async function storeLocal(record: LocalChecklist): Promise<void> {
  await (await database()).put("checklists", record);
}

/** How many steps still wait for the server: the answers, the submission. */
export function pendingSteps(record: LocalChecklist): number {
  return (record.dirty ? 1 : 0) + (record.submit ? 1 : 0);
}

/** Registers the officer's service worker (client/sw/sw.ts), which reopens opened checklists offline. */
export function registerOfflineWorker(): void {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/build/sw.js", { scope: "/admin/" }).catch(() => {
    // Without it the page still works online; nothing to tell the officer.
  });
}
