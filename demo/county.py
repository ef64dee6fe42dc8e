"""Demo data: one county (蕲春县) and its Anhui neighbour (太湖县) for 区域联查.

Regions form the tree 省 → 市 → 县: 湖北省 → 黄冈市 → 蕲春县 and 安徽省 → 安庆市 → 太湖县, so the demo shows
scoped authority: `supervisor` is 蕲春's, `th_supervisor` 太湖's, `hg_supervisor` sees 黄冈市 rolled up.

Deterministic for a given seed and idempotent: once loaded, a second call changes nothing.
"""
import hashlib
import random
from datetime import date, datetime

from sqlalchemy import func, insert, select
from sqlalchemy.orm import selectinload
from werkzeug.security import generate_password_hash

from domain import department_types
from domain.passwords import DEMO_PASSWORD  # noqa: F401 - the CLI and the tests read it here
from domain.uscc import ALPHABET, is_valid, make_code
from extensions import db
from models import (ChecklistItem, ChecklistRevision, Department, Enterprise, Expert, ExpertConflict, Industry, Matter,
                    Region, User, UserRole)
from models.catalogue import industry_matter

CREATED_AT = datetime(2026, 1, 5, 9, 0)
CERT_VALID_UNTIL = date(2029, 12, 31)  # 执法证 validity of every demo official
HOME, NEIGHBOUR = "421126", "340825"
REGIONS = {HOME: "蕲春县", NEIGHBOUR: "太湖县"}
CITY = "421100"
# code, name, level, parent code: the counties' ancestors, created before them.
REGION_TREE = (("420000", "湖北省", "province", None), (CITY, "黄冈市", "city", "420000"),
               (HOME, "蕲春县", "county", CITY), ("340000", "安徽省", "province", None),
               ("340800", "安庆市", "city", "340000"), (NEIGHBOUR, "太湖县", "county", "340800"))
MARKER_DEPARTMENT = "scjg"

# code, name, region, specialties an official may hold
DEPARTMENTS = (
    ("scjg", "蕲春县市场监督管理局", HOME, ("食品安全", "特种设备", "计量", "产品质量")),
    ("yjgl", "蕲春县应急管理局", HOME, ("危险化学品", "安全生产", "应急救援")),
    ("wjw", "蕲春县卫生健康委员会", HOME, ("公共卫生", "医疗机构监管", "职业健康")),
    ("xf", "蕲春县消防救援大队", HOME, ("消防监督", "火灾调查", "建筑防火")),
    ("jt", "蕲春县交通运输局", HOME, ("道路运输", "危险货物运输", "运输执法")),
    ("sw", "蕲春县商务局", HOME, ("成品油流通", "单用途预付卡", "商贸流通")),
    ("zj", "蕲春县住房和城乡建设局", HOME, ("城镇燃气", "房屋安全", "建筑施工")),
    ("hb", "黄冈市生态环境局蕲春县分局", HOME, ("大气污染防治", "排污许可", "环境监测")),
    ("wl", "蕲春县文化和旅游局", HOME, ("旅游市场", "文化市场")),
    ("ga", "蕲春县公安局", HOME, ("治安管理", "交通管理")),
    ("mz", "蕲春县民政局", HOME, ("养老服务", "社会组织")),
    ("th_scjg", "太湖县市场监督管理局", NEIGHBOUR, ("食品安全", "特种设备")),
    ("th_yjgl", "太湖县应急管理局", NEIGHBOUR, ("危险化学品", "安全生产")),
)

