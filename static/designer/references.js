// bpmn-moddle reads loopDataInputRef/loopDataOutputRef as references to ids; SpiffWorkflow uses them as
// variable names (e.g. "partner_ids"), which match no element, so a plain import drops them silently
// (the bug that once lost campaign.bpmn's collection). Re-attach each unresolved one as a detached
// element carrying that id: the exporter writes a reference as the referenced element's id.
export var PRESERVED = ['loopDataInputRef', 'loopDataOutputRef'];

export function variableRef(moddle, name) {
  return moddle.create('bpmn:DataInput', { id: name });
}

export function restoreUnresolvedReferences(moddle, warnings) {
  var restored = [];
  (warnings || []).forEach(function (w) {
    var property = String(w.property || '').replace(/^bpmn:/, '');
    if (w.element && PRESERVED.indexOf(property) !== -1 && w.value) {
      w.element.set(property, variableRef(moddle, w.value));
      restored.push(w.value);
    }
  });
  return restored;
}
