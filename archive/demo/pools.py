"""Large pools of names for generated documents: places, hospitals, agencies, people, diagnoses.

Names are composed (place prefixes, long official forms) so that no reader can be fitted to a
handful of strings, and they are not taken from the agency's reference lists
(storage_config/reference.toml): a benchmark must not pass because a name is on a list.
"""

from __future__ import annotations

import random

PROVINCES = ("湖南省", "河南省", "四川省", "江西省", "安徽省", "山东省", "河北省", "湖北省", "浙江省",
             "福建省", "贵州省", "云南省", "甘肃省", "山西省", "陕西省", "吉林省", "辽宁省", "江苏省",
             "广东省", "广西壮族自治区", "内蒙古自治区", "宁夏回族自治区", "黑龙江省", "青海省", "海南省")
_PLACE_CHARS = ("安平江阳宁远东西南北山河清源泉丰华兴昌德化永新长宜和临武通庆泰定福寿康乐湘沅汝颍"
                "淮蓝桂桐柏松梅石岩溪川城陵州台峰林")
_PLACE_SUFFIXES = ("县", "县", "县", "市", "区")
_TOWN_SUFFIXES = ("镇", "乡", "街道")
_HOSPITAL_FORMS = (
    "{place}人民医院", "{place}第二人民医院", "{place}第一人民医院", "{place}中医医院", "{place}中医院",
    "{place}中西医结合医院", "{place}妇幼保健院", "{place}妇幼保健计划生育服务中心", "{place}中心医院",
    "{place}骨伤科医院", "{place}精神病医院", "{place}肿瘤医院", "{place}{town}卫生院",
    "{place}{town}中心卫生院", "{place}{town}社区卫生服务中心", "{city}大学附属第一医院",
    "{city}医学院附属医院", "{province}人民医院", "{province}肿瘤医院", "{city}市第三人民医院",
    "{city}市儿童医院", "{place}康复医院",
)
_AGENCY_FORMS = ("{place}医疗保障局", "{place}医疗保障事务中心", "{place}医疗保险服务中心",
                 "{place}医疗保障服务中心", "{city}市医疗保障局")
SURNAMES = ("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢"
            "蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙"
            "万段雷钱汤尹黎易常武乔贺赖龚文")
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "令狐")
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂红玉华建国志文辉斌宇浩凯鹏飞俊晨欣怡"
         "婷雪琳璐晶梦涵子轩梓睿博泽思佳嘉悦雨欣瑶彤颖慧宁远安康福寿德才金银铭海波春秋冬梅菊松柏"
         "云龙凤珍珠琴岚燕蓉萍莉荣")
# Long names as some regions write them (the middle dot of 阿依古丽·买买提 is left out: the PDF
# font the generator uses has no glyph for it, so a text layer would not hold it).
MINORITY_NAMES = ("阿依古丽买买提", "艾力吐尔逊", "扎西多吉", "其其格", "巴特尔", "热依拉艾山")
DEPARTMENTS = ("心血管内科", "呼吸与危重症医学科", "普通外科", "泌尿外科", "肾内科", "内分泌科", "神经外科",
               "消化内科", "血液科", "肿瘤科", "康复医学科", "眼科", "耳鼻咽喉科", "皮肤科", "中医科",
               "急诊科", "重症医学科", "老年病科", "感染科", "产科", "新生儿科", "小儿内科", "脊柱外科",
               "手足外科", "胸外科")
DIAGNOSES = ("社区获得性肺炎", "冠状动脉粥样硬化性心脏病", "急性阑尾炎", "腰椎间盘突出症", "脑梗死",
             "慢性阻塞性肺疾病急性加重", "2型糖尿病", "胆囊结石伴慢性胆囊炎", "高血压病3级", "桡骨远端骨折",
             "肺恶性肿瘤", "急性心肌梗死", "慢性肾功能不全", "子宫平滑肌瘤", "颅内出血", "胃恶性肿瘤",
             "重症肌无力", "股骨粗隆间骨折", "甲状腺结节", "白内障")
REASONS = ("本院不具备诊疗条件", "病情复杂需上级医院会诊", "需行介入手术治疗", "本院无相关专科",
           "需进一步明确诊断", "需放射治疗", "限于技术设备条件", "患者病情危重需转上级医院")