# Per department: (name, legal basis, method, check 1, check 2); codes are "<department>-NN".
MATTERS = {
    "scjg": (
        ("食品经营许可情况的检查", "《中华人民共和国食品安全法》第三十五条", "实地检查",
         "是否在经营场所醒目位置公示有效的食品经营许可证", "实际经营项目是否超出许可范围"),
        ("特种设备安全的检查", "《中华人民共和国特种设备安全法》第三十三条", "实地检查",
         "在用特种设备是否办理使用登记并在检验有效期内", "特种设备作业人员是否持证上岗"),
        ("计量器具的检查", "《中华人民共和国计量法》第九条", "检验检测",
         "加油机等强制检定计量器具是否按期检定合格", "计量器具铅封是否完好、有无擅自改动"),
        ("从业人员健康证明检查", "《中华人民共和国食品安全法》第四十五条", "书面检查",
         "接触直接入口食品的从业人员是否持有有效健康证明", "是否建立并执行从业人员健康管理制度"),
    ),
    "yjgl": (
        ("危险化学品经营许可检查", "《危险化学品安全管理条例》第三十三条", "实地检查",
         "是否取得有效的危险化学品经营许可证", "储存场所和设施是否符合安全要求"),
        ("安全生产责任制落实情况检查", "《中华人民共和国安全生产法》第二十二条", "书面检查",
         "是否建立全员安全生产责任制并明确各岗位责任", "主要负责人和安全管理人员是否经考核合格"),
        ("应急预案及演练情况检查", "《中华人民共和国安全生产法》第八十一条", "书面检查",
         "是否制定生产安全事故应急救援预案并备案", "是否按规定组织应急演练并留存记录"),
    ),
    "wjw": (
        ("公共场所卫生许可检查", "《公共场所卫生管理条例》第八条", "实地检查",
         "是否取得有效的公共场所卫生许可证", "卫生许可证是否在醒目位置公示"),
        ("从业人员健康证明检查", "《公共场所卫生管理条例》第七条", "书面检查",
         "直接为顾客服务的从业人员是否持有有效健康合格证明", "是否组织从业人员卫生知识培训"),
        ("医养结合机构医疗服务检查", "《医疗机构管理条例》第十四条", "委托专业机构",
         "内设医疗机构是否取得执业许可或已备案", "医护人员是否具备相应执业资格"),
    ),
    "xf": (
        ("消防安全检查", "《中华人民共和国消防法》第十六条", "实地检查",
         "消防设施、器材是否按标准配置并定期检验维修", "疏散通道、安全出口是否畅通，应急照明和疏散指示标志是否完好"),
        ("公众聚集场所营业前消防安全检查", "《中华人民共和国消防法》第十五条", "书面检查",
         "是否办理投入使用、营业前消防安全检查或告知承诺", "是否落实每日防火巡查并留存记录"),
    ),
    "jt": (
        ("道路运输经营许可检查", "《中华人民共和国道路运输条例》第二十四条", "书面检查",
         "是否取得有效的道路运输经营许可证", "营运车辆是否取得道路运输证并按期年审"),
        ("危险货物运输从业人员资格检查", "《中华人民共和国道路运输条例》第二十三条", "书面检查",
         "驾驶员、押运员、装卸管理人员是否取得相应从业资格证", "是否建立从业人员安全教育培训档案"),
        ("车辆动态监控检查", "《道路运输车辆动态监督管理办法》第二十一条", "网络监测",
         "危险货物运输车辆是否安装卫星定位装置并接入监控平台", "是否配备专职监控人员并及时处置超速、疲劳驾驶报警"),
    ),
    "sw": (
        ("成品油经营资质检查", "《国务院对确需保留的行政审批项目设定行政许可的决定》第183项", "书面检查",
         "是否取得有效的成品油零售经营批准证书", "经营主体、地址、油品种类是否与批准证书一致"),
        ("单用途商业预付卡检查", "《单用途商业预付卡管理办法（试行）》第七条", "书面检查",
         "发行单用途预付卡是否按规定备案", "是否与购卡人签订协议并明示使用范围和退卡方式"),
    ),
    "zj": (
        ("燃气使用安全检查", "《城镇燃气管理条例》第二十八条", "实地检查",
         "是否安装可燃气体泄漏报警装置并保持有效", "燃气管道、软管及灶具是否老化或私接改装"),
        ("经营场所房屋使用安全检查", "《中华人民共和国建筑法》第四十九条", "委托专业机构",
         "是否擅自变动建筑主体和承重结构", "装修改造是否由有资质的设计单位出具设计方案"),
    ),
    "hb": (
        ("排污许可执行情况检查", "《中华人民共和国环境保护法》第四十五条", "书面检查",
         "是否依法取得排污许可证或办理排污登记", "是否按要求开展自行监测并公开信息"),
        ("餐饮油烟治理检查", "《中华人民共和国大气污染防治法》第八十一条", "实地检查",
         "是否安装油烟净化设施并保持正常使用", "是否定期清洗油烟净化设施并留存记录"),
        ("加油站油气回收检查", "《中华人民共和国大气污染防治法》第四十七条", "检验检测",
         "是否安装油气回收装置并保持正常使用", "是否按规定开展油气回收系统年度检测"),
    ),
    "wl": (
        ("旅游经营安全检查", "《中华人民共和国旅游法》第五十条", "实地检查",
         "是否对可能危及旅游者人身安全的事项作出真实说明和明确警示", "是否建立旅游安全突发事件应急处置制度"),
        ("旅游者个人信息保护检查", "《中华人民共和国旅游法》第五十二条", "书面检查",
         "是否建立旅游者个人信息保护制度", "是否存在泄露或非法提供旅游者个人信息的情形"),
    ),
    "ga": (
        ("旅馆业治安管理检查", "《旅馆业治安管理办法》第六条", "网络监测",
         "是否查验旅客身份证件并如实登记", "住宿登记信息是否按时上传公安机关"),
        ("危险物品运输车辆通行管理检查", "《中华人民共和国道路交通安全法》第四十八条", "实地检查",
         "车辆是否按规定悬挂警示标志、喷涂安全标识", "是否按公安机关指定的时间、路线行驶"),
    ),
    "mz": (
        ("养老机构备案情况检查", "《中华人民共和国老年人权益保障法》第四十三条", "书面检查",
         "是否向民政部门办理养老机构备案", "是否与老年人或其代理人签订服务协议"),
        ("养老服务安全检查", "《养老机构服务安全基本规范》（GB 38600—2019）第4条", "实地检查",
         "是否对入住老年人进行服务安全风险评估", "是否落实防噎食、防跌倒、防走失等风险防范措施"),
    ),
}
MATTERS["th_scjg"], MATTERS["th_yjgl"] = MATTERS["scjg"][:2], MATTERS["yjgl"][:2]

