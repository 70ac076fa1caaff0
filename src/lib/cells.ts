// Spreadsheet cells that come from users: every export (responses, dashboard, audit log) writes text
// through this.

const FORMULA_TRIGGER = /^[=+\-@\t\r]/;

/**
 * Neutralises spreadsheet formula injection (CSV/XLSX "DDE" attacks): text starting with = + - @ TAB or CR
 * could be evaluated by Excel/WPS, so it gets a leading single quote, which spreadsheets show as text.
 */
export function neutraliseCell(value: string): string {
  return FORMULA_TRIGGER.test(value) ? `'${value}` : value;
}
