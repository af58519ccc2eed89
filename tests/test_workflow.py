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
    assert deploy["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert deploy["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    upload = next(s for s in jobs["build"]["steps"] if str(s.get("uses", "")).startswith("actions/upload-pages"))
    assert upload["with"]["path"] == "_build/html"
    assert wf[True]["push"]["branches"] == ["main"]  # YAML reads the key `on` as True
    assert any(str(s.get("uses", "")).startswith("actions/deploy-pages") for s in deploy["steps"])
    assert all("timeout-minutes" in j for name, j in jobs.items() if name != "deploy")


# --- Binder: what repo2docker would build, read without Docker --------------------------

import re  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

import pytest  # noqa: E402

ROOT = WORKFLOW.parents[2]


def _config():
    return yaml.safe_load((ROOT / "_config.yml").read_text())


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.\[\]-]+)==(\S+)", line.split("#")[0].strip())
        if m:
            pins[m.group(1).split("[")[0].lower()] = m.group(2)
    return pins


@pytest.fixture(scope="module")
def dockerfile():
    exe = shutil.which("repo2docker", path=str(Path(sys.executable).parent)) or shutil.which("repo2docker")
    if exe is None:
        pytest.skip("jupyter-repo2docker is in requirements-test.txt")
    if sys.platform == "win32":
        pytest.skip("repo2docker targets Linux images")
    out = subprocess.run([exe, "--no-build", "--debug", "."], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout + out.stderr


@pytest.mark.timeout(90)
def test_binder_builds_the_pinned_python_and_the_requirements(dockerfile):
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    version = runtime.removeprefix("python-")
    assert re.fullmatch(r"3\.\d+", version), runtime
    assert f"Building conda environment for python={version}" in dockerfile
    # Binder reads binder/ only: its requirements bring in the book's own, the library (-e .)
    # and JupyterLab's MyST extension, installed after the whole repository is copied in.
    assert 'pip install --no-cache-dir -r "binder/requirements.txt"' in dockerfile
    copy_all = dockerfile.index("COPY --chown=0:0 src/ ${REPO_DIR}/")
    assert dockerfile.index('-r "binder/requirements.txt"') > copy_all
    binder = (ROOT / "binder" / "requirements.txt").read_text().split()
    assert "../requirements.txt" in binder and "-r" in binder
    assert "-e ." in (ROOT / "requirements.txt").read_text().splitlines()
    assert _pins(ROOT / "binder" / "requirements.txt")["jupyterlab-myst"]
    assert not (ROOT / "runtime.txt").exists(), "Binder ignores the root runtime.txt once binder/ exists"


def test_every_jupyterlab_pin_agrees():
    """Binder, `make lab` and the browser test run the same MyST extension (and lab version)."""
    binder, test = _pins(ROOT / "binder" / "requirements.txt"), _pins(ROOT / "requirements-test.txt")
    assert binder["jupyterlab-myst"] == test["jupyterlab-myst"]
    make = (ROOT / "Makefile").read_text()
    assert f"jupyterlab=={test['jupyterlab']}" in make
    assert "-r binder/requirements.txt" in make


def test_the_repository_url_is_set_once_and_the_readme_points_at_it():
    config = _config()
    url = config["repository"]["url"].rstrip("/")
    m = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+)", url)
    assert m, url
    owner, repo = m.groups()
    assert config["html"]["use_repository_button"] and config["launch_buttons"]["binderhub_url"]
    readme = (ROOT / "README.md").read_text()
    pages = f"https://{owner}.github.io/{repo}/"
    binder = f"https://mybinder.org/v2/gh/{owner}/{repo}/{config['repository']['branch']}"
    assert pages in readme, "the README links to the published book"
    assert binder in readme, "the README's Binder link points at repository.url"
    # no other repository URL is typed anywhere the reader sees
    for path in [ROOT / "README.md", ROOT / "book" / "intro.md", ROOT / "book" / "teachers_guide.md"]:
        for other in re.findall(r"https://github\.com/[\w.-]+/[\w.-]+", path.read_text()):
            assert other.rstrip(".") == url, f"{path.name} names {other}, not repository.url"