INSURANCE_TYPES = ("职工基本医疗保险", "城乡居民基本医疗保险", "城镇职工", "城乡居民", "离休人员医疗保障",
                   "新型农村合作医疗")
# A daily statement's billed items: (name, spec or unit, insurance class). Many are not on the
# agency's catalogue.
STATEMENT_ITEMS = (
    ("阿莫西林胶囊", "0.25g", "甲"), ("氯化钠注射液", "100ml", "甲"), ("胸部X线摄影", "次", "甲"),
    ("静脉输液", "次", "甲"), ("一级护理", "日", "甲"), ("肝功能检查", "次", "甲"),
    ("葡萄糖注射液", "250ml", "甲"),
    ("注射用奥美拉唑钠", "40mg", "乙"), ("心电图检查", "次", "甲"), ("彩色多普勒超声", "次", "乙"),
    ("普通床位费", "日", "甲"), ("氨溴索注射液", "2ml", "乙"), ("血常规", "次", "甲"), ("吸氧", "小时", "甲"),
    ("头颅CT平扫", "次", "乙"), ("丹参注射液", "10ml", "乙"), ("肾功能检查", "次", "甲"),
    ("换药", "次", "甲"),
)


def place(rng: random.Random) -> str:
    """A county, city or district: two characters and a suffix (平江县, 东阳市, 河西区)."""
    return "".join(rng.sample(_PLACE_CHARS, 2)) + rng.choice(_PLACE_SUFFIXES)


def town(rng: random.Random) -> str:
    return "".join(rng.sample(_PLACE_CHARS, 2)) + rng.choice(_TOWN_SUFFIXES)


def hospital(rng: random.Random) -> str:
    """A long official name: 平江县人民医院, 安宁县东泉镇中心卫生院, 湘桂大学附属第一医院."""
    form = rng.choice(_HOSPITAL_FORMS)
    city = "".join(rng.sample(_PLACE_CHARS, 2))
    name = form.format(place=place(rng), town=town(rng), city=city, province=rng.choice(PROVINCES))
    return name if len(name) <= 20 else hospital(rng)


def agency(rng: random.Random) -> str:
    return rng.choice(_AGENCY_FORMS).format(place=place(rng), city="".join(rng.sample(_PLACE_CHARS, 2)))


def person(rng: random.Random, *, minority: float = 0.0) -> str:
    """A person's name; with probability `minority` one written with a middle dot or long."""
    if rng.random() < minority:
        return rng.choice(MINORITY_NAMES)
    surname = rng.choice(COMPOUND_SURNAMES) if rng.random() < 0.04 else rng.choice(SURNAMES)
    return surname + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def digits(rng: random.Random, length: int) -> str:
    return str(rng.randrange(10 ** (length - 1), 10 ** length))


_COMPANY_FORMS = ("{place}{word}大药房连锁有限公司", "{city}{word}医药连锁有限公司{town}店",
                  "{place}{word}药店有限公司", "{city}{word}健康管理有限公司",
                  "{place}{word}医疗器械有限公司", "{place}{word}诊所有限公司")
_COMPANY_WORDS = ("仁济", "百姓", "同德", "康宁", "益丰", "惠民", "华康", "德仁", "济生", "长寿", "安泰",
                  "众康", "万和", "瑞康", "福瑞", "国大", "天和", "一心")
# A VAT invoice's goods and services as pharmacies and clinics bill them: (name, spec, unit).
VAT_GOODS = (
    ("*化学药品制剂*阿莫西林胶囊", "0.25g*24粒", "盒"), ("*化学药品制剂*布洛芬缓释胶囊", "0.3g*20粒", "盒"),
    ("*中成药*连花清瘟胶囊", "0.35g*24粒", "盒"), ("*中成药*复方丹参滴丸", "27mg*180丸", "瓶"),
    ("*化学药品制剂*硝苯地平控释片", "30mg*7片", "盒"), ("*化学药品制剂*二甲双胍缓释片", "0.5g*30片", "盒"),
    ("*医疗仪器器械*医用外科口罩", "10只/袋", "袋"), ("*医疗仪器器械*电子血压计", "U80", "台"),
    ("*卫生材料*一次性使用无菌注射器", "5ml", "支"), ("*中药饮片*黄芪", "500g", "袋"),
    ("*生物药品*胰岛素注射液", "3ml:300单位", "支"), ("*医疗仪器器械*血糖试纸", "50片", "盒"),
)


