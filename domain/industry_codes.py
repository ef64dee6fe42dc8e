"""GB/T 4754-2017 (国民经济行业分类) codes: sections A–T, divisions 01–97; 3-digit groups, 4-digit classes.

An industry code in the catalogue is a division, group or class ("62", "621", "6210"); its section letter
follows from the division number, which is how the standard numbers them.
"""
SECTIONS = (  # (letter, first division, last division, name)
    ("A", 1, 5, "农、林、牧、渔业"), ("B", 6, 12, "采矿业"), ("C", 13, 43, "制造业"),
    ("D", 44, 46, "电力、热力、燃气及水生产和供应业"), ("E", 47, 50, "建筑业"), ("F", 51, 52, "批发和零售业"),
    ("G", 53, 60, "交通运输、仓储和邮政业"), ("H", 61, 62, "住宿和餐饮业"),
    ("I", 63, 65, "信息传输、软件和信息技术服务业"), ("J", 66, 69, "金融业"), ("K", 70, 70, "房地产业"),
    ("L", 71, 72, "租赁和商务服务业"), ("M", 73, 75, "科学研究和技术服务业"),
    ("N", 76, 79, "水利、环境和公共设施管理业"), ("O", 80, 82, "居民服务、修理和其他服务业"), ("P", 83, 83, "教育"),
    ("Q", 84, 85, "卫生和社会工作"), ("R", 86, 90, "文化、体育和娱乐业"),
    ("S", 91, 97, "公共管理、社会保障和社会组织"), ("T", 98, 98, "国际组织"),
)


def section(code: str) -> tuple[str, str] | None:
    """(letter, name) of the section a division/group/class code belongs to, or None if it is not one."""
    if not (code.isascii() and code.isdigit() and 2 <= len(code) <= 4):
        return None
    division = int(code[:2])
    return next(((letter, name) for letter, first, last, name in SECTIONS if first <= division <= last), None)


def problem(code: str) -> str | None:
    """Why a code is not a GB/T 4754 division, group or class code; None when it is one."""
    if not (code.isascii() and code.isdigit()):
        return "行业代码应为 2–4 位数字（GB/T 4754 大类、中类或小类）"
    if not 2 <= len(code) <= 4:
        return f"行业代码应为 2–4 位数字，实际为 {len(code)} 位"
    if section(code) is None:
        return f"大类代码 {code[:2]} 不在 GB/T 4754 的 01–98 范围内"
    return None
