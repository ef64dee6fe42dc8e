"""Tests for engine.sandbox, driven through real BPMN runs where it matters."""
import re
import sys
import threading
from types import SimpleNamespace
from xml.sax.saxutils import escape, quoteattr

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.sandbox import (
    Limits,
    SandboxEnvironment,
    SandboxedScriptEngine,
    ScriptLimitExceeded,
    ScriptRejected,
    ScriptTimeout,
    check_source,
    register_function,
)
from engine.sandbox import script_engine

HEADER = ('<?xml version="1.0" encoding="UTF-8"?>\n'
          '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
          'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
          'id="defs" targetNamespace="http://bpmn.io/schema/bpmn">\n<bpmn:process id="proc" isExecutable="true">\n')
FOOTER = "</bpmn:process>\n</bpmn:definitions>\n"


def flow(fid, source, target, condition=None):
    body = f"<bpmn:conditionExpression>{escape(condition)}</bpmn:conditionExpression>" if condition else ""
    return f'<bpmn:sequenceFlow id="{fid}" sourceRef="{source}" targetRef="{target}">{body}</bpmn:sequenceFlow>\n'


def chain(*elements):
    """start -> elements... -> end, each element given as (id, xml_without_flows)."""
    ids = ["start"] + [eid for eid, _ in elements] + ["end"]
    xml = '<bpmn:startEvent id="start"/>\n<bpmn:endEvent id="end"/>\n'
    xml += "".join(body for _, body in elements)
    xml += "".join(flow(f"f{i}", a, b) for i, (a, b) in enumerate(zip(ids, ids[1:])))
    return xml


def script_task(tid, script):
    return tid, f'<bpmn:scriptTask id="{tid}"><bpmn:script>{escape(script)}</bpmn:script></bpmn:scriptTask>\n'


def workflow(process_xml, data=None, engine=None, dmn=None):
    parser = SpiffBpmnParser()
    parser.add_bpmn_str((HEADER + process_xml + FOOTER).encode())
    if dmn:
        parser.add_dmn_str(dmn.encode())
    wf = BpmnWorkflow(parser.get_spec("proc"), script_engine=engine or SandboxedScriptEngine())
    for task in wf.get_tasks(state=TaskState.READY):
        task.data.update(data or {})
    return wf


def run_script(script, data=None, engine=None):
    wf = workflow(chain(script_task("script", script)), data, engine)
    wf.do_engine_steps()
    return wf


def end_data(wf):
    assert wf.is_completed()
    return wf.get_tasks(spec_name="end")[0].data


def assert_script_fails(script, error_type=None, data=None):
    """The script task errors inside SpiffWorkflow; nothing runs past it, nothing escapes."""
    wf = workflow(chain(script_task("script", script)), data)
    with pytest.raises(WorkflowTaskException) as info:
        wf.do_engine_steps()
    task = wf.get_tasks(spec_name="script")[0]
    assert task.state == TaskState.ERROR
    assert not wf.is_completed()
    if error_type is not None:
        assert info.value.error_type == error_type.__name__, str(info.value)
    return info.value


# --- normal SpiffWorkflow use ---------------------------------------------------------

def test_script_task_computes_value():
    data = end_data(run_script("total = a + b\nlabel = f'{total:>5}'", {"a": 2, "b": 3}))
    assert data["total"] == 5 and data["label"] == "    5"


def test_date_helpers_work_inside_the_sandbox():
    script = ("day = datetime.strptime(start, '%Y-%m-%d').date()\n"
              "label = f'{day + timedelta(days=3):%Y/%m/%d}'\n"
              "stamp = datetime(2024, 1, 2).strftime('%d.%m.%Y')")
    data = end_data(run_script(script, {"start": "2024-01-30"}))
    assert data["label"] == "2024/02/02" and data["stamp"] == "02.01.2024"


