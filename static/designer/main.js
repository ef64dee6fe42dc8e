// Entry point bundled by scripts/build-frontend.mjs into static/build/designer.js.
// Pages: the modeler (#modeler), a version's heat map (#heatmap), a DMN table (#dmn, see dmn.js).
import Modeler from 'bpmn-js/lib/Modeler';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import spiffworkflow from './spiffworkflow.json';
import { currentLanguage, t, translateModule } from './i18n.js';
import { restoreUnresolvedReferences } from './references.js';
import { PropertiesPanel } from './panel.js';

function csrf() { var m = document.querySelector('meta[name="csrf-token"]'); return m ? m.content : ''; }

function getText(url) {
  return fetch(url, { credentials: 'same-origin' }).then(function (r) {
    if (!r.ok) { throw new Error(r.status + ' ' + url); }
    return r.text();
  });
}

function postJSON(url, body) {
  return fetch(url, {
    method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'Accept': 'application/json', 'X-CSRFToken': csrf() },
    body: JSON.stringify(body)
  }).then(function (r) { return r.json().then(function (data) { return { status: r.status, data: data }; }); });
}

function importWithReferences(modeler, xml) {
  return modeler.importXML(xml).then(function (result) {
    restoreUnresolvedReferences(modeler.get('moddle'), result.warnings);
    return result;
  });
}

function startModeler(container) {
  var language = currentLanguage();
  var status = document.getElementById('designer-status');
  var findingsList = document.getElementById('findings');
  var draftId = container.dataset.draft ? parseInt(container.dataset.draft, 10) : null;
  var marked = [];
  var modeler, panel, options;
  var say = function (message) { status.textContent = message; };

  function create(xml) {
    if (modeler) { modeler.destroy(); }
    container.innerHTML = '';
    modeler = new Modeler({ container: container, moddleExtensions: { spiffworkflow: spiffworkflow },
                            additionalModules: [translateModule(language)] });
    panel = PropertiesPanel(modeler, document.getElementById('properties'), options, language);
    return importWithReferences(modeler, xml).then(function () {
      modeler.get('canvas').zoom('fit-viewport');
      window.designer = { modeler: modeler, panel: panel };  // for the browser test and the console
      container.dataset.ready = 'true';
    });
  }

  function currentXml() { return modeler.saveXML({ format: true }).then(function (r) { return r.xml; }); }

  function showFindings(report) {
    var canvas = modeler.get('canvas');
    var registry = modeler.get('elementRegistry');
    marked.forEach(function (m) { try { canvas.removeMarker(m[0], m[1]); } catch (e) { /* removed element */ } });
    marked = [];
    findingsList.innerHTML = '';
    var all = (report.errors || []).map(function (f) { return [f, 'error']; })
      .concat((report.warnings || []).map(function (f) { return [f, 'warning']; }));
    if (!all.length) {
      findingsList.innerHTML = '<li class="ok"></li>';
      findingsList.firstChild.textContent = t('Valid: may be deployed', {}, language);
    }
    all.forEach(function (pair) {
      var f = pair[0], level = pair[1];
      var li = document.createElement('li');
      li.className = level;
      li.dataset.element = f.element_id || '';
      li.textContent = (f.element_id ? '[' + f.element_id + '] ' : '') + f.message;
      var shape = f.element_id && registry.get(f.element_id);
      if (shape) {
        canvas.addMarker(f.element_id, 'has-' + level);
        marked.push([f.element_id, 'has-' + level]);
        li.addEventListener('click', function () {
          modeler.get('selection').select(shape);
          canvas.scrollToElement(shape);
        });
      }
      findingsList.appendChild(li);
    });
    container.dataset.validated = report.ok ? 'ok' : 'errors';
  }

  function validate() {
    say(t('Validating…', {}, language));
    return currentXml().then(function (xml) { return postJSON(container.dataset.validate, { xml: xml }); })
      .then(function (r) {
        showFindings(r.data);
        say(r.data.ok ? t('Valid: may be deployed', {}, language)
          : r.data.errors.length + ' ' + t('errors', {}, language) + '，' + r.data.warnings.length + ' ' + t('warnings', {}, language));
        return r.data;
      });
  }

  var actions = {
    save: function () {
      return currentXml().then(function (xml) {
        return postJSON(container.dataset.save, { xml: xml, process_id: container.dataset.process, draft_id: draftId });
      }).then(function (r) {
        if (r.status !== 200) { say(t('Request failed', {}, language) + ': ' + (r.data.detail || r.status)); return; }
        draftId = r.data.draft_id;
        container.dataset.draft = draftId;
        window.history.replaceState(null, '', r.data.url);
        say(t('Saved', {}, language) + ' #' + draftId);
      });
    },
    validate: validate,
    deploy: function () {
      // A deploy needs a change note (shown in the versions list) and a confirmation.
      var noteInput = document.getElementById('change-note');
      var note = noteInput ? noteInput.value.trim() : '';
      if (noteInput && !note) {
        say(noteInput.dataset.requiredMessage);
        noteInput.setAttribute('aria-invalid', 'true');
        noteInput.focus();
        return Promise.resolve();
      }
      if (noteInput) { noteInput.removeAttribute('aria-invalid'); }
      if (noteInput && noteInput.dataset.confirm && !window.confirm(noteInput.dataset.confirm)) {
        return Promise.resolve();
      }
      // The region this version is for (its subtree inherits it); empty = the whole platform.
      var regionSelect = document.getElementById('deploy-region');
      var regionId = regionSelect && regionSelect.value ? regionSelect.value : null;
      return currentXml().then(function (xml) {
        return postJSON(container.dataset.deploy, { xml: xml, change_note: note, region_id: regionId });
      })
        .then(function (r) {
          if (r.status === 200) {
            showFindings(r.data);
            say(t('Deployed version', {}, language) + ' v' + r.data.version);
            container.dataset.deployed = r.data.version;
            var header = document.getElementById('designer-version');
            if (header) { header.textContent = ' · ' + header.dataset.template.replace('__V__', r.data.version); }
            if (noteInput) { noteInput.value = ''; }
          } else if (r.status === 422) {
            showFindings(r.data);
            say(r.data.errors.length + ' ' + t('errors', {}, language));
          } else {
            say(t('Request failed', {}, language) + ': ' + (r.data.detail || r.status));
          }
        });
    },
    download: function () {
      return currentXml().then(function (xml) {
        var link = document.createElement('a');
        link.href = URL.createObjectURL(new Blob([xml], { type: 'application/xml' }));
        link.download = (container.dataset.process || 'process') + '.bpmn';
        link.click();
      });
    }
  };

  document.querySelectorAll('[data-action]').forEach(function (node) {
    if (node.dataset.action === 'language') {
      node.value = language;
      node.addEventListener('change', function () {
        language = node.value;  // this page only: the next page follows the UI language again
        currentXml().then(create);
      });
      return;
    }
    node.addEventListener('click', function () {
      actions[node.dataset.action]().catch(function (err) { say(t('Request failed', {}, language) + ': ' + err); });
    });
  });

  fetch(container.dataset.options, { credentials: 'same-origin' }).then(function (r) { return r.json(); })
    .then(function (o) { options = o; return getText(container.dataset.xml); })
    .then(create)
    .catch(function (err) { say(t('Request failed', {}, language) + ': ' + err); });
}