# code, name, weight, sole-trader share, linked matters, company name patterns, sole-trader patterns
INDUSTRIES = (
    ("6210", "正餐服务（餐饮）", 55, 0.7,
     ("scjg-01", "scjg-04", "xf-01", "xf-02", "hb-02", "zj-01", "zj-02", "sw-02"),
     ("{r}{t}餐饮管理有限公司", "{r}{t}酒楼有限公司"), ("{r}{town}{t}饭店", "{r}{town}{t}酒楼", "{r}{town}{t}农家乐")),
    ("6110", "旅游饭店", 15, 0.5,
     ("scjg-01", "scjg-02", "wjw-01", "wjw-02", "xf-01", "xf-02", "ga-01", "wl-01", "wl-02"),
     ("{r}{t}大酒店有限公司", "{r}{t}宾馆有限公司"), ("{r}{town}{t}宾馆", "{r}{town}{t}旅社")),
    ("5265", "机动车燃油零售（加油站）", 12, 0.1,
     ("scjg-02", "scjg-03", "yjgl-01", "yjgl-03", "xf-01", "sw-01", "hb-01", "hb-03"),
     ("{r}{t}石化有限公司", "{r}{t}能源有限公司"), ("{r}{town}{t}加油站",)),
    ("8514", "老年人、残疾人养护服务（养老机构）", 8, 0.2,
     ("scjg-01", "scjg-02", "scjg-04", "wjw-03", "xf-01", "xf-02", "mz-01", "mz-02"),
     ("{r}{t}养老服务有限公司", "{r}{t}康养中心有限公司"), ("{r}{town}{t}老年公寓",)),
    ("5435", "危险货物道路运输", 10, 0.0,
     ("jt-01", "jt-02", "jt-03", "yjgl-02", "yjgl-03", "ga-02", "scjg-02"),
     ("{r}{t}危险货物运输有限公司", "{r}{t}物流有限公司"), ()),
)

