// Campaign diagram: bpmn-js viewer (served from node_modules) with element states highlighted,
// fitted to its container, with zoom in / zoom out / fit buttons (the page's #diagram-controls).
(function () {
  var container = document.getElementById('diagram');
  if (!container || typeof window.BpmnJS === 'undefined') { return; }
  var viewer = new window.BpmnJS({ container: container });
  var canvas = viewer.get('canvas');

  function fit() {
    canvas.resized();
    canvas.zoom('fit-viewport', 'auto');
    container.dataset.zoom = canvas.zoom().toFixed(2);
  }
  function zoomBy(factor) {
    canvas.zoom(Math.min(Math.max(canvas.zoom() * factor, 0.2), 4), 'auto');
    container.dataset.zoom = canvas.zoom().toFixed(2);
  }
  var controls = document.getElementById('diagram-controls');
  if (controls) {
    controls.addEventListener('click', function (event) {
      var button = event.target.closest('button[data-zoom]');
      if (!button) { return; }
      var how = button.dataset.zoom;
      if (how === 'in') { zoomBy(1.25); } else if (how === 'out') { zoomBy(0.8); } else { fit(); }
    });
  }
  var resizeTimer;
  window.addEventListener('resize', function () { clearTimeout(resizeTimer); resizeTimer = setTimeout(fit, 150); });

  fetch(container.dataset.xml, { credentials: 'same-origin' })
    .then(function (r) { return r.text(); })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () { return fetch(container.dataset.states, { credentials: 'same-origin' }); })
    .then(function (r) { return r.json(); })
    .then(function (states) {
      // A wide process in a tall box is drawn tiny: give the box the diagram's own proportions (within limits),
      // then fit, so the whole loop is readable at the largest scale the page width allows.
      var inner = canvas.viewbox().inner;
      if (inner.width > 0) {
        var wanted = container.clientWidth * inner.height / inner.width + 48;
        container.style.height = Math.round(Math.min(Math.max(wanted, 240), window.innerHeight * 0.7)) + 'px';
      }
      fit();
      Object.keys(states).forEach(function (id) {
        try { canvas.addMarker(id, 'state-' + states[id]); } catch (e) { /* element without a shape */ }
      });
      container.dataset.ready = 'true';
    })
    .catch(function () { container.textContent = container.dataset.failed || ''; });
})();
