/** The demo's inspecting bodies and their catalog of inspection items (涉企检查事项清单). */

export interface DemoDepartment {
  code: string;
  name: string;
  /** On the published list of inspecting bodies; the justice bureau supervises and does not inspect. */
  listed: boolean;
  /** Industries this department's items usually concern (for picking enterprises for filings). */
  industries: string[];
}

export const DEPARTMENTS: DemoDepartment[] = [
  {
    code: "SCJG",
    name: "济南市市场监督管理局",
    listed: true,
    industries: ["餐饮服务", "食品生产", "药品零售", "商场超市"],
  },
  {
    code: "YJGL",
    name: "济南市应急管理局",
    listed: true,
    industries: ["危险化学品经营", "机械制造", "加油站"],
  },
  {
    code: "XFJY",
    name: "济南市消防救援支队",
    listed: true,
    industries: ["商场超市", "宾馆住宿", "物流仓储"],
  },
  { code: "STHJ", name: "济南市生态环境局", listed: true, industries: ["汽车维修", "印刷包装", "机械制造"] },
  {
    code: "WSJK",
    name: "济南市卫生健康委员会",
    listed: true,
    industries: ["宾馆住宿", "美容美发", "医疗机构"],
  },
  { code: "ZJJ", name: "济南市住房和城乡建设局", listed: true, industries: ["建筑施工"] },
  { code: "SFJ", name: "济南市司法局", listed: false, industries: [] },
];

export interface DemoItem {
  /** Suffix of the item code JN-<department>-<n>. */
  n: string;
  name: string;
  legalBasis: string;
  method: string;
  yearlyCap?: number;
  /** Check points of the item's checklist form (each 合格/不合格/不适用). */
  points: [name: string, title: string][];
}

