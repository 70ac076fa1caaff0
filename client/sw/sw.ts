/// <reference lib="webworker" />
// The officer's service worker (issue 17): the checklist reopens offline after a reload. Workbox
// precaches the officer's pages' bundles and stylesheets (the list comes from scripts/build-client.mjs)
// and keeps, per opened inspection, its page, its frozen checklist and the session check, network
// first. Only same-origin GETs are cached, in this origin's Cache Storage: nothing leaves the origin,
// and the session cookie stays an HttpOnly cookie the worker never reads.
import { cleanupOutdatedCaches, precacheAndRoute } from "workbox-precaching";
import { registerRoute, setCatchHandler } from "workbox-routing";
import { NetworkFirst } from "workbox-strategies";

declare const self: ServiceWorkerGlobalScope;
declare const PRECACHE: Array<{ url: string; revision: string | null }>;

self.skipWaiting();
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
cleanupOutdatedCaches();
precacheAndRoute(PRECACHE);

const pages = new NetworkFirst({ cacheName: "lianma-pages", networkTimeoutSeconds: 6 });
const data = new NetworkFirst({ cacheName: "lianma-data", networkTimeoutSeconds: 6 });
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
