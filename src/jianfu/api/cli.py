"""`jianfu token create USERNAME` / `jianfu token revoke USERNAME`: registered by jianfu.cli."""

from __future__ import annotations

import argparse
import sys

from jianfu.bootstrap import EXIT_FAILED, EXIT_OK


def _user(username: str):
    from jianfu.accounts.models import User

    user = User.objects.select_related("unit").filter(username=username).first()
    if user is None:
        print(f"错误：用户「{username}」不存在", file=sys.stderr)
    return user


def cmd_token_create(args: argparse.Namespace) -> int:
    from jianfu.cli import setup_django

    setup_django()
    from jianfu.api.tokens import do_create_token

    user = _user(args.username)
    if user is None:
        return EXIT_FAILED
    if not user.is_active:
        print(f"错误：用户「{user.username}」已停用", file=sys.stderr)
        return EXIT_FAILED
    token, raw = do_create_token(user, acting_user=None, label=args.label or "", days=args.days)
    print(raw)
    print(
        f"已为 {user.username} 创建令牌 {token.prefix}…，有效期至 {token.expires_at:%Y-%m-%d}；令牌只显示这一次",
        file=sys.stderr,
    )
    return EXIT_OK


def cmd_token_revoke(args: argparse.Namespace) -> int:
    from jianfu.cli import setup_django

    setup_django()
    from jianfu.api.tokens import do_revoke_user_tokens

    user = _user(args.username)
    if user is None:
        return EXIT_FAILED
    count = do_revoke_user_tokens(user, acting_user=None)
    print(f"已撤销 {user.username} 的 {count} 个令牌")
    return EXIT_OK


def _positive_days(text: str) -> int:
    days = int(text)
    if days < 1:
        raise argparse.ArgumentTypeError("有效天数应为正整数")
    return days


def add_parsers(sub) -> None:
    p = sub.add_parser("token", help="API 令牌")
    token_sub = p.add_subparsers(dest="token_command", required=True)
    q = token_sub.add_parser("create", help="为用户创建新令牌（打印到标准输出，只显示一次）")
    q.add_argument("username")
    q.add_argument("--days", type=_positive_days, help="有效天数（默认 JIANFU_API_TOKEN_DAYS，90）")
    q.add_argument("--label", help="用途说明")
    q.set_defaults(func=cmd_token_create)
    q = token_sub.add_parser("revoke", help="撤销该用户的全部令牌")
    q.add_argument("username")
    q.set_defaults(func=cmd_token_revoke)
