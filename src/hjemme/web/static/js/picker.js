/* A search box over a long <select>: typing keeps the options whose label holds every typed word
   (name, time, kind, id), so 300 tasks and 60 people are found by a few letters. The box is shown
   only when this script runs; without it the plain <select> still works. */
(function () {
  "use strict";
  function words(text) { return text.toLowerCase().split(/\s+/).filter(Boolean); }
  document.querySelectorAll("input.picker-filter[data-filter-for]").forEach(function (box) {
    var select = document.getElementById(box.getAttribute("data-filter-for"));
    if (!select) { return; }
    box.hidden = false;
    box.addEventListener("input", function () {
      var wanted = words(box.value), first = null;
      Array.prototype.forEach.call(select.options, function (option) {
        if (!option.value) { return; }
        var label = option.textContent.toLowerCase() + " " + option.value.toLowerCase();
        var show = wanted.every(function (w) { return label.indexOf(w) !== -1; });
        option.hidden = !show;
        option.disabled = !show;
        if (show && first === null) { first = option; }
      });
      if (first && (select.selectedIndex < 0 || select.options[select.selectedIndex].hidden)) {
        select.value = first.value;
      }
    });
  });
})();
