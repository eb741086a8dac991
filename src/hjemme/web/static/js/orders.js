/* The order-suggestion board (issue 14): "choose all shown", a delivery's checkbox for its rows, and
   the count of chosen lines in the action bar. Without this script the form still works: the
   server reads "all" as every line shown. A row's checkbox value holds the ids of the
   day-of-need lines behind it, separated by spaces. */
(function () {
  "use strict";
  var form = document.getElementById("order-board");
  if (!form) { return; }
  var all = document.getElementById("pick-all");
  var count = document.getElementById("chosen-count");
  var lines = Array.prototype.slice.call(form.querySelectorAll(".pick-line"));
  var groups = Array.prototype.slice.call(form.querySelectorAll(".pick-group"));

  function size(box) { return box.value.split(/\s+/).filter(Boolean).length; }
  var total = lines.reduce(function (n, box) { return n + size(box); }, 0);

  function rowsOf(group) {
    return Array.prototype.slice.call(
      form.querySelectorAll('tbody[data-group="' + group.getAttribute("data-group") + '"] .pick-line'));
  }

  function refresh() {
    var chosen = 0;
    lines.forEach(function (box) { if (box.checked) { chosen += size(box); } });
    groups.forEach(function (group) {
      var rows = rowsOf(group);
      var ticked = rows.filter(function (box) { return box.checked; }).length;
      group.checked = ticked === rows.length && rows.length > 0;
      group.indeterminate = ticked > 0 && ticked < rows.length;
    });
    all.checked = chosen === total && total > 0;
    all.indeterminate = chosen > 0 && chosen < total;
    count.textContent = chosen ? count.getAttribute("data-template").replace("{n}", String(chosen)) : "";
  }

  all.addEventListener("change", function () {
    lines.forEach(function (box) { box.checked = all.checked; });
    refresh();
  });
  groups.forEach(function (group) {
    group.addEventListener("change", function () {
      rowsOf(group).forEach(function (box) { box.checked = group.checked; });
      refresh();
    });
  });
  lines.forEach(function (box) { box.addEventListener("change", refresh); });
  refresh();
})();
