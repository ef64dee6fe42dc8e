// DMN tables in dmn-js (bundled into static/build/designer-dmn.js). Cells are Python expressions evaluated
// by the sandboxed script engine; this page shows a deployed version, validates the edited table on the
// server and deploys it as the next version (designers only; the server checks again before deploying).
import DmnModeler from 'dmn-js/lib/Modeler';
import { currentLanguage, translateModule } from './i18n.js';

function csrf() { var m = document.querySelector('meta[name="csrf-token"]'); return m ? m.content : ''; }

function postJSON(url, body) {
  return fetch(url, {
    method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'Accept': 'application/json', 'X-CSRFToken': csrf() },
    body: JSON.stringify(body)
  }).then(function (r) { return r.json().then(function (data) { return { status: r.status, data: data }; }); });
}

var container = document.getElementById('dmn');
if (container) {
  var modeler = new DmnModeler({ container: container, common: { additionalModules: [translateModule(currentLanguage())] } });
  var status = document.getElementById('dmn-status');
  var findings = document.getElementById('findings');

  function say(text) { if (status) { status.textContent = text; } }
  function currentXml() { return modeler.saveXML({ format: true }).then(function (r) { return r.xml; }); }

  function showFindings(report) {
    if (!findings) { return; }
    findings.innerHTML = '';
    var all = (report.errors || []).map(function (f) { return [f, 'error']; })
      .concat((report.warnings || []).map(function (f) { return [f, 'warning']; }));
    if (!all.length) {
      var ok = document.createElement('li');
      ok.className = 'ok';
      ok.textContent = '校验通过，可以部署';
      findings.appendChild(ok);
    }
    all.forEach(function (pair) {
      var li = document.createElement('li');
      li.className = pair[1];
      li.textContent = (pair[0].element_id ? '[' + pair[0].element_id + '] ' : '') + pair[0].message;
      findings.appendChild(li);
    });
    container.dataset.validated = report.ok ? 'ok' : 'errors';
  }

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
      currentXml().then(function (xml) {
        var link = document.createElement('a');
        link.href = URL.createObjectURL(new Blob([xml], { type: 'application/xml' }));
        link.download = container.dataset.name + '.dmn';
        link.click();
      });
    });
  }

  var validateButton = document.querySelector('[data-action="validate-dmn"]');
  if (validateButton && container.dataset.validate) {
    validateButton.addEventListener('click', function () {
      say('正在校验…');
      currentXml().then(function (xml) { return postJSON(container.dataset.validate, { xml: xml }); })
        .then(function (r) { showFindings(r.data); say(r.data.ok ? '校验通过' : '校验未通过'); })
        .catch(function (err) { say('校验失败：' + err); });
    });
  }

  var deployButton = document.querySelector('[data-action="deploy-dmn"]');
  if (deployButton && container.dataset.deploy) {
    deployButton.addEventListener('click', function () {
      if (!window.confirm('部署为新版本后，新的等级评定将使用该版本。确定部署？')) { return; }
      say('正在部署…');
      currentXml().then(function (xml) { return postJSON(container.dataset.deploy, { xml: xml }); })
        .then(function (r) {
          if (r.status !== 200) { showFindings(r.data); say('未部署：' + (r.data.detail || '校验未通过')); return; }
          container.dataset.deployed = String(r.data.version);
          if (!r.data.created) { say('内容与最新版本 v' + r.data.version + ' 相同，未生成新版本'); return; }
          say('已部署为版本 v' + r.data.version);
          window.location.href = r.data.url;
        })
        .catch(function (err) { say('部署失败：' + err); });
    });
  }
}