function startHeatMap(container) {
  var viewer = new NavigatedViewer({ container: container, additionalModules: [translateModule(currentLanguage())] });
  getText(container.dataset.xml)
    .then(function (xml) { return importWithReferences(viewer, xml); })
    .then(function () { return fetch(container.dataset.heat, { credentials: 'same-origin' }); })
    .then(function (r) { return r.json(); })
    .then(function (heat) {
      var canvas = viewer.get('canvas');
      var overlays = viewer.get('overlays');
      var registry = viewer.get('elementRegistry');
      canvas.zoom('fit-viewport');
      var max = Math.max.apply(null, [1].concat(Object.values(heat)));
      Object.keys(heat).forEach(function (id) {
        if (!registry.get(id)) { return; }
        var level = Math.min(3, Math.ceil(3 * heat[id] / max));
        canvas.addMarker(id, 'heat-' + level);
        var badge = document.createElement('span');
        badge.className = 'heat-badge';
        badge.dataset.element = id;
        badge.textContent = heat[id];
        overlays.add(id, { position: { top: -10, right: 10 }, html: badge });
      });
      container.dataset.ready = 'true';
    })
    .catch(function (err) { container.textContent = '流程图加载失败：' + err; });
}

var modelerNode = document.getElementById('modeler');
if (modelerNode) { startModeler(modelerNode); }
var heatNode = document.getElementById('heatmap');
if (heatNode) { startHeatMap(heatNode); }
