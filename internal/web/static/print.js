// Print buttons: the page's CSP forbids inline handlers, so buttons marked
// data-print are wired here.
document.querySelectorAll("[data-print]").forEach(function (b) {
  b.addEventListener("click", function () { window.print(); });
});
