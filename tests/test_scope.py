"""The scope rule and the article context, on the shipped model: the themes are themes of union
work. Theme words in general news give no theme; a union article's paragraph keeps its theme
without naming the union again."""

from __future__ import annotations

import pytest
from conftest import REPO

from classifier import load_model


@pytest.fixture(scope="module")
def shipped():
    return load_model(REPO / "models" / "current")


# General-news articles full of theme words: the "Scope" table of the taxonomy, each in an
# article of its own as a city daily would print it.
GENERAL = {
    "parcel chain": ["妈妈驿站推出寄件八折优惠,会员可在小区驿站代收包裹",
                     "该品牌负责人介绍,今年计划在全市新增社区驿站60家,延长营业时间至晚上十点。"],
    "school sports": ["实验中学举行冬季长跑比赛",
                      "全校1200余名师生参加,高二年级获得团体总分第一名。"],
    "justice bureau": ["区法律援助中心为残疾人开通免费咨询绿色通道",
                       "区司法局相关负责人说,残疾人可通过电话预约,律师上门提供法律咨询。"],
    "job fair": ["县人社局举办退役军人专场招聘会",
                 "80余家企业提供岗位1600个,现场达成就业意向230人。"],
    "charity": ["区红十字会为困难家庭送去过冬棉衣",
                "此次共发放棉衣、棉被500余件,惠及困难家庭200户。"],
}


@pytest.mark.parametrize("topic", sorted(GENERAL))
def test_general_news_full_of_theme_words_gets_no_theme(shipped, topic):
    result = shipped.tag("\n".join(GENERAL[topic]))[0]
    assert result.themes == (), [(t.id, t.score) for t in result.themes]


def test_the_same_work_jointly_run_by_a_union_gets_its_theme(shipped):
    result = shipped.tag("市总工会联合市人社局举办春风行动招聘会\n"
                         "120家企业提供岗位3000余个,现场达成就业意向600余人。")[0]
    assert "employment_services" in result.theme_ids


UNION_DRIVE = ["市总工会开展家政服务员集中入会活动",
               "5月20日,市总工会在家政服务中心举办新就业形态劳动者集中入会仪式,"
               "向到场的家政服务员宣讲工会会员权益。"]
CONTINUATION = "会后,志愿者为到场的家政服务员逐一登记信息、发放会员卡。"


def test_a_paragraph_that_never_names_the_union_keeps_its_theme_in_a_union_article(shipped):
    result = shipped.tag("\n".join([*UNION_DRIVE, CONTINUATION]))[0]
    last = result.paragraphs[-1]
    assert "new_employment_membership" in [t.id for t in last.themes]


STATION_DETAIL = "驿站内配有微波炉、饮水机和充电设施,每天接待50余人次。"


def test_the_same_paragraph_reads_by_its_article(shipped):
    union = shipped.tag("市总工会新建10家工会驿站\n今年以来,市总工会在城区新建工会驿站10家,"
                        f"为环卫工人、快递员等户外劳动者提供休息场所。\n{STATION_DETAIL}")[0]
    parcel = shipped.tag("菜鸟驿站社区店开业\n本周,某快递品牌在城南新开社区驿站一家,"
                         f"提供包裹代收、寄件服务。\n{STATION_DETAIL}")[0]
    assert "worker_station" in [t.id for t in union.paragraphs[-1].themes]
    assert "worker_station" not in [t.id for t in parcel.paragraphs[-1].themes]
    assert parcel.themes == ()


def test_a_long_article_names_its_main_themes_among_those_it_mentions(shipped):
    stations = [f"{d}区已建成工会驿站{n}家,环卫工人、快递员可以在这里饮水、热饭、休息。"
                for d, n in (("东城", 6), ("西城", 4), ("南湖", 5), ("北山", 3))]
    article = "\n".join(["市总工会推进工会驿站建设", *stations,
                         "此外,市总工会还为困难职工送去慰问金20万元。"])
    result = shipped.tag(article)[0]
    assert result.main_theme_ids == ["worker_station"]
    assert "worker_care" in result.theme_ids
    assert result.themes[0].id == "worker_station" and result.themes[0].main
