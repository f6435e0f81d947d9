"""Loopback tests of net_noc_probe and net_exchange_path under Wine.

The collector is run with the support option ``/only:net_noc_probe`` (and
``/only:net_exchange_path``) so that only the network steps run. Servers
listen on 127.0.0.1 only:

(a) plain HTTP 200 (``/nocscheme:http``, a test-only switch);
(b) a closed port: WinHTTP 12029 (cannot connect);
(c) HTTP 407 Proxy Authentication Required: recorded as Status=407, no error;
(d) HTTPS with a self-signed certificate (openssl CLI). Under Wine 8 the TLS
    handshake fails and WinHTTP reports 12157 (secure channel error); on
    Windows a certificate error (12175/12045) is expected. The test asserts
    the record says what the server saw: no HTTP request -> an error number
    and text; a request -> status 200.
"""

from __future__ import annotations

import http.server
import shutil
import socket
import ssl
import subprocess
import threading

import pytest

from vmes_audit.collection.manifest import Manifest
from vmes_audit.base.encoding import decode_bytes
from vmes_audit.parsers.records import parse_records

pytestmark = [pytest.mark.wine, pytest.mark.slow]


class _Handler(http.server.BaseHTTPRequestHandler):
    status = 200
    seen: list[str]

    def do_GET(self):  # noqa: N802 (http.server API)
        self.seen.append(self.path)
        self.send_response(self.status)
        if self.status == 407:
            self.send_header("Proxy-Authenticate", 'Basic realm="test"')
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def _serve(status: int, tls_ctx: ssl.SSLContext | None = None):
    seen: list[str] = []
    handler = type("H", (_Handler,), {"status": status, "seen": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    if tls_ctx is not None:
        server.socket = tls_ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, seen


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _probes(run, name="net_noc_probe"):
    manifest = Manifest.model_validate_json((run.folder / "manifest.json").read_bytes())
    art = manifest.artifact(name)
    assert art is not None and art.status == "ok", (art, run.stdout)
    text = decode_bytes((run.folder / art.file).read_bytes()).text
    return parse_records(text, artifact=name)


def _e1(run):
    """The analyzer's E1 finding on the zip the collector wrote."""
    from vmes_audit.assessment.run import run_assessment

    assert run.zips, run.stdout
    findings = [f for f in run_assessment(run.zips).report.findings if f.catalogue == "E1"]
    assert len(findings) == 1, findings
    return findings[0]


def _noc(wine, tmp_path, port, *extra):
    return wine.collect(tmp_path, "/only:net_noc_probe", f"/noc:localhost:{port}", "/nocaddr:127.0.0.1", *extra)


def test_http_200(wine, tmp_path):
    server, seen = _serve(200)
    try:
        run = _noc(wine, tmp_path, server.server_address[1], "/nocscheme:http")
    finally:
        server.shutdown()
    name, addr = _probes(run)
    assert (name.get("Target"), addr.get("Target")) == ("name", "address")
    assert name.get("Resolved") == "True" and name.get("Addresses") == ["127.0.0.1"]
    for probe in (name, addr):
        assert probe.get("ProxyMode") == "direct" and probe.get("Proxy") == ""
        assert probe.get("Status") == "200" and probe.get("ErrorNumber") == ""
        assert int(probe.get("ElapsedMs")) >= 0
    assert len(seen) == 2
    finding = _e1(run)
    assert finding.state.value == "pass", finding.message


def test_closed_port(wine, tmp_path):
    run = _noc(wine, tmp_path, _closed_port(), "/nocscheme:http")
    for probe in _probes(run):
        assert probe.get("Status") == ""
        assert probe.get("ErrorNumber") == "12029"
        assert probe.get("ErrorText")
    finding = _e1(run)
    assert finding.state.value == "fail"
    assert "12029" in finding.message or "pare-feu" in finding.message, finding.message
    assert "TCP" in finding.remediation and "localhost" in finding.remediation, finding.remediation


def test_proxy_auth_407_is_a_status(wine, tmp_path):
    server, seen = _serve(407)
    try:
        run = _noc(wine, tmp_path, server.server_address[1], "/nocscheme:http")
    finally:
        server.shutdown()
    for probe in _probes(run):
        assert probe.get("Status") == "407"
        assert probe.get("ErrorNumber") == ""
    assert seen
    finding = _e1(run)
    assert finding.state.value == "warn" and "407" in finding.message, finding.message


def test_https_self_signed(wine, tmp_path):
    if shutil.which("openssl") is None:
        pytest.skip("openssl absent : certificat auto-signé impossible à générer")
    key, cert = tmp_path / "k.pem", tmp_path / "c.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                    "-out", str(cert), "-days", "2", "-subj", "/CN=vmes-test.invalid"],
                   check=True, capture_output=True)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    server, seen = _serve(200, ctx)
    try:
        run = _noc(wine, tmp_path / "run", server.server_address[1])
    finally:
        server.shutdown()
    name, addr = _probes(run)
    assert name.get("Url").startswith("https://localhost:")
    assert name.get("CertCheck") == "True" and addr.get("CertCheck") == "False"
    if not seen:
        # nothing reached the HTTP layer: both probes must carry the WinHTTP error
        for probe in (name, addr):
            assert probe.get("Status") == ""
            assert probe.get("ErrorNumber") in {"12157", "12175", "12045", "12038", "12030", "12152"}
            assert probe.get("ErrorText")
    else:
        # the certificate is checked for the name target only
        assert name.get("ErrorNumber") in {"12175", "12045", "12038"}
        assert addr.get("Status") == "200"
    finding = _e1(run)
    assert finding.state.value == "fail", finding.message
    assert "TLS" in finding.message or "certificat" in finding.message, finding.message


def test_exchange_path_from_option(wine, tmp_path):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    open_port = listener.getsockname()[1]

    def accept_and_close():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            conn.close()

    threading.Thread(target=accept_and_close, daemon=True).start()
    closed = _closed_port()
    try:
        run = wine.collect(tmp_path, "/only:net_exchange_path",
                           f"/exchserver:127.0.0.1:{open_port},127.0.0.1:{closed}")
    finally:
        listener.close()
    opened, shut = _probes(run, "net_exchange_path")
    assert opened.get("Port") == str(open_port) and opened.get("PortOpen") == "True"
    assert shut.get("Port") == str(closed) and shut.get("PortOpen") == "False"
    assert opened.get("Addresses") == ["127.0.0.1"]
