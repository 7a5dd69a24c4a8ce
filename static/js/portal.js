// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // A form that failed validation: move focus to the summary of what to correct.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }

  // On a phone the search filters start collapsed behind their toggle button.
  var filters = document.querySelector("details.filters-toggle");
  if (filters && window.matchMedia("(max-width: 48rem)").matches) {
    filters.open = false;
  }
})();