TOWNS = {
    HOME: ("漕河镇",) * 4 + ("蕲州镇", "赤东镇", "管窑镇", "彭思镇", "横车镇", "株林镇", "刘河镇",
                          "狮子镇", "青石镇", "张榜镇", "大同镇", "檀林镇", "向桥乡"),
    NEIGHBOUR: ("晋熙镇",) * 3 + ("徐桥镇", "新仓镇", "小池镇", "寺前镇", "天华镇", "牛镇镇", "弥陀镇"),
}
ROADS = ("人民路", "建设路", "解放路", "新华路", "朝阳路", "东长街", "学府路", "工业大道", "滨江路", "府前街")
TRADE_CHARS = "福盛兴隆泰祥瑞鑫华和顺达恒昌源丰益宏康安佳美乐旺鸿运通信诚德荣金凯天新长江景明"
SURNAMES = "陈王李张胡詹田刘周黄吴徐汪余郑杨彭夏何朱高程方叶肖石蔡罗龚"
GIVEN_CHARS = "伟芳敏静丽强磊军勇艳杰娟涛明超秀霞平刚英华建国文斌志红梅兵辉鹏飞玲波宇浩凯俊峰琳晶婷雪慧"
CREDIT_CLASSES, CREDIT_WEIGHTS = ("A", "B", "C", "D"), (40, 35, 18, 7)
CLOSED_STATUSES = ("注销", "吊销", "迁出")
LEGACY_COUNT = 5
SYSTEM_ACCOUNTS = (("admin", "系统管理员", "admin"), ("supervisor", "联席会办公室", "supervisor"),
                   ("designer", "流程设计员", "designer"), ("screen", "值班大屏", "screen"),
                   ("auditor", "县纪委监委驻市场监管局纪检监察组", "auditor"))
# Supervisors of the other levels: username, name, region code.
SCOPED_SUPERVISORS = (("th_supervisor", "太湖县联席会办公室", NEIGHBOUR), ("hg_supervisor", "黄冈市联席会办公室", CITY))


def load_demo(seed: int = 20261125, enterprises: int = 2000) -> dict:
    """Load a demo county unless one is already loaded (idempotent: a second call changes nothing
    and returns the same summary). Returns {"accounts": [(username, role list, department name
    or None)...], "counts": {...}}."""
    if db.session.scalar(select(Department.id).where(Department.code == MARKER_DEPARTMENT)) is None:
        rng = random.Random(seed)
        regions = _regions()
        departments = _departments(regions)
        matters = _matters(departments)
        industries = _industries(matters)
        _people(rng, regions, departments)
        db.session.flush()
        _enterprises(rng, regions, industries, enterprises)
        _experts(regions)
        _recusals()
        db.session.commit()
    return _summary()


def _regions() -> dict[str, Region]:
    regions: dict[str, Region] = {}
    for code, name, level, parent in REGION_TREE:
        region = db.session.scalar(select(Region).where(Region.code == code)) or Region(code=code, name=name)
        region.level, region.parent = level, regions.get(parent) if parent else None
        regions[code] = region
        db.session.add(region)
    db.session.flush()  # users reference their region by key only
    return regions


def _departments(regions: dict[str, Region]) -> dict[str, Department]:
    departments = {code: Department(code=code, name=name, region=regions[region],
                                    type=department_types.guess_from_name(name))
                   for code, name, region, _ in DEPARTMENTS}
    db.session.add_all(departments.values())
    return departments


def _matters(departments: dict[str, Department]) -> dict[str, Matter]:
    matters = {}
    for dept_code, specs in MATTERS.items():
        for number, (name, basis, method, *_checks) in enumerate(specs, start=1):
            code = f"{dept_code}-{number:02d}"
            matters[code] = Matter(code=code, department=departments[dept_code], name=name,
                                   legal_basis=basis, method=method)
    db.session.add_all(matters.values())
    return matters


def _checks(matter_code: str) -> tuple[str, str]:
    dept_code, number = matter_code.rsplit("-", 1)
    return tuple(MATTERS[dept_code][int(number) - 1][3:5])


def _industries(matters: dict[str, Matter]) -> list[Industry]:
    industries = [Industry(code=spec[0], name=spec[1], matters=[matters[c] for c in spec[4]])
                  for spec in INDUSTRIES]
    db.session.add_all(industries)
    db.session.flush()  # checklist revisions reference the industry by key only
    db.session.add_all(_checklist(industry, spec[4], matters)
                       for industry, spec in zip(industries, INDUSTRIES))
    return industries


def _checklist(industry: Industry, matter_codes, matters: dict[str, Matter]) -> ChecklistRevision:
    texts = [(code, text) for code in matter_codes for text in _checks(code)]
    items = [ChecklistItem(matter=matters[code], text=text, position=position)
             for position, (code, text) in enumerate(texts, start=1)]
    return ChecklistRevision(industry_id=industry.id, number=1, created_at=CREATED_AT,
                             note="初始版本", items=items)


