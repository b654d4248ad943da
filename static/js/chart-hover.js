// Hover and focus details for the objective charts (measurement/charts.py). Optional: each
// marker already has a <title> (a native tooltip) and every value is in the chart's hidden table.
(function () {
  "use strict";
  function show(figure, point) {
    var tip = figure.querySelector(".chart-tip");
    if (!tip) {
      tip = document.createElement("div");
      tip.className = "chart-tip";
      tip.setAttribute("aria-hidden", "true");
      figure.appendChild(tip);
    }
    tip.textContent = point.getAttribute("data-tip");
    var box = point.getBoundingClientRect();
    var frame = figure.getBoundingClientRect();
    tip.style.left = (box.left + box.width / 2 - frame.left) + "px";
    tip.style.top = (box.top - frame.top) + "px";
    tip.hidden = false;
  }
  function hide(figure) {
    var tip = figure.querySelector(".chart-tip");
    if (tip) tip.hidden = true;
  }
  document.addEventListener("mouseover", function (event) {
    var point = event.target.closest && event.target.closest(".objective-chart__point");
    if (point) show(point.closest(".objective-chart"), point);
  });
  document.addEventListener("mouseout", function (event) {
    var point = event.target.closest && event.target.closest(".objective-chart__point");
    if (point) hide(point.closest(".objective-chart"));
  });
})();
