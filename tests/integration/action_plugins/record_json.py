"""The tests' instrument in a play: ``record_json: {dest: PATH, content: TEXT}`` writes ``content`` (a
string, or anything JSON can say) to ``dest`` with mode 0600, in the controller's process, in check
mode too. It is what ``ansible.builtin.copy`` did for the tests without its two module runs (stat, then
copy: 1 to 2 seconds together on a 2-core machine, in nearly every test). ``playbook_runner.aws_env``
puts this directory on ANSIBLE_ACTION_PLUGINS."""

from __future__ import annotations

import json
import os
from typing import Any

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True

    def run(self, tmp: str | None = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result = super().run(tmp, task_vars)
        if "dest" not in self._task.args or set(self._task.args) - {"dest", "content"}:
            return {**result, "failed": True, "msg": f"record_json takes dest and content: {sorted(self._task.args)}"}
        content = self._task.args.get("content", "")
        text = content if isinstance(content, str) else json.dumps(content)
        descriptor = os.open(self._task.args["dest"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            stream.write(text)
        return {**result, "changed": True, "dest": self._task.args["dest"]}
