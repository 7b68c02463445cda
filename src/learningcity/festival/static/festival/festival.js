// The festival programme's map: progressive enhancement only. Without this file (or without tiles)
// the programme is a plain list and a GET form of filters, and works fully.
// The map repeats the list for sighted mouse users: hidden from assistive technology and holding
// nothing the keyboard can reach, so it can never trap focus. The list is the real thing.
(() => {
  "use strict";

  function showEvent(id) {
    const event = document.getElementById(`session-${id}`);
    const link = document.getElementById(`session-${id}-link`);
    if (!event || !link) return;
    for (const other of document.querySelectorAll(".programme-event.highlighted")) other.classList.remove("highlighted");
    event.classList.add("highlighted");
    link.focus();
  }

  function drawMap() {
    const holder = document.querySelector(".festival-map[data-map]");
    const dataNode = document.getElementById("festival-map-data");
    if (!holder || !dataNode || typeof window.L === "undefined") return;
    const data = JSON.parse(dataNode.textContent);
    if (!data.points.length) return;
    holder.hidden = false;
    const L = window.L;
    const map = L.map(holder.querySelector(".map-canvas"), {
      keyboard: false, attributionControl: false, scrollWheelZoom: false, zoomSnap: 0.5,
    });
    if (data.tiles) L.tileLayer(data.tiles, { maxZoom: 19 }).addTo(map);
    map.fitBounds(L.latLngBounds(data.points.map((point) => [point.lat, point.lon])), { padding: [24, 24], maxZoom: 15 });
    for (const point of data.points) {
      const marker = L.circleMarker([point.lat, point.lon], {
        radius: 8, color: "#ffffff", weight: 2, fillColor: "#1d4f91", fillOpacity: 1,
      });
      marker.bindTooltip(`${point.title} — ${point.place}`);
      marker.on("click", () => showEvent(point.id));
      marker.addTo(map);
    }
    // Zoom buttons and markers stay out of the tab order (Chromium lets the keyboard reach SVG shapes).
    for (const control of holder.querySelectorAll("a, button, [tabindex], .leaflet-interactive")) {
      control.setAttribute("tabindex", "-1");
    }
  }

  // The counters follow the festival while the page stays open: every minute (the server caches them
  // that long anyway), the page is fetched again and its figures replace these. Silently: a screen
  // reader announcing numbers every minute would be noise; the time they were counted is shown.
  const REFRESH_MS = 60_000;

  function followCounters() {
    if (!document.getElementById("festival-figures")) return;
    window.setInterval(async () => {
      if (document.hidden) return;
      try {
        const response = await fetch(location.href, { credentials: "same-origin" });
        if (!response.ok && response.status !== 400) return;
        const html = await response.text();
        const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("festival-figures");
        const current = document.getElementById("festival-figures");
        if (fresh && current) current.replaceWith(document.importNode(fresh, true));
      } catch (error) {
        console.warn("Festival counters not refreshed:", error);  // the figures shown stay, with their time
      }
    }, REFRESH_MS);
  }

  document.addEventListener("DOMContentLoaded", () => {
    drawMap();
    followCounters();
  });
})();
