// Small behaviours every page shares, marked by data- attributes instead of on*= handlers so that the
// Content-Security-Policy can refuse all inline script.
(function () {
  // <select data-submit-on-change>: the language switcher posts its form as soon as a language is picked.
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-submit-on-change]")) event.target.form.submit();
  });
  // <form data-confirm="question">: asks before an irreversible post (withdrawing a proposal).
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
  // <input data-enter-does-not-submit>: Enter in a search-as-you-type box must not post the whole form.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches("[data-enter-does-not-submit]")) event.preventDefault();
  });
  // Phone width: each cell of a table.data carries its column header as data-label, which the stylesheet
  // shows beside the value once rows become stacked cards (htmx-swapped results are labelled as they arrive).
  function labelCells(root) {
    root.querySelectorAll("table.data").forEach(function (table) {
      var headers = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, index) {
          if (headers[index] && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", headers[index]);
        });
      });
    });
  }
  // <button data-toggles-nav>: on a phone the main navigation folds into a menu this button opens.
  function foldNavigation() {
    var toggle = document.querySelector("[data-toggles-nav]");
    var nav = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
    if (!nav) return;
    nav.setAttribute("data-collapsed", "");
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      if (open) { nav.removeAttribute("data-collapsed"); nav.setAttribute("data-open", ""); }
      else { nav.setAttribute("data-collapsed", ""); nav.removeAttribute("data-open"); }
    });
  }
  // <details class="navgroup">: the section menus work without script; with it, a click elsewhere or Escape
  // closes an open menu (Escape hands the focus back to the section's summary).
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.navgroup[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var menu = event.target.closest && event.target.closest("details.navgroup[open]");
    if (menu) { menu.removeAttribute("open"); menu.querySelector("summary").focus(); }
  });
  document.addEventListener("DOMContentLoaded", function () { labelCells(document); foldNavigation(); });
  document.addEventListener("htmx:afterSettle", function (event) { labelCells(event.target); });
})();
