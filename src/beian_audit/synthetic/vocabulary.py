"""Word lists the generator draws names, domains and texts from.

Surnames and given names with pinyin, trade-name characters, industries, domain
syllables, road names, institutions, website topics, webmail domains and top-level
domains. All are modelling inputs; every name built from them is fictitious.

Examples
--------
>>> _parse_pairs("云:yun 帆:fan")
[('云', 'yun'), ('帆', 'fan')]
>>> _SURNAMES[0]
('王', 'wang', 7.1)
"""

from __future__ import annotations


def _parse_pairs(text: str) -> list[tuple[str, str]]:
    return [tuple(item.split(":", 1)) for item in text.split()]  # type: ignore[misc]


# Surnames with pinyin and relative frequency (per cent of the population, rounded,
# after the 2020 census lists as reported in the press; modelling input only).
_SURNAMES = [
    (s, p, float(w))
    for s, p, w in (
        item.split(":")
        for item in """
王:wang:7.1 李:li:7.0 张:zhang:6.8 刘:liu:5.4 陈:chen:4.6 杨:yang:3.1 黄:huang:2.5
赵:zhao:2.3 吴:wu:2.0 周:zhou:1.9 徐:xu:1.5 孙:sun:1.5 马:ma:1.4 朱:zhu:1.3 胡:hu:1.3
郭:guo:1.2 何:he:1.2 林:lin:1.1 高:gao:1.1 罗:luo:1.1 郑:zheng:1.0 梁:liang:0.9 谢:xie:0.8
宋:song:0.8 唐:tang:0.8 许:xu:0.7 邓:deng:0.7 冯:feng:0.7 韩:han:0.7 曹:cao:0.6
曾:zeng:0.6 彭:peng:0.6 肖:xiao:0.6 蔡:cai:0.5 潘:pan:0.5 田:tian:0.5 董:dong:0.5
袁:yuan:0.5 于:yu:0.5 余:yu:0.5 叶:ye:0.4 蒋:jiang:0.4 杜:du:0.4 苏:su:0.4 魏:wei:0.4
程:cheng:0.4 吕:lv:0.4 丁:ding:0.4 沈:shen:0.4 任:ren:0.4 姚:yao:0.3 卢:lu:0.3 傅:fu:0.3
钟:zhong:0.3 姜:jiang:0.3 崔:cui:0.3 谭:tan:0.3 廖:liao:0.3 范:fan:0.3 汪:wang:0.3
陆:lu:0.3 金:jin:0.3 石:shi:0.3 戴:dai:0.3 贾:jia:0.3 韦:wei:0.2 夏:xia:0.2 邱:qiu:0.2
方:fang:0.2 侯:hou:0.2 邹:zou:0.2 熊:xiong:0.2 孟:meng:0.2 秦:qin:0.2 白:bai:0.2
江:jiang:0.2 闫:yan:0.2 薛:xue:0.2 尹:yin:0.2 段:duan:0.2 雷:lei:0.2 黎:li:0.15
史:shi:0.15 龙:long:0.15 陶:tao:0.15 贺:he:0.15 顾:gu:0.15 毛:mao:0.15 郝:hao:0.15
龚:gong:0.15 邵:shao:0.15 万:wan:0.15 钱:qian:0.15 严:yan:0.15 覃:qin:0.1 武:wu:0.1
莫:mo:0.1 孔:kong:0.1 向:xiang:0.1 汤:tang:0.1 欧阳:ouyang:0.03 司马:sima:0.01
上官:shangguan:0.01 诸葛:zhuge:0.01
""".split()
    )
]
_GIVEN = _parse_pairs(
    """
伟:wei 芳:fang 娜:na 秀:xiu 敏:min 静:jing 丽:li 强:qiang 磊:lei 军:jun 洋:yang 勇:yong
艳:yan 杰:jie 娟:juan 涛:tao 明:ming 超:chao 霞:xia 平:ping 刚:gang 桂:gui 英:ying
华:hua 玉:yu 兰:lan 萍:ping 红:hong 鹏:peng 辉:hui 建:jian 国:guo 文:wen 斌:bin 宇:yu
浩:hao 凯:kai 健:jian 俊:jun 帆:fan 帅:shuai 旭:xu 宁:ning 龙:long 林:lin 欢:huan
佳:jia 阳:yang 婷:ting 雪:xue 琳:lin 晶:jing 颖:ying 倩:qian 慧:hui 梅:mei 莉:li
燕:yan 波:bo 飞:fei 云:yun 峰:feng 亮:liang 成:cheng 志:zhi 海:hai 东:dong 永:yong
春:chun 晓:xiao 小:xiao 丹:dan 新:xin 博:bo 宏:hong 荣:rong 鑫:xin 婧:jing 欣:xin
怡:yi 晨:chen 睿:rui 子:zi 轩:xuan 涵:han 梓:zi 萱:xuan 思:si 雨:yu 嘉:jia 诗:shi
一:yi 可:ke 心:xin 天:tian 泽:ze 昊:hao 然:ran 铭:ming 豪:hao 瑞:rui 悦:yue 彤:tong
琪:qi 雅:ya 振:zhen 家:jia 德:de 忠:zhong 福:fu 金:jin 玲:ling 凤:feng 淑:shu 珍:zhen
秋:qiu 月:yue 光:guang 学:xue 庆:qing 立:li 良:liang 正:zheng 兵:bing 冬:dong 卫:wei
彬:bin 威:wei 鸿:hong 晖:hui 昕:xin 蕾:lei 璐:lu 瑶:yao
"""
)

