/** Material for realistic Jinan enterprises and people. */

/** The ten districts of Jinan, their GB/T 2260 division codes and some of their roads. */
export const DISTRICTS: { name: string; division: string; roads: string[] }[] = [
  { name: "历下区", division: "370102", roads: ["经十路", "泉城路", "解放路", "历山路", "山大路", "和平路"] },
  { name: "市中区", division: "370103", roads: ["经四路", "英雄山路", "舜耕路", "二环南路", "纬二路"] },
  { name: "槐荫区", division: "370104", roads: ["经七路", "张庄路", "齐州路", "阳光新路", "西市场路"] },
  { name: "天桥区", division: "370105", roads: ["北园大街", "堤口路", "无影山中路", "济泺路", "标山路"] },
  { name: "历城区", division: "370112", roads: ["花园路", "工业北路", "华信路", "二环东路", "世纪大道"] },
  { name: "长清区", division: "370113", roads: ["大学路", "经十西路", "峰山路", "清河街"] },
  { name: "章丘区", division: "370114", roads: ["汇泉路", "百脉泉路", "唐王山路", "明水大道"] },
  { name: "济阳区", division: "370115", roads: ["纬二路", "开元大街", "富阳街", "正安路"] },
  { name: "莱芜区", division: "370116", roads: ["凤城西大街", "鲁中东大街", "汶河大道", "龙潭西路"] },
  { name: "钢城区", division: "370117", roads: ["府前大街", "钢都大街", "九龙大街", "双泉路"] },
];

/** Industry → how its companies are named, and how risky it usually is. */
export const INDUSTRIES: { name: string; suffixes: string[]; risk: number }[] = [
  { name: "餐饮服务", suffixes: ["餐饮管理有限公司", "饮食有限公司", "餐饮有限公司"], risk: 1 },
  { name: "食品生产", suffixes: ["食品有限公司", "食品科技有限公司"], risk: 1 },
  { name: "药品零售", suffixes: ["大药房有限公司", "医药连锁有限公司"], risk: 1 },
  { name: "商场超市", suffixes: ["商贸有限公司", "购物中心有限公司", "超市有限公司"], risk: 1 },
  { name: "危险化学品经营", suffixes: ["化工有限公司", "化工贸易有限公司"], risk: 2 },
  { name: "机械制造", suffixes: ["机械制造有限公司", "重工机械有限公司", "精密机械有限公司"], risk: 1 },
  { name: "加油站", suffixes: ["石油销售有限公司", "能源有限公司"], risk: 2 },
  { name: "宾馆住宿", suffixes: ["酒店管理有限公司", "宾馆有限公司"], risk: 1 },
  { name: "物流仓储", suffixes: ["物流有限公司", "仓储服务有限公司"], risk: 1 },
  { name: "汽车维修", suffixes: ["汽车维修服务有限公司", "汽车服务有限公司"], risk: 0 },
  { name: "印刷包装", suffixes: ["印务有限公司", "包装制品有限公司"], risk: 1 },
  { name: "美容美发", suffixes: ["美容美发有限公司", "美业有限公司"], risk: 0 },
  { name: "医疗机构", suffixes: ["门诊部有限公司", "口腔诊所有限公司", "医院有限公司"], risk: 1 },
  { name: "建筑施工", suffixes: ["建设工程有限公司", "建筑安装工程有限公司"], risk: 2 },
];

/** Trade names (字号). */
// prettier-ignore
export const TRADE_NAMES = [
  "鲁信", "泉城", "华阳", "明湖", "舜耕", "鹊华", "趵泉", "历丰", "齐鲁", "稼轩",
  "黑虎", "珍珠", "金鼎", "银座", "恒泰", "瑞丰", "宏远", "新华", "德润", "嘉禾",
  "海岱", "泰和", "同盛", "万通", "福瑞", "博远", "安和", "正元", "长盛", "汇通",
  "广源", "东岳", "北辰", "锦华", "兴隆", "天泽", "润泉", "济泺", "玉函", "千泉",
];

// prettier-ignore
export const SURNAMES = [
  "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴",
  "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "郑",
  "梁", "宋", "韩", "唐", "冯", "于", "董", "曹", "程", "袁",
];

// prettier-ignore
export const GIVEN_NAMES = [
  "伟", "芳", "娜", "敏", "静", "磊", "强", "军", "洋", "勇",
  "艳", "杰", "涛", "明", "超", "秀英", "建国", "海燕", "志强", "晓东",
  "丽娟", "春雷", "文博", "雪梅", "国庆", "立新", "红霞", "宏伟", "子涵", "思远",
];