def test_script_task_everyday_python():
    script = (
        "from_list = [p['id'] for p in partners if p['active']]\n"
        "counts = {}\n"
        "for p in partners:\n"
        "    counts.setdefault(p['city'], 0)\n"
        "    counts[p['city']] += 1\n"
        "names = ', '.join(sorted(str(p['id']) for p in partners))\n"
        "padded = str(7).zfill(4)\n"
        "big = 2 ** 64\n"
        "try:\n"
        "    bad = int('x')\n"
        "except (ValueError, TypeError):\n"
        "    bad = None\n"
        "due = (datetime(2024, 1, 1, tzinfo=timezone.utc) + timedelta(days=3)).isoformat()\n"
        "square = lambda n: n * n\n"
        "squares = [square(n) for n in range(4)]\n"
        "is_text = isinstance(names, str)\n"
        "msg = 'Dear %s' % names\n"
    )
    partners = [{"id": 2, "city": "Ningbo", "active": True}, {"id": 1, "city": "Ningbo", "active": False}]
    data = end_data(run_script(script, {"partners": partners}))
    assert data["from_list"] == [2] and data["counts"] == {"Ningbo": 2}
    assert data["names"] == "1, 2" and data["padded"] == "0007" and data["big"] == 2 ** 64
    assert data["bad"] is None and data["due"] == "2024-01-04T00:00:00+00:00"
    assert data["squares"] == [0, 1, 4, 9] and data["is_text"] is True and data["msg"] == "Dear 1, 2"
    assert "square" not in data  # functions are not task data


def gateway_process():
    return (
        '<bpmn:startEvent id="start"/>\n'
        '<bpmn:exclusiveGateway id="gw" default="to_ok"/>\n'
        + script_task("declined", "outcome = 'declined'")[1]
        + script_task("ok", "outcome = 'ok'")[1]
        + '<bpmn:endEvent id="end"/>\n'
        + flow("f0", "start", "gw")
        + flow("to_declined", "gw", "declined", "decision == 'decline' and len(partner_ids) > 0")
        + flow("to_ok", "gw", "ok")
        + flow("f1", "declined", "end") + flow("f2", "ok", "end")
    )


@pytest.mark.parametrize("decision, ids, outcome", [
    ("decline", [1], "declined"), ("decline", [], "ok"), ("approve", [1], "ok")])
def test_gateway_condition(decision, ids, outcome):
    wf = workflow(gateway_process(), {"decision": decision, "partner_ids": ids})
    wf.do_engine_steps()
    assert end_data(wf)["outcome"] == outcome


def test_gateway_condition_escape_fails_cleanly():
    process = gateway_process().replace("decision == 'decline'", "().__class__")
    wf = workflow(process, {"decision": "x", "partner_ids": []})
    with pytest.raises(WorkflowTaskException) as info:
        wf.do_engine_steps()
    assert "__class__" in str(info.value) and not wf.is_completed()


@pytest.mark.parametrize("duration", ["PT1H", "P3D"])
def test_timer_expression(duration):
    timer = ('timer', '<bpmn:intermediateCatchEvent id="timer"><bpmn:timerEventDefinition>'
             f'<bpmn:timeDuration>"{duration}"</bpmn:timeDuration></bpmn:timerEventDefinition>'
             '</bpmn:intermediateCatchEvent>\n')
    wf = workflow(chain(timer))
    wf.do_engine_steps()
    task = wf.get_tasks(spec_name="timer")[0]
    assert task.state == TaskState.WAITING and task._get_internal_data("event_value")


def test_multi_instance_collection_and_cardinality():
    loop = ('each', '<bpmn:scriptTask id="each"><bpmn:multiInstanceLoopCharacteristics>'
            '<bpmn:loopDataInputRef>items</bpmn:loopDataInputRef>'
            '<bpmn:loopDataOutputRef>doubled</bpmn:loopDataOutputRef>'
            '<bpmn:inputDataItem id="item"/><bpmn:outputDataItem id="out"/>'
            '</bpmn:multiInstanceLoopCharacteristics><bpmn:script>out = item * 2</bpmn:script></bpmn:scriptTask>\n')
    counted = ('counted', '<bpmn:scriptTask id="counted"><bpmn:multiInstanceLoopCharacteristics>'
               '<bpmn:loopCardinality>len(items) + 1</bpmn:loopCardinality>'
               '<bpmn:loopDataOutputRef>runs</bpmn:loopDataOutputRef><bpmn:outputDataItem id="one"/>'
               '</bpmn:multiInstanceLoopCharacteristics><bpmn:script>one = 1</bpmn:script></bpmn:scriptTask>\n')
    wf = workflow(chain(loop, counted), {"items": [1, 2, 3]})
    wf.do_engine_steps()
    data = end_data(wf)
    assert data["doubled"] == [2, 4, 6] and data["runs"] == [1, 1, 1, 1]


DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="dmn" name="Risk" namespace="http://x">
  <decision id="risk" name="Risk">
    <decisionTable id="table">
      <input id="in1" label="Problems"><inputExpression id="ie1" typeRef="integer"><text>problems</text></inputExpression></input>
      <input id="in2" label="Kind"><inputExpression id="ie2" typeRef="string"><text>kind</text></inputExpression></input>
      <output id="out1" label="Level" name="level" typeRef="string"/>
      <rule id="r1"><inputEntry id="e11"><text>&gt; 2</text></inputEntry><inputEntry id="e12"><text>"food"</text></inputEntry>
        <outputEntry id="o1"><text>"high"</text></outputEntry></rule>
      <rule id="r2"><inputEntry id="e21"><text>1 &lt; ? &lt;= 2</text></inputEntry><inputEntry id="e22"><text>-</text></inputEntry>
        <outputEntry id="o2"><text>"medium"</text></outputEntry></rule>
      <rule id="r3"><inputEntry id="e31"><text></text></inputEntry><inputEntry id="e32"><text></text></inputEntry>
        <outputEntry id="o3"><text>"low"</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
"""


@pytest.mark.parametrize("problems, kind, level", [(3, "food", "high"), (2, "food", "medium"), (3, "toys", "low")])
def test_dmn_business_rule(problems, kind, level):
    rule = ("rule", '<bpmn:businessRuleTask id="rule"><bpmn:extensionElements>'
            '<spiffworkflow:calledDecisionId>risk</spiffworkflow:calledDecisionId>'
            '</bpmn:extensionElements></bpmn:businessRuleTask>\n')
    wf = workflow(chain(rule), {"problems": problems, "kind": kind}, dmn=DMN)
    wf.do_engine_steps()
    assert end_data(wf)["level"] == level


# --- service tasks ---------------------------------------------------------------------

def service_process(operation="draw"):
    return chain(("svc", f'<bpmn:serviceTask id="svc"><bpmn:extensionElements>'
                         f'<spiffworkflow:serviceTaskOperator id="{operation}" resultVariable="drawn">'
                         '<spiffworkflow:parameters>'
                         f'<spiffworkflow:parameter id="count" type="int" value={quoteattr("n + 1")}/>'
                         f'<spiffworkflow:parameter id="pool" type="str" value={quoteattr(repr("enterprises"))}/>'
                         '</spiffworkflow:parameters></spiffworkflow:serviceTaskOperator>'
                         '</bpmn:extensionElements></bpmn:serviceTask>\n'))


def test_service_task_dispatches_to_handler():
    calls = []

    def draw(operation_params, task_data):
        calls.append((operation_params, task_data))
        task_data["n"] = 999  # a copy: must not leak back
        return {"picked": list(range(operation_params["count"])), "pool": operation_params["pool"]}

    wf = workflow(service_process(), {"n": 2}, engine=SandboxedScriptEngine({"draw": draw}))
    wf.do_engine_steps()
    data = end_data(wf)
    assert data["drawn"] == {"picked": [0, 1, 2], "pool": "enterprises"} and data["n"] == 2
    assert calls == [({"count": 3, "pool": "enterprises"}, {"n": 999})]


def test_service_task_unknown_operation():
    wf = workflow(service_process("nope"), {"n": 2}, engine=SandboxedScriptEngine({"draw": lambda **kw: 1}))
    with pytest.raises(WorkflowTaskException, match="Unknown service operation 'nope'.*draw"):
        wf.do_engine_steps()
    assert wf.get_tasks(spec_name="svc")[0].state == TaskState.ERROR


def test_service_task_handler_error_is_wrapped():
    def broken(operation_params, task_data):
        raise RuntimeError("registry down")

    wf = workflow(service_process(), {"n": 2}, engine=SandboxedScriptEngine({"draw": broken}))
    with pytest.raises(WorkflowTaskException, match="registry down"):
        wf.do_engine_steps()


# --- escapes ---------------------------------------------------------------------------

@pytest.mark.parametrize("script", [
    "x = __import__('os')",
    "import os",
    "from os import system",
    "x = ().__class__.__base__.__subclasses__()",
    "x = getattr(1, '__globals__')",
    "x = '{0.__class__}'.format(1)",
    "f = '{0.real}'.format\nx = f(1)",
    "x = (x for x in [1]).gi_frame.f_back",
    "x = open('/etc/passwd').read()",
    "x = (lambda: 1).__globals__",
    "x = [c.__class__ for c in [1]]",
    "x = list(map(lambda c: c.__class__, [1]))",
    "x = type(1)",
    "x = int.mro()",
    "class A: pass",
    "with x: pass",
    "try:\n    x = 1\nexcept:\n    x = 2",
    "try:\n    x = 1\nfinally:\n    x = 2",
    "global y",
    "def g():\n    yield 1",
    "match 1:\n    case int(real=r): pass",
    "x = f'{1:>100000}'",
])
def test_escape_attempts_are_rejected(script):
    error = assert_script_fails(script, ScriptRejected)
    assert "not allowed" in str(error)


@pytest.mark.parametrize("script", [
    "x = 'x' * 10**10",
    "x = [0] * 10**9",
    "x = 10**10**10",
    "x = 1 << 10**9",
    "x = 'x'.ljust(10**10)",
    "x = 'x' * 10**6\nfor i in range(30):\n    x += x",
    "x = ['x'] * 10**6\nx.extend(x)\nx.extend(x)",
    "x = {'k': [0] * 10**6}\nx['k'] += x['k']\nx['k'] += x['k']",
    "x = '%999999999d' % 1",
    "x = range(10**12)",
    "x = ','.join(['ab' * 10**5] * 10)",
    "x = ('x' * 10**6).replace('x', 'yy')",
    "x = (1).to_bytes(10**9, 'big')",
    "x = [[0] * 10**5 for _ in range(20)]\ny = str(x * 5)",
])
def test_huge_allocations_are_stopped(script):
    assert_script_fails(script, ScriptLimitExceeded)


def test_round_and_sum_are_tamed():
    assert_script_fails("x = round(1, -10**9)", ValueError)
    assert_script_fails("x = sum([[1]] * 10, [])", TypeError)


@pytest.mark.parametrize("script", [
    "while True:\n    pass",
    "x = 0\nwhile True:\n    try:\n        x = x // 0\n    except ZeroDivisionError:\n        x = 0",
    "f = lambda n: n if n < 0 else f(n + 1)\nwhile True:\n    try:\n        f(0)\n    except (ValueError, TypeError):\n        pass",
    "x = [i for i in range(10**6) for j in range(10**6)]",
    "x = any(False for i in range(10**6) for j in range(10**6))",
])
def test_runaway_code_is_stopped(script):
    error = assert_script_fails(script)
    assert error.error_type in ("ScriptTimeout", "RecursionError"), str(error)


def test_step_limit_works_off_the_main_thread():
    errors = []

    def target():
        try:
            run_script("while True:\n    pass")
        except WorkflowTaskException as err:
            errors.append(err)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(10)
    assert not thread.is_alive() and errors and errors[0].error_type == "ScriptTimeout"


def test_step_limit_is_configurable():
    engine = SandboxedScriptEngine(max_steps=50)
    with pytest.raises(WorkflowTaskException, match="over 50 steps"):
        run_script("x = 0\nfor i in range(100):\n    x += i", engine=engine)
    assert end_data(run_script("x = sum(range(10))", engine=engine))["x"] == 45


def test_failed_script_leaves_task_data_untouched():
    wf = workflow(chain(script_task("script", "a.append(3)\nb = 1\nx = 1 // 0")), {"a": [1, 2]})
    with pytest.raises(WorkflowTaskException, match="ZeroDivisionError"):
        wf.do_engine_steps()
    task = wf.get_tasks(spec_name="script")[0]
    assert task.data == {"a": [1, 2]}
    assert wf.get_tasks(spec_name="script")[0].state == TaskState.ERROR


def test_error_reports_script_line():
    error = assert_script_fails("a = 1\nb = {}\nc = b[5]", KeyError)
    assert error.line_number == 3 and error.error_line == "c = b[5]"


def test_only_plain_data_leaves_the_sandbox():
    assert_script_fails("g = (i for i in range(3))", TypeError)
    env = SandboxEnvironment()
    with pytest.raises(TypeError, match="plain data"):
        env.evaluate("(i for i in range(3))", {})
    with pytest.raises(TypeError, match="plain data"):
        env.evaluate("len", {})


# --- trace function hygiene --------------------------------------------------------------

def test_trace_function_is_restored():
    def outer_trace(frame, event, arg):
        return None

    previous = sys.gettrace()
    sys.settrace(outer_trace)
    try:
        env = SandboxEnvironment(max_steps=100, in_process=True)  # what the worker does
        assert env.evaluate("1 + 1", {}) == 2
        assert sys.gettrace() is outer_trace
        with pytest.raises(ScriptTimeout):
            env.execute("while True:\n    pass", {})
        assert sys.gettrace() is outer_trace
        with pytest.raises(ScriptLimitExceeded):
            env.execute("x = 'x' * 10**10", {})
        assert sys.gettrace() is outer_trace
        with pytest.raises(ZeroDivisionError):
            env.evaluate("1 / 0", {})
        assert sys.gettrace() is outer_trace
    finally:
        sys.settrace(previous)


def test_environment_direct_use():
    env = SandboxEnvironment()
    context = {"a": 1}
    assert env.execute("b = a + 1", context, {"helper_obj": 5}) is True
    assert context == {"a": 1, "b": 2}
    assert env.evaluate("a + x", {"a": 1}, {"x": 2}) == 3
    assert env.evaluate("\n  decision == 'decline'\n", {"decision": "decline"}) is True
    with pytest.raises(ScriptRejected, match="line 1.*'__import__'"):
        env.evaluate("__import__('os')", {})


# --- check_source ----------------------------------------------------------------------

@pytest.mark.parametrize("source", [
    "total = a + b",
    "x = [i * 2 for i in range(10) if i % 2]",
    "def f(a, b=2):\n    return a * b\ny = f(3)",
    "try:\n    x = d['k']\nexcept KeyError:\n    x = None\nelse:\n    x = 1",
    "raise ValueError('bad input')",
    "for _ in range(3):\n    pass",
    "s = f'{x!r:>10} {y:.2f}'",
    "x = 'a %s b' % y",
    "x = ', '.join(names)",
    "when = (start_date + timedelta(days=3)).isoformat()",
    "x = y if (y := 3) else 0",
])
def test_check_source_accepts(source):
    assert check_source(source) == []


@pytest.mark.parametrize("source", ["decision == 'decline'", "len(partner_ids) > 0", '"PT1H"', "problems > 2",
                                    "(problems) == (2)", "1 < dmninputexpr <= 2", "  a and b  "])
def test_check_source_accepts_expressions(source):
    assert check_source(source, "eval") == []


@pytest.mark.parametrize("source, fragment", [
    ("import os", "line 1: import"),
    ("x = 1\nfrom os import path", "line 2: import"),
    ("x = a.__class__", "'__class__'"),
    ("x = a._private", "'_private'"),
    ("_x = 1", "'_x'"),
    ("f(_secret=1)", "'_secret'"),
    ("def f(_a): pass", "'_a'"),
    ("def _f(): pass", "'_f'"),
    ("x = eval('1')", "name 'eval'"),
    ("x = vars()", "name 'vars'"),
    ("x = dir", "name 'dir'"),
    ("x = object", "name 'object'"),
    ("x = super", "name 'super'"),
    ("breakpoint()", "name 'breakpoint'"),
    ("x = g.gi_frame", "attribute 'gi_frame'"),
    ("x = g.gi_code", "attribute 'gi_code'"),
    ("x = fr.f_back.f_globals", "attribute 'f_back'"),
    ("x = tb.tb_frame", "attribute 'tb_frame'"),
    ("x = c.co_code", "attribute 'co_code'"),
    ("x = c.cr_frame", "attribute 'cr_frame'"),
    ("x = s.format(1)", "attribute 'format'"),
    ("x = s.format_map({})", "attribute 'format_map'"),
    ("x = 'hello {_x}'", "format field"),
    ("x = '{0.__class__}'", "format field"),
    ("x = str.mro()", "attribute 'mro'"),
    ("global x", "'global'"),
    ("def f():\n    nonlocal x", "'nonlocal'"),
    ("def f():\n    yield 1", "'yield'"),
    ("async def f():\n    await g()", "'async def'"),
    ("class A:\n    pass", "class definition"),
    ("with open('f') as fh:\n    pass", "'with'"),
    ("try:\n    pass\nexcept Exception:\n    pass", "catching anything but"),
    ("try:\n    pass\nexcept BaseException:\n    pass", "catching anything but"),
    ("try:\n    pass\nexcept:\n    pass", "catching anything but"),
    ("try:\n    pass\nfinally:\n    pass", "'finally'"),
    ("a[0:0] = a", "slice assignment"),
    ("a.b += 1", "assigning or deleting an attribute"),
    ("str.shared = data", "assigning or deleting an attribute"),
    ("del sum.cache", "assigning or deleting an attribute"),
    ("f = ','.join", "'.join' other than as a direct call"),
    ("x = list(map(str.ljust, ['a'], [10**9]))", "'.ljust' other than as a direct call"),
    ("x = f'{y:{w}}'", "computed f-string format spec"),
    ("x = f'{y:>99999}'", "width or precision"),
    ("match x:\n    case _:\n        pass", "'match'"),
    ("x = (lambda: 0).__code__", "'__code__'"),
    ("x = [y.__dict__ for y in z]", "'__dict__'"),
    ("x = (", "syntax error"),
    ("x = 1\n" * 3000, "too complex"),
    ("x = " + "-" * 150 + "1", "too complex"),
    ("x = 'a'\n" + "#" * 20_001, "characters"),
])
def test_check_source_rejects(source, fragment):
    problems = check_source(source)
    assert problems and any(fragment in p for p in problems), problems


def test_check_source_names_every_problem_with_its_line():
    problems = check_source("import os\nx = y.__class__\nz = eval('1')")
    assert [p.split(":")[0] for p in problems] == ["line 1", "line 2", "line 3"]


def test_check_source_mode():
    assert check_source("x = 1", "eval")  # an assignment is not an expression
    with pytest.raises(ValueError):
        check_source("1", "single")


def test_deeply_nested_data_cannot_leave():
    assert_script_fails("a = []\nfor i in range(500):\n    a = [a]", ScriptLimitExceeded)
    assert end_data(run_script("a = []\nfor i in range(50):\n    a = [a]"))["a"]


def test_cumulative_allocations_are_bounded():
    # Each allocation is under the per-operation cap; the run's total is not (test_sandbox_guards pins the message).
    error = assert_script_fails("l = []\nfor i in range(100000):\n    l.append('x' * 1000000)", ScriptLimitExceeded)
    assert "this run would produce" in str(error)


# --- the script engine's own code, in this process (found by the third mutation run) ------------------------

def probe_task(data=None):
    """What SpiffWorkflow's exceptions read of a task: its spec, its workflow's file, its data."""
    workflow = SimpleNamespace(spec=SimpleNamespace(file="probe.bpmn"))
    workflow.top_workflow = workflow
    spec = SimpleNamespace(bpmn_id="probe", bpmn_name="probe", name="probe")
    return SimpleNamespace(data=dict(data or {}), task_spec=spec, workflow=workflow)


GUARDS_ONLY = Limits(rss_fallback=False, exit_checks=False)


def here():
    return SandboxedScriptEngine(limits=GUARDS_ONLY, in_process=True)


def test_engine_passes_its_limits_and_runs_out_of_process_by_default():
    assert SandboxedScriptEngine().environment.in_process is False
    assert here().environment.in_process is True
    with pytest.raises(WorkflowTaskException, match="ScriptTimeout: script stopped: over 0 steps"):
        SandboxedScriptEngine(limits=Limits(max_steps=0), in_process=True).evaluate(probe_task({"a": 1}), "a + 1")


def test_a_script_error_names_its_type_line_and_text():
    with pytest.raises(WorkflowTaskException) as info:
        here().execute(probe_task(), "a = 1\nb = {}\nc = b[5]")
    error = info.value
    assert (error.args[0], error.error_type, error.line_number, error.error_line) == (
        "KeyError: 5", "KeyError", 3, "c = b[5]")
    with pytest.raises(WorkflowTaskException) as info:
        here().execute(probe_task(), "c = {}[5]\nd = 1")
    assert (info.value.line_number, info.value.error_line) == (1, "c = {}[5]")  # the first line too


def test_an_error_without_a_line_shows_none():
    with pytest.raises(WorkflowTaskException) as info:
        here().execute(probe_task(), "a = 1\nimport os")  # refused before it runs: no line of the run
    assert (info.value.error_type, info.value.line_number, info.value.error_line) == ("ScriptRejected", 0, "")
    assert info.value.args[0] == "ScriptRejected: line 2: import is not allowed"


def test_a_workflow_error_from_a_function_keeps_its_own_type_and_gets_the_line():
    raised = SpiffWorkflowException("registry says no")

    def refuse():
        raise raised

    with pytest.raises(SpiffWorkflowException) as info:
        here().execute(probe_task(), "a = 1\nb = refuse()", {"refuse": refuse})
    assert info.value is raised
    assert (raised.line_number, raised.error_line) == (2, "b = refuse()")
    assert raised.notes == ["Python script error on line 2: 'b = refuse()'"]


def test_an_expression_error_names_the_expression_and_the_reason():
    with pytest.raises(WorkflowTaskException) as info:
        here().evaluate(probe_task({"a": 1, "b": 0}), "a / b")
    assert info.value.args[0] == "Error evaluating expression 'a / b': ZeroDivisionError: division by zero"
    assert info.value.error_type == "ZeroDivisionError"
    raised = SpiffWorkflowException("registry says no")

    def refuse():
        raise raised

    with pytest.raises(SpiffWorkflowException) as info:
        here().evaluate(probe_task(), "refuse()", {"refuse": refuse})
    assert info.value is raised and raised.notes == ["Error evaluating expression 'refuse()'"]


def test_an_expression_needs_no_task_spec():
    assert here().evaluate(SimpleNamespace(data={"a": 1}), "a + 1") == 2  # only a cardinality is checked against it


def test_unknown_service_operation_lists_the_registered_ones():
    engine = SandboxedScriptEngine({"zeta": len, "draw": len}, limits=GUARDS_ONLY)
    with pytest.raises(WorkflowTaskException) as info:
        engine.call_service(probe_task(), operation_name="nope")
    assert info.value.args[0] == "Unknown service operation 'nope' (registered: draw, zeta)"
    with pytest.raises(WorkflowTaskException) as info:
        SandboxedScriptEngine().call_service(probe_task(), operation_name="nope")
    assert info.value.args[0] == "Unknown service operation 'nope' (registered: none)"


def test_a_service_handler_gets_a_deep_copy_and_its_failure_is_named():
    def meddle(operation_params, task_data):
        task_data["nested"]["x"] = 2
        raise RuntimeError("registry down")

    task = probe_task({"nested": {"x": 1}})
    with pytest.raises(WorkflowTaskException) as info:
        SandboxedScriptEngine({"draw": meddle}).call_service(task, operation_name="draw",
                                                             operation_params={"n": {"value": 1}})
    assert info.value.args[0] == "Service operation 'draw' failed: RuntimeError: registry down"
    assert info.value.error_type == "RuntimeError"
    assert task.data == {"nested": {"x": 1}}


def test_register_function_refuses_private_and_odd_names(monkeypatch):
    monkeypatch.setattr(script_engine, "FUNCTIONS", {})
    for name in ("_hidden", "two words", "1st", "a-b"):
        with pytest.raises(ValueError, match=f"^bad function name {re.escape(repr(name))}$"):
            register_function(name, len)
    register_function("count_of", len)
    assert script_engine.FUNCTIONS == {"count_of": len}
    assert here().evaluate(probe_task({"xs": [1, 2]}), "count_of(xs)") == 2
