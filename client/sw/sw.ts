/// <reference lib="webworker" />
// The officer's service worker (issue 17): the checklist reopens offline after a reload. Workbox
// precaches the officer's pages' bundles and stylesheets (the list comes from scripts/build-client.mjs)
// and keeps, per opened inspection, its page, its frozen checklist and the session check, network
// first, and the checklists' server photos, cache first. Only same-origin GETs are cached, in this
// origin's Cache Storage: nothing leaves the origin, and the session cookie stays an HttpOnly cookie the
// worker never reads. The pages empty the data and photo caches on logout (lib/session-caches.ts).
import { CacheableResponsePlugin } from "workbox-cacheable-response";
import { ExpirationPlugin } from "workbox-expiration";
import { cleanupOutdatedCaches, precacheAndRoute } from "workbox-precaching";
import { registerRoute, setCatchHandler } from "workbox-routing";
import { CacheFirst, NetworkFirst } from "workbox-strategies";
import { DATA_CACHE, PHOTO_CACHE, PHOTO_PATH } from "../lib/session-caches";

declare const self: ServiceWorkerGlobalScope;
declare const PRECACHE: Array<{ url: string; revision: string | null }>;

self.skipWaiting();
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
cleanupOutdatedCaches();
precacheAndRoute(PRECACHE);

const pages = new NetworkFirst({ cacheName: "lianma-pages", networkTimeoutSeconds: 6 });
const data = new NetworkFirst({ cacheName: DATA_CACHE, networkTimeoutSeconds: 6 });
// A photo id's bytes never change (the photo API only inserts), so a stored copy is always current.
// Only 200s are kept (no error answer, no opaque one), and only so many, for so long: a phone holds
// the photos of the visits at hand, not every photo its officer ever opened.
const photos = new CacheFirst({
  cacheName: PHOTO_CACHE,
  plugins: [
    new CacheableResponsePlugin({ statuses: [200] }),
    new ExpirationPlugin({ maxEntries: 300, maxAgeSeconds: 14 * 24 * 3600, purgeOnQuotaError: true }),
  ],
});
const checklistPage = /^\/admin\/inspections\/[^/]+\/checklist$/;

registerRoute(
  ({ request, url }) =>
    request.mode === "navigate" && url.origin === self.location.origin && url.pathname.startsWith("/admin/"),
  pages,
);
registerRoute(
  ({ url, request }) =>
    request.method === "GET" &&
    url.origin === self.location.origin &&
    (url.pathname === "/api/auth/me" || /^\/api\/inspections\/[^/]+(\/checklist)?$/.test(url.pathname)),
  data,
);
// Also reached by the pages' CACHE_URLS messages (Workbox's router), which warm it: see cachePhotos.
registerRoute(
  ({ url, request }) =>
    request.method === "GET" && url.origin === self.location.origin && PHOTO_PATH.test(url.pathname),
  photos,
);

// Another inspection's checklist opened for the first time offline: every checklist page is the same
// HTML (the id is read from the address), so any cached one serves.
setCatchHandler(async ({ request, url }) => {
  if (request.mode === "navigate" && checklistPage.test(url.pathname)) {
    const cache = await caches.open("lianma-pages");
    for (const key of await cache.keys()) {
      if (checklistPage.test(new URL(key.url).pathname)) return (await cache.match(key))!;
    }
  }
  return Response.error();
});
