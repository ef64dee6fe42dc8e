"""Password strength rule (pure): long enough, letters and digits, not the account name, not a common one."""

MIN_LENGTH = 8
MAX_LENGTH = 128
_COMMON = {"password", "password1", "12345678", "123456789", "1234567890", "qwerty123", "abc12345", "a1234567",
           "11111111", "88888888", "iloveyou", "admin123", "admin1234", "root1234", "woaini1314", "1qaz2wsx"}


def problems(password: str, username: str = "") -> list[str]:
    """Why `password` is too weak (empty: it is acceptable). Messages are shown to the user."""
    found = []
    if len(password) < MIN_LENGTH:
        found.append(f"密码至少 {MIN_LENGTH} 位")
    if len(password) > MAX_LENGTH:
        found.append(f"密码不能超过 {MAX_LENGTH} 位")
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        found.append("密码须同时包含字母和数字")
    if username and username.lower() in password.lower():
        found.append("密码不能包含账号名")
    if password.lower() in _COMMON:
        found.append("密码过于常见")
    return found


# The demo county's shared password (demo/county.py): production refuses any account that still has it.
DEMO_PASSWORD = "demo12345"
