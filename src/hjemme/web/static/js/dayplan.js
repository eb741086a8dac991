/* Draws every route of the day plan on a Leaflet map from the page's JSON (coordinates only).
   Routes are SVG polylines (class "hj-route"); stops are canvas circles, so 1,000 stops stay fast.
   Without a tile URL the map is a plain background. Sets data-ready (and data-ready-ms, milliseconds since navigation start) on <html> when drawn. */
(function () {
  "use strict";
  function ready() {
    var root = document.documentElement;
    root.setAttribute("data-ready-ms", String(Math.round(performance.now())));
    root.setAttribute("data-ready", "true");
  }
  var source = document.getElementById("plan-data");
  var element = document.getElementById("map");
  if (!source || !element || typeof L === "undefined") { ready(); return; }
  var data = JSON.parse(source.textContent);
  var map = L.map(element, { attributionControl: Boolean(data.tile_url) });
  if (data.tile_url) {
    L.tileLayer(data.tile_url, { maxZoom: 19, attribution: "© OpenStreetMap" }).addTo(map);
  }
  var stops = L.canvas({ padding: 0.2 });
  var bounds = L.latLngBounds([]);
  data.routes.forEach(function (route) {
    if (!route.points.length) { return; }
    L.polyline(route.points, {
      color: route.colour, weight: 3, opacity: 0.85, className: "hj-route", interactive: false
    }).addTo(map);
    route.points.forEach(function (point) {
      L.circleMarker(point, {
        renderer: stops, radius: 4, color: route.colour, weight: 1, fillOpacity: 0.9, interactive: false
      }).addTo(map);
      bounds.extend(point);
    });
  });
  if (bounds.isValid()) { map.fitBounds(bounds, { padding: [16, 16] }); }
  else { map.setView([59.92, 10.75], 11); }
  ready();
})();