# What a chain pharmacy or a supermarket's pharmacy counter sells over the counter, as its till
# names the goods (no tax class): some names begin with figures (84消毒液, 999感冒灵颗粒).
RETAIL_GOODS = (
    ("84消毒液", "500ml", "瓶"), ("999感冒灵颗粒", "10g*9袋", "盒"), ("75%酒精消毒液", "500ml", "瓶"),
    ("999皮炎平软膏", "20g", "支"), ("云南白药创可贴", "100片", "盒"), ("维生素C泡腾片", "1g*20片", "支"),
    ("医用棉签", "200支", "包"), ("板蓝根颗粒", "10g*20袋", "包"), ("0.9%氯化钠注射液", "250ml", "瓶"),
    ("654-2片", "5mg*100片", "瓶"), ("藿香正气水", "10ml*10支", "盒"), ("医用外科口罩", "10只/袋", "袋"),
    ("复方甘草片", "100片", "瓶"), ("三九胃泰颗粒", "20g*6袋", "盒"),
)


def company(rng: random.Random) -> str:
    """A pharmacy's or clinic's registered name: 安平县仁济大药房连锁有限公司."""
    return rng.choice(_COMPANY_FORMS).format(place=place(rng), city="".join(rng.sample(_PLACE_CHARS, 2)),
                                             town=town(rng), word=rng.choice(_COMPANY_WORDS))


def tax_id(rng: random.Random) -> str:
    """A company's unified social credit code (91…, GB 32100) with a correct check character."""
    from stdnum.cn import uscc

    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "91" + digits(rng, 6) + "".join(rng.choice(alphabet) for _ in range(9))
    return body + uscc.calc_check_digit(body)


# What a hospital's shop or a 医保-designated pharmacy sells at its till, as the till names the
# goods: (name, spec, unit); herbs by the gram, some names with figures or Latin letters in them.
SHOP_GOODS = (
    ("阿莫西林胶囊", "0.25g*24粒", "盒"), ("头孢克肟分散片", "0.1g*6片", "盒"),
    ("布洛芬缓释胶囊", "0.3g*20粒", "盒"),
    ("蒙脱石散", "3g*10袋", "盒"), ("奥美拉唑肠溶胶囊", "20mg*14粒", "盒"),
    ("氯雷他定片", "10mg*6片", "盒"),
    ("硝苯地平控释片", "30mg*7片", "盒"), ("苯磺酸氨氯地平片", "5mg*7片", "盒"),
    ("阿托伐他汀钙片", "20mg*7片", "盒"),
    ("二甲双胍缓释片", "0.5g*30片", "盒"), ("格列美脲片", "2mg*30片", "盒"),
    ("维生素B12片", "25μg*100片", "瓶"),
    ("复方丹参滴丸", "27mg*180丸", "瓶"), ("连花清瘟胶囊", "0.35g*24粒", "盒"),
    ("血塞通软胶囊", "0.33g*24粒", "盒"),
    ("六味地黄丸", "200丸", "瓶"), ("小儿氨酚黄那敏颗粒", "6g*10袋", "盒"), ("金银花露", "340ml", "瓶"),
    ("医用外科口罩", "10只/袋", "袋"), ("一次性使用无菌注射器", "5ml", "支"),
    ("医用脱脂纱布", "8cm*10cm", "包"),
    ("弹力绷带", "7.5cm*4.5m", "卷"), ("血糖试纸", "50片", "盒"), ("电子体温计", "MT-101", "支"),
    ("黄芪", "饮片", "g"), ("当归", "饮片", "g"), ("党参", "饮片", "克"),
    ("枸杞子", "饮片", "g"), ("胰岛素笔用针头", "0.25mm*5mm", "盒"), ("84消毒液", "500ml", "瓶"),
    ("75%酒精消毒液", "100ml", "瓶"), ("0.9%氯化钠注射液", "250ml", "瓶"), ("碘伏消毒液", "100ml", "瓶"),
    ("开塞露", "20ml*2支", "盒"),
)
