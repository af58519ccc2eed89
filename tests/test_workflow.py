"""The GitHub Actions workflow: it cannot run here, so its shape is checked."""

from pathlib import Path

import yaml

WORKFLOW = Path(__file__).resolve().parent.parent / ".github" / "workflows" / "book.yml"


def test_workflow_builds_publishes_and_tests_where_readers_run():
    wf = yaml.safe_load(WORKFLOW.read_text())
    jobs = wf["jobs"]
    assert set(jobs) == {"tests", "build", "deploy"}
    matrix = jobs["tests"]["strategy"]["matrix"]
    assert set(matrix["os"]) == {"ubuntu-latest", "macos-latest", "windows-latest"}
    assert matrix["python"] == ["3.11", "3.12", "3.13", "3.14"]
    steps = " ".join(str(s.get("run", "")) + str(s.get("uses", "")) for s in jobs["tests"]["steps"])
    assert "pytest tests" in steps and "--nbval" in steps
    build = [s.get("run") or s.get("uses") for s in jobs["build"]["steps"]]
    assert "make book" in build and any(str(u).startswith("actions/upload-pages-artifact") for u in build)
    deploy = jobs["deploy"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["needs"] == ["build", "tests"]
    assert any(str(s.get("uses", "")).startswith("actions/deploy-pages") for s in deploy["steps"])
    assert all("timeout-minutes" in j for name, j in jobs.items() if name != "deploy")
