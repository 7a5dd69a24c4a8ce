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

  // The language menu goes to the chosen language at once; its button is for pages without this file.
  var languages = document.getElementById("language-select");
  if (languages && languages.form) {
    var submit = languages.form.querySelector(".language-submit");
    if (submit) {
      submit.hidden = true;
    }
    languages.addEventListener("change", function () {
      window.location.assign(languages.value);
    });
  }
})();
