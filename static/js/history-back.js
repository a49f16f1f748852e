/* Renkei: a "Back" link that returns to the previous page when there is one (its href is the
   fallback). A file, because the Content-Security-Policy allows no javascript: URL. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-history-back]");
    if (link && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });
})();
