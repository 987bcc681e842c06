"""Form families (一表通): several departments of a county asking villages the same data in their own words.

Each family is a set of data elements about one subject (people in difficulty, the elderly, rural
households, safety hazards, epidemic prevention). Every department's form of a family asks at least nine of
its eleven elements, each printed in that department's wording: the catalog name, a synonym, the unit in
brackets, full-width brackets or Traditional characters. Any two forms of a family therefore share at least
70% of the smaller one's elements (planted ``duplicate_forms``); no element of a family is asked by any
other form, so the rest of the generator's guarantees hold.

The family elements go into the element catalog (``数据元.xlsx``, import kind ``elements``) with some of
their wordings as synonyms (the others are for the matcher to find), and the values a county already holds
for them go into ``数据元取值.csv`` (import kind ``values``): one per village (or community) and element for
the year, about 85% of them held, so issued family forms can be pre-filled.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .catalog import Indicator
from .messy import traditional

# family | respondent departments | elements: name:unit:wording/wording…  (the first wordings are synonyms
# the catalog knows; the last one of each is left for the matcher)
_FAMILIES = """
困难群众|民政局,乡村振兴局,残疾人联合会,医疗保障局,人力资源和社会保障局,教育局,妇女联合会|困难群众总户数:户:困难家庭户数/困难群众户数;困难群众总人数:人:困难群众人口数/困难人员总数;因病致困户数:户:因病困难户数/因病致困家庭户数;因学致困户数:户:因学困难户数/因学致困家庭户数;无劳动能力人数:人:丧失劳动能力人数/无劳动能力人员数;住房困难户数:户:住房困难家庭户数/住房困难戶數;医疗救助支出金额:万元:医疗救助资金/医疗救助支出;临时救助支出金额:万元:临时救助资金/临时救助支出;慰问困难群众人次:人次:走访慰问困难群众人次/困难群众慰问人次;结对帮扶干部人数:人:结对帮扶干部数/结对干部人数;困难群众回访人次:人次:电话回访困难群众人次/回访困难群众人次
老年关爱|民政局,卫生健康委员会,医疗保障局,人力资源和社会保障局,退役军人事务局,妇女联合会,文明办|失能老人人数:人:失能老年人数/失能老年人人数;半失能老人人数:人:半失能老年人数/半失能老年人人数;空巢老人人数:人:空巢老年人数/空巢老年人人数;百岁老人人数:人:100岁以上老人数/百岁老年人数;老年协会个数:个:老年人协会数/老年协会数量;居家养老服务站个数:个:居家养老服务站数/居家养老服务站数量;老年食堂个数:个:老年食堂数/长者食堂个数;助餐服务人次:人次:老年助餐人次/助餐服务人数次;老年人体检人数:人:老年人健康体检人数/老人体检人员数;老年人意外险参保人数:人:老年人意外伤害保险人数/老人意外险参保人员数;老年人防诈宣传场次:场:老年人反诈宣传场次/老年防诈宣传次数
农户家庭|农业农村局,乡村振兴局,统计局,自然资源局,住房和城乡建设局,生态环境局,税务局|农户总户数:户:农户户数/农村家庭户数;农户家庭总人口:人:农户人口数/农户家庭人口数;自来水入户户数:户:通自来水户数/自来水到户户数;宽带入户户数:户:通宽带户数/宽带到户户数;卫生厕所户数:户:无害化卫生厕所户数/卫生户厕户数;农房总栋数:栋:农村住房栋数/农房栋数量;闲置农房栋数:栋:闲置农村住房栋数/空置农房栋数;土地流转面积:亩:承包地流转面积/流转土地面积;家庭农场个数:个:家庭农场数/家庭农场数量;农民专业合作社个数:个:农民合作社个数/专业合作社数;农户经营性收入:万元:农户经营收入/家庭经营性收入
安全隐患|应急管理局,消防救援大队,住房和城乡建设局,市场监督管理局,公安局,城市管理局,水利局|隐患排查点位数:个:隐患排查点数/排查点位个数;一般隐患条数:条:一般隐患数/一般安全隐患条数;挂牌督办隐患条数:条:挂牌督办隐患数/督办隐患条数;隐患整改完成条数:条:已整改隐患条数/隐患整改销号条数;安全检查出动人次:人次:安全检查人次/检查出动人次;安全宣传培训场次:场:安全培训场次/安全宣传场次;应急演练次数:次:应急演练场次/应急疏散演练次数;应急物资储备点个数:个:应急物资储备点数/物资储备点个数;安全员人数:人:安全员数/专兼职安全员人数;危化品经营单位数:家:危险化学品经营单位数/危化品经营企业数;安全事故隐患举报件数:件:隐患举报件数/安全隐患举报数
疫情防控|卫生健康委员会,疾病预防控制中心,医疗保障局,教育局,市场监督管理局,公安局,交通运输局|发热病人登记人数:人:发热人员登记数/发热病人人数;居家健康监测人数:人:居家监测人数/居家健康监测人员数;疫苗接种点个数:个:接种点个数/疫苗接种点数;老年人疫苗接种人数:人:老人疫苗接种人数/老年人接种人数;防疫物资储备点个数:个:防疫物资储备点数/防疫物资点个数;消杀作业次数:次:消毒消杀次数/环境消杀次数;核酸采样点个数:个:核酸检测采样点个数/采样点个数;抗原检测试剂储备量:份:抗原试剂储备份数/抗原检测试剂储备;村医人数:人:乡村医生人数/村卫生室医生数;村卫生室个数:个:村卫生室数/村级卫生室个数;防疫宣传户数:户:防疫宣传入户户数/防疫宣传到户数
"""
FAMILY_TITLES = ["情况统计表", "基本情况表", "摸底调查表", "月报表", "台账", "信息采集表", "工作情况表"]
#: share of (village, element) values the county already holds for the family elements
HELD_SHARE = 0.85
#: elements each form of a family asks (of its eleven)
MIN_ASKED = 9


@dataclass(frozen=True)
class FamilyElement:
    indicator: Indicator
    wordings: tuple[str, ...]  # the catalog name and the other wordings departments print


@dataclass(frozen=True)
class Family:
    name: str
    departments: tuple[str, ...]
    elements: tuple[FamilyElement, ...]


def parse_families(first_code: int) -> list[Family]:
    """The families, their elements numbered from ``first_code`` (after the generator's indicators)."""
    out = []
    n = first_code
    for line in _FAMILIES.strip().splitlines():
        name, depts, specs = line.split("|")
        elements = []
        for spec in specs.split(";"):
            element_name, unit, wordings = spec.split(":")
            elements.append(
                FamilyElement(Indicator(f"E{n:04d}", element_name, unit, "数值"), (element_name, *wordings.split("/")))
            )
            n += 1
        out.append(Family(name, tuple(depts.split(",")), tuple(elements)))
    return out


def catalog_synonyms(element: FamilyElement) -> list[str]:
    """The wordings the catalog already knows: all but the last (that one the matcher must find)."""
    return list(element.wordings[1:-1])


def printed_wording(element: FamilyElement, rng: np.random.Generator) -> str:
    """A department's wording of the element, as printed on its form."""
    text = element.wordings[int(rng.integers(len(element.wordings)))]
    shape = int(rng.integers(5))
    if shape == 1:
        return f"{text}（{element.indicator.unit}）"
    if shape == 2:
        return f"{text}({element.indicator.unit})"
    if shape == 3:
        return traditional(text)
    return text


def family_forms(families: list[Family], rng: np.random.Generator) -> list[tuple[Family, str, list[Indicator]]]:
    """(family, issuing department name, elements asked) for every department of every family."""
    out = []
    for family in families:
        for dept in family.departments:
            k = int(rng.integers(MIN_ASKED, len(family.elements) + 1))
            chosen = sorted(rng.choice(len(family.elements), size=k, replace=False).tolist())
            out.append((family, dept, [family.elements[j].indicator for j in chosen]))
    return out


def held_value(indicator: Indicator, rng: np.random.Generator) -> int | float:
    """A plausible value of a village (or township) for the element."""
    if indicator.unit == "万元":
        return round(float(rng.uniform(0.5, 80.0)), 2)
    if indicator.unit in ("户", "人"):
        return int(rng.integers(3, 400))
    if indicator.unit == "人次":
        return int(rng.integers(10, 900))
    if indicator.unit == "亩":
        return int(rng.integers(20, 3000))
    if indicator.unit == "元":
        return int(rng.integers(8000, 40000))
    return int(rng.integers(0, 40))
