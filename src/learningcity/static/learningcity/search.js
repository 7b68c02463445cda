// The search page, improved: results update as filters change, suggestions as you type, a map.
// Progressive enhancement only: without this file the page is a plain GET form that works fully.
// No inline script anywhere (a Content-Security-Policy without 'unsafe-inline' is planned).
(() => {
  "use strict";

  const PARTIAL_HEADER = "X-Search-Partial";
  const SUGGEST_DELAY_MS = 200;

  // ---- Results that follow the filters -------------------------------------------------------

  let form = null;
  let inFlight = null;
  let map = null;

  function searchAddress() {
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      if (typeof value !== "string" || value.trim() === "") continue;
      if (name === "sort" && value === "relevance") continue;  // the default: a shorter address
      params.append(name, value);
    }
    const query = params.toString();
    return form.action.split("?")[0] + (query ? `?${query}` : "");
  }

  function topLevelSwaps(root) {
    return [...root.querySelectorAll("[data-swap]")].filter((element) => !element.parentElement.closest("[data-swap]"));
  }

  function syncErrors(fresh) {
    for (const holder of fresh.querySelectorAll("[data-error-for]")) {
      const current = document.querySelector(`[data-error-for="${holder.dataset.errorFor}"]`);
      if (current && current.innerHTML !== holder.innerHTML) current.innerHTML = holder.innerHTML;
    }
    for (const control of form.elements) {
      if (!control.id) continue;
      const twin = fresh.getElementById(control.id);
      if (!twin) continue;
      for (const attribute of ["aria-invalid", "aria-describedby"]) {
        if (twin.hasAttribute(attribute)) control.setAttribute(attribute, twin.getAttribute(attribute));
        else control.removeAttribute(attribute);
      }
    }
  }

  function updateCounts(element, fresh) {
    for (const count of element.querySelectorAll("[data-count-for]")) {
      const twin = fresh.querySelector(`[data-count-for="${count.dataset.countFor}"]`);
      count.textContent = twin ? twin.textContent : "(0)";
    }
  }

  function announce(message) {
    const status = document.getElementById("search-status");
    if (!status) return;
    status.textContent = "";
    // A fresh text node after a pause, so screen readers announce the same count twice in a row.
    window.setTimeout(() => { status.textContent = message; }, 100);
  }

  function apply(fresh, { focusHeading, focusErrors }) {
    const active = document.activeElement;
    const activeId = active && active.id;
    const results = document.getElementById("search-results");
    const freshResults = fresh.getElementById("search-results");
    if (!results || !freshResults) return false;
    // What holds the focus stays (only its counts change), unless the whole search changed
    // (a chip, a page, the back button): then the server's version of every filter wins.
    for (const element of topLevelSwaps(document)) {
      const twin = element.id && fresh.getElementById(element.id);
      if (!twin) continue;
      if (!focusHeading && element.contains(active)) updateCounts(element, twin);
      else element.replaceWith(document.importNode(twin, true));
    }
    const text = document.getElementById("id_q");
    const freshText = fresh.getElementById("id_q");
    if (text && freshText && (focusHeading || text !== active)) text.value = freshText.value;
    const errors = document.getElementById("search-errors");
    const freshErrors = fresh.getElementById("search-errors");
    if (errors && freshErrors) errors.replaceWith(document.importNode(freshErrors, true));
    if (map) { map.remove(); map = null; }
    results.replaceWith(document.importNode(freshResults, true));
    syncErrors(fresh);
    enhance(document.getElementById("search-results"));
    const now = document.getElementById("search-results");
    if (now.dataset.title) document.title = now.dataset.title;
    announce(now.dataset.status || "");
    const errorTitle = document.getElementById("error-title");
    const heading = document.getElementById("results-title");
    const lostFocus = !document.activeElement || document.activeElement === document.body;
    if (focusErrors && errorTitle) {
      errorTitle.focus();
    } else if (focusHeading) {
      (errorTitle || heading).focus();
    } else if (lostFocus) {
      const same = activeId && document.getElementById(activeId);
      (same || heading).focus();
    }
    return true;
  }

  async function load(address, { push = true, focusHeading = false, focusErrors = false } = {}) {
    if (inFlight) inFlight.abort();
    const controller = new AbortController();
    inFlight = controller;
    const results = document.getElementById("search-results");
    if (results) results.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(address, { headers: { [PARTIAL_HEADER]: "1" }, signal: controller.signal });
      if (!response.ok && response.status !== 400) throw new Error(`HTTP ${response.status}`);
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      if (controller !== inFlight) return;
      if (push && address !== location.href) history.pushState({ search: true }, "", address);
      if (!apply(fresh, { focusHeading, focusErrors })) location.assign(address);
    } catch (error) {
      if (error.name === "AbortError") return;
      console.error("Live search failed, loading the page instead:", error);
      location.assign(address);  // let the server page do it
    } finally {
      if (controller === inFlight) {
        inFlight = null;
        const current = document.getElementById("search-results");
        if (current) current.removeAttribute("aria-busy");
      }
    }
  }

  function isLiveControl(target) {
    if (!target || target.form !== form) return false;
    if (target.id === "id_q") return false;  // text is searched on Enter or with the button
    return ["checkbox", "radio", "select-one", "date", "number"].includes(target.type);
  }

  function listen() {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      cancelSuggestions();
      load(searchAddress(), { focusErrors: true });
    });
    document.addEventListener("change", (event) => {
      if (isLiveControl(event.target)) load(searchAddress());
    });
    document.addEventListener("click", (event) => {
      const link = event.target.closest("a[data-refocus]");
      if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
      event.preventDefault();
      load(link.href, { focusHeading: true });
    });
    document.addEventListener("click", (event) => {
      const button = event.target.closest("#near-me");
      if (button) searchNearMe(button);
    });
    document.addEventListener("click", (event) => {
      // Error summary links: move focus to the field itself (opening its group), not just scroll to it.
      const link = event.target.closest("#error-summary a[href^='#']");
      if (!link) return;
      const target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (!target) return;
      event.preventDefault();
      const group = target.closest("details");
      if (group) group.open = true;
      target.focus();
      target.scrollIntoView({ block: "center" });
    });
    window.addEventListener("popstate", () => load(location.href, { push: false, focusHeading: true }));
    history.replaceState({ search: true }, "", location.href);
  }

  // ---- Suggestions: an ARIA combobox with a list popup (WAI-ARIA APG, "list autocomplete") -------

  let input = null;
  let listbox = null;
  let options = [];
  let activeIndex = -1;
  let suggestTimer = 0;
  let suggestRequest = null;

  function setupCombobox() {
    input = document.getElementById("id_q");
    if (!input || !form.dataset.suggestUrl) return;
    listbox = document.createElement("ul");
    listbox.id = "search-suggestions";
    listbox.className = "suggestions";
    listbox.setAttribute("role", "listbox");
    listbox.setAttribute("aria-label", form.dataset.suggestionsLabel || "Suggestions");
    listbox.hidden = true;
    input.insertAdjacentElement("afterend", listbox);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);

    input.addEventListener("input", () => {
      window.clearTimeout(suggestTimer);
      suggestTimer = window.setTimeout(fetchSuggestions, SUGGEST_DELAY_MS);
    });
    input.addEventListener("keydown", onKeydown);
    input.addEventListener("blur", () => window.setTimeout(closeSuggestions, 150));
    listbox.addEventListener("mousedown", (event) => event.preventDefault());  // keep focus in the box
    listbox.addEventListener("click", (event) => {
      const option = event.target.closest("[role=option]");
      if (option) choose(options.indexOf(option));
    });
  }

  async function fetchSuggestions() {
    const text = input.value;
    if (text.trim().length < 2) { closeSuggestions(); return; }
    if (suggestRequest) suggestRequest.abort();
    suggestRequest = new AbortController();
    try {
      const url = `${form.dataset.suggestUrl}?${new URLSearchParams({ q: text })}`;
      const response = await fetch(url, { signal: suggestRequest.signal, headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const data = await response.json();
      if (input.value === text && document.activeElement === input) showSuggestions(data.suggestions || []);
    } catch (error) {
      if (error.name !== "AbortError") closeSuggestions();
    }
  }

  function showSuggestions(titles) {
    listbox.replaceChildren();
    options = titles.map((title, index) => {
      const option = document.createElement("li");
      option.id = `search-suggestion-${index}`;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.textContent = title;
      listbox.append(option);
      return option;
    });
    activeIndex = -1;
    input.removeAttribute("aria-activedescendant");
    if (options.length) openSuggestions(); else closeSuggestions();
  }

  function openSuggestions() {
    listbox.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  // After a search is sent, suggestions still on their way (the typing delay, a slow answer) must not
  // open over the results.
  function cancelSuggestions() {
    window.clearTimeout(suggestTimer);
    if (suggestRequest) suggestRequest.abort();
    closeSuggestions();
  }

  function closeSuggestions() {
    if (!listbox) return;
    listbox.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    activeIndex = -1;
    for (const option of options) option.setAttribute("aria-selected", "false");
  }

  function highlight(index) {
    activeIndex = index;
    options.forEach((option, position) => option.setAttribute("aria-selected", String(position === index)));
    if (index < 0) { input.removeAttribute("aria-activedescendant"); return; }
    input.setAttribute("aria-activedescendant", options[index].id);
    options[index].scrollIntoView({ block: "nearest" });
  }

  function choose(index) {
    if (index < 0 || index >= options.length) return;
    input.value = options[index].textContent;
    closeSuggestions();
    form.requestSubmit();
  }

  function onKeydown(event) {
    const open = !listbox.hidden;
    switch (event.key) {
      case "ArrowDown":
        if (!options.length) return;
        event.preventDefault();
        if (!open) openSuggestions();
        if (!event.altKey) highlight(activeIndex + 1 >= options.length ? 0 : activeIndex + 1);
        break;
      case "ArrowUp":
        if (!options.length) return;
        event.preventDefault();
        if (!open) openSuggestions();
        highlight(activeIndex <= 0 ? options.length - 1 : activeIndex - 1);
        break;
      case "Enter":
        if (open && activeIndex >= 0) { event.preventDefault(); choose(activeIndex); } else cancelSuggestions();
        break;
      case "Escape":
        if (open) { event.preventDefault(); closeSuggestions(); } else if (input.value) { event.preventDefault(); input.value = ""; }
        break;
      case "Tab":
        closeSuggestions();
        break;
      default:
    }
  }

  // ---- Map (Leaflet from npm, served as our own static files) -----------------------------------
  // The map repeats the list for sighted mouse users: it is hidden from assistive technology and
  // holds nothing the keyboard can reach, so it can never trap focus. The list is the real thing.

  function drawMap(root) {
    const holder = root.querySelector("[data-map]");
    const dataNode = document.getElementById("search-map-data");
    if (!holder || !dataNode || typeof window.L === "undefined") return;
    const data = JSON.parse(dataNode.textContent);
    if (!data.points.length) return;
    holder.hidden = false;
    const L = window.L;
    map = L.map(holder.querySelector(".map-canvas"), {
      keyboard: false, attributionControl: false, scrollWheelZoom: false, zoomSnap: 0.5,
    });
    if (data.tiles) L.tileLayer(data.tiles, { maxZoom: 19 }).addTo(map);
    const bounds = L.latLngBounds(data.points.map((point) => [point.lat, point.lon]));
    if (data.near) bounds.extend(L.latLng(data.near.lat, data.near.lon).toBounds(data.near.radius_km * 2000));
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15 });
    if (data.near) {
      L.circle([data.near.lat, data.near.lon], {
        radius: data.near.radius_km * 1000, interactive: false, color: "#143a6b", weight: 2, fillOpacity: 0.06,
      }).addTo(map);
    }
    for (const point of data.points) {
      const marker = L.circleMarker([point.lat, point.lon], {
        radius: 8, color: "#ffffff", weight: 2, fillColor: "#1d4f91", fillOpacity: 1,
      });
      marker.bindTooltip(`${point.title} — ${point.place}`);
      marker.on("click", () => showCard(point.id));
      marker.addTo(map);
    }
    // Zoom buttons, and markers (Chromium lets the keyboard reach SVG shapes that listen for focus,
    // as Leaflet's tooltips do), stay out of the tab order.
    for (const control of holder.querySelectorAll("a, button, [tabindex], .leaflet-interactive")) {
      control.setAttribute("tabindex", "-1");
    }
  }

  function showCard(id) {
    const card = document.getElementById(`result-${id}`);
    const link = document.getElementById(`result-${id}-link`);
    if (!card || !link) return;
    for (const other of document.querySelectorAll(".card.highlighted")) other.classList.remove("highlighted");
    card.classList.add("highlighted");
    link.focus();
  }

  // ---- Start -----------------------------------------------------------------------------------

  function enhance(root) {
    for (const button of root.querySelectorAll("[data-without-js]")) button.hidden = true;
    const nearMe = document.getElementById("near-me");
    if (nearMe && navigator.geolocation) nearMe.hidden = false;
    drawMap(root);
  }

  function searchNearMe(button) {
    // The position stays in this browser and in the search address; nothing else keeps it.
    announce(button.dataset.locating);
    navigator.geolocation.getCurrentPosition((position) => {
      const hidden = document.getElementById("search-hidden");
      for (const old of hidden.querySelectorAll("input[name=near], input[name=near_venue]")) old.remove();
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = "near";
      input.value = `${position.coords.latitude.toFixed(5)},${position.coords.longitude.toFixed(5)}`;
      hidden.appendChild(input);
      const district = document.getElementById("id_near_district");
      if (district) district.value = "";
      const sort = document.getElementById("id_sort");
      if (sort) {
        if (![...sort.options].some((option) => option.value === "distance")) {
          sort.add(new Option(button.dataset.distance, "distance"));
        }
        sort.value = "distance";
      }
      load(searchAddress(), { focusHeading: true });
    }, () => announce(button.dataset.refused), { maximumAge: 300000, timeout: 10000 });
  }

  function start() {
    form = document.getElementById("search-form");
    if (!form || !window.fetch || !window.DOMParser || !window.history.pushState) return;
    listen();
    setupCombobox();
    enhance(document);
    form.dataset.live = "true";  // from here the results update in place
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
