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
})();