# Characters for trade names (字号) of companies, with pinyin for domains and emails.
_BRAND = _parse_pairs(
    """
云:yun 帆:fan 华:hua 信:xin 达:da 创:chuang 新:xin 博:bo 瑞:rui 诚:cheng 恒:heng
盛:sheng 优:you 智:zhi 锐:rui 联:lian 通:tong 天:tian 宇:yu 星:xing 辰:chen 光:guang
明:ming 海:hai 腾:teng 飞:fei 龙:long 鼎:ding 泰:tai 丰:feng 和:he 嘉:jia 佳:jia
润:run 安:an 康:kang 易:yi 正:zheng 远:yuan 航:hang 朗:lang 卓:zhuo 越:yue 凯:kai
宏:hong 峰:feng 晟:sheng 拓:tuo 汇:hui 聚:ju 众:zhong 合:he 力:li 美:mei 景:jing
升:sheng 鑫:xin 源:yuan 泽:ze 森:sen 林:lin 金:jin 银:yin 蓝:lan 青:qing 紫:zi
微:wei 蜂:feng 鹰:ying 象:xiang 方:fang 圆:yuan 数:shu 维:wei 思:si 讯:xun 途:tu
驰:chi 骏:jun 昊:hao 坤:kun 乾:qian 元:yuan 启:qi 赛:sai 迅:xun 捷:jie 步:bu 益:yi
同:tong 德:de 利:li 兴:xing 旺:wang 宝:bao 永:yong 长:chang 久:jiu 立:li 峻:jun
"""
)
_INDUSTRIES = _parse_pairs(
    """
网络科技:keji 信息技术:it 电子商务:shop 文化传媒:media 贸易:trade 建筑工程:jianzhu
教育咨询:edu 医疗器械:yiliao 机械设备:jixie 广告:ad 餐饮管理:canyin 旅游:travel
房地产开发:fdc 物流:wuliu 服装:fushi 食品:food 电子:dianzi 软件:soft 投资管理:touzi
装饰工程:zhuangshi 环保科技:huanbao 生物科技:bio 汽车服务:auto 家具:jiaju 化工:huagong
印刷:yinshua 农业科技:nongye 新能源科技:energy 人力资源:hr 企业管理咨询:consult
"""
)
_SYLLABLES = (
    "ai an bai bao bei ben bo cai chang chen cheng chuang da dian ding dong du fa fan fang "
    "fei feng fu gao guang guo hai hang hao he heng hong hua huan hui jia jian jie jin jing "
    "ju kai kang ke kuai lan le li lian lin long lu mei meng ming mu nan ning pin qi qian "
    "qing rui sheng shi shu si tai tian tong wan wang wei wen xi xin xing xu ya yang yi yin "
    "ying yong you yu yuan yue yun zhi zhong zhou zhu zi"
).split()
_ROAD_CORES = (
    "中山 人民 解放 建设 和平 胜利 新华 民主 光明 东风 学院 科技 创业 高新 文化 工业 长江 "
    "黄河 青年 朝阳 滨江 环城 商业 幸福 团结 友谊 迎宾 世纪 振兴 复兴 建国 健康 花园 公园 "
    "府前 北京 上海 南京 广州 延安 文三 天目山 学府 明珠 锦绣 凤凰 金山 银河 星光 江南 东方 "
    "太平 长安 兴业 红旗 跃进 钱江 湖滨 望江 体育 五一 八一 新民 交通 沿江 海滨 开发 产业 "
    "金融 江北 城南 春晖"
).split()
_ROAD_MIDDLES = ("", "", "", "", "", "东", "西", "南", "北", "中")
_ROAD_TYPES = ("路", "路", "路", "路", "路", "路", "大道", "街", "街", "大街")
_NUMERALS = (
    "一 二 三 四 五 六 七 八 九 十 十一 十二 十三 十四 十五 十六 十七 十八 十九 二十".split()
)
_TOPICS = (
    "美食 旅游 摄影 音乐 读书 健身 设计 编程 育儿 汽车 数码 家居 时尚 财经 教育 考试 招聘 "
    "二手 房产 养生 书法 绘画 钓鱼 花卉 宠物 游戏 动漫 电影 体育 英语"
).split()
_TOPIC_SUFFIXES = ("网", "在线", "之家", "论坛", "博客", "信息网", "资讯网", "社区")
_SUBSITES = ("信息公开网", "政务服务网", "新闻中心", "服务平台", "子站", "网上办事大厅")
_SHOP_SITES = ("商城", "在线", "论坛", "招聘网", "产品中心", "官方商城")
_DEPARTMENTS = (
    "人民政府 教育局 公安局 财政局 人力资源和社会保障局 自然资源局 住房和城乡建设局 "
    "交通运输局 农业农村局 商务局 文化和旅游局 卫生健康委员会 市场监督管理局 统计局 审计局 "
    "司法局 民政局 应急管理局 生态环境局 水利局 林业局 科学技术局 发展和改革委员会"
).split()
_INSTITUTIONS = (
    ("city", "第{n}中学"),
    ("county", "实验小学"),
    ("city", "人民医院"),
    ("county", "人民医院"),
    ("county", "中医院"),
    ("city", "图书馆"),
    ("county", "图书馆"),
    ("city", "职业技术学院"),
    ("county", "疾病预防控制中心"),
    ("city", "广播电视台"),
    ("county", "档案馆"),
    ("city", "科学技术研究院"),
    ("county", "文化馆"),
    ("city", "博物馆"),
    ("county", "第{n}中学"),
    ("county", "职业中等专业学校"),
    ("city", "妇幼保健院"),
    ("county", "农业技术推广中心"),
    ("city", "公共资源交易中心"),
)
_FIELDS = "计算机 摄影 书法 医学 律师 会计 教育 作家 心理 园艺 收藏 围棋".split()
_NONPROFIT_SUFFIXES = ("培训学校", "幼儿园", "养老服务中心", "职业技能培训学校", "艺术培训中心")
_SMALL_BUSINESS = ("商行", "经营部", "工作室", "店", "门市部")
_SERVICE_CONTENT = {
    "企业": (
        ("企业门户", 0.55),
        ("综合门户", 0.1),
        ("网络购物", 0.15),
        ("网站建设", 0.05),
        ("网络广告", 0.05),
        ("论坛/社区", 0.05),
        ("新闻资讯", 0.05),
    ),
    "个人": (
        ("博客/个人空间", 0.55),
        ("论坛/社区", 0.15),
        ("网络图片", 0.1),
        ("综合门户", 0.1),
        ("网络购物", 0.05),
        ("网络游戏", 0.05),
    ),
    "other": (("单位门户网站", 0.8), ("综合门户", 0.1), ("新闻资讯", 0.1)),
}
_PRE_APPROVALS = ("新闻", "出版", "教育", "医疗保健", "药品和医疗器械", "文化", "广播电影电视节目")
_EMAIL_TYPO_DOMAINS = (
    "qq.con qq.cm qq.cpm 163.con 163.cm 163.vom 126.con 126.cm sina.con sina.cm "
    "hotmial.com gmial.com"
).split()
_WEBMAIL = (
    ("qq.com", 0.45),
    ("163.com", 0.2),
    ("126.com", 0.1),
    ("sina.com", 0.08),
    ("foxmail.com", 0.05),
    ("139.com", 0.04),
    ("sohu.com", 0.03),
    ("hotmail.com", 0.05),
)
_ROLE_LOCALS = ("info", "admin", "service", "webmaster", "kefu", "hr", "sales", "office")
_TLDS = {
    "企业": (("com", 0.55), ("cn", 0.18), ("com.cn", 0.15), ("net", 0.10), ("org.cn", 0.02)),
    "个人": (("com", 0.5), ("cn", 0.25), ("net", 0.15), ("com.cn", 0.05), ("org.cn", 0.05)),
    "事业单位": (("cn", 0.35), ("org.cn", 0.3), ("com", 0.2), ("net", 0.1), ("com.cn", 0.05)),
    "政府机关": (("gov.cn", 0.85), ("cn", 0.1), ("com", 0.05)),
    "other": (("org.cn", 0.45), ("org", 0.2), ("cn", 0.2), ("com", 0.15)),
}
_IDN_TLDS = (("中国", 0.5), ("公司", 0.2), ("网络", 0.2), ("cn", 0.1))
_SUBDOMAINS = ("m", "bbs", "shop", "blog", "news", "mail")
