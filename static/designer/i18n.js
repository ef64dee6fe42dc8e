// zh-CN for bpmn-js (palette, context pad, replace menu, errors) and for our own panel; English is the source text.
var ZH = {
  'Activate hand tool': '激活抓手工具', 'Activate lasso tool': '激活套索工具',
  'Activate create/remove space tool': '激活创建/删除空间工具', 'Activate global connect tool': '激活全局连接工具',
  'Create start event': '创建开始事件', 'Create end event': '创建结束事件', 'Create task': '创建任务',
  'Create gateway': '创建网关', 'Create intermediate/boundary event': '创建中间/边界事件',
  'Create pool/participant': '创建池/参与者', 'Create data object reference': '创建数据对象引用',
  'Create data store reference': '创建数据存储引用', 'Create group': '创建分组',
  'Create expanded sub-process': '创建展开的子流程', 'Create StartEvent': '创建开始事件',
  'Create EndEvent': '创建结束事件', 'Create Task': '创建任务', 'Create Gateway': '创建网关',
  'Append end event': '追加结束事件', 'Append gateway': '追加网关', 'Append task': '追加任务',
  'Append intermediate/boundary event': '追加中间/边界事件', 'Append text annotation': '追加文本注释',
  'Append {type}': '追加 {type}', 'Add lane above': '在上方添加泳道', 'Add lane below': '在下方添加泳道',
  'Divide into two lanes': '分成两条泳道', 'Divide into three lanes': '分成三条泳道',
  'Change element': '更改元素', 'Change type': '更改类型', 'Connect using association': '用关联连接',
  'Connect using sequence/message flow or association': '用顺序流/消息流或关联连接',
  'Connect using data input association': '用数据输入关联连接', 'Connect to other element': '连接到其他元素',
  'Delete': '删除', 'Remove': '删除', 'Edit label': '编辑标签', 'Set color': '设置颜色',
  'Task': '任务', 'User task': '人工任务', 'Service task': '服务任务', 'Script task': '脚本任务',
  'Send task': '发送任务', 'Receive task': '接收任务', 'Manual task': '手工任务',
  'Business rule task': '业务规则任务', 'Call activity': '调用活动', 'Sub-process': '子流程',
  'Sub-process (collapsed)': '子流程（折叠）', 'Sub-process (expanded)': '子流程（展开）',
  'Event sub-process': '事件子流程', 'Transaction': '事务',
  'Start event': '开始事件', 'End event': '结束事件', 'Intermediate throw event': '中间抛出事件',
  'Message start event': '消息开始事件', 'Timer start event': '定时开始事件',
  'Conditional start event': '条件开始事件', 'Signal start event': '信号开始事件',
  'Message intermediate catch event': '消息中间捕获事件', 'Message intermediate throw event': '消息中间抛出事件',
  'Timer intermediate catch event': '定时中间捕获事件', 'Message end event': '消息结束事件',
  'Error end event': '错误结束事件', 'Terminate end event': '终止结束事件', 'Signal end event': '信号结束事件',
  'Exclusive gateway': '排他网关', 'Parallel gateway': '并行网关', 'Inclusive gateway': '包容网关',
  'Event-based gateway': '事件网关', 'Complex gateway': '复杂网关',
  'Sequence flow': '顺序流', 'Default flow': '默认流', 'Conditional flow': '条件流',
  'Parallel multi-instance': '并行多实例', 'Sequential multi-instance': '串行多实例', 'Loop': '循环',
  'Search in diagram': '在图中搜索', 'no parent for {element} in {parent}': '{parent} 中没有 {element} 的父元素',
  'no shape type specified': '未指定形状类型', 'flow elements must be children of pools/participants': '流程元素必须是池/参与者的子元素',
  'out of bounds release': '越界释放', 'more than {count} child lanes': '子泳道超过 {count} 条',
  'element required': '需要元素', 'diagram not part of bpmn:Definitions': '图不属于 bpmn:Definitions',
  'no diagram to display': '没有可显示的图', 'no process or collaboration to display': '没有可显示的流程或协作',
  'element {element} referenced by {referenced}#{property} not yet drawn': '被 {referenced}#{property} 引用的元素 {element} 尚未绘制',
  'already rendered {element}': '{element} 已渲染', 'failed to import {element}': '导入 {element} 失败',
  // our panel and toolbar
  'Properties': '属性', 'Nothing selected': '未选中元素：点击图中的元素编辑其属性', 'Name': '名称', 'ID': '标识',
  'Lane (department/role)': '泳道（部门/角色）', 'Form': '表单', 'Stage': '阶段', 'SLA (working days)': '办理时限（工作日）',
  'Instructions': '办理说明', 'Multi-instance': '多实例', 'None': '无', 'Parallel': '并行', 'Sequential': '串行',
  'Collection variable': '集合变量', 'Item variable': '元素变量', 'Cardinality': '实例数表达式',
  'Completion condition': '完成条件', 'Timer': '定时器', 'Duration': '时长', 'Date': '日期', 'Cycle': '周期',
  'Timer expression': '定时器表达式', 'Message': '消息', 'Message variable': '消息变量',
  'Called process': '调用的流程', 'Decision (DMN)': '决策表 (DMN)', 'Condition': '条件表达式', 'Script': '脚本',
  'Operation': '服务操作', 'Result variable': '结果变量', 'Lane name': '泳道名称',
  'Python expression, e.g. "P5D", "2026-12-01T09:00:00+08:00", "R3/PT1H"': 'Python 表达式，如 "P5D"、"2026-12-01T09:00:00+08:00"、"R3/PT1H"（需加引号）',
  'Working days': '工作日', 'Deadline at the end of the n-th working day (China calendar).': '第 n 个工作日 23:59:59 截止（按国务院节假日安排，含调休）。',
  'Lane must be one of the configured lanes.': '泳道名称须为已配置的部门/角色之一。',
  'Saved': '已保存草稿', 'Validating…': '正在校验…', 'Valid: may be deployed': '校验通过，可以部署',
  'Deployed version': '已部署版本', 'errors': '个错误', 'warnings': '个警告', 'Request failed': '请求失败'
};

// The modeler speaks the page's language: base.html writes current_lang() into <html lang> (zh-CN or en),
// so the header's 中文 / English switch (a cookie) decides, not a setting of the modeler's own.
export function currentLanguage() {
  return /^en\b/i.test(document.documentElement.lang || '') ? 'en' : 'zh';
}

export function t(template, replacements, language) {
  replacements = replacements || {};
  var text = (language || currentLanguage()) === 'zh' ? (ZH[template] || template) : template;
  return text.replace(/{([^}]+)}/g, function (_, key) { return replacements[key] !== undefined ? replacements[key] : '{' + key + '}'; });
}

// bpmn-js customTranslate module: overrides diagram-js's `translate` service.
export function translateModule(language) {
  return { translate: ['value', function (template, replacements) { return t(template, replacements, language); }] };
}
