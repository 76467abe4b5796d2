"""The shipped deployment for real: Debian's nginx with the repo's site config and a
throwaway certificate, in front of the dashboard run with the shipped Streamlit
settings, a council sign-in (oidc-provider-mock) and headless Chromium that
reaches the proxy under a council-like name. One journey (sign in, reason, search,
family view) is driven through TLS; the tests then check what it left: security
headers, the websocket over wss, no CSP violation, no demo picker although the
config is a demo config, and no personal data in the dashboard's JSON log.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pytest
from support.api_idp import Idp, start_api, user, write_config
from support.api_idp import stop as stop_api
from support.browser import (
    CHROMIUM,
    FLAGS,
    ROOT,
    _free_port,
    _stop,
    _wait_for,
    _wait_http,
)

from linkage.__main__ import main as linkage_main
from sources.__main__ import main as sources_main

playwright = pytest.importorskip("playwright.sync_api", reason="playwright missing")
pytest.importorskip("oidc_provider_mock", reason="oidc-provider-mock missing")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
if not Path(NGINX).exists():
    pytest.skip(
        "Debian nginx is not installed (apt-get install nginx; .ci/run does this)",
        allow_module_level=True,
    )

DEPLOY = ROOT / "deploy"
NAME = "lookup.council.test"
SHOTS = ROOT / "test-artifacts" / "proxy"
#: What the shipped site file says that a council changes, and what the test uses.
SHIPPED = {
    "server 127.0.0.1:8501;": "server 127.0.0.1:{app_port};",
    "server 127.0.0.1:8502;": "server 127.0.0.1:{api_port};",
    "listen 80;": "listen 127.0.0.1:{http_port};",
    "listen [::]:80;": "",
    "listen 443 ssl http2;": "listen 127.0.0.1:{https_port} ssl http2;",
    "listen [::]:443 ssl http2;": "",
    "server_name lookup.council.example;": f"server_name {NAME};",
    "/etc/ssl/family-context/fullchain.pem": "{cert}",
    "/etc/ssl/family-context/privkey.pem": "{key}",
}


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for NAME (and localhost)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, NAME)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName(NAME), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "fullchain.pem", folder / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _site_config(values: dict[str, str]) -> str:
    """The shipped site file with only the marked deployment values replaced."""
    text = (DEPLOY / "nginx" / "family-context.conf").read_text()
    for shipped, ours in SHIPPED.items():
        assert shipped in text, f"deploy/nginx/family-context.conf lost '{shipped}'"
        text = text.replace(shipped, ours.format(**values))
    return text


def _nginx(folder: Path, values: dict[str, str]) -> subprocess.Popen:
    """Debian's nginx as a foreground process with its own prefix in ``folder``."""
    conf = folder / "conf"
    (conf / "snippets").mkdir(parents=True)
    for name in ("family-context-proxy.conf", "family-context-headers.conf"):
        shutil.copy(DEPLOY / "nginx" / name, conf / "snippets" / name)
    (conf / "family-context.conf").write_text(_site_config(values))
    temp = folder / "temp"
    temp.mkdir()
    user = "user root;\n" if os.geteuid() == 0 else ""
    (conf / "nginx.conf").write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {folder}/nginx.pid;\n"
        f"error_log {folder}/error.log warn;\nevents {{ worker_connections 256; }}\n"
        "http {\n"
        f"  access_log {folder}/access.log;\n"
        f"  client_body_temp_path {temp}/body;\n  proxy_temp_path {temp}/proxy;\n"
        f"  fastcgi_temp_path {temp}/fastcgi;\n  uwsgi_temp_path {temp}/uwsgi;\n"
        f"  scgi_temp_path {temp}/scgi;\n"
        "  include family-context.conf;\n}\n"
    )
    args = ["-p", str(folder), "-c", str(conf / "nginx.conf")]
    check = subprocess.run([NGINX, "-t", *args], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    return subprocess.Popen(
        [NGINX, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@dataclass
class Site:
    """What the journey saw and left behind."""

    url: str
    direct: str
    http_port: int
    demo: Path
    logs: Path
    person: dict
    headers: dict[str, str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    websockets: list[str] = field(default_factory=list)
    frames: int = 0
    violations: list[str] = field(default_factory=list)
    typed: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    api_token: str = ""  # a bearer token the API behind the proxy accepts


def _app(folder: Path, demo: Path, app_port: int, idp_port: int, url: str):
    """The dashboard as its unit runs it: cwd holding .streamlit/ (shipped config,
    secrets), stderr captured as the service journal would be."""
    (folder / ".streamlit").mkdir(parents=True)
    shutil.copy(DEPLOY / "streamlit" / "config.toml", folder / ".streamlit")
    (folder / ".streamlit" / "secrets.toml").write_text(
        f'[auth]\nredirect_uri = "{url}/oauth2callback"\n'
        'cookie_secret = "test-cookie-secret-not-for-production"\n'
        'client_id = "family-context"\nclient_secret = "test-client-secret"\n'
        f'server_metadata_url = "http://127.0.0.1:{idp_port}'
        '/.well-known/openid-configuration"\n'
    )
    env = {**os.environ, "AUTHLIB_INSECURE_TRANSPORT": "1"}
    out, err = (folder / "stdout.log").open("w"), (folder / "stderr.log").open("w")
    return subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
         "--server.port", str(app_port), "--", "--config",
         str(demo / "config.toml")],
        cwd=folder, env=env, stdout=out, stderr=err,
    )  # fmt: skip


def _api(folder: Path, demo: Path, port: int, running: contextlib.ExitStack) -> str:
    """``python -m api`` on the port nginx's API location relays to, over the
    dashboard's index and audit log, with a provider of its own; a token."""
    folder.mkdir(parents=True)
    idp = Idp(folder)
    running.callback(idp.stop)
    from governance.keys import DEMO_KEY_FILE, generate_key_file

    key = demo / DEMO_KEY_FILE  # the dashboard's (demo mode): one chain, one key
    if not key.exists():
        generate_key_file(key)
    keyed = f'[governance]\naudit_key = "file:{key}"\n'
    config = write_config(folder, idp.url, index_url=f"sqlite:///{demo / 'index.db'}",
                          audit_url=f"sqlite:///{demo / 'audit.db'}",
                          extra=keyed)  # fmt: skip
    api, _ = start_api(config, port=port)
    running.callback(stop_api, api)
    return idp.token(*user("alice", "front_door"))


def _person(demo: Path) -> dict:
    """A child with a family and several services, from the generator's truth."""
    records = pl.read_csv(demo / "truth" / "records.csv")
    people = pl.read_csv(demo / "truth" / "people.csv", infer_schema_length=0)
    busy = records.group_by("person_id").len().rename({"len": "n"})
    kids = people.join(busy, on="person_id").filter(pl.col("role") == "child")
    kids = kids.sort("n", "person_id", descending=[True, False])
    return kids.row(0, named=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("proxy")
    demo = folder / "demo"
    assert sources_main(["generate", "--people", "300", "--seed", "19",
                         "--out", str(demo), "--quiet"]) == 0  # fmt: skip
    assert linkage_main(["build", "--config", str(demo / "config.toml")]) == 0
    cert, key = _certificate(folder)
    ports = {p: _free_port()
             for p in ("app_port", "http_port", "https_port", "api_port")}  # fmt: skip
    idp_port = _free_port()
    url = f"https://{NAME}:{ports['https_port']}"
    with contextlib.ExitStack() as running:
        idp = subprocess.Popen(
            [sys.executable, "-m", "oidc_provider_mock", "--port", str(idp_port),
             "--user-claims", json.dumps({"sub": "alice", "name": "Alice Worker",
                                          "roles": ["front_door"]})],
            cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        running.callback(_stop, idp)
        app = _app(folder / "etc", demo, ports["app_port"], idp_port, url)
        running.callback(_stop, app)
        values = {**{k: str(v) for k, v in ports.items()}, "cert": str(cert),
                  "key": str(key)}  # fmt: skip
        running.callback(_stop, _nginx(folder / "nginx", values))
        token = _api(folder / "api", demo, ports["api_port"], running)
        _wait_http(f"http://127.0.0.1:{idp_port}/.well-known/openid-configuration")
        _wait_for(f"http://127.0.0.1:{ports['app_port']}")
        direct = f"http://localhost:{ports['app_port']}"
        found = Site(url, direct, ports["http_port"], demo, folder / "etc",
                     _person(demo), api_token=token)  # fmt: skip
        _journey(found)
        yield found


_WATCH_CSP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def _journey(site: Site) -> None:
    """Sign in through the proxy, give a reason, search, open the family."""
    person = site.person
    first, last = person["first_name"], person["last_name"]
    dob = dt.date.fromisoformat(person["dob"]).strftime("%d/%m/%Y")
    site.typed = [first.lower(), last.upper(), dob, "REF-PROXY-19"]
    args = [*FLAGS, f"--host-resolver-rules=MAP {NAME} 127.0.0.1"]
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=args)
        context = browser.new_context(
            ignore_https_errors=True, viewport={"width": 1300, "height": 1000}
        )
        context.add_init_script(_WATCH_CSP)
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.on("websocket", lambda ws: _watch(site, ws))
        page.on("console", lambda m: site.console.append(f"{m.type}: {m.text}"))
        try:
            _walk(site, page, dob)
        except Exception:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "failed.png"), full_page=True)
            print("\n".join(site.console))
            raise
        direct = context.new_page()
        direct.goto(site.direct)
        direct.get_by_text("Choose a demo user").wait_for()
        _settled(direct)
        site.texts["direct"] = direct.inner_text("body")
        browser.close()


def _settled(page) -> None:  # noqa: ANN001
    """Wait until the script run that drew the page has finished."""
    page.locator(
        "[data-testid='stApp'][data-test-script-state='notRunning']"
    ).wait_for()


def _walk(site: Site, page, dob: str) -> None:  # noqa: ANN001
    """The worker's steps, through nginx."""
    response = page.goto(site.url)
    assert response is not None
    site.headers = {k.lower(): v for k, v in response.headers.items()}
    page.get_by_role("button", name="Sign in with your council account").wait_for()
    _settled(page)
    site.texts["sign_in"] = page.inner_text("body")
    page.get_by_role("button", name="Sign in with your council account").click()
    page.get_by_role("button", name="alice", exact=True).click()
    page.get_by_text("Why are you looking?").wait_for()
    page.get_by_label("Purpose").click()
    page.get_by_role("option", name="New referral (MASH)").click()
    page.get_by_label("Case or referral reference").fill(site.typed[3])
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("textbox", name="First name").fill(site.typed[0])
    page.get_by_role("textbox", name="Last name").fill(site.typed[1])
    page.get_by_role("textbox", name=re.compile("^Date of birth")).fill(dob)
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("button", name="Open").first.wait_for()
    site.texts["results"] = page.inner_text("body")
    page.get_by_role("button", name="Open").first.click()
    page.get_by_role("button", name="Yes, open the record").click()
    page.get_by_role("heading", name="Who to call").wait_for()
    page.get_by_role("heading", name="Family and services").wait_for()
    site.texts["family"] = page.inner_text("body")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "family-through-nginx.png"), full_page=True)
    site.violations = page.evaluate("window.__csp")


