"""region tree, department types, certificate validity, password reset flag, delegation (代办)

Revision ID: org000000001
Revises: harden000002

Every existing row is kept. Regions get a level and a parent: a flat region whose code is a valid GB/T 2260
county code becomes a county under its city and province, which are created when missing (named from the
province table below; a city the table does not know is named "待命名市级区划 <code>" for an admin to rename).
A region whose code is not a division code stays where it is (level county, no parent). Departments get a type
guessed from their name (市场监督… → market_regulation), `other` when nothing matches. The tables are copied
here, not imported, so this revision does not change when domain/ does.
"""
from alembic import op
import sqlalchemy as sa

revision = 'org000000001'
down_revision = 'harden000002'
branch_labels = None
depends_on = None

PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区", "21": "辽宁省",
    "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省",
    "35": "福建省", "36": "江西省", "37": "山东省", "41": "河南省", "42": "湖北省", "43": "湖南省",
    "44": "广东省", "45": "广西壮族自治区", "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省",
    "53": "云南省", "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区", "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}
CITIES = {"421100": "黄冈市", "340800": "安庆市", "420100": "武汉市", "350200": "厦门市"}
NAME_HINTS = (
    ("市场监督", "market_regulation"), ("市场监管", "market_regulation"), ("卫生健康", "health"),
    ("卫健", "health"), ("消防", "fire"), ("应急", "emergency"), ("交通", "transport"), ("商务", "commerce"),
    ("综合执法", "comprehensive_enforcement"), ("城市管理", "comprehensive_enforcement"),
    ("公安", "public_security"), ("住房", "housing"), ("住建", "housing"), ("生态环境", "ecology"),
    ("环保", "ecology"), ("文化", "culture_tourism"), ("旅游", "culture_tourism"), ("民政", "civil_affairs"),
    ("农业", "agriculture"), ("教育", "education"),
)


def upgrade():
    with op.batch_alter_table('region', schema=None) as batch_op:
        batch_op.add_column(sa.Column('level', sa.String(length=10), nullable=False, server_default='county'))
        batch_op.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_region_parent_id'), ['parent_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_region_parent_id_region'), 'region', ['parent_id'], ['id'])
    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.add_column(sa.Column('type', sa.String(length=30), nullable=False, server_default='other'))
        batch_op.create_index(batch_op.f('ix_department_type'), ['type'], unique=False)
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cert_valid_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('cert_suspended', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('on_behalf_of_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_human_task_on_behalf_of_id_user_account'), 'user_account',
                                    ['on_behalf_of_id'], ['id'])
    op.create_table('delegation',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('principal_id', sa.Integer(), nullable=False),
                    sa.Column('delegate_id', sa.Integer(), nullable=False),
                    sa.Column('starts_on', sa.Date(), nullable=False),
                    sa.Column('ends_on', sa.Date(), nullable=False),
                    sa.Column('created_by_id', sa.Integer(), nullable=False),
                    sa.Column('created_at', sa.DateTime(), nullable=False),
                    sa.Column('revoked_at', sa.DateTime(), nullable=True),
                    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                                            name=op.f('fk_delegation_created_by_id_user_account')),
                    sa.ForeignKeyConstraint(['delegate_id'], ['user_account.id'],
                                            name=op.f('fk_delegation_delegate_id_user_account')),
                    sa.ForeignKeyConstraint(['principal_id'], ['user_account.id'],
                                            name=op.f('fk_delegation_principal_id_user_account')),
                    sa.PrimaryKeyConstraint('id', name=op.f('pk_delegation')))
    with op.batch_alter_table('delegation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delegation_principal_id'), ['principal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delegation_delegate_id'), ['delegate_id'], unique=False)
    _tree_from_codes()
    _department_types()


def _level(code: str) -> str | None:
    if not code.isdigit():
        return None
    if len(code) in (9, 12):
        return "township"
    if len(code) != 6 or code[:2] == "00":
        return None
    return "province" if code.endswith("0000") else "city" if code.endswith("00") else "county"


def _tree_from_codes() -> None:
    conn = op.get_bind()
    rows = {code: (rid, name) for rid, code, name in conn.execute(sa.text("SELECT id, code, name FROM region"))}

    def ensure(code: str, name: str, level: str) -> int:
        if code not in rows:
            conn.execute(sa.text("INSERT INTO region (code, name, level) VALUES (:c, :n, :l)"),
                         {"c": code, "n": name, "l": level})
            rid = conn.execute(sa.text("SELECT id FROM region WHERE code = :c"), {"c": code}).scalar_one()
            rows[code] = (rid, name)
        return rows[code][0]

    for code in sorted(rows):
        level = _level(code)
        if level is None:
            continue
        parent_code = None
        if level == "city":
            parent_code = code[:2] + "0000"
        elif level == "county":
            parent_code = code[:2] + "0000" if code[2:4] == "90" else code[:4] + "00"
        elif level == "township":
            parent_code = code[:6]
        parent_id = None
        if parent_code is not None and (parent_code in rows or code[:2] in PROVINCES):
            if parent_code not in rows and _level(parent_code) in ("province", "city"):
                province_id = ensure(code[:2] + "0000", PROVINCES[code[:2]], "province")
                if _level(parent_code) == "city":
                    parent_id = ensure(parent_code, CITIES.get(parent_code, f"待命名市级区划 {parent_code}"), "city")
                    conn.execute(sa.text("UPDATE region SET parent_id = :p WHERE id = :i"),
                                 {"p": province_id, "i": parent_id})
                else:
                    parent_id = province_id
            elif parent_code in rows:
                parent_id = rows[parent_code][0]
        conn.execute(sa.text("UPDATE region SET level = :l, parent_id = :p WHERE id = :i"),
                     {"l": level, "p": parent_id, "i": rows[code][0]})


def _department_types() -> None:
    conn = op.get_bind()
    for rid, name in conn.execute(sa.text("SELECT id, name FROM department")).all():
        kind = next((key for fragment, key in NAME_HINTS if fragment in (name or "")), "other")
        conn.execute(sa.text("UPDATE department SET type = :t WHERE id = :i"), {"t": kind, "i": rid})


def downgrade():
    op.drop_table('delegation')
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_human_task_on_behalf_of_id_user_account'), type_='foreignkey')
        batch_op.drop_column('on_behalf_of_id')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
        batch_op.drop_column('cert_suspended')
        batch_op.drop_column('cert_valid_until')
    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_department_type'))
        batch_op.drop_column('type')
    # Regions created by upgrade() stay (departments may point at them since); only the tree columns go.
    with op.batch_alter_table('region', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_region_parent_id_region'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_region_parent_id'))
        batch_op.drop_column('parent_id')
        batch_op.drop_column('level')
