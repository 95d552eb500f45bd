"""`make oci` (scripts/oci.py): an OCI image layout Istio can pull.

Checks the layout against the OCI image-layout spec (digests match blobs,
sizes, media types, no stray blobs), that it is deterministic, and that
Istio's fetcher logic (pkg/wasm/imagefetcher.go) would take it as the "oci"
variant Wasm image and hand Envoy exactly the built module.
"""
import hashlib
import json
import subprocess
import sys
import tomllib

import pytest

from conftest import ROOT, WASM

SCRIPT = ROOT / "scripts" / "oci.py"
WASM_LAYER = "application/vnd.module.wasm.content.layer.v1+wasm"
WASM_CONFIG = "application/vnd.module.wasm.config.v1+json"
OCI_LAYER_TGZ = "application/vnd.oci.image.layer.v1.tar+gzip"


def run(out, *extra):
    r = subprocess.run([sys.executable, str(SCRIPT), "--wasm", str(WASM), "--out", str(out), *extra],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout


def blob(layout, digest):
    algo, hexd = digest.split(":")
    assert algo == "sha256"
    return (layout / "blobs" / "sha256" / hexd).read_bytes()


def check_descriptor(layout, d):
    data = blob(layout, d["digest"])
    assert len(data) == d["size"], d
    assert "sha256:" + hashlib.sha256(data).hexdigest() == d["digest"], d
    return data


@pytest.fixture(scope="module")
def layout(tmp_path_factory):
    out = tmp_path_factory.mktemp("oci") / "layout"
    stdout = run(out)
    return out, stdout


def test_layout_files_and_digests(layout):
    out, _ = layout
    assert json.loads((out / "oci-layout").read_text()) == {"imageLayoutVersion": "1.0.0"}
    index = json.loads((out / "index.json").read_text())
    assert index["schemaVersion"] == 2
    assert index["mediaType"] == "application/vnd.oci.image.index.v1+json"
    assert len(index["manifests"]) == 1
    m = index["manifests"][0]
    assert m["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
    version = tomllib.loads((ROOT / "Cargo.toml").read_text())["package"]["version"]
    assert m["annotations"]["org.opencontainers.image.ref.name"] == "v" + version
    manifest = json.loads(check_descriptor(out, m))
    assert manifest["schemaVersion"] == 2
    assert manifest["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
    config = json.loads(check_descriptor(out, manifest["config"]))
    assert manifest["config"]["mediaType"] == WASM_CONFIG
    assert config["type"] == "envoy_proxy"
    assert "proxy_abi_version_0_2_1" in config["abiVersions"]
    assert config["config"]["root_ids"] == ["envoy_rasp"]
    referenced = {m["digest"], manifest["config"]["digest"]}
    for layer in manifest["layers"]:
        check_descriptor(out, layer)
        referenced.add(layer["digest"])
    on_disk = {"sha256:" + p.name for p in (out / "blobs" / "sha256").iterdir()}
    assert on_disk == referenced, "stray or missing blobs"


def istio_extract(out):
    """pkg/wasm/imagefetcher.go, for an OCI (non-Docker) manifest."""
    index = json.loads((out / "index.json").read_text())
    manifest = json.loads(blob(out, index["manifests"][0]["digest"]))
    assert manifest.get("mediaType") != "application/vnd.docker.distribution.manifest.v2+json"
    layers = manifest["layers"]
    # "compat" variant: last layer a tar+gzip holding plugin.wasm. Not ours.
    assert layers[-1]["mediaType"] != OCI_LAYER_TGZ
    # "oci" variant: exactly two layers, one of them the raw module.
    assert len(layers) == 2, "Istio requires exactly two layers in the oci variant"
    wasm = [l for l in layers if l["mediaType"] == WASM_LAYER]
    assert wasm
    data = blob(out, wasm[0]["digest"])
    assert data[:4] == b"\0asm" and len(data) >= 8
    return data, index["manifests"][0]["digest"]


def test_istio_gets_exactly_the_built_module(layout):
    out, stdout = layout
    data, manifest_digest = istio_extract(out)
    assert data == WASM.read_bytes()
    # The digests a WasmPlugin needs are printed.
    assert hashlib.sha256(data).hexdigest() in stdout
    assert manifest_digest in stdout


def test_layout_is_deterministic(tmp_path, layout):
    out, _ = layout
    again = tmp_path / "again"
    run(again)
    files = lambda d: sorted(p.relative_to(d) for p in d.rglob("*") if p.is_file())
    assert files(out) == files(again)
    for rel in files(out):
        assert (out / rel).read_bytes() == (again / rel).read_bytes(), rel
    # Rewriting in place leaves no stale blobs behind.
    run(again, "--tag", "v9.9.9")
    index = json.loads((again / "index.json").read_text())
    assert index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"] == "v9.9.9"
    assert len(list((again / "blobs" / "sha256").iterdir())) == 3


def test_rejects_a_file_that_is_not_a_proxy_wasm_module(tmp_path):
    bogus = tmp_path / "x.wasm"
    bogus.write_bytes(b"\0asm\x01\0\0\0")  # valid header, no exports
    r = subprocess.run([sys.executable, str(SCRIPT), "--wasm", str(bogus), "--out", str(tmp_path / "o")],
                       capture_output=True, text=True)
    assert r.returncode != 0
    assert "proxy_abi_version" in r.stderr
    assert not (tmp_path / "o").exists()
