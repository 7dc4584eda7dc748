# ruff: noqa: E501 -- one complaint per line reads like the list the office keeps
"""Complaints as SME owners write them, against the Wutaishan tree (tenants/wutaishan/org.yaml), with the
outcome the office would reach: the triage category, the debtor unit (by code) and the amount as understood.

``debtor`` None means no unit of the jurisdiction should be offered. ``amount`` None means blank.
"""

from __future__ import annotations

from decimal import Decimal as D
from typing import NamedTuple


class Case(NamedTuple):
    debtor: str
    amount: str
    description: str
    expected: str
    unit: str | None
    value: D | None
    approximate: bool = False
    size: str = "small"


W = "wutaishan."
# fmt: off
CASES: list[Case] = [
    # --- accept: a named unit of the tree, a plain debt
    Case("台怀镇政府", "35万", "2022年给镇上做的街道亮化工程，验收完了一直没给钱。", "accept", W + "taihuai", D("350000")),
    Case("台怀镇人民政府", "169,700元", "供应办公桌椅一批，发票已开，对方说财政没拨款。", "accept", W + "taihuai", D("169700")),
    Case("台怀镇", "约43.9万元", "镇里污水管网改造工程尾款，结算审计已经做完。", "accept", W + "taihuai", D("439000"), True),
    Case("金岗库乡政府", "20多万", "乡里村道硬化，干完两年了还欠着。", "accept", W + "jingangku", D("200000"), True),
    Case("金岗库镇政府", "128000", "给乡政府送的取暖煤款，欠条在我这儿。", "accept", W + "jingangku", D("128000")),
    Case("石咀乡人民政府", "8.6万元", "石咀乡党建阵地装修，合同约定完工付清。", "accept", W + "shizui", D("86000")),
    Case("石咀乡财政所", "36,500.00", "乡财政所答应年底付，到现在没动静。", "accept", W + "shizui", D("36500")),
    Case("耿镇镇政府", "５６０００元", "耿镇镇政府食堂的蔬菜配送款（全角数字）。", "accept", W + "gengzhen", D("56000")),
    Case("耿镇", "12万左右", "耿镇防汛物资采购，货都送到了。", "accept", W + "gengzhen", D("120000"), True),
    Case("景区住建局", "47万", "景区住建局的游客步道维修工程，竣工结算47万。", "accept", W + "construction", D("470000")),
    Case("五台山风景名胜区规划建设局", "1,280,000元", "停车场改造工程款，审计后确认。", "accept", W + "construction", D("1280000")),
    Case("景区建设局", "30万余元", "做的护坡挡墙工程，欠30多万。", "accept", W + "construction", D("300000"), True),
    Case("五台山城投", "260万", "城投的安置房项目钢材款，对账单都签字了。", "accept", W + "urban-invest", D("2600000")),
    Case("五台山城投公司", "88万元", "给城投做的道路绿化工程。", "accept", W + "urban-invest", D("880000")),
    Case("城投供水公司", "15.2万", "自来水管材款，供水公司一直拖着。", "accept", W + "urban-invest.water", D("152000")),
    Case("五台山城投供水有限公司", "9,860元", "水表更换的人工费。", "accept", W + "urban-invest.water", D("9860")),
    Case("文旅集团索道公司", "60万", "索道站房装修，文旅集团说资金紧张。", "accept", W + "tourism-group", D("600000")),
    Case("五台山文旅集团", "约100万", "集团年会、宣传片制作费用。", "accept", W + "tourism-group", D("1000000"), True),
    Case("五台山旅游集团有限公司", "345000", "景区导视标牌制作安装。", "accept", W + "tourism-group", D("345000")),
    Case("旅游集团酒店管理公司", "7.8万", "酒店布草洗涤费，按月结算，拖了半年。", "accept", W + "tourism-group.hotel", D("78000")),
    Case("五台山旅游集团酒店", "52,300元", "酒店客房用品供货款。", "accept", W + "tourism-group.hotel", D("52300")),
    Case("景区观光车公司", "18万", "观光车轮胎和保养配件款。", "accept", W + "tourism-group.bus", D("180000")),
    Case("五台山景区客运公司", "23万元", "客运车辆维修费。", "accept", W + "tourism-group.bus", D("230000")),
    Case("景区环卫中心", "约6万", "环卫垃圾桶采购款。", "accept", W + "construction.sanitation", D("60000"), True),
    Case("五台山环卫所", "4万多", "环卫工人的工作服，订了两批。", "accept", W + "construction.sanitation", D("40000"), True),
    Case("景区财政局", "110万", "财政局办公楼维修改造工程。", "accept", W + "finance", D("1100000")),
    Case("五台山风景名胜区交通局", "66万", "交通局的农村公路养护工程。", "accept", W + "transport", D("660000")),
    Case("景区文物局", "２８万元", "古建筑防火检测服务费。", "accept", W + "heritage", D("280000")),
    Case("五台山景区旅游服务中心", "19,999元", "游客中心宣传折页印刷费。", "accept", W + "visitor-center", D("19999")),
    Case("景区森林防火中心", "8万", "防火物资（灭火器、风力灭火机）。", "accept", W + "fire-forest", D("80000")),
    Case("景区应急管理局", "13.5万元", "应急演练服务费。", "accept", W + "emergency", D("135000")),
    Case("景区自然资源局", "20-30万", "测绘服务费，具体金额还要对账。", "accept", W + "natural-resources", D("200000"), True),
    Case("五台山风景名胜区旅游发展局", "人民币伍万元", "节庆活动策划服务费。", "accept", W + "tourism", D("50000")),
    Case("旅游发展局", "十二万五千元", "景区灯光秀的设备租赁。", "accept", W + "tourism", D("125000")),
    Case("景区旅发局", "7万元整", "旅游宣传推介会搭建费用，准备起诉但还没起诉。", "accept", W + "tourism", D("70000")),
    Case("五台山风景名胜区应急局", "4万元", "应急物资储备库货架。", "accept", W + "emergency", D("40000")),
    Case("城投水务", "２.５万", "管网抢修的挖掘机台班费。", "accept", W + "urban-invest", D("25000")),
    # --- needs_info: no identifiable unit, or no amount
    Case("五台山风景名胜区教育局", "42万", "学校食堂设备采购，教育局一直推。", "needs_info", None, D("420000")),
    Case("政府", "10万", "给政府干的活，不知道具体是哪个部门。", "needs_info", None, D("100000")),
    Case("景区卫健委", "26万", "防疫物资采购款。", "needs_info", None, D("260000")),
    Case("台怀镇政府", "", "镇里的活干完了，具体金额要找会计算。", "needs_info", W + "taihuai", None),
    Case("景区住建局", "不清楚", "跟我们合作的几个项目都没结清。", "needs_info", W + "construction", None),
    Case("", "5万", "欠了我们5万块钱，已经催了很多次。", "needs_info", None, D("50000")),
    Case("有关部门", "3万元", "景区里做的广告牌。", "needs_info", None, D("30000")),
    Case("五台山风景区管委会", "15万", "管委会的会议服务费，不清楚是哪个局经办。", "needs_info", None, D("150000")),
    Case("五台山城投", "", "城投欠的材料款，账还没对。", "needs_info", W + "urban-invest", None),
    # --- judicial
    Case("台怀镇政府", "58万", "2021年已起诉，法院判决镇政府支付，至今未执行。", "judicial", W + "taihuai", D("580000")),
    Case("五台山城投", "约200万", "去年向法院提起诉讼，目前在等开庭。", "judicial", W + "urban-invest", D("2000000"), True),
    Case("景区交通局", "33万", "已经申请仲裁，仲裁委还没裁决。", "judicial", W + "transport", D("330000")),
    Case("文旅集团", "45万", "有法院的民事调解书，对方不履行。", "judicial", W + "tourism-group", D("450000")),
    Case("石咀乡政府", "12万", "法院已立案，我们想请清欠办帮着催一下。", "judicial", W + "shizui", D("120000")),
    Case("耿镇镇政府", "9万", "已强制执行过一次，只执行回来一部分。", "judicial", W + "gengzhen", D("90000")),
    Case("景区文物局", "21万", "去年打了官司，法院判了，钱还没给。", "judicial", W + "heritage", D("210000")),
    # --- private debtor
    Case("王老板", "8万", "货卖给了一个私人老板，说是给景区干活用的。", "private_debtor", None, D("80000")),
    Case("张某某", "3.5万", "个人借用我们的设备不还钱。", "private_debtor", None, D("35000")),
    Case("五台山宏远商贸有限公司", "16万", "商贸公司拿了货不给钱。", "private_debtor", None, D("160000")),
    Case("台怀镇兴旺农家乐", "1.2万", "农家乐订的桌椅。", "private_debtor", None, D("12000")),
    Case("李先生", "6000元", "个人定做的铁艺大门。", "private_debtor", None, D("6000")),
    Case("鑫源建筑工程有限公司", "约70万", "分包了他们的活，包工头跑了。", "private_debtor", None, D("700000"), True),
    # --- outside the jurisdiction
    Case("繁峙县砂河镇政府", "25万", "砂河镇的街道改造工程。", "outside_jurisdiction", None, D("250000")),
    Case("五台县教育局", "40万", "五台县几所学校的课桌椅。", "outside_jurisdiction", None, D("400000")),
    Case("忻州市住建局", "150万", "市里的保障房项目。", "outside_jurisdiction", None, D("1500000")),
    Case("代县人民医院", "18万", "医院的医用耗材。", "outside_jurisdiction", None, D("180000")),
    Case("台城镇政府", "6.3万", "台城镇的路灯维修。", "outside_jurisdiction", None, D("63000")),
    Case("原平市交通运输局", "约95万", "公路养护工程。", "outside_jurisdiction", None, D("950000"), True),
    # --- not an SME
    Case("五台山城投", "3,200万元", "我公司为中央企业下属施工单位。", "not_sme", W + "urban-invest", D("32000000"), size="large"),
    Case("景区住建局", "860万", "景区道路工程总承包。", "not_sme", W + "construction", D("8600000"), size="large"),
    Case("台怀镇政府", "500万", "我们是大型企业，承建了镇里的集中供热。", "not_sme", W + "taihuai", D("5000000")),
    Case("文旅集团酒店管理公司", "120万", "酒店智能化系统集成。", "not_sme", W + "tourism-group.hotel", D("1200000"), size="large"),
    Case("景区审计局", "300万", "我司系大型国有企业，承接审计信息系统。", "not_sme", W + "audit", D("3000000")),
    Case("景区财政局", "约2000万", "信息化平台建设，本公司属于大型企业。", "not_sme", W + "finance", D("20000000"), True),
]
# fmt: on