def _watch(site: Site, ws) -> None:  # noqa: ANN001
    site.websockets.append(ws.url)

    def _frame(_payload) -> None:  # noqa: ANN001
        site.frames += 1

    ws.on("framereceived", _frame)


def test_sign_in_search_and_family_view_through_nginx_with_tls(site: Site) -> None:
    family = site.texts["family"]
    assert "Who to call" in family and "Family and services" in family
    assert site.person["last_name"].lower() in site.texts["results"].lower()
    assert site.violations == [], f"CSP blocked part of Streamlit: {site.violations}"
    stream = f"wss://{NAME}:{site.url.rsplit(':', 1)[1]}/_stcore/stream"
    assert stream in site.websockets
    assert site.frames > 10, "the websocket carried no pages through nginx"


def test_security_headers_on_every_page(site: Site) -> None:
    h = site.headers
    assert h["strict-transport-security"].startswith("max-age=63072000")
    csp = h["content-security-policy"]
    for directive in ("default-src 'self'", "frame-ancestors 'none'",
                      "object-src 'none'", "connect-src 'self'"):  # fmt: skip
        assert directive in csp
    assert "'unsafe-eval'" not in csp
    assert h["x-frame-options"] == "DENY"
    assert h["x-content-type-options"] == "nosniff"
    assert h["referrer-policy"] == "no-referrer"
    assert h["cache-control"] == "no-store"
    assert "server" not in h or "nginx/" not in h["server"]


