"""`flask directory import`: report lines, exit status, dry run and --valid-only."""
from sqlalchemy import select

from extensions import db
from models import Enterprise

ROWS = ("统一社会信用代码,名称,行业代码,区域代码,地址,登记状态,信用风险分类\n"
        "91310115MA1K3CUM7M,命令行导入企业,6210,421126,,存续,A\n"
        "91310115MA1K3CUM7X,坏代码,6210,421126,,存续,A\n")


def _exists(app) -> bool:
    with app.app_context():
        return db.session.scalar(select(Enterprise.id).where(Enterprise.uscc == "91310115MA1K3CUM7M")) is not None


def test_cli_all_or_nothing_then_valid_only(app, tmp_path):
    path = tmp_path / "qy.csv"
    path.write_bytes(ROWS.encode("gbk"))
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["directory", "import", "enterprises", str(path)])
    assert refused.exit_code == 1 and "第 3 行 统一社会信用代码" in refused.output and "未导入任何数据" in refused.output
    assert not _exists(app)
    dry = runner.invoke(args=["directory", "import", "enterprises", str(path), "--dry-run", "--valid-only"])
    assert dry.exit_code == 0 and "试运行" in dry.output and not _exists(app)
    applied = runner.invoke(args=["directory", "import", "enterprises", str(path), "--valid-only"])
    assert applied.exit_code == 0 and "新增 1" in applied.output and "跳过 1 个错误行" in applied.output
    assert _exists(app)


def test_cli_refuses_unreadable_file(app, tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    result = app.test_cli_runner().invoke(args=["directory", "import", "enterprises", str(path)])
    assert result.exit_code != 0 and "不是文本格式" in result.output
