// The inspection's service worker (served at /workbench/inspection/sw.js, so its scope is the inspection only):
// the phone's scoring page and the static files it needs are kept in a cache as they are loaded, and given from it
// when the network is gone, so a scoring page reloaded at a site without network still opens. Everything else (the
// sync, the other pages) goes to the network untouched.
"use strict";
var CACHE = "inspection-v1";
var SCORING_PAGE = /^\/workbench\/inspection\/rounds\/\d+\/sites\/\d+\/score\/$/;

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) { return name !== CACHE; }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (!SCORING_PAGE.test(url.pathname) && url.pathname.indexOf("/static/") !== 0) return;
  // The network first (the page shows what was scored meanwhile), the cache when there is none.
  event.respondWith(
    fetch(request).then(function (response) {
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(request).then(function (cached) { return cached || Response.error(); });
    })
  );
});
