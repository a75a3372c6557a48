// Small behaviours the pages share. No inline scripts: the content security policy forbids them.
document.addEventListener("change", function (event) {
  var select = event.target.closest("[data-autosubmit]");
  if (select && select.form) { select.form.submit(); }
});
document.body.addEventListener("htmx:configRequest", function (event) {
  var token = document.querySelector("meta[name=csrf-token]");
  if (token) { event.detail.headers["X-CSRFToken"] = token.content; }
});