def _people(rng: random.Random, regions: dict[str, Region], departments: dict[str, Department]) -> None:
    password_hash = generate_password_hash(DEMO_PASSWORD)  # hashed once: pbkdf2 is slow by design
    for username, display, role in SYSTEM_ACCOUNTS:
        # The designer deploys for every region (top level); admin and supervisor are 蕲春's.
        region_id = None if role == "designer" else regions[HOME].id
        db.session.add(User(username=username, display_name=display, password_hash=password_hash,
                            region_id=region_id, roles=[UserRole(role=role)]))
    for username, display, region_code in SCOPED_SUPERVISORS:
        db.session.add(User(username=username, display_name=display, password_hash=password_hash,
                            region_id=regions[region_code].id, roles=[UserRole(role="supervisor")]))
    names: set[str] = set()
    serials = {code: 0 for code in regions}
    for code, _name, region_code, specialties in DEPARTMENTS:
        for username, roles in _department_accounts(code, region_code == HOME):
            serials[region_code] += 1
            db.session.add(User(
                username=username, display_name=_person_name(rng, names), password_hash=password_hash,
                department=departments[code], region_id=regions[region_code].id,
                cert_no=f"{region_code}2026{serials[region_code]:04d}", cert_valid_until=CERT_VALID_UNTIL,
                specialties="、".join(rng.sample(specialties, min(2, len(specialties)))),
                roles=[UserRole(role=role) for role in roles]))


def _department_accounts(code: str, home: bool) -> list[tuple[str, tuple[str, ...]]]:
    """蕲春 departments get an admin and six officials; 太湖 departments three officials."""
    accounts = [(f"{code}_admin", ("department_admin", "official"))] if home else []
    return accounts + [(f"{code}_{n:02d}", ("official",)) for n in range(1, (6 if home else 3) + 1)]


def _person_name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN_CHARS, k=rng.choice((1, 2, 2))))
        if name not in used:
            used.add(name)
            return name


def _enterprises(rng, regions: dict[str, Region], industries: list[Industry], count: int) -> None:
    codes: set[str] = set()
    rows, legacy_left = [], LEGACY_COUNT
    for _ in range(count):
        rows.append(_enterprise_row(rng, codes, regions, industries, legacy_left > 0))
        legacy_left -= rows[-1]["legacy_code"]
    db.session.execute(insert(Enterprise), rows)  # one executemany: 2,000 rows in well under a second


def _enterprise_row(rng, codes: set[str], regions: dict[str, Region], industries: list[Industry],
                    legacy_allowed: bool) -> dict:
    index = rng.choices(range(len(INDUSTRIES)), [spec[2] for spec in INDUSTRIES])[0]
    region_code = HOME if rng.random() < 0.9 else NEIGHBOUR
    sole = rng.random() < INDUSTRIES[index][3]
    legacy = legacy_allowed and sole and region_code == HOME and rng.random() < 0.02
    town = rng.choice(TOWNS[region_code])
    uscc = _unique_code(rng, codes, region_code, sole, legacy)
    return {
        "uscc": uscc,
        "contact_mobile": _demo_mobile(uscc),
        "legacy_code": legacy,
        "name": _enterprise_name(rng, INDUSTRIES[index], REGIONS[region_code], town, sole),
        "industry_id": industries[index].id,
        "region_id": regions[region_code].id,
        "address": f"{REGIONS[region_code]}{town}{rng.choice(ROADS)}{rng.randint(1, 299)}号",
        "status": rng.choice(CLOSED_STATUSES) if rng.random() < 0.03 else "存续",
        "credit_class": rng.choices(CREDIT_CLASSES, CREDIT_WEIGHTS)[0],
    }


def _demo_mobile(uscc: str) -> str:
    """A made-up mobile number per enterprise (from its code, so the random sequence of the demo is unchanged)."""
    return "139" + f"{int(hashlib.sha256(uscc.encode()).hexdigest(), 16) % 10**8:08d}"


def _enterprise_name(rng: random.Random, spec, region: str, town: str, sole: bool) -> str:
    pattern = rng.choice(spec[6] if sole else spec[5])
    return pattern.format(r=region, town=town, t="".join(rng.sample(TRADE_CHARS, 2)))


def _unique_code(rng: random.Random, used: set[str], region_code: str, sole: bool, legacy: bool) -> str:
    while True:
        code = _legacy_code(rng, region_code) if legacy else make_code(
            "9", "2" if sole else "1", region_code, "".join(rng.choices(ALPHABET, k=9)))
        if code not in used:
            used.add(code)
            return code


