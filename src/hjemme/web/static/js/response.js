/* Keeps the response centre's worklist current: the server's event stream says "refresh" and
   htmx fetches the worklist again, unless the nurse is typing a note in it. */
(function () {
  "use strict";
  if (typeof EventSource === "undefined") { return; }
  var source = new EventSource("/response/events");
  source.addEventListener("refresh", function () {
    var list = document.getElementById("worklist");
    if (!list || typeof htmx === "undefined") { return; }
    if (list.contains(document.activeElement) && document.activeElement.tagName === "INPUT") { return; }
    htmx.ajax("GET", "/response/worklist", { target: "#worklist", swap: "innerHTML" });
  });
  window.addEventListener("pagehide", function () { source.close(); });
})();
