// digitnet gallery: show all custom images, or only the misread, the unsure or the unreadable ones.
//
// Plain JavaScript, nothing fetched: every tile is in the page with data-misread,
// data-unsure and data-error set by the report; a filter button hides the other tiles.
(function () {
  "use strict";
  var gallery = document.getElementById("gallery");
  var count = document.getElementById("gallery-count");
  if (!gallery || !count) return;
  var tiles = Array.prototype.slice.call(gallery.children);
  var buttons = Array.prototype.slice.call(document.querySelectorAll(".gallery-filter button"));

  function show(filter) {
    var shown = 0;
    tiles.forEach(function (tile) {
      var visible = filter === "all" || tile.getAttribute("data-" + filter) === "1";
      tile.hidden = !visible;
      if (visible) shown += 1;
    });
    buttons.forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-filter") === filter));
    });
    count.textContent = shown + " of " + tiles.length + " images";
  }

  buttons.forEach(function (button) {
    button.addEventListener("click", function () { show(button.getAttribute("data-filter")); });
  });
})();
