// DMN tables from workflows/ in dmn-js (bundled into static/build/designer-dmn.js). Cells are Python
// expressions evaluated by the sandboxed script engine; this page edits and downloads the file.
import DmnModeler from 'dmn-js/lib/Modeler';
import { currentLanguage, translateModule } from './i18n.js';

var container = document.getElementById('dmn');
if (container) {
  var modeler = new DmnModeler({ container: container, common: { additionalModules: [translateModule(currentLanguage())] } });
  fetch(container.dataset.xml, { credentials: 'same-origin' })
    .then(function (r) { return r.text(); })
    .then(function (xml) { return modeler.importXML(xml); })
    .then(function () {
      var decisionTable = modeler.getViews().filter(function (v) { return v.type === 'decisionTable'; })[0];
      if (decisionTable) { modeler.open(decisionTable); }
      container.dataset.ready = 'true';
      window.designer = { dmn: modeler };
    })
    .catch(function (err) { container.textContent = '决策表加载失败：' + err; });
  var download = document.querySelector('[data-action="download-dmn"]');
  if (download) {
    download.addEventListener('click', function () {
      modeler.saveXML({ format: true }).then(function (r) {
        var link = document.createElement('a');
        link.href = URL.createObjectURL(new Blob([r.xml], { type: 'application/xml' }));
        link.download = container.dataset.name + '.dmn';
        link.click();
      });
    });
  }
}