def _get(url: str, host: str | None = None) -> tuple[int, dict[str, str]]:
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            return None

    opener = urllib.request.build_opener(
        _NoRedirect, urllib.request.HTTPSHandler(context=context)
    )
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}


def test_plain_http_redirects_and_static_files_are_cacheable(site: Site) -> None:
    status, headers = _get(f"http://127.0.0.1:{site.http_port}/", host=NAME)
    assert status == 301 and headers["location"] == f"https://{NAME}/"
    port = site.url.rsplit(":", 1)[1]
    status, headers = _get(f"https://127.0.0.1:{port}/favicon.png", host=NAME)
    assert status == 200 and headers["cache-control"] == "no-store"
    script = re.search(r"static/js/[^\"']+\.js", _body(port))
    assert script is not None
    status, headers = _get(f"https://127.0.0.1:{port}/{script.group(0)}", host=NAME)
    assert status == 200 and "immutable" in headers["cache-control"]
    assert "strict-transport-security" in headers


def _body(port: str) -> str:
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    request = urllib.request.Request(f"https://127.0.0.1:{port}/",
                                     headers={"Host": NAME})  # fmt: skip
    with urllib.request.urlopen(request, context=context, timeout=10) as response:
        return response.read().decode()


def test_demo_config_shows_no_picker_through_the_proxy(site: Site) -> None:
    assert "Choose a demo user" not in site.texts["sign_in"]
    assert "Sign in with your council account" in site.texts["sign_in"]
    # The same dashboard opened on this machine, not through nginx, has it:
    # only the proxy made the difference.
    assert "Choose a demo user" in site.texts["direct"]


