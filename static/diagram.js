// Campaign diagram: bpmn-js viewer (served from node_modules) with element states highlighted.
(function () {
  var container = document.getElementById('diagram');
  if (!container || typeof window.BpmnJS === 'undefined') { return; }
  var viewer = new window.BpmnJS({ container: container });
  fetch(container.dataset.xml, { credentials: 'same-origin' })
    .then(function (r) { return r.text(); })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () { return fetch(container.dataset.states, { credentials: 'same-origin' }); })
    .then(function (r) { return r.json(); })
    .then(function (states) {
      var canvas = viewer.get('canvas');
      canvas.zoom('fit-viewport');
      Object.keys(states).forEach(function (id) {
        try { canvas.addMarker(id, 'state-' + states[id]); } catch (e) { /* element without a shape */ }
      });
      container.dataset.ready = 'true';
    })
    .catch(function (err) { container.textContent = '流程图加载失败：' + err; });
})();
