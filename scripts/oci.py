#!/usr/bin/env python3
"""Writes the module as an OCI image layout in Istio's Wasm image format.

    scripts/oci.py [--wasm target/wasm32-wasip1/release/envoy_rasp.wasm]
                   [--out build/oci] [--tag v<Cargo version>]

The layout (oci-layout, index.json, blobs/sha256/...) holds one image in the
"oci" variant of the Wasm Artifact Image Specification
(github.com/solo-io/wasm spec/spec.md), which Istio's image fetcher
(pkg/wasm/imagefetcher.go) reads as:

  * a manifest whose config has media type
    application/vnd.module.wasm.config.v1+json (the runtime config:
    type envoy_proxy, the proxy-wasm ABI versions the module exports, its
    root id);
  * exactly two layers (Istio rejects any other count): that config, then
    the module itself, uncompressed, as
    application/vnd.module.wasm.content.layer.v1+wasm;
  * the tag as the index annotation org.opencontainers.image.ref.name.

Nothing depends on the time or the machine: the same module gives the same
digests. Push it with any OCI tool, e.g.

    oras cp --from-oci-layout build/oci:v0.1.0 registry.example.com/security/envoy-rasp:v0.1.0
    skopeo copy oci:build/oci:v0.1.0 docker://registry.example.com/security/envoy-rasp:v0.1.0

Standard library only.
"""
import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json"
INDEX_MEDIA_TYPE = "application/vnd.oci.image.index.v1+json"
CONFIG_MEDIA_TYPE = "application/vnd.module.wasm.config.v1+json"
WASM_MEDIA_TYPE = "application/vnd.module.wasm.content.layer.v1+wasm"
TITLE = "org.opencontainers.image.title"
REF_NAME = "org.opencontainers.image.ref.name"
ROOT_ID = "envoy_rasp"


def canonical(obj):
    """Deterministic JSON bytes (sorted keys, no whitespace)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def leb128(data, i):
    """Unsigned LEB128 at data[i:] -> (value, next index)."""
    value, shift = 0, 0
    while True:
        if i >= len(data) or shift > 35:
            raise ValueError("truncated or oversized LEB128")
        b = data[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return value, i


def wasm_exports(module):
    """Names exported by a Wasm binary (export section, id 7)."""
    if module[:4] != b"\0asm" or len(module) < 8:
        raise ValueError("not a WebAssembly module")
    i, names = 8, []
    while i < len(module):
        section, i = module[i], i + 1
        size, i = leb128(module, i)
        end = i + size
        if end > len(module):
            raise ValueError("section runs past the end of the module")
        if section == 7:
            count, j = leb128(module, i)
            for _ in range(count):
                n, j = leb128(module, j)
                names.append(module[j:j + n].decode("utf-8", "replace"))
                j += n + 1  # kind byte
                _, j = leb128(module, j)  # index
        i = end
    return names


def cargo_version():
    with open(ROOT / "Cargo.toml", "rb") as f:
        return tomllib.load(f)["package"]["version"]


def build(wasm_path, out_dir, tag):
    module = Path(wasm_path).read_bytes()
    exports = wasm_exports(module)
    abi = sorted(e for e in exports if e.startswith("proxy_abi_version_"))
    if not abi:
        raise ValueError(f"{wasm_path} exports no proxy_abi_version_*: not a proxy-wasm module")
    config = canonical({
        "type": "envoy_proxy",
        "abiVersions": abi,
        "config": {"root_ids": [ROOT_ID]},
    })
    blobs = {sha256(config): config, sha256(module): module}
    manifest = canonical({
        "schemaVersion": 2,
        "mediaType": MANIFEST_MEDIA_TYPE,
        "config": {"mediaType": CONFIG_MEDIA_TYPE, "digest": "sha256:" + sha256(config),
                   "size": len(config)},
        "layers": [
            {"mediaType": CONFIG_MEDIA_TYPE, "digest": "sha256:" + sha256(config),
             "size": len(config), "annotations": {TITLE: "runtime-config.json"}},
            {"mediaType": WASM_MEDIA_TYPE, "digest": "sha256:" + sha256(module),
             "size": len(module), "annotations": {TITLE: "envoy_rasp.wasm"}},
        ],
        "annotations": {
            TITLE: "envoy-rasp",
            "org.opencontainers.image.version": tag.lstrip("v"),
            "org.opencontainers.image.description":
                "envoy-rasp proxy-wasm HTTP filter (Runtime Application Self-Protection)",
        },
    })
    blobs[sha256(manifest)] = manifest
    index = canonical({
        "schemaVersion": 2,
        "mediaType": INDEX_MEDIA_TYPE,
        "manifests": [{"mediaType": MANIFEST_MEDIA_TYPE, "digest": "sha256:" + sha256(manifest),
                       "size": len(manifest), "annotations": {REF_NAME: tag}}],
    })
    # Write next to the target and swap in, so a stale blob never survives.
    out = Path(out_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".oci-", dir=out.parent))
    try:
        (tmp / "blobs" / "sha256").mkdir(parents=True)
        for digest, data in sorted(blobs.items()):
            (tmp / "blobs" / "sha256" / digest).write_bytes(data)
        (tmp / "oci-layout").write_bytes(canonical({"imageLayoutVersion": "1.0.0"}))
        (tmp / "index.json").write_bytes(index)
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {"module_sha256": sha256(module), "manifest_digest": "sha256:" + sha256(manifest),
            "tag": tag, "abi": abi, "size": len(module)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wasm", default=str(ROOT / "target/wasm32-wasip1/release/envoy_rasp.wasm"))
    ap.add_argument("--out", default=str(ROOT / "build/oci"))
    ap.add_argument("--tag", default=None, help="default: v<version in Cargo.toml>")
    a = ap.parse_args()
    tag = a.tag or "v" + cargo_version()
    try:
        info = build(a.wasm, a.out, tag)
    except (OSError, ValueError) as e:
        sys.exit(f"oci: {e}")
    print(f"OCI image layout: {a.out} (tag {tag}, {info['size']} bytes, ABI {', '.join(info['abi'])})")
    print(f"  module sha256:   {info['module_sha256']}")
    print(f"  manifest digest: {info['manifest_digest']}")
    print()
    print("istio/wasmplugin.yaml:")
    print(f"  oci://  url: oci://<registry>/envoy-rasp:{tag}   sha256: {info['manifest_digest'][7:]}")
    print(f"          (or url: oci://<registry>/envoy-rasp@{info['manifest_digest']})")
    print(f"  https:// url: https://<server>/envoy_rasp.wasm  sha256: {info['module_sha256']}")


if __name__ == "__main__":
    main()
