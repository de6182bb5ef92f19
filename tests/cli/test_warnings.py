"""``qujat validate`` warns about late workflow steps without failing the input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "udp-2018" / "evaluation.yaml"


def _validate(path: Path, lang: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline", "validate", str(path), "--lang", lang],
                          capture_output=True, text=True, check=False)


def test_late_resubmission_is_a_located_warning_and_exit_0(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert "plan_resubmitted_on: 2024-01-17" in text
    late = tmp_path / "late.yaml"
    late.write_text(text.replace("plan_resubmitted_on: 2024-01-17", "plan_resubmitted_on: 2024-01-25"),
                    encoding="utf-8")
    result = _validate(late, "ru")
    assert result.returncode == 0
    assert "предупреждение: late.yaml: employees[0].workflow.plan_resubmitted_on" in result.stderr
    assert "2024-01-17" in result.stderr and "cl. 12" in result.stderr


def test_on_time_example_has_no_warning() -> None:
    result = _validate(EXAMPLE, "en")
    assert result.returncode == 0 and "warning" not in result.stderr
