// Draws the overview's charts from the JSON block the server rendered (no inline script: the
// page's Content-Security-Policy allows scripts from this host only).
(function () {
  var block = document.getElementById("charts");
  if (!block || typeof Plotly === "undefined") { return; }
  var charts = JSON.parse(block.textContent);
  var config = {displaylogo: false, responsive: true, modeBarButtonsToRemove: ["lasso2d", "select2d", "toImage"]};
  Object.keys(charts).forEach(function (id) {
    var el = document.getElementById(id);
    if (el && charts[id].data.length) { Plotly.newPlot(el, charts[id].data, charts[id].layout, config); }
  });
  document.body.setAttribute("data-rendered", "yes");
})();
