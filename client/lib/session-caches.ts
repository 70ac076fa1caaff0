// The service worker's caches holding what only a signed-in user may read (issue 17): the session
// check, the inspections and their checklists, and the checklist photos. Shared by the worker, which
// fills them, and the pages, which empty them on logout and login: the next person on the phone reads
// none of it, not even offline. The page shells and bundles stay; they hold no one's data.
export const DATA_CACHE = "lianma-data";
export const PHOTO_CACHE = "lianma-photos";
/** The photo route (src/checklists/photos.ts): `/api/inspections/{id}/photos/{photoId}`. */
export const PHOTO_PATH = /^\/api\/inspections\/[^/]+\/photos\/[^/]+$/;

export async function clearSessionCaches(): Promise<void> {
  if (typeof caches === "undefined") return;
  await Promise.all([DATA_CACHE, PHOTO_CACHE].map((name) => caches.delete(name).catch(() => false)));
}