def _legacy_code(rng: random.Random, region_code: str) -> str:
    """A pre-2016 15-digit registration number of a sole trader (7th digit 6)."""
    body = region_code + "6" + "".join(rng.choices("0123456789", k=7))
    return next(body + digit for digit in "0123456789" if is_valid(body + digit))


def _listed_usernames() -> list[str]:
    names = [username for username, _display, _role in SYSTEM_ACCOUNTS]
    names += [username for username, _display, _region in SCOPED_SUPERVISORS]
    for code, _name, region_code, _specialties in DEPARTMENTS:
        accounts = _department_accounts(code, region_code == HOME)
        names += [name for name, roles in accounts if len(roles) > 1 or name[-3:] in ("_01", "_02")]
    return names


def _summary() -> dict:
    usernames = _listed_usernames()
    users = db.session.scalars(select(User).where(User.username.in_(usernames)).options(
        selectinload(User.roles), selectinload(User.department))).all()
    by_name = {user.username: user for user in users}
    accounts = [(name, by_name[name].role_names,
                 by_name[name].department.name if by_name[name].department else None)
                for name in usernames if name in by_name]
    return {"accounts": accounts, "counts": _counts()}


def _counts() -> dict[str, int]:
    tables = {"regions": Region, "departments": Department, "matters": Matter, "industries": Industry,
              "industry_matters": industry_matter, "checklist_revisions": ChecklistRevision,
              "checklist_items": ChecklistItem, "enterprises": Enterprise, "users": User,
              "user_roles": UserRole}
    counts = {name: db.session.scalar(select(func.count()).select_from(table))
              for name, table in tables.items()}
    counts["officials"] = db.session.scalar(select(func.count()).where(UserRole.role == "official"))
    return counts


# The expert library (专家库): cert no, name, field, organisation; the first declares a conflict.
EXPERTS = (
    ("ZJ421126001", "胡建华", "特种设备", "湖北省特种设备检验检测研究院黄冈分院"),
    ("ZJ421126002", "詹秀英", "食品安全", "黄冈市食品药品检验所"),
    ("ZJ421126003", "田志强", "消防工程", "湖北华安消防技术服务有限公司"),
    ("ZJ421126004", "汪丽", "危险化学品", "黄冈职业技术学院"),
    ("ZJ421126005", "余斌", "计量检定", "蕲春县计量检定测试所"),
    ("ZJ421126006", "夏梅", "公共卫生", "蕲春县疾病预防控制中心"),
    ("ZJ421126007", "程鹏", "建筑结构", "黄冈市建筑设计研究院"),
    ("ZJ340825001", "方晶", "特种设备", "安徽省特种设备检测院安庆分院"),
)


def _experts(regions: dict[str, Region]) -> None:
    experts = [Expert(cert_no=cert, name=name, field=field, organisation=org,
                      region_id=regions[NEIGHBOUR if cert.startswith("ZJ3408") else HOME].id)
               for cert, name, field, org in EXPERTS]
    db.session.add_all(experts)
    db.session.flush()
    first = db.session.scalar(select(Enterprise.id).order_by(Enterprise.id))
    if first is None:
        return
    db.session.add(ExpertConflict(expert_id=experts[0].id, enterprise_id=first, reason="曾为该企业提供技术服务",
                                  declared_at=CREATED_AT))
def _recusals() -> None:
    """One declared conflict and one recusal request, for the draw's rules.

    Placed at gas stations (5265), so campaigns on the other industries draw as before.
    """
    from models import OfficerConflict, RecusalRequest
    stations = db.session.scalars(select(Enterprise).join(Industry).where(Industry.code == "5265")
                                  .order_by(Enterprise.uscc).limit(2)).all()
    officer = db.session.scalars(select(User).where(User.username == "scjg_02")).one()
    if len(stations) == 2:
        db.session.add(OfficerConflict(user_id=officer.id, enterprise_id=stations[0].id, reason="亲属在该企业任职",
                                       declared_at=CREATED_AT))
        db.session.add(RecusalRequest(enterprise_id=stations[1].id, user_id=officer.id, reason="企业申请回避：曾有执法争议",
                                      requested_at=CREATED_AT))
