"""What each clue category means, in plain words with an example, for the public form (one place, gettext)."""

from django.utils.translation import gettext_lazy as _

from jianfu.clues.models import Category

CATEGORY_HELP = {
    Category.F1: (
        _("被强制下载应用、要求每天登录或打卡、群里要求接龙或“收到请回复”、考核安装率。"),
        _("例：镇里要求每个村干部每晚十点前在工作群里打卡接龙。"),
    ),
    Category.F2: (
        _("要求截图、拍照、录视频或上传定位轨迹来证明干了工作，以“留痕”代替实绩。"),
        _("例：入户走访后必须拍三张照片并上传定位，才算完成任务。"),
    ),
    Category.F3: (
        _("拿积分排名、在线时长、点赞转发、学习时长来考核或通报。"),
        _("例：公众号文章转发量每周排名，排在后面的单位被通报。"),
    ),
    Category.F4: (
        _("同样的数据要填好几张表、报好几个系统，或者为同一件事建了好几个群。"),
        _("例：同一份低保名单，民政、乡村振兴、统计各要一次，格式还不一样。"),
    ),
    Category.F5: (
        _("没人用的应用、两个月不更新的公众号、任务结束了还不解散的临时群、功能重复的系统。"),
        _("例：去年防汛建的临时群一直没解散，每天还有人在里面发通知。"),
    ),
    Category.OTHER: (_("其他增加基层负担的指尖上的形式主义。"), _("例：要求下载多个功能相同的应用分别报送同一件事。")),
}


def category_rows():
    """(value, label, explanation, example) for every category, in the form's order."""
    return [(value, label, *CATEGORY_HELP[Category(value)]) for value, label in Category.choices]
