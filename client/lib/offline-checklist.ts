// The checklist's answers on the phone itself (issue 17): every change is written to IndexedDB at once,
// so a reload or a dead network loses nothing; what is not yet on the server is counted and sent in
// order (photos, then the answers, then the submission) when the network returns. A photo waiting for
// the network is a blob here; the answer names it by a placeholder the server never sees.
import { openDB, type IDBPDatabase } from "idb";
import { PHOTO_PATH } from "./session-caches";

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
  /**
   * The answers of the saves sent since the last acknowledged one (the latest few). A save can land
   * while its answer is lost (the page reloaded, the network dropped): the server's next 409 then
   * shows one of these, which is this phone's own, not another device's.
   */
  unacknowledged?: Record<string, unknown>[];
}

/** A photo taken on this device and not yet known to be on the server. */
export interface LocalPhoto {
  /** The page's UUID for the photo: the upload's X-Client-Id, so a retry is the same photo. */
  clientId: string;
  inspectionId: string;
  question: string;
  name: string;
  type: string;
  size: number;
  /** The device's clock when the photo was added (ISO): the upload's X-Happened-At. */
  takenAt: string;
  blob: Blob;
  /** The server's URL once uploaded, until the answers name it instead of the placeholder. */
  url?: string;
}

const PLACEHOLDER = "lianma-photo:";
export const photoPlaceholder = (clientId: string) => PLACEHOLDER + clientId;
export const placeholderId = (content: unknown) =>
  typeof content === "string" && content.startsWith(PLACEHOLDER) ? content.slice(PLACEHOLDER.length) : null;

/** Client ids of the photos the answers name by placeholder, in the answers' order. */
export function pendingPhotoIds(data: Record<string, unknown>): string[] {
  const ids: string[] = [];
  for (const value of Object.values(data)) {
    if (!Array.isArray(value)) continue;
    for (const entry of value) {
      const id = placeholderId((entry as { content?: unknown } | null)?.content);
      if (id) ids.push(id);
    }
  }
  return ids;
}

/** `data` with the photo `clientId` named by `content` instead (null: without that photo). */
export function replacePhoto(
  data: Record<string, unknown>,
  clientId: string,
  content: string | null,
): Record<string, unknown[]> {
  const changed: Record<string, unknown[]> = {};
  for (const [name, value] of Object.entries(data)) {
    if (!Array.isArray(value)) continue;
    const named = (e: unknown) => placeholderId((e as { content?: unknown } | null)?.content) === clientId;
    if (!value.some(named)) continue;
    changed[name] =
      content === null
        ? value.filter((e) => !named(e))
        : value.map((e) => (named(e) ? { ...(e as object), content } : e));
  }
  return changed;
}

let opened: Promise<IDBPDatabase> | null = null;
const database = () =>
  (opened ??= openDB("lianma-offline", 2, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) db.createObjectStore("checklists", { keyPath: "inspectionId" });
      if (oldVersion < 2)
        db.createObjectStore("photos", { keyPath: "clientId" }).createIndex("inspection", "inspectionId");
    },
  }));

export async function loadPhoto(clientId: string): Promise<LocalPhoto | undefined> {
  return (await (await database()).get("photos", clientId)) as LocalPhoto | undefined;
}

export async function storePhoto(photo: LocalPhoto): Promise<void> {
  await (await database()).put("photos", photo);
}

export async function deletePhoto(clientId: string): Promise<void> {
  await (await database()).delete("photos", clientId);
}

/** Drops this inspection's stored photos the answers no longer name (removed, or already on the server). */
export async function forgetPhotosExcept(inspectionId: string, keep: string[]): Promise<void> {
  try {
    const db = await database();
    const keys = (await db.getAllKeysFromIndex("photos", "inspection", inspectionId)) as string[];
    for (const key of keys) if (!keep.includes(key)) await db.delete("photos", key);
  } catch {
    // Storage unavailable: nothing was kept either.
  }
}

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

/** How many steps still wait for the server: each photo, the answers, the submission. */
export function pendingSteps(record: LocalChecklist): number {
  return pendingPhotoIds(record.data).length + (record.dirty ? 1 : 0) + (record.submit ? 1 : 0);
}

/** Registers the officer's service worker (client/sw/sw.ts), which reopens opened checklists offline. */
export function registerOfflineWorker(): void {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/build/sw.js", { scope: "/admin/" }).catch(() => {
    // Without it the page still works online; nothing to tell the officer.
  });
}

/** The server photos the answers name (the photo route's URLs), each once. */
export function serverPhotoUrls(data: Record<string, unknown>): string[] {
  const urls = new Set<string>();
  for (const value of Object.values(data)) {
    if (!Array.isArray(value)) continue;
    for (const entry of value) {
      const content = (entry as { content?: unknown } | null)?.content;
      if (typeof content === "string" && PHOTO_PATH.test(content)) urls.add(content);
    }
  }
  return [...urls];
}

/**
 * Has the service worker cache these server photos now, while online (Workbox's CACHE_URLS message,
 * answered through the worker's photo route): a photo on a page the officer has not reached yet still
 * shows after an offline reload.
 */
export function cachePhotos(urls: string[]): void {
  if (urls.length === 0 || !navigator.onLine || !("serviceWorker" in navigator)) return;
  const urlsToCache = urls.map((url) => new URL(url, location.origin).href);
  navigator.serviceWorker.ready
    .then((registration) =>
      registration.active?.postMessage({ type: "CACHE_URLS", payload: { urlsToCache } }),
    )
    .catch(() => {
      // Without the worker the photos show online as before; nothing to tell the officer.
    });
}
