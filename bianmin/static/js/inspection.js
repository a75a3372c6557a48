// The inspection's phone form (inspection/score.html): every saved score is queued on the phone (localStorage) with
// its own id, its photos (made smaller first), the device's time and position, and sent when the phone is online.
// The server knows each id: sending a score again changes nothing, so the queue is simply retried until answered.
(function () {
  "use strict";
  var root = document.querySelector(".inspection-scoring");
  if (!root) return;
  var syncUrl = root.dataset.syncUrl;
  var queueKey = root.dataset.queueKey;
  var status = root.querySelector("[data-status]");
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var MAX_SIDE = 1280;
  var sending = false;

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function readQueue() {
    try { return JSON.parse(localStorage.getItem(queueKey) || "[]"); } catch (e) { return []; }
  }
  function writeQueue(queue) { localStorage.setItem(queueKey, JSON.stringify(queue)); }

  function showStatus() {
    var queue = readQueue();
    var text = navigator.onLine ? status.dataset.textOnline : status.dataset.textOffline;
    if (queue.length) text += " " + status.dataset.textPending + " " + queue.length;
    status.textContent = text;
    status.classList.toggle("offline", !navigator.onLine);
  }

  function cardOf(indicator) { return root.querySelector('.score-card[data-indicator="' + indicator + '"]'); }
  function say(indicator, text) {
    var card = cardOf(indicator);
    if (card) card.querySelector(".score-state").textContent = text;
  }

  // A photo as a JPEG of at most MAX_SIDE pixels a side: a phone's picture would fill the phone's storage.
  function shrink(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onerror = reject;
      reader.onload = function () {
        var image = new Image();
        image.onerror = reject;
        image.onload = function () {
          var scale = Math.min(1, MAX_SIDE / Math.max(image.width, image.height));
          var canvas = document.createElement("canvas");
          canvas.width = Math.max(1, Math.round(image.width * scale));
          canvas.height = Math.max(1, Math.round(image.height * scale));
          canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
          resolve(canvas.toDataURL("image/jpeg", 0.8));
        };
        image.src = reader.result;
      };
      reader.readAsDataURL(file);
    });
  }

  function position() {
    return new Promise(function (resolve) {
      if (!navigator.geolocation) return resolve(null);
      navigator.geolocation.getCurrentPosition(
        function (found) { resolve(found.coords); },
        function () { resolve(null); },
        { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 }
      );
    });
  }

  function blobOf(dataUrl) {
    var parts = dataUrl.split(",");
    var bytes = atob(parts[1]);
    var array = new Uint8Array(bytes.length);
    for (var i = 0; i < bytes.length; i++) array[i] = bytes.charCodeAt(i);
    return new Blob([array], { type: "image/jpeg" });
  }

  function send(score) {
    var body = new FormData();
    ["client_id", "indicator", "points", "note", "taken_at", "latitude", "longitude", "accuracy"].forEach(function (name) {
      if (score[name] !== null && score[name] !== undefined) body.append(name, score[name]);
    });
    score.photos.forEach(function (photo, index) { body.append("photos", blobOf(photo), "photo-" + (index + 1) + ".jpg"); });
    return fetch(syncUrl, {
      method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": csrf }
    });
  }

  // Send the queue in order; stop at the first network failure (still offline) and try again when back online.
  function flush() {
    if (sending || !navigator.onLine) { showStatus(); return Promise.resolve(); }
    var queue = readQueue();
    if (!queue.length) { showStatus(); return Promise.resolve(); }
    sending = true;
    var score = queue[0];
    return send(score).then(function (response) {
      // Only the sync's own answer (JSON) settles a score; a server error, an expired session (the login page) or a
      // refused CSRF token keep it queued for the next try.
      var isAnswer = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (response.status >= 500 || !isAnswer) throw new Error("not answered");
      return response.json().then(function (answer) {
        writeQueue(readQueue().filter(function (queued) { return queued.client_id !== score.client_id; }));
        if (response.ok) say(score.indicator, status.dataset.textSent + " · " + score.points);
        else say(score.indicator, status.dataset.textRefused + " " + (answer.message || response.status));
      });
    }).then(function () {
      sending = false;
      return flush();
    }, function () {
      sending = false;
      showStatus();
    });
  }

  root.querySelectorAll(".score-card").forEach(function (card) {
    card.addEventListener("submit", function (event) {
      event.preventDefault();
      var indicator = card.dataset.indicator;
      var files = Array.prototype.slice.call(card.querySelector('input[name="photos"]').files || []);
      var takenAt = new Date().toISOString();
      var button = card.querySelector('button[type="submit"]');
      button.disabled = true;
      Promise.all([Promise.all(files.slice(0, 5).map(shrink)), position()]).then(function (found) {
        var photos = found[0], coords = found[1];
        var score = {
          client_id: newId(),
          indicator: indicator,
          points: card.querySelector('input[name="points"]').value,
          note: card.querySelector('input[name="note"]').value,
          taken_at: takenAt,
          latitude: coords ? coords.latitude.toFixed(6) : null,
          longitude: coords ? coords.longitude.toFixed(6) : null,
          accuracy: coords ? Math.round(coords.accuracy) : null,
          photos: photos
        };
        var queue = readQueue();
        queue.push(score);
        writeQueue(queue);
        say(indicator, status.dataset.textQueued + " · " + score.points + " · " +
          (coords ? status.dataset.textPosition + " " + score.latitude + ", " + score.longitude : status.dataset.textNoPosition));
        card.reset();
        button.disabled = false;
        showStatus();
        return flush();
      }, function () { button.disabled = false; });
    });
  });

  // The page itself opens again without network once a service worker has kept it (inspection/service_worker.js).
  if ("serviceWorker" in navigator && root.dataset.worker) {
    navigator.serviceWorker.register(root.dataset.worker, { scope: root.dataset.workerScope }).catch(function () {});
  }
  window.addEventListener("online", flush);
  window.addEventListener("offline", showStatus);
  flush();
})();
