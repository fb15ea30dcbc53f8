"""The Kunming 2017 command structure as the article names it, and the vocabulary synthetic
records are made from. Leaders appear by role only; no statement is put in a real person's
mouth."""
from __future__ import annotations

SUB_HQS = [  # (id, name, commander role, focus, member unit ids)
    ("key-work", "重点工作和创建活动指挥部", "市委常委、宣传部部长", "重点工作推进、群众性创建活动",
     ["city-propaganda", "city-civilization-office", "city-youth-league"]),
    ("government-affairs", "政务环境整治指挥部", "市委常委、秘书长", "廉洁高效的政务环境、窗口单位服务",
     ["city-government-services", "city-civilization-office"]),
    ("rule-of-law", "法制环境整治指挥部", "市委常委、政法委书记", "公正公平的法治环境、交通秩序",
     ["city-public-security", "city-traffic-police", "city-justice"]),
    ("market", "市场环境整治指挥部", "副市长（分管市场监管）", "规范守信的市场环境、农贸市场",
     ["city-market-supervision", "city-commerce"]),
    ("culture-minors", "人文环境整治和未成年人成长环境建设指挥部", "市委常委、宣传部副部长（常务）",
     "健康向上的人文环境、未成年人思想道德建设", ["city-education", "city-culture-tourism", "city-youth-league"]),
    ("living", "生活环境整治指挥部", "副市长（分管城市管理）", "安居乐业的生活环境、背街小巷、公厕、小区",
     ["city-urban-management", "city-housing", "city-transport"]),
    ("social", "社会环境整治指挥部", "副市长（分管公安）", "社会治安、公共场所秩序",
     ["city-public-security", "city-civil-affairs"]),
    ("ecology", "生态环境整治指挥部", "副市长（分管生态环境）", "可持续发展的生态环境、滇池保护",
     ["city-ecology", "city-landscaping", "city-water"]),
    ("volunteer", "社会志愿服务工作指挥部", "市委副秘书长", "志愿服务站点、学雷锋活动",
     ["city-youth-league", "city-civil-affairs"]),
]

CITY_UNITS = [
    ("city-propaganda", "市委宣传部"), ("city-civilization-office", "市文明办"),
    ("city-youth-league", "团市委"), ("city-government-services", "市政务服务管理局"),
    ("city-public-security", "市公安局"), ("city-traffic-police", "市公安局交通警察支队"),
    ("city-justice", "市司法局"), ("city-market-supervision", "市市场监督管理局"),
    ("city-commerce", "市商务局"), ("city-education", "市教育体育局"),
    ("city-culture-tourism", "市文化和旅游局"), ("city-urban-management", "市城市管理综合行政执法局"),
    ("city-housing", "市住房和城乡建设局"), ("city-transport", "市交通运输局"),
    ("city-civil-affairs", "市民政局"), ("city-ecology", "市生态环境局"),
    ("city-landscaping", "市园林绿化局"), ("city-water", "市水务局"),
]