def _personal_values(site: Site) -> set[str]:
    """Every name, date of birth, address and postcode of the people the journey
    touched (the searched child and everyone in their household or family), and
    every term typed."""
    people = pl.read_csv(site.demo / "truth" / "people.csv", infer_schema_length=0)
    me = site.person
    near = people.filter(
        (pl.col("household_id") == me["household_id"])
        | (pl.col("family_id") == me["family_id"])
    )
    values = set(site.typed)
    for row in near.iter_rows(named=True):
        for key in ("first_name", "last_name", "previous_last_name", "address",
                    "postcode", "previous_address", "previous_postcode"):  # fmt: skip
            if row[key]:
                values.add(row[key])
        born = dt.date.fromisoformat(row["dob"])
        values |= {row["dob"], born.strftime("%d/%m/%Y"), born.strftime("%d%m%Y")}
        values |= {part.strip() for part in (row["address"] or "").split(",")}
    return {v for v in values if len(v) >= 3}


def test_logs_are_json_lines_with_request_ids_and_no_personal_data(site: Site) -> None:
    err = (site.logs / "stderr.log").read_text()
    lines = [json.loads(line) for line in err.splitlines() if line.strip()]
    ours = [line for line in lines if line["logger"] == "family_context"]
    assert all(len(line["request_id"]) == 16 for line in ours)
    runs = [line for line in ours if line["event"] == "dashboard_run"]
    assert {"sign_in", "reason", "search", "family"} <= {r["page"] for r in runs}
    kinds = {line.get("kind") for line in lines if line["event"] == "audit_event"}
    assert {"sign_in", "search", "results_shown", "family_opened"} <= kinds
    everything = (err + (site.logs / "stdout.log").read_text()).lower()
    values = _personal_values(site)
    assert len(values) > 10
    leaked = sorted(v for v in values if v.lower() in everything)
    assert leaked == []


def test_the_api_location_reaches_the_api_with_its_own_headers(site: Site) -> None:
    """A case system's search through nginx: answered by the API (JSON, its own
    no-store and CSP headers, recorded with its purpose), its body limit
    enforced at the proxy, its OpenAPI document served; a page is not."""
    import httpx

    person = site.person
    body = {
        "purpose": "New referral (MASH)",
        "case_ref": "REF-PROXY-API",
        "first_name": person["first_name"],
        "last_name": person["last_name"],
    }
    auth = {"Authorization": f"Bearer {site.api_token}", "Host": NAME}  # fmt: skip
    port = site.url.rsplit(":", 1)[1]  # the name resolves in Chromium only
    with httpx.Client(base_url=f"https://127.0.0.1:{port}", verify=False,
                      timeout=60) as client:  # fmt: skip
        found = client.post("/v1/search", json=body, headers=auth)
        assert found.status_code == 200, found.text
        assert found.headers["content-type"] == "application/json"
        assert found.headers["cache-control"] == "no-store"
        assert found.headers["content-security-policy"].startswith("default-src 'none'")
        listed = found.json()
        assert listed["results"] or listed["possible_matches"], listed
        big = client.post(
            "/v1/search",
            content=b"{" + b" " * 70_000 + b"}",
            headers={**auth, "Content-Type": "application/json"},
        )
        assert big.status_code == 413  # nginx's client_max_body_size 64k
        document = client.get("/openapi.json", headers={"Host": NAME})
        assert document.json()["info"]["version"] == "1"
    from core.db import make_engine
    from governance.audit import read_events

    events = read_events(make_engine(f"sqlite:///{site.demo / 'audit.db'}"), 200)
    searched = [e for e in events if e["kind"] == "search"
                and e["case_ref"] == "REF-PROXY-API"]  # fmt: skip
    assert [e["user_id"] for e in searched] == ["alice"]


def test_the_policy_allows_the_focus_script_by_its_hash_alone() -> None:
    """The one inline script the pages add (focus after an action) is allowed by
    the hash of its unchanging text; a change to the script without the policy
    would be blocked in the browser, so the two must agree."""
    from ui.focus import SCRIPT_HASH

    policy = (DEPLOY / "nginx" / "family-context-headers.conf").read_text()
    assert SCRIPT_HASH in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";")[0]
