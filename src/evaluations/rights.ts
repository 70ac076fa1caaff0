/**
 * The enterprise's rights during an administrative inspection, shown on the public inspection page
 * (R8). Grounded in the 行政处罚法 (2021) arts. 42–45 and 55, the 行政复议法 (2023) art. 20 and the
 * 行政诉讼法 art. 46; kept short enough to read on a phone.
 */
export const ENTERPRISE_RIGHTS: { title: string; text: string }[] = [
  {
    title: "核验身份",
    text: "执法人员不得少于两人，应当主动出示执法证件，并告知检查事项和依据。您可以在本页核对执法人员姓名、证件号和检查事项。",
  },
  {
    title: "申请回避",
    text: "执法人员与本企业有直接利害关系或者有其他关系可能影响公正执法的，您有权申请其回避。",
  },
  {
    title: "陈述申辩",
    text: "对检查中发现的问题，您有权进行陈述和申辩；执法机关应当听取并复核，不得因陈述、申辩而给予更重的处罚。",
  },
  {
    title: "保守秘密",
    text: "执法人员对检查中知悉的商业秘密和个人信息负有保密义务。检查不得超出告知的事项，不得索取与检查无关的资料，不得干扰正常生产经营。",
  },
  {
    title: "依法救济",
    text: "对检查中作出的责令改正、行政处罚、行政强制等决定不服的，可以自知道该决定之日起六十日内申请行政复议，或者自知道之日起六个月内依法提起行政诉讼（法律另有规定的除外）。",
  },
  {
    title: "监督评价",
    text: "检查结束后，您可以在本页对检查进行评价。评价直接报送司法局行政执法监督机构，实施检查的部门只能看到汇总统计，看不到单份评价。",
  },
];
