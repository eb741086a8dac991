/* The pick lists' print button (issue 14): an external file, since the Content-Security-Policy
   allows no inline script. Printing without it (Ctrl+P) gives the same pages. */
(function () {
  "use strict";
  var button = document.getElementById("print-button");
  if (button) { button.addEventListener("click", function () { window.print(); }); }
})();
