# ruff: noqa: E501 -- one complaint per line reads like the list the office keeps
"""A second set of complaints, kept apart from ``cases.py``: written after the matcher and the triage rules
(a reviewer's probe of 36, then 38 more in other towns, units and styles). Same form as ``cases.py``.

``索道公司`` has no 索道 unit in the Wutaishan tree to go to, and a company named only by its line of
business is not evidence of a private firm: the office asks for the full name (needs_info). A halted unit
named outright (停产企业, outside the campaign) is flagged for the office to check, not redirected.
"""

from __future__ import annotations

from decimal import Decimal as D

from tests.complaints.cases import Case

W = "wutaishan."
# fmt: off
PROBE: list[Case] = [
    Case("台怀镇政府财政所", "12万", "镇财政所的办公用品款。", "accept", W + "taihuai", D("120000")),
    Case("景区规建局", "30万", "道路修补工程款，验收合格。", "accept", W + "construction", D("300000")),
    Case("五台山风景区住建局", "约25万", "景区公厕改造工程尾款。", "accept", W + "construction", D("250000"), True, "micro"),
    Case("景区交通运输局", "9万", "道路标线施工。", "accept", W + "transport", D("90000")),
    Case("景区文旅局", "6万", "旅游节的舞台搭建费。", "accept", W + "tourism", D("60000")),
    Case("五台山旅游集团", "40万", "集团的宣传物料制作。", "accept", W + "tourism-group", D("400000")),
    Case("旅游集团客运公司", "11万", "客运车辆的GPS设备款。", "accept", W + "tourism-group.bus", D("110000")),
    Case("景区环卫站", "3万", "环卫扫帚、簸箕采购款。", "accept", W + "construction.sanitation", D("30000"), False, "micro"),
    Case("景区游客中心", "2万", "游客中心的导览图印刷。", "accept", W + "visitor-center", D("20000"), False, "micro"),
    Case("五台山城投公司", "70多万", "安置小区的门窗款。", "accept", W + "urban-invest", D("700000"), True),
    Case("城投公司供水", "5万", "供水管网维修材料款。", "accept", W + "urban-invest.water", D("50000")),
    Case("景区审计局", "8万", "审计软件服务费。", "accept", W + "audit", D("80000")),
    Case("五台山森林防火中心", "14万", "防火瞭望塔维修。", "accept", W + "fire-forest", D("140000")),
    Case("金岗库乡", "6.5万", "乡政府院墙维修，不想打官司，只想要回钱。", "accept", W + "jingangku", D("65000")),
    Case("耿镇政府", "20-30万", "如果再不给就去法院，现在先找清欠办。", "accept", W + "gengzhen", D("200000"), True),
    Case("景区文物局", "15万", "还没有起诉，怕影响以后合作。", "accept", W + "heritage", D("150000")),
    Case("五台山管委会", "10万", "管委会下面哪个单位欠的不清楚。", "needs_info", None, D("100000")),
    Case("景区", "5万", "景区里的活。", "needs_info", None, D("50000")),
    Case("景区城管局", "7万", "城管局的执法服装款。", "needs_info", None, D("70000")),
    Case("石咀乡政府", "", "具体金额还在对账。", "needs_info", W + "shizui", None),
    Case("台怀镇政府", "6万", "判决书已经下来了，镇里还是不给。", "judicial", W + "taihuai", D("60000")),
    Case("景区财政局", "18万", "我们在五台县法院起诉了。", "judicial", W + "finance", D("180000")),
    Case("五台山城投", "50万", "官司打赢了，对方没钱执行。", "judicial", W + "urban-invest", D("500000")),
    Case("景区应急管理局", "9万", "已经申请强制执行。", "judicial", W + "emergency", D("90000")),
    Case("赵老板", "4万", "私人老板欠的材料款。", "private_debtor", None, D("40000"), False, "micro"),
    Case("五台山鑫达建筑工程有限公司", "30万", "总包单位拖欠分包款。", "private_debtor", None, D("300000")),
    Case("刘建国", "2万", "个人欠款。", "private_debtor", None, D("20000"), False, "micro"),
    Case("台怀镇顺心宾馆", "1.8万", "宾馆的床品款。", "private_debtor", None, D("18000"), False, "micro"),
    Case("五台县人民政府", "80万", "县里的项目。", "outside_jurisdiction", None, D("800000")),
    Case("忻州市文旅局", "12万", "市里的旅游推介会。", "outside_jurisdiction", None, D("120000")),
    Case("繁峙县人民医院", "9万", "医院的耗材。", "outside_jurisdiction", None, D("90000")),
    Case("东冶镇政府", "7万", "东冶镇的路灯。", "outside_jurisdiction", None, D("70000")),
    Case("景区交通局", "900万", "我们是中铁下属的大型企业。", "not_sme", W + "transport", D("9000000")),
    Case("五台山旅游集团", "2000万", "景区智慧化建设总承包。", "not_sme", W + "tourism-group", D("20000000"), False, "large"),
    Case("五台山旅游集团文化演艺有限公司", "5万", "演出服装款。", "needs_info", None, D("50000")),
    Case("索道公司", "8万", "索道维护费。", "needs_info", None, D("80000")),
]

