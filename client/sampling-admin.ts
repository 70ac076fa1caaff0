import { errorMessage } from "./lib/api";
import { showMessage } from "./lib/dom";
import { adminPage } from "./lib/layout";
import { setUpConflictForm, loadConflicts } from "./sampling-admin/conflicts";
import { setUpForm } from "./sampling-admin/form";
import { canManage, message, state } from "./sampling-admin/state";
import { refresh } from "./sampling-admin/tasks";

async function start() {
  state.user = await adminPage();
  state.selected = location.hash.slice(1) || null;
  if (canManage()) {
    await setUpForm();
    await setUpConflictForm();
  }
  await Promise.all([refresh(), loadConflicts()]);
}

start().catch((error) => showMessage(message, `页面加载失败：${errorMessage(error)}`));