# (id, name, kind, streets) — main urban districts carry their street offices.
DISTRICTS = [
    ("wuhua", "五华区", "district", ["华山", "护国", "大观", "龙翔", "丰宁", "莲华", "红云", "黑林铺", "普吉"]),
    ("panlong", "盘龙区", "district", ["拓东", "鼓楼", "东华", "联盟", "金辰", "青云", "龙泉", "茨坝", "双龙"]),
    ("guandu", "官渡区", "district", ["关上", "太和", "吴井", "金马", "小板桥", "官渡", "矣六", "六甲"]),
    ("xishan", "西山区", "district", ["金碧", "永昌", "前卫", "福海", "棕树营", "马街", "西苑", "碧鸡", "海口"]),
    ("dongchuan", "东川区", "district", ["铜都", "碧谷", "汤丹"]),
    ("chenggong", "呈贡区", "district", ["龙城", "乌龙", "洛羊", "吴家营", "雨花", "大渔"]),
    ("jinning", "晋宁区", "district", ["昆阳", "宝峰", "晋城"]),
    ("anning", "安宁市", "city", ["连然", "金方", "太平新城"]),
    ("fumin", "富民县", "county", ["永定", "大营"]),
    ("yiliang", "宜良县", "county", ["匡远", "南羊"]),
    ("shilin", "石林彝族自治县", "county", ["鹿阜", "石林"]),
    ("songming", "嵩明县", "county", ["嵩阳", "杨林"]),
    ("luquan", "禄劝彝族苗族自治县", "county", ["屏山", "转龙"]),
    ("xundian", "寻甸回族彝族自治县", "county", ["仁德", "塘子"]),
    ("dianchi-resort", "滇池国家旅游度假区", "zone", []),
    ("economic-zone", "经济技术开发区", "zone", []),
    ("high-tech-zone", "高新技术产业开发区", "zone", []),
    ("yangzonghai", "阳宗海风景名胜区", "zone", []),
    ("airport-zone", "空港经济区", "zone", []),
]

DISTRICT_UNITS = [("city-management", "城市管理局"), ("market-supervision", "市场监督管理局"),
                  ("housing", "住房和城乡建设局"), ("education", "教育体育局"),
                  ("traffic-police", "公安交警大队")]

MEDIA = [("kunming-daily", "昆明日报", "newspaper"), ("spring-city-evening", "春城晚报", "newspaper"),
         ("kunming-tv", "昆明电视台", "tv"), ("kunming-radio", "昆明人民广播电台", "radio"),
         ("zhangshang-chuncheng", "掌上春城", "online")]

ASSESSORS = [("yunling-survey", "云岭社会调查研究中心（虚构）"),
             ("dianzhong-evaluation", "滇中城市发展评估所（虚构）")]

ITEMS = [("item-government", "廉洁高效的政务环境"), ("item-rule-of-law", "公正公平的法治环境"),
         ("item-market", "规范守信的市场环境"), ("item-culture", "健康向上的人文环境"),
         ("item-living", "安居乐业的生活环境"), ("item-ecology", "可持续发展的生态环境"),
         ("item-activities", "扎实有效的创建活动")]

SITE_TYPES = [  # (id, name, typical problems, district unit responsible, sub_hq, indicator)
    ("main-road", "主次干道", ["流动摊贩占道经营", "机动车乱停乱放", "非机动车乱停放", "乱张贴小广告", "公益广告破损"],
     "city-management", "living", "city-appearance"),
    ("back-street", "背街小巷", ["路面破损坑洼", "路灯不亮", "垃圾乱堆乱放", "污水外溢", "乱搭乱建"],
     "city-management", "living", "back-streets"),
    ("farmers-market", "农贸市场", ["生熟不分区经营", "地面脏乱积水", "超出店外经营", "计量器具未检定"],
     "market-supervision", "market", "markets"),
    ("public-toilet", "公共厕所", ["卫生差有异味", "设施损坏", "标识缺失"],
     "city-management", "living", "sanitation"),
    ("bus-stop", "公交站台", ["站台公益广告缺失", "站台乱张贴", "候车设施破损"],
     "city-management", "living", "public-ads"),
    ("intersection", "交通路口", ["行人闯红灯", "机动车不礼让行人", "交通护栏损坏", "文明交通劝导岗缺位"],
     "traffic-police", "rule-of-law", "traffic-order"),
    ("service-window", "窗口单位", ["无障碍设施缺失", "未公示服务承诺", "公益广告缺失"],
     "city-management", "government-affairs", "service-windows"),
    ("residential", "居民小区", ["楼道堆放杂物", "垃圾清运不及时", "飞线充电", "绿化带毁绿种菜"],
     "housing", "living", "communities"),
    ("school-surroundings", "学校周边", ["校门口流动摊贩", "周边交通秩序混乱", "周边违规经营小卖部"],
     "education", "culture-minors", "minors"),
    ("internet-cafe", "网吧", ["接纳未成年人上网", "未悬挂禁止未成年人进入标识"],
     "market-supervision", "culture-minors", "minors"),
    ("park", "公园", ["绿化带缺株断垄", "游园设施破损", "不文明游园行为劝导缺位"],
     "city-management", "ecology", "greening"),
    ("square", "广场", ["乱扔垃圾烟头", "广场公益广告陈旧", "志愿服务站无人值守"],
     "city-management", "volunteer", "volunteering"),
    ("construction-site", "建筑工地", ["工地围挡破损", "渣土车带泥上路", "围挡公益广告缺失"],
     "housing", "ecology", "construction"),
]

