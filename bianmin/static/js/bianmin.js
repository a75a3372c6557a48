// Small behaviours the pages share. No inline scripts: the content security policy forbids them.
document.addEventListener("change", function (event) {
  var select = event.target.closest("[data-autosubmit]");
  if (select && select.form) { select.form.submit(); }
});

document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) { window.print(); }
  var back = event.target.closest("[data-back]");
  if (back && window.history.length > 1) { event.preventDefault(); window.history.back(); }
});

document.body.addEventListener("htmx:configRequest", function (event) {
  var token = document.querySelector("meta[name=csrf-token]");
  if (token) { event.detail.headers["X-CSRFToken"] = token.content; }
});

// Kiosk pages: go back to the start page after a while without a touch, ready for the next person.
(function () {
  var target = document.body.getAttribute("data-idle-return");
  if (!target) { return; }
  var seconds = parseInt(document.body.getAttribute("data-idle-seconds") || "90", 10);
  var timer;
  function restart() {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      if (window.location.pathname !== target) { window.location.assign(target); }
    }, seconds * 1000);
  }
  ["pointerdown", "touchstart", "keydown", "scroll"].forEach(function (name) {
    window.addEventListener(name, restart, { passive: true });
  });
  restart();
})();
