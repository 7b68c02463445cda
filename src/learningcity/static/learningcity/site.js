// Progressive enhancement only: every page works without this file.
// On a phone, fold the filter panel so results come first; the summary reopens it.
document.addEventListener("DOMContentLoaded", () => {
  const panel = document.querySelector("details.filters-panel");
  if (panel && window.matchMedia("(max-width: 48rem)").matches && !new URLSearchParams(location.search).size) {
    panel.open = false;
  }
});
