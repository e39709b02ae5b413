"""deploy/: the HAProxy template, the single-machine recipe, compose.yaml and the Kubernetes manifests.

No container engine or cluster runs here, so the compose file and the manifests are parsed and checked
against the HAProxy set-up that tests/test_serve_class_browser.py runs for real: the same worker port,
health path, sticky cookie and cookie-secret handling. `haproxy -c` validates the configuration each
set-up generates (skipped where HAProxy is not installed). Last, the note a moved page shows (AppTest).
"""
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from playground.app.ui import charts as ui

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy"
sys.path.insert(0, str(DEPLOY))
sys.path.insert(0, str(Path(__file__).parent))
import serve_class  # noqa: E402
from apptest_util import APP, TIMEOUT, assert_no_exception  # noqa: E402

WORKER_PORT = 8501  # what the image's CMD serves on (checked below)


def _template_lines() -> list[str]:
    return [ln.split("#")[0].strip() for ln in serve_class.TEMPLATE.read_text().splitlines()
            if ln.split("#")[0].strip()]


def _directive(*words: str) -> list[str]:
    """The words of the template's one line starting with ``words``."""
    found = [ln.split() for ln in _template_lines() if ln.split()[:len(words)] == list(words)]
    assert len(found) == 1, f"expected one {' '.join(words)!r} line in deploy/haproxy.cfg, got {found}"
    return found[0]


def haproxy_settings() -> dict:
    cookie = _directive("cookie")
    send = _directive("http-check", "send")
    return {"cookie": cookie[1], "cookie_mode": cookie[2:], "health": send[send.index("uri") + 1]}


def test_the_haproxy_template_is_sticky_by_an_inserted_cookie_and_health_checks_streamlit():
    lines = _template_lines()
    s = haproxy_settings()
    assert s["cookie"] == "PLAYGROUND_WORKER"
    assert s["cookie_mode"][0] == "insert" and "indirect" in s["cookie_mode"] and "nocache" in s["cookie_mode"]
    assert s["health"] == "/_stcore/health"
    assert "http-check expect string ok" in lines  # what Streamlit's health endpoint answers
    assert "option redispatch 1" in lines and "option httpchk" in lines  # every retry goes to another worker
    assert not any(ln.startswith(("balance source", "stick on src", "hash-type")) for ln in lines), \
        "sticky by client address would send a whole school (one NAT address) to one worker"
    tunnel = next(ln.split()[2] for ln in lines if ln.startswith("timeout tunnel"))
    assert re.fullmatch(r"\d+h", tunnel) and int(tunnel[:-1]) >= 1, "WebSockets need a long tunnel timeout"
    assert "on-marked-down shutdown-sessions" in next(ln for ln in lines if ln.startswith("default-server"))
    # The backend is the last section: the recipe appends its servers there.
    sections = [ln for ln in lines if ln.split()[0] in ("global", "defaults", "frontend", "backend", "resolvers")]
    assert sections[-1] == "backend workers"
    template = next(ln.split() for ln in lines if ln.startswith("server-template"))
    assert template[3] == f'"${{PLAYGROUND_REPLICAS}}":{WORKER_PORT}'  # compose's app service, by DNS
    assert template[template.index("resolvers") + 1] == "docker"


def test_the_recipe_appends_one_server_per_worker_to_the_template():
    text = serve_class.render_config([9101, 9102, 9103])
    assert text.startswith(serve_class.TEMPLATE.read_text().rstrip("\n"))
    assert text.splitlines()[-3:] == ["    server worker1 127.0.0.1:9101", "    server worker2 127.0.0.1:9102",
                                      "    server worker3 127.0.0.1:9103"]
    assert serve_class.stats_file_for("/tmp/x/stats.json", 2) == "/tmp/x/stats.2.json"


def test_the_recipe_says_how_to_install_haproxy_when_it_is_missing(monkeypatch, capsys):
    monkeypatch.setattr(serve_class, "find_haproxy", lambda: None)
    assert serve_class.main(["--workers", "2", "--port", "8740"]) == 1
    assert "sudo apt install haproxy" in capsys.readouterr().err


def test_start_hands_workers_to_the_recipe_and_checks_for_haproxy():
    start = (REPO / "start").read_text()
    assert 'exec "$VPY" deploy/serve_class.py "$@"' in start
    assert "sudo apt install haproxy" in start


def _haproxy_check(text: str, env: dict, tmp_path: Path) -> None:
    haproxy = serve_class.find_haproxy()
    if haproxy is None:
        pytest.skip(serve_class.INSTALL_HINT)
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(text)
    out = subprocess.run([haproxy, "-c", "-f", str(cfg)], env={**os.environ, **env}, capture_output=True,
                         text=True, timeout=30)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Configuration file is valid" in out.stdout + out.stderr


def test_haproxy_accepts_the_single_machine_configuration(tmp_path):
    _haproxy_check(serve_class.render_config([9101, 9102]), {"PLAYGROUND_BIND": "127.0.0.1:9100"}, tmp_path)


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_haproxy_accepts_the_compose_configuration(tmp_path):
    env = {k: str(v) for k, v in compose()["services"]["haproxy"]["environment"].items()}
    _haproxy_check(serve_class.TEMPLATE.read_text(), env, tmp_path)