MORE: list[Case] = [
    # --- accept, amounts written the ways the probe found refused
    Case("台怀镇人民政府", "两万三", "镇里文化站的音响设备，说好年底结。", "accept", W + "taihuai", D("23000")),
    Case("金岗库乡政府", "4万8", "乡里的防火隔离带清理人工费。", "accept", W + "jingangku", D("48000")),
    Case("石咀乡", "35万块", "石咀乡村里的路灯安装，都验收了。", "accept", W + "shizui", D("350000")),
    Case("耿镇镇政府", "35w", "耿镇敬老院的锅炉改造。", "accept", W + "gengzhen", D("350000")),
    Case("景区游客服务中心", "三万五", "游客服务中心的智能语音导览设备。", "accept", W + "visitor-center", D("35000")),
    Case("五台山景区森林防火中心", "二十多万", "给防火中心做的监控塔，说资金没到位。", "accept", W + "fire-forest", D("200000"), True),
    Case("景区财政局", "十几万", "财政局的档案室密集柜。", "accept", W + "finance", D("100000"), True),
    Case("五台山城投", "四十来万", "城投安置小区的电梯维保费。", "accept", W + "urban-invest", D("400000"), True),
    Case("城投供水公司", "1万2", "给供水公司修了两次水泵。", "accept", W + "urban-invest.water", D("12000"), False, "micro"),
    Case("景区自然资源局", "35万元（含税）", "林地调查的技术服务费，合同写的含税价。", "accept", W + "natural-resources", D("350000")),
    Case("五台山风景名胜区应急管理局", "20万-30万", "防汛应急物资，具体数要等结算。", "accept", W + "emergency", D("200000"), True),
    Case("景区旅游发展局", "9,800元", "旅发局的宣传册印刷。", "accept", W + "tourism", D("9800"), False, "micro"),
    Case("五台山旅游集团景区客运公司", "约12万元", "观光车座椅更换。", "accept", W + "tourism-group.bus", D("120000"), True),
    Case("旅游集团酒店", "26000元", "酒店的布草洗涤，拖了八个月。", "accept", W + "tourism-group.hotel", D("26000")),
    # --- accept: court words that are not a lawsuit, a large debtor (not creditor)
    Case("台怀镇政府", "8万", "对方说让我们去起诉，我们不想撕破脸，还是想通过清欠办解决。", "accept", W + "taihuai", D("80000")),
    Case("景区文物局", "16万", "上次向清欠办反映过，清欠办已立案登记，但一直没有结果。", "accept", W + "heritage", D("160000")),
    Case("五台山城投", "60万", "我们是小企业，城投是大型国企，欠钱不给。", "accept", W + "urban-invest", D("600000")),
    Case("景区交通局", "25万", "我们不是大型企业，是小微企业，垫资修的路。", "accept", W + "transport", D("250000"), False, "micro"),
    # --- needs_info
    Case("景区里的单位", "3万", "订的盒饭，记不清是哪个局了。", "needs_info", None, D("30000")),
    Case("五台山", "6万", "五台山上干的活。", "needs_info", None, D("60000")),
    Case("演艺公司", "4万", "旅游集团演艺公司的演出道具款。", "needs_info", None, D("40000")),
    Case("物业公司", "2万", "景区物业公司的保洁用品。", "needs_info", None, D("20000"), False, "micro"),
    Case("景区民政局", "7万", "民政局的养老院床位。", "needs_info", None, D("70000")),
    Case("耿镇镇政府", "待定", "耿镇的活，钱数还没算。", "needs_info", W + "gengzhen", None),
    # --- judicial
    Case("金岗库乡人民政府", "22万", "2023年在县法院起诉了，法院判了乡政府还钱，到现在没执行。", "judicial", W + "jingangku", D("220000")),
    Case("景区规划建设局", "约80万", "已向忻州仲裁委申请仲裁，正在审理。", "judicial", W + "construction", D("800000"), True),
    Case("石咀乡政府", "15万", "法院已经受理了我们的案子。", "judicial", W + "shizui", D("150000")),
    # --- private debtor
    Case("孙经理", "5万", "孙经理个人定的货，说是给景区用的。", "private_debtor", None, D("50000")),
    Case("五台山祥瑞旅游开发有限公司", "30万", "一家民营旅游公司，欠我们装修款。", "private_debtor", None, D("300000")),
    Case("台怀镇老周饭店", "8000元", "饭店欠的蔬菜钱。", "private_debtor", None, D("8000"), False, "micro"),
    # --- outside the jurisdiction
    Case("繁峙县政府", "50万", "繁峙县的道路工程。", "outside_jurisdiction", None, D("500000")),
    Case("代县住建局", "20万", "代县的老旧小区改造。", "outside_jurisdiction", None, D("200000")),
    Case("五台县人民法院", "12万", "给县法院做的装修工程款，一直拖着不给。", "outside_jurisdiction", None, D("120000")),
    Case("阳明堡镇政府", "9万", "阳明堡镇的街道绿化。", "outside_jurisdiction", None, D("90000")),
    # --- not an SME
    Case("景区住建局", "1500万", "我司属于大型国企，承建了景区道路。", "not_sme", W + "construction", D("15000000")),
    Case("五台山城投", "600万", "规模以上大型企业，给城投做的安置房主体工程。", "not_sme", W + "urban-invest", D("6000000")),
    Case("台怀镇政府", "300万", "我们公司是中建旗下的大型企业，在镇上修了污水处理厂。", "not_sme", W + "taihuai", D("3000000")),
    Case("景区审计局", "120万", "审计系统集成。", "not_sme", W + "audit", D("1200000"), False, "large"),
]
# fmt: on
CASES_MORE: list[Case] = PROBE + MORE
