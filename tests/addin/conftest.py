"""Fixtures for the add-in tests: one build of the add-in per test session."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def built_addin(tmp_path_factory):
    """A freshly built sp_xl.xlam from the current sources and registry."""
    pytest.importorskip("pyopenvba", reason="pyOpenVBA (writes the add-in's VBA project) is not installed")
    pytest.importorskip("oletools", reason="oletools (reads the add-in back) is not installed")
    from sp_xl.addin.build import build_addin

    return build_addin(tmp_path_factory.mktemp("addin") / "sp_xl.xlam")
