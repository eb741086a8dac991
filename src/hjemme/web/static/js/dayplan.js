/* The coordinator's board: the map, picking out one route, moves from the timeline, live states.

   Map: without a tile URL the vendored Kartverket municipalities (land; the fjord is the water
   behind them) are drawn under the routes; with one, the tiles, with the boundaries as lines.
   Routes are SVG polylines (class "hj-route", colour and dash pattern from the page's JSON);
   stops are canvas circles, so 1,000 stops stay fast. Hovering a route or stop names who, when and
   what; a click keeps the text open. A legend button or a timeline name picks out one route.
   Live: /plan/events sends the day's version and status marks; bars become started/done/late, the
   "now" line moves, and a newer version is announced.
   Sets data-ready (and data-ready-ms) on <html> when the map is drawn. */
(function () {
  "use strict";
  var root = document.documentElement;
  function ready() {
    if (root.hasAttribute("data-ready")) { return; }
    root.setAttribute("data-ready-ms", String(Math.round(performance.now())));
    root.setAttribute("data-ready", "true");
  }
  var source = document.getElementById("plan-data");
  var element = document.getElementById("map");
  if (!source || !element || typeof L === "undefined") { ready(); return; }
  var data = JSON.parse(source.textContent);
  var map = L.map(element, { attributionControl: true, preferCanvas: false });
  map.attributionControl.setPrefix(false);
  var lines = [];
  var stopLayers = [];
  var bounds = L.latLngBounds([]);
  var stopsRenderer = L.canvas({ padding: 0.2 });
  // Routes get their own pane above the stops' canvas: a canvas takes every mouse event over it,
  // so lines under it could never be hovered or clicked.
  map.createPane("hjRoutes");
  map.getPane("hjRoutes").style.zIndex = "450";
  // The base map has a pane of its own under the stops (and over tiles, when there are any).
  map.createPane("hjLand");
  map.getPane("hjLand").style.zIndex = "250";

  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span.innerHTML;
  }
  function routeLabel(route) {
    return "<strong>" + text(route.name) + "</strong> (" + text(route.role) + ")";
  }
  function stopLabel(route, stop) {
    return "<strong>" + text(stop.when) + "</strong> " + text(stop.what) +
      (stop.who ? ": " + text(stop.who) : "") + "<br>" + routeLabel(route);
  }

  data.routes.forEach(function (route) {
    if (!route.stops.length) { lines.push(null); stopLayers.push([]); return; }
    var points = route.stops.map(function (s) { return s.p; });
    var line = L.polyline(points, {
      color: route.colour, weight: 3, opacity: 0.85, dashArray: route.dash || null, className: "hj-route",
      pane: "hjRoutes"
    }).addTo(map);
    line.bindTooltip(routeLabel(route), { sticky: true });
    line.bindPopup(routeLabel(route) + "<br>" + text(route.stops.length + " ×"));
    line.on("click", function () { pick(route.index); });
    lines.push(line);
    var circles = route.stops.map(function (stop) {
      var circle = L.circleMarker(stop.p, {
        renderer: stopsRenderer, radius: 5, color: "#ffffff", weight: 1, fillColor: route.colour, fillOpacity: 0.95
      }).addTo(map);
      circle.bindTooltip(stopLabel(route, stop));
      circle.bindPopup(stopLabel(route, stop));
      bounds.extend(stop.p);
      return circle;
    });
    stopLayers.push(circles);
  });

  // -- picking out one route -------------------------------------------------------------------
  var picked = null;
  function pick(index) {
    var wanted = (index === null || index === "") ? null : Number(index);
    picked = (wanted === null || wanted === picked) ? null : wanted;
    lines.forEach(function (line, i) {
      if (!line) { return; }
      var on = picked === null || picked === i;
      line.setStyle({ opacity: on ? 0.9 : 0.12, weight: picked === i ? 6 : 3 });
      if (picked === i) { line.bringToFront(); }
      stopLayers[i].forEach(function (c) { c.setStyle({ fillOpacity: on ? 0.95 : 0.1, opacity: on ? 1 : 0.1 }); });
    });
    document.querySelectorAll(".route-pick[data-route]").forEach(function (button) {
      var route = button.getAttribute("data-route");
      if (route !== "") { button.setAttribute("aria-pressed", String(picked !== null && Number(route) === picked)); }
    });
    document.querySelectorAll(".gantt-row[data-route]").forEach(function (row) {
      row.classList.toggle("picked", picked !== null && Number(row.getAttribute("data-route")) === picked);
      row.classList.toggle("faded", picked !== null && Number(row.getAttribute("data-route")) !== picked);
    });
    var clear = document.getElementById("route-clear");
    if (clear) { clear.hidden = picked === null; }
    if (picked !== null && lines[picked]) { map.fitBounds(lines[picked].getBounds(), { padding: [24, 24], maxZoom: 14 }); }
    else if (picked === null) { fit(); }
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".route-pick") : null;
    if (button) { pick(button.getAttribute("data-route")); return; }
    var bar = event.target.closest ? event.target.closest("rect[data-task]") : null;
    if (bar) { moveFromBoard(bar.getAttribute("data-task")); }
  });

  /* A click on a bar asks where that task could go (the placements list, each a "move here"). */
  function moveFromBoard(task) {
    var select = document.getElementById("move-task");
    if (!select) { return; }
    select.value = task;
    var form = select.form;
    if (typeof htmx !== "undefined") { htmx.trigger(form, "submit"); } else { form.submit(); }
    form.scrollIntoView({ block: "center" });
  }

  // -- the base map ------------------------------------------------------------------------------
  function fit() {
    if (bounds.isValid()) { map.fitBounds(bounds, { padding: [16, 16] }); }
    else { map.setView([59.92, 10.75], 11); }
  }
  fit();
  if (data.tile_url) {
    L.tileLayer(data.tile_url, { maxZoom: 19, attribution: "© OpenStreetMap" }).addTo(map);
  }
  map.attributionControl.addAttribution(text(data.attribution));
  fetch(data.base_map, { credentials: "same-origin" })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (geo) {
      if (!geo) { return; }
      L.geoJSON(geo, {
        interactive: false,
        pane: "hjLand",
        style: function (feature) {
          var oslo = feature.properties && feature.properties.kommunenummer === "0301";
          return data.tile_url
            ? { color: "#4a5360", weight: oslo ? 2 : 1, fill: false, className: "hj-land" }
            : { color: "#8a949f", weight: oslo ? 2 : 1, fillColor: oslo ? "#f7f3e8" : "#ecebe4", fillOpacity: 1, className: "hj-land" };
        }
      }).addTo(map);
    })
    .catch(function () { /* the routes stand on their own */ })
    .then(ready);

  // -- live states ----------------------------------------------------------------------------------
  var gantt = document.querySelector(".gantt[data-day0]");
  var versionNote = document.getElementById("plan-version");
  if (!gantt || !versionNote || typeof EventSource === "undefined") { return; }
  var day0 = Number(gantt.getAttribute("data-day0"));
  var span = Number(gantt.getAttribute("data-span"));
  var names = {};
  var template = document.getElementById("state-names");
  if (template) {
    template.content.querySelectorAll("[data-state]").forEach(function (n) { names[n.getAttribute("data-state")] = n.textContent; });
  }
  var LATE_AFTER_MIN = 15;
  function state(status, start, nowMin) {
    if (status === "started" || status === "done" || status === "not_done") { return status; }
    if (status === "delivered" || status === "sample_handed_in") { return "done"; }
    if (nowMin !== null && nowMin > start + LATE_AFTER_MIN) { return "late"; }
    return "planned";
  }
  var stream = new EventSource("/plan/events?date=" + encodeURIComponent(versionNote.getAttribute("data-date")));
  stream.addEventListener("state", function (event) {
    var message = JSON.parse(event.data);
    var live = document.getElementById("board-live");
    if (live && !live.textContent) { live.textContent = live.getAttribute("data-live"); }
    document.querySelectorAll("rect[data-task]").forEach(function (bar) {
      var task = bar.getAttribute("data-task");
      var now = state(message.statuses[task], Number(bar.getAttribute("data-start")), message.now_min);
      var old = bar.getAttribute("class").replace(/\bstate-\S+/g, "").trim();
      bar.setAttribute("class", old + " state-" + now);
      var label = document.querySelector("[data-task-text='" + task + "'] .state-text");
      if (label && names[now]) { label.textContent = names[now]; }
    });
    if (message.now_min !== null && span > 0) {
      var x = ((message.now_min - day0) * 100 / span).toFixed(3) + "%";
      document.querySelectorAll("line.now-line").forEach(function (line) {
        line.setAttribute("x1", x); line.setAttribute("x2", x);
      });
    }
    if (message.version !== null && message.version !== Number(versionNote.getAttribute("data-version"))) {
      var notice = document.getElementById("newer-version");
      if (notice) { notice.hidden = false; }
    }
  });
  window.addEventListener("pagehide", function () { stream.close(); });
})();
