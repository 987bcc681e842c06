"""Display names of the registry's closed vocabularies (platforms, features, demands, channels) in the UI language.

The stored value stays the Chinese word the source wrote (the files and exports keep it); only what a person
reads is translated. A value outside these lists is data and shows as written.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# Every word is marked here once so that makemessages sees it; the lists below keep their own order.
VALUE_LABELS = {
    "微信": _("微信"),
    "企业微信": _("企业微信"),
    "钉钉": _("钉钉"),
    "QQ": "QQ",
    "政务微信": _("政务微信"),
    "浙政钉": _("浙政钉"),
    "渝快政": _("渝快政"),
    "赣政通": _("赣政通"),
    "微信公众号": _("微信公众号"),
    "微博": _("微博"),
    "抖音": _("抖音"),
    "今日头条": _("今日头条"),
    "快手": _("快手"),
    "视频号": _("视频号"),
    "小红书": _("小红书"),
    "哔哩哔哩": _("哔哩哔哩"),
    "打卡签到": _("打卡签到"),
    "积分排名": _("积分排名"),
    "在线时长": _("在线时长"),
    "点赞转发考核": _("点赞转发考核"),
    "截图留痕": _("截图留痕"),
    "定期登录": _("定期登录"),
    "强制下载": _("强制下载"),
    "安装率考核": _("安装率考核"),
    "学习时长考核": _("学习时长考核"),
    "轨迹上传": _("轨迹上传"),
    "打卡接龙": _("打卡接龙"),
    "即时回复": _("即时回复"),
    "上传照片视频": _("上传照片视频"),
    "定位打卡": _("定位打卡"),
    "收到请回复": _("收到请回复"),
    "关注考核": _("关注考核"),
    "阅读量考核": _("阅读量考核"),
    "系统": _("系统"),
    "邮件": _("邮件"),
    "纸质": _("纸质"),
    "其他": _("其他"),
}


def value_label(value):
    """The UI name of a vocabulary word; any other value (data) as it is."""
    return VALUE_LABELS.get(value, value) if isinstance(value, str) else value


def value_choices(values) -> tuple:
    """(stored value, UI name) pairs for a select."""
    return tuple((value, value_label(value)) for value in values)