def test_the_image_serves_on_the_worker_port_and_answers_the_health_path():
    dockerfile = (REPO / "Dockerfile").read_text()
    assert f"EXPOSE {WORKER_PORT}" in dockerfile
    cmd = next(ln for ln in dockerfile.splitlines() if ln.startswith("CMD"))
    assert '"streamlit", "run", "streamlit_app.py"' in cmd and f'"--server.port", "{WORKER_PORT}"' in cmd
    assert haproxy_settings()["health"] in next(ln for ln in dockerfile.splitlines() if "urlopen" in ln)


def test_compose_runs_replicas_of_the_image_behind_haproxy_with_the_same_template():
    services = compose()["services"]
    app, lb = services["app"], services["haproxy"]
    assert (DEPLOY / app["build"]["context"] / app["build"]["dockerfile"]).resolve() == REPO / "Dockerfile"
    assert app["expose"] == [str(WORKER_PORT)]
    assert app["deploy"]["replicas"] >= 2
    # One secret for every replica, given per deployment: never a value written in the file.
    secret = app["environment"][serve_class.COOKIE_SECRET_ENV]
    assert re.fullmatch(r"\$\{PLAYGROUND_COOKIE_SECRET:\?[^}]+\}", secret), secret
    # HAProxy: the one template, finding the app's replicas by its service name, on the published port.
    mounts = {m.split(":")[1]: (DEPLOY / m.split(":")[0]).resolve() for m in lb["volumes"]}
    assert mounts["/usr/local/etc/haproxy/haproxy.cfg"] == serve_class.TEMPLATE
    assert lb["environment"]["PLAYGROUND_REPLICAS"] in services and lb["environment"]["PLAYGROUND_REPLICAS"] == "app"
    bind_port = lb["environment"]["PLAYGROUND_BIND"].rsplit(":", 1)[1]
    assert [p.rsplit(":", 1)[1] for p in lb["ports"]] == [bind_port]
    assert int(lb["environment"]["PLAYGROUND_MAX_REPLICAS"]) >= app["deploy"]["replicas"]
    assert lb["image"].startswith("haproxy:")
    assert lb["depends_on"] == ["app"]


def k8s() -> dict:
    docs = {}
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            assert doc["kind"] not in docs, f"two {doc['kind']}s"
            docs[doc["kind"]] = doc
    return docs


def test_the_kubernetes_manifests_match_the_tested_haproxy_set_up():
    docs = k8s()
    assert set(docs) == {"Deployment", "Service", "Ingress", "Kustomization"}
    listed = set(docs["Kustomization"]["resources"])
    assert listed == {p.name for p in (DEPLOY / "k8s").glob("*.yaml")} - {"kustomization.yaml"}

    dep, svc, ing = docs["Deployment"], docs["Service"], docs["Ingress"]
    assert dep["apiVersion"] == "apps/v1" and svc["apiVersion"] == "v1"
    assert ing["apiVersion"] == "networking.k8s.io/v1"
    labels = dep["spec"]["template"]["metadata"]["labels"]
    assert dep["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert svc["spec"]["selector"].items() <= labels.items()
    assert dep["spec"]["replicas"] >= 2

    (container,) = dep["spec"]["template"]["spec"]["containers"]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    health = haproxy_settings()["health"]
    for probe in ("readinessProbe", "livenessProbe"):
        get = container[probe]["httpGet"]
        assert get["path"] == health
        assert ports[get["port"]] == WORKER_PORT
    # The cookie secret from a Secret, the same for every pod.
    (env,) = [e for e in container["env"] if e["name"] == serve_class.COOKIE_SECRET_ENV]
    assert "value" not in env and set(env["valueFrom"]["secretKeyRef"]) == {"name", "key"}

    (svc_port,) = svc["spec"]["ports"]
    assert ports[svc_port["targetPort"]] == WORKER_PORT

    notes = ing["metadata"]["annotations"]
    prefix = "nginx.ingress.kubernetes.io/"
    assert notes[prefix + "affinity"] == "cookie"  # sticky by a cookie, not by client address
    assert notes[prefix + "session-cookie-name"] == haproxy_settings()["cookie"]
    assert notes[prefix + "session-cookie-change-on-failure"] == "true"  # HAProxy's redispatch
    assert int(notes[prefix + "proxy-read-timeout"]) >= 3600  # WebSockets stay open for the lesson
    (rule,) = ing["spec"]["rules"]
    (path,) = rule["http"]["paths"]
    backend = path["backend"]["service"]
    assert backend["name"] == svc["metadata"]["name"]
    assert backend["port"]["name"] == svc_port["name"]


def test_a_page_given_a_new_server_session_says_why_it_starts_afresh():
    """The browser reports the move (tests/test_serve_class_browser.py); the note is shown for a while."""
    def notes(moved_at: float | None) -> list[str]:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        if moved_at is not None:
            at.session_state["_playground_moved_at"] = moved_at
        at.run()
        assert_no_exception(at)
        return [i.value for i in at.info]

    assert ui.MOVED_MESSAGE in notes(time.monotonic())
    assert ui.MOVED_MESSAGE not in notes(None)
    assert ui.MOVED_MESSAGE not in notes(time.monotonic() - ui.MOVED_NOTICE_SECONDS - 1)
