"""Turns manifests of deploy/k8s into YAML that `podman kube play` runs on this host: the
Deployments on the host's network with one replica, the local image and the given ports (the
probes too; no declared container ports, which podman takes for port mappings), their
ConfigMap pointed at the host's infrastructure. What kube play cannot take is left out, and
said on stderr: Services and the HorizontalPodAutoscaler (no cluster network, no metrics), and
the Secrets: a secret's keys become env entries of the containers that read it with
`envFrom` (podman 4.3 maps a secretRef to podman secrets, not to a Secret in the same file),
and a secret mounted as a volume becomes a host folder holding its keys as files
(`--secret-dir`), mounted where the manifest mounts it.

Run with the deploy tools' Python (it needs PyYAML):
  .local/deploy-tools/bin/python deploy/local/kube_local.py --image localhost/bahi:local \
      --set BAHI_DATABASE_URL=postgresql://bahi@127.0.0.1:5432/bahi --port bahi-query=18802 \
      deploy/k8s/config.yaml deploy/k8s/query.yaml > /tmp/query.yaml
  podman kube play /tmp/query.yaml
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

_PORT_VARIABLES = {"command": "BAHI_PORT", "query": "BAHI_PORT", "saga": "BAHI_SAGA_PORT"}
_CONFIG_PORTS = {"relay": "BAHI_RELAY_PORT", "projector": "BAHI_PROJECTOR_PORT"}


def _pairs(values: list[str]) -> dict[str, str]:
    return dict(value.split("=", 1) for value in values)


def _secret_volumes(pod: dict[str, Any], secrets: dict[str, dict[str, str]], folder: Path | None) -> None:
    for volume in pod.get("volumes", []):
        if "secret" not in volume:
            continue
        if folder is None:
            raise SystemExit("kube_local: a secret is mounted as a volume: give --secret-dir")
        name = volume["secret"]["secretName"]
        where = folder / name
        where.mkdir(parents=True, exist_ok=True)
        where.chmod(0o755)  # the image's user (not root) reads it
        for key, value in secrets[name].items():
            (where / key).write_text(value)
            (where / key).chmod(0o644)
        volume.pop("secret")
        volume["hostPath"] = {"path": str(where), "type": "Directory"}


def _deployment(
    doc: dict[str, Any], image: str, ports: dict[str, str], secrets: dict[str, dict[str, str]], folder: Path | None
) -> None:
    spec = doc["spec"]
    spec["replicas"] = 1
    pod = spec["template"]["spec"]
    pod["hostNetwork"] = True
    _secret_volumes(pod, secrets, folder)
    for container in pod["containers"]:
        container["image"] = image
        env = container.setdefault("env", [])
        refs = container.get("envFrom", [])
        for ref in refs:
            if "secretRef" in ref:
                env.extend({"name": key, "value": value} for key, value in secrets[ref["secretRef"]["name"]].items())
        container["envFrom"] = [ref for ref in refs if "secretRef" not in ref]
        port = ports.get(doc["metadata"]["name"])
        if port is None:
            continue
        variable = _PORT_VARIABLES.get(container["name"]) or _CONFIG_PORTS[container["name"]]
        env[:] = [e for e in env if e["name"] != variable] + [{"name": variable, "value": port}]
        # On the host's network a declared port is a port mapping to podman, which it refuses:
        # the probes name the port by number instead.
        container.pop("ports", None)
        for probe in ("readinessProbe", "livenessProbe"):
            if "httpGet" in container.get(probe, {}):
                container[probe]["httpGet"]["port"] = int(port)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--image", required=True)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="ConfigMap/Secret value")
    parser.add_argument("--port", action="append", default=[], metavar="DEPLOYMENT=PORT")
    parser.add_argument("--secret-dir", type=Path, help="where secrets mounted as volumes are written")
    parser.add_argument("manifests", nargs="+", type=Path)
    args = parser.parse_args()
    overrides, ports = _pairs(args.set), _pairs(args.port)

    docs = [d for path in args.manifests for d in yaml.safe_load_all(path.read_text()) if d]
    secrets: dict[str, dict[str, str]] = {}
    for doc in docs:
        if doc["kind"] == "Secret":
            values = doc.get("stringData", {})
            secrets[doc["metadata"]["name"]] = {k: overrides.get(k, v) for k, v in values.items()}
    secret_keys = {key for values in secrets.values() for key in values}
    out = []
    for doc in docs:
        kind = doc["kind"]
        if kind == "ConfigMap":
            data = doc.setdefault("data", {})
            data.update({k: v for k, v in overrides.items() if k not in secret_keys})
            out.append(doc)
        elif kind == "Deployment":
            _deployment(doc, args.image, ports, secrets, args.secret_dir)
            out.append(doc)
        else:
            sys.stderr.write(f"kube_local: left out {kind} {doc['metadata']['name']} (not for kube play)\n")
    yaml.safe_dump_all(out, sys.stdout, sort_keys=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
