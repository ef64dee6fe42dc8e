// Import a BPMN file with the modeler's moddle setup and export it again, as the browser modeler does.
// Prints JSON: the exported XML and the warnings. Used by tests/engine/test_modeler_roundtrip.py.
import { readFileSync } from 'node:fs';
import { BpmnModdle } from 'bpmn-moddle';
import { restoreUnresolvedReferences } from '../static/designer/references.js';

const spiffworkflow = JSON.parse(readFileSync(new URL('../static/designer/spiffworkflow.json', import.meta.url)));
const moddle = new BpmnModdle({ spiffworkflow });
const xml = readFileSync(process.argv[2], 'utf8');
const { rootElement, warnings } = await moddle.fromXML(xml, 'bpmn:Definitions');
const restored = restoreUnresolvedReferences(moddle, warnings);
const out = await moddle.toXML(rootElement, { format: true });
process.stdout.write(JSON.stringify({ xml: out.xml, restored, warnings: warnings.map((w) => w.message) }));
