"""A real OpenID Provider for the tests (tests/sso/provider/provider.mjs on node), and how to sign in at it.

The provider runs on a free loopback port for the whole test run. Its accounts and clients are below;
each client the app knows stands for one way an answer can be right or wrong.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

PROVIDER_DIR = Path(__file__).resolve().parent / "provider"
SECRET = "tests-only-client-secret"  # noqa: S105 - a test provider's client secret
DOMAIN = "riverside.example"

# The provider's accounts: subject -> the claims it asserts (amr: how the person proved themselves).
ACCOUNTS = {
    "jordan": {"claims": {"email": f"Jordan.Lee@{DOMAIN}", "email_verified": True, "name": "Jordan Lee",
                          "role": "admin", "groups": ["admin", "hr"]}, "amr": ["pwd"]},
    "casey": {"claims": {"email": f"casey.hr@{DOMAIN}", "email_verified": True}, "amr": ["pwd"]},
    "unverified": {"claims": {"email": f"unverified@{DOMAIN}", "email_verified": False}},
    "outsider": {"claims": {"email": "teacher@elsewhere.example", "email_verified": True}},
    "retired": {"claims": {"email": f"retired@{DOMAIN}", "email_verified": True}},
    "stranger": {"claims": {"email": f"stranger@{DOMAIN}", "email_verified": True}},
    "robin": {"claims": {"email": f"robin.other@{DOMAIN}", "email_verified": True}},
    "entra": {"claims": {"email": f"casey.hr@{DOMAIN}", "xms_edov": True}},  # no email_verified
    "admin-otp": {"claims": {"email": f"admin@{DOMAIN}", "email_verified": True}, "amr": ["pwd", "otp"]},
}
# App provider name -> (client id, claims the provider overwrites in that client's ID tokens).
CLIENTS = {
    "district": ("tracker", {}),
    "wrong-aud": ("tracker-aud", {"aud": ["another-app"], "azp": "tracker-aud"}),
    "wrong-iss": ("tracker-iss", {"iss": "http://127.0.0.1:9/another-issuer"}),
    "expired": ("tracker-exp", {"exp": 1_000_000_000, "iat": 999_999_000}),
}


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def install_node_packages() -> None:
    """`npm ci` once, if a clean clone has no node_modules yet."""
    if (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        return
    npm = shutil.which("npm")
    assert npm, "npm is needed for the SSO tests (tests/sso/provider): install Node.js 20 or later"
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=PROVIDER_DIR, check=True,  # noqa: S603
                   stdout=subprocess.DEVNULL)


@dataclass
class LocalProvider:
    """One running provider process."""

    port: int
    live_port: int  # where the browser test serves the app (its redirect URIs are registered)
    folder: Path
    email_in_id_token: bool = True  # False: only userinfo tells the email (oidc-provider's default)
    process: subprocess.Popen | None = None
    silent: socket.socket | None = None  # listens and never answers: a provider that hangs
    log: list[str] = field(default_factory=list)

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LocalProvider:
        """Start node and wait until it listens."""
        install_node_packages()
        bases = ("http://localhost", f"http://127.0.0.1:{self.live_port}")
        clients = [{"client_id": client_id, "client_secret": SECRET,
                    "redirect_uris": [f"{b}/login/sso/{name}/callback" for b in bases]}
                   for name, (client_id, _) in CLIENTS.items()]
        config = {"port": self.port, "issuer": self.issuer, "clients": clients, "accounts": ACCOUNTS,
                  "tamper": {client_id: claims for client_id, claims in CLIENTS.values() if claims},
                  "conformIdTokenClaims": not self.email_in_id_token}
        path = self.folder / "provider.json"
        path.write_text(json.dumps(config))
        node = shutil.which("node")
        assert node, "node is needed for the SSO tests"
        self.process = subprocess.Popen([node, str(PROVIDER_DIR / "provider.mjs"), str(path)],  # noqa: S603
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line and self.process.poll() is not None:
                break
            self.log.append(line)
            if line.startswith("ready "):
                return self
        self.stop()
        raise RuntimeError("the test OpenID Provider did not start:\n" + "".join(self.log))

    def stop(self) -> None:
        """End the node process (and the silent socket)."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        if self.silent:
            self.silent.close()

    def settings(self, **overrides) -> list[dict]:
        """OIDC_PROVIDERS for the app: one entry per client above, all trusting this provider."""
        out = []
        for name, (client_id, _) in CLIENTS.items():
            out.append({"name": name, "label": "Riverside Schools" if name == "district" else name,
                        "issuer": self.issuer, "client_id": client_id, "client_secret": SECRET,
                        "email_domains": [DOMAIN], "trust_mfa": True, **overrides.get(name, {})})
        # The same provider under another spelling of its issuer: its discovery document names itself
        # differently from what the settings say.
        out.append({**out[0], "name": "misnamed", "label": "misnamed",
                    "issuer": f"http://localhost:{self.port}"})
        out.append({**out[0], "name": "unreachable", "label": "Nobody",
                    "issuer": f"http://127.0.0.1:{free_port()}"})  # nothing listens there
        if self.silent is None:
            self.silent = socket.socket()
            self.silent.bind(("127.0.0.1", 0))
            self.silent.listen(64)
        out.append({**out[0], "name": "silent", "label": "Silent",
                    "issuer": f"http://127.0.0.1:{self.silent.getsockname()[1]}"})
        return out


def sign_in_at_provider(authorize_url: str, account: str, app_base: str = "http://localhost",
                        http: requests.Session | None = None) -> str:
    """Sign in as `account` at the provider, as a browser would; the callback URL it sends back to."""
    http = http or requests.Session()
    response = http.get(authorize_url, allow_redirects=False, timeout=10)
    for _ in range(10):
        if response.is_redirect:
            location = urljoin(response.url, response.headers["Location"])
            if location.startswith(app_base):
                return location
            response = http.get(location, allow_redirects=False, timeout=10)
        elif response.status_code == 200 and 'name="login"' in response.text:
            action = urljoin(response.url, urlsplit(response.url).path)
            response = http.post(action, data={"login": account}, allow_redirects=False, timeout=10)
            assert "No test account" not in response.text, response.text
        else:
            raise AssertionError(f"the provider answered {response.status_code}: {response.text[:500]}")
    raise AssertionError("the provider never sent the browser back")


def start_at_app(client, name: str = "district", query: str = "") -> str:
    """Press "Sign in with ..." on the app: the provider URL it redirects to."""
    response = client.get(f"/login/sso/{name}{query}")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.headers["Location"]


def callback_for(client, account: str, name: str = "district") -> str:
    """Start at the app, sign in at the provider: the callback URL, not yet followed."""
    return sign_in_at_provider(start_at_app(client, name), account)
