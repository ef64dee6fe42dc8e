"""Open and save each model the way the browser modeler does (bpmn-moddle + our spiffworkflow descriptor):
no element, engine extension or foreign extension is lost."""
import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from engine.parser import parse_process

ROOT = Path(__file__).resolve().parent.parent.parent
MODELS = sorted(ROOT.glob("workflows/*.bpmn")) + sorted((ROOT / "tests/fixtures/bpmn/foreign").glob("*.bpmn"))
pytestmark = pytest.mark.skipif(not shutil.which("node") or not (ROOT / "node_modules/bpmn-moddle").is_dir(),
                                reason="node and `make install` (npm packages) are needed")


def roundtrip(path: Path) -> dict:
    done = subprocess.run(["node", str(ROOT / "scripts/roundtrip.mjs"), str(path)], capture_output=True,
                          text=True, timeout=60, check=True)
    return json.loads(done.stdout)


# BPMN schema defaults: the exporter leaves an attribute out when it has its default value (same meaning).
DEFAULTS = {("completionQuantity", "1"), ("startQuantity", "1"), ("isForCompensation", "false"),
            ("typeLanguage", "http://www.w3.org/2001/XMLSchema")}


def inventory(xml: str) -> tuple[set, Counter, Counter]:
    root = etree.fromstring(xml.encode("utf-8"))
    ids = {(etree.QName(e).localname, e.get("id")) for e in root.iter() if isinstance(e.tag, str) and e.get("id")}
    tags = Counter(e.tag for e in root.iter() if isinstance(e.tag, str))
    attrs = Counter(a for e in root.iter() if isinstance(e.tag, str) for a, v in e.attrib.items()
                    if (a, v) not in DEFAULTS)
    return ids, tags, attrs


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.name)
def test_roundtrip_keeps_every_element_and_extension(path):
    original = path.read_text(encoding="utf-8")
    saved = roundtrip(path)["xml"]
    before, after = inventory(original), inventory(saved)
    assert before[0] == after[0], before[0] ^ after[0]
    assert before[1] == after[1], before[1] - after[1]
    assert before[2] == after[2], before[2] - after[2]


def test_campaign_keeps_its_multi_instance_collection_and_still_parses():
    result = roundtrip(ROOT / "workflows/campaign.bpmn")
    assert result["restored"] == ["partner_ids", "opinion_panel"]
    assert "<bpmn:loopDataInputRef>partner_ids</bpmn:loopDataInputRef>" in result["xml"]
    assert "<bpmn:loopDataInputRef>opinion_panel</bpmn:loopDataInputRef>" in result["xml"]
    spec = parse_process(result["xml"]).spec
    assert spec.task_specs["partner_confirmation"].data_input.bpmn_id == "partner_ids"
    assert spec.task_specs["diagnosis_opinion"].data_input.bpmn_id == "opinion_panel"
