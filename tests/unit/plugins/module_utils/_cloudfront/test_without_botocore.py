# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Without botocore the module_utils still import (AnsibleAWSModule then says that botocore is
missing), and nothing of theirs needs it before a client is made."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront import errors as loaded_errors

PACKAGE = "ansible_collections.edgeops.cloudfront.plugins.module_utils._cloudfront"


def load_without_botocore(monkeypatch: pytest.MonkeyPatch, name: str) -> ModuleType:
    """A fresh copy of module ``name`` of the package, imported while botocore cannot be."""
    for blocked in ("botocore", "botocore.config", "botocore.exceptions"):
        monkeypatch.setitem(sys.modules, blocked, None)
    path = Path(loaded_errors.__file__).with_name(f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"{PACKAGE}._without_botocore_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    return module


def test_errors_import_and_let_exceptions_through(monkeypatch):
    errors = load_without_botocore(monkeypatch, "errors")
    assert errors.botocore_exceptions is None
    with pytest.raises(KeyError), errors.translated_errors("GetInvalidation", distribution_id="E1"):
        raise KeyError("x")
    with errors.translated_errors("GetInvalidation"):
        pass
    error = errors.from_botocore_error(ValueError("boom"), "GetInvalidation", {"distribution_id": "E1"})
    assert error.msg == "Could not call cloudfront:GetInvalidation on CloudFront distribution E1: boom"


def test_api_imports_without_a_client_config(monkeypatch):
    api = load_without_botocore(monkeypatch, "api")
    assert api.Config is None
    assert api.timeouts_for(300) == (10.0, 30.0)