export const ITEMS: Record<string, DemoItem[]> = {
  SCJG: [
    {
      n: "001",
      name: "食品经营者落实食品安全主体责任情况检查",
      legalBasis: "《中华人民共和国食品安全法》第八十七条、第一百一十条；《食品经营许可和备案管理办法》",
      method: "现场检查",
      points: [
        ["license", "食品经营许可证在有效期内并在经营场所显著位置公示"],
        ["health_certificates", "从业人员持有有效健康证明"],
        ["purchase_records", "进货查验记录完整，票证齐全"],
        ["storage", "食品贮存条件符合要求，无过期、变质食品"],
        ["tableware", "餐饮具清洗消毒设施正常运转并有消毒记录"],
      ],
    },
    {
      n: "002",
      name: "特种设备使用单位安全管理情况检查",
      legalBasis: "《中华人民共和国特种设备安全法》第三十三条、第三十九条、第五十七条",
      method: "现场检查",
      points: [
        ["registration", "特种设备已办理使用登记，登记标志置于显著位置"],
        ["periodic_inspection", "在检验有效期内使用，按期申报定期检验"],
        ["operators", "特种设备作业人员持证上岗"],
        ["maintenance", "日常维护保养和自行检查记录完整"],
      ],
    },
    {
      n: "003",
      name: "药品零售企业经营质量管理规范执行情况检查",
      legalBasis: "《中华人民共和国药品管理法》第五十三条、第一百零三条；《药品经营质量管理规范》",
      method: "现场检查",
      points: [
        ["drug_license", "药品经营许可证在有效期内，经营范围与许可一致"],
        ["pharmacist", "执业药师在岗并佩戴执业标识"],
        ["prescription", "处方药凭处方销售并有处方审核记录"],
        ["temperature", "药品储存温湿度监测记录完整、符合要求"],
      ],
    },
    {
      n: "004",
      name: "强制检定计量器具使用情况检查",
      legalBasis: "《中华人民共和国计量法》第九条；《中华人民共和国强制检定的工作计量器具检定管理办法》",
      method: "现场检查",
      yearlyCap: 1,
      points: [
        ["verified", "强制检定计量器具按期检定并有合格标志"],
        ["intact", "计量器具完好，无改装、破坏铅封"],
        ["ledger", "建立计量器具台账"],
      ],
    },
  ],
  YJGL: [
    {
      n: "001",
      name: "危险化学品经营单位安全生产条件检查",
      legalBasis: "《危险化学品安全管理条例》第三十四条、第三十六条；《中华人民共和国安全生产法》第三十九条",
      method: "现场检查",
      points: [
        ["permit", "危险化学品经营许可证在有效期内"],
        ["storage", "储存场所、设施符合国家标准，安全距离符合要求"],
        ["msds", "化学品安全技术说明书和安全标签齐全"],
        ["emergency_plan", "制定应急预案并定期演练"],
      ],
    },
    {
      n: "002",
      name: "工贸企业安全生产主体责任落实情况检查",
      legalBasis: "《中华人民共和国安全生产法》第四条、第二十一条、第二十八条",
      method: "现场检查",
      points: [
        ["responsibility", "建立全员安全生产责任制"],
        ["training", "从业人员安全生产教育和培训记录完整"],
        ["hazards", "建立事故隐患排查治理制度并如实记录"],
        ["ppe", "为从业人员提供符合标准的劳动防护用品"],
      ],
    },
    {
      n: "003",
      name: "有限空间作业安全检查",
      legalBasis: "《工贸企业有限空间作业安全规定》（应急管理部令第13号）第五条至第十七条",
      method: "现场检查",
      points: [
        ["ledger", "建立有限空间管理台账并设置安全警示标志"],
        ["approval", "有限空间作业实行审批，先通风、再检测、后作业"],
        ["rescue", "配备应急救援装备并开展演练"],
      ],
    },
  ],
  XFJY: [
    {
      n: "001",
      name: "消防安全重点单位消防安全检查",
      legalBasis: "《中华人民共和国消防法》第十六条、第十七条；《消防监督检查规定》（公安部令第120号）",
      method: "现场检查",
      points: [
        ["manager", "确定消防安全管理人并落实消防安全职责"],
        ["facilities", "消防设施、器材完好有效"],
        ["exits", "疏散通道、安全出口畅通，无占用、堵塞、封闭"],
        ["patrol", "每日防火巡查并有记录"],
        ["drill", "每半年至少组织一次灭火和应急疏散演练"],
      ],
    },
    {
      n: "002",
      name: "公众聚集场所营业期间消防安全检查",
      legalBasis: "《中华人民共和国消防法》第十五条、第二十八条",
      method: "现场检查",
      points: [
        ["approval", "投入使用、营业前消防安全检查合格或已告知承诺"],
        ["lighting", "应急照明和疏散指示标志完好"],
        ["materials", "室内装修材料符合消防技术标准"],
      ],
    },
    {
      n: "003",
      name: "建筑消防设施维护保养检查",
      legalBasis: "《中华人民共和国消防法》第十六条第一款第三项；《建筑消防设施的维护管理》（GB 25201）",
      method: "现场检查",
      points: [
        ["annual_test", "每年对建筑消防设施至少进行一次全面检测"],
        ["control_room", "消防控制室值班人员持证在岗，双人值班"],
        ["records", "维护保养记录完整"],
      ],
    },
  ],
  STHJ: [
    {
      n: "001",
      name: "排污许可证执行情况检查",
      legalBasis: "《排污许可管理条例》第十七条、第十九条、第三十三条",
      method: "现场检查",
      points: [
        ["permit", "依法取得排污许可证或进行排污登记"],
        ["outlets", "排污口设置规范并按要求设立标志牌"],
        ["monitoring", "按证开展自行监测并公开监测数据"],
        ["ledger", "环境管理台账记录完整"],
      ],
    },
    {
      n: "002",
      name: "危险废物规范化环境管理检查",
      legalBasis: "《中华人民共和国固体废物污染环境防治法》第七十七条至第八十一条",
      method: "现场检查",
      points: [
        ["plan", "制定危险废物管理计划并备案"],
        ["storage", "贮存设施符合标准，设置识别标志"],
        ["manifest", "转移危险废物执行电子转移联单"],
      ],
    },
    {
      n: "003",
      name: "挥发性有机物污染防治检查",
      legalBasis: "《中华人民共和国大气污染防治法》第四十五条、第一百零八条",
      method: "现场检查",
      points: [
        ["enclosed", "产生挥发性有机物的工序在密闭空间或设备中进行"],
        ["treatment", "废气收集处理设施正常运行"],
        ["materials", "原辅材料使用台账完整"],
      ],
    },
  ],
  WSJK: [
    {
      n: "001",
      name: "公共场所卫生监督检查",
      legalBasis: "《公共场所卫生管理条例》第四条、第六条、第七条；《公共场所卫生管理条例实施细则》",
      method: "现场检查",
      points: [
        ["license", "卫生许可证在有效期内并公示"],
        ["health", "从业人员持有效健康合格证明"],
        ["disinfection", "公共用品用具清洗消毒保洁符合要求"],
        ["testing", "开展卫生检测并公示结果"],
      ],
    },
    {
      n: "002",
      name: "医疗机构依法执业检查",
      legalBasis: "《医疗机构管理条例》第十四条、第二十四条；《中华人民共和国医师法》第十三条",
      method: "现场检查",
      points: [
        ["license", "医疗机构执业许可证在有效期内，诊疗科目与登记一致"],
        ["staff", "卫生技术人员具备相应执业资格"],
        ["waste", "医疗废物分类收集、暂存、交接记录规范"],
        ["records", "病历书写与管理符合规定"],
      ],
    },
    {
      n: "003",
      name: "用人单位职业病危害防治检查",
      legalBasis: "《中华人民共和国职业病防治法》第二十条、第二十五条、第三十五条",
      method: "现场检查",
      points: [
        ["declaration", "按规定申报职业病危害项目"],
        ["monitoring", "定期开展职业病危害因素检测"],
        ["exams", "组织劳动者进行职业健康检查"],
      ],
    },
  ],
  ZJJ: [
    {
      n: "001",
      name: "建筑施工安全生产检查",
      legalBasis: "《建设工程安全生产管理条例》第二十一条、第二十六条；《安全生产许可证条例》第二条",
      method: "现场检查",
      points: [
        ["permit", "施工企业取得安全生产许可证"],
        ["plans", "危险性较大的分部分项工程编制专项施工方案并论证"],
        ["managers", "项目负责人、专职安全员持证在岗"],
        ["scaffold", "脚手架、临边洞口防护符合规范"],
      ],
    },
    {
      n: "002",
      name: "建设工程质量检查",
      legalBasis: "《建设工程质量管理条例》第十条、第二十六条、第二十九条",
      method: "现场检查",
      points: [
        ["materials", "建筑材料、构配件进场检验记录完整"],
        ["drawings", "按照工程设计图纸和施工技术标准施工"],
        ["records", "隐蔽工程验收记录齐全"],
      ],
    },
    {
      n: "003",
      name: "建筑业企业资质动态核查",
      legalBasis: "《建筑业企业资质管理规定》第二十四条、第二十八条",
      method: "书面检查",
      yearlyCap: 1,
      points: [
        ["staff", "注册人员、技术负责人等满足资质标准"],
        ["equipment", "主要技术装备满足资质标准"],
        ["performance", "工程业绩真实"],
      ],
    },
  ],
};

/** The checklist form (kind "checklist") holding one item's check points. */
export function checklistSchema(item: DemoItem): Record<string, unknown> {
  return {
    title: `${item.name}检查表`,
    description: `检查依据：${item.legalBasis}`,
    pages: [
      {
        name: "points",
        elements: item.points.map(([name, title]) => ({
          type: "radiogroup",
          name,
          title,
          isRequired: true,
          colCount: 3,
          choices: [
            { value: "pass", text: "合格" },
            { value: "fail", text: "不合格" },
            { value: "na", text: "不适用" },
          ],
        })),
      },
    ],
  };
}
