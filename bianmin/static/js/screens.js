// The display screens: the panel reloads itself through htmx ("every Ns"); when a reload fails, htmx leaves the
// panel as it was, and this says how old the data on it is, until a reload succeeds again. The age is counted on
// the screen's own clock from the last successful reload, so a screen whose clock is off is not called stale.
(function () {
  var screen = document.getElementById("screen");
  var status = document.getElementById("screen-status");
  if (!screen || !status) { return; }
  var staleAfter = parseInt(screen.getAttribute("data-stale-after") || "30", 10) * 2 * 1000;
  var text = screen.getAttribute("data-stale-text") || "{minutes}";
  var lastOk = Date.now();
  var failing = false;

  function show() {
    var age = Date.now() - lastOk;
    if (!failing && age < staleAfter) { status.hidden = true; return; }
    status.textContent = text.replace("{minutes}", String(Math.max(1, Math.round(age / 60000))));
    status.hidden = false;
  }

  document.body.addEventListener("htmx:afterSwap", function () { lastOk = Date.now(); failing = false; show(); });
  ["htmx:sendError", "htmx:responseError", "htmx:timeout"].forEach(function (name) {
    document.body.addEventListener(name, function () { failing = true; show(); });
  });
  window.setInterval(show, 10000);
})();