INDICATORS = [  # (id, name, item, method, site types, standard)
    ("city-appearance", "市容市貌", "item-living", "field_check", ["main-road", "square"],
     "主次干道无占道经营、乱停乱放、乱张贴"),
    ("back-streets", "背街小巷", "item-living", "field_check", ["back-street"], "路面平整、照明完好、无垃圾堆放"),
    ("markets", "农贸市场管理", "item-market", "field_check", ["farmers-market"], "划行归市、环境整洁、计量准确"),
    ("sanitation", "环境卫生", "item-living", "field_check", ["public-toilet", "back-street"], "公厕干净无异味、设施完好"),
    ("public-ads", "公益广告", "item-culture", "field_check", ["bus-stop", "main-road", "construction-site"],
     "公益广告数量充足、内容规范、无破损"),
    ("traffic-order", "交通秩序", "item-rule-of-law", "field_check", ["intersection"], "行人车辆守法、礼让斑马线"),
    ("service-windows", "窗口服务", "item-government", "field_check", ["service-window"], "服务规范、设施无障碍"),
    ("communities", "社区建设", "item-living", "field_check", ["residential"], "小区环境整洁、物业管理到位"),
    ("minors", "未成年人成长环境", "item-culture", "field_check", ["school-surroundings", "internet-cafe"],
     "学校周边环境整洁有序、网吧不接纳未成年人"),
    ("greening", "园林绿化", "item-ecology", "field_check", ["park"], "绿化完好、设施整洁"),
    ("volunteering", "志愿服务", "item-activities", "field_check", ["square"], "志愿服务站点有人值守、活动常态化"),
    ("construction", "施工管理", "item-ecology", "field_check", ["construction-site"], "围挡完好、出入车辆冲洗"),
    ("transparency", "政务公开", "item-government", "document_review", [], "政务信息按时公开"),
    ("satisfaction", "群众满意度", "item-activities", "survey", [], "市民对创建工作的知晓率与满意度"),
]

ROADS = ["北京路", "人民中路", "东风西路", "青年路", "环城南路", "白塔路", "穿金路", "金碧路", "西昌路",
         "滇池路", "春城路", "关上中路", "广福路", "日新路", "昌源路", "彩云路", "建设路", "学府路",
         "龙泉路", "北辰大道", "西坝路", "船房路", "福德路", "小康大道"]

PLACES = {"main-road": "{road}与{road2}交叉口", "back-street": "{road}旁小巷", "farmers-market": "{street}农贸市场",
          "public-toilet": "{road}公厕", "bus-stop": "{road}公交站", "intersection": "{road}与{road2}交叉口",
          "service-window": "{street}便民服务中心", "residential": "{street}某小区",
          "school-surroundings": "{road}小学周边", "internet-cafe": "{road}某网吧", "park": "{street}社区公园",
          "square": "{street}文化广场", "construction-site": "{road}某在建工地"}

INSPECTION_LEADERS = ["市人大常委会副主任", "市政协副主席", "副市长", "市人大常委会副主任", "市政协副主席",
                      "市委常委", "副市长", "市政协副主席"]

GOOD_NEWS = ["志愿者开展文明交通劝导", "背街小巷改造完成", "农贸市场整治见成效", "社区开展道德讲堂活动",
             "公益广告焕然一新", "学校周边环境明显改善"]
