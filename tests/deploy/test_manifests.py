"""Deployment files validated offline: Kubernetes schemas, compose config, Dockerfile rules."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from workers.config import Settings

ROOT = Path(__file__).resolve().parent.parent.parent
OVERLAYS = ["deploy/base", "deploy/overlays/example", "deploy/overlays/hpa"]
K8S_VERSION = "1.32.0"
KEDA_CRDS = ROOT / "tests" / "data" / "keda"


def strict(schema: Any) -> Any:
    """A CRD's OpenAPI schema as ``kubectl apply --validate=strict`` reads it: an object whose
    properties are listed accepts no other field."""
    if isinstance(schema, dict):
        out = {k: strict(v) for k, v in schema.items() if not k.startswith("x-kubernetes-")}
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    return schema


def crd_schemas() -> dict[tuple[str, str], dict[str, Any]]:
    """(apiVersion, kind) -> strict schema, from KEDA's vendored CRDs (tests/data/keda)."""
    schemas = {}
    for path in sorted(KEDA_CRDS.glob("*.yaml")):
        for crd in yaml.safe_load_all(path.read_text()):
            if not crd:
                continue
            for version in crd["spec"]["versions"]:
                api = f"{crd['spec']['group']}/{version['name']}"
                schema = strict(version["schema"]["openAPIV3Schema"])
                schema["properties"]["metadata"] = {"type": "object"}
                schemas[(api, crd["spec"]["names"]["kind"])] = schema
    return schemas


KEDA_SCHEMAS = crd_schemas()


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is needed to validate deploy files (make system-deps installs it)")
    return path


def render(folder: str) -> list[dict[str, Any]]:
    result = subprocess.run(
        [tool("kubectl"), "kustomize", str(ROOT / folder)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@pytest.mark.parametrize("folder", OVERLAYS)
def test_every_manifest_is_valid(folder: str) -> None:
    docs = render(folder)
    kinds = {doc["kind"] for doc in docs}
    assert {"Deployment", "PodDisruptionBudget", "ConfigMap"} <= kinds
    for doc in docs:
        schema = KEDA_SCHEMAS.get((doc["apiVersion"], doc["kind"]))
        if schema is not None:
            jsonschema.validate(doc, schema)
        else:
            assert doc["apiVersion"].split("/")[0] != "keda.sh", f"no KEDA CRD for {doc['kind']}"
            kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def test_keda_crd_check_catches_a_misspelt_field() -> None:
    scaled = next(d for d in render("deploy/base") if d["kind"] == "ScaledObject")
    schema = KEDA_SCHEMAS[("keda.sh/v1alpha1", "ScaledObject")]
    jsonschema.validate(scaled, schema)
    scaled["spec"]["cooldownPeriods"] = 300
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(scaled, schema)


def test_scaling_choice_per_overlay() -> None:
    assert "ScaledObject" in {d["kind"] for d in render("deploy/overlays/example")}
    hpa_kinds = {d["kind"] for d in render("deploy/overlays/hpa")}
    assert "HorizontalPodAutoscaler" in hpa_kinds and "ScaledObject" not in hpa_kinds


def test_worker_pod_is_locked_down_and_probed() -> None:
    docs = render("deploy/overlays/example")
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    (init,) = pod["initContainers"]
    assert init["args"] == ["topics", "create"] and init["image"] == container["image"]
    assert init["securityContext"]["readOnlyRootFilesystem"] is True
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["resources"]["limits"]["memory"]
    assert container["image"] == "registry.example.com/newsworker:0.1.0"


def test_config_keys_are_real_settings() -> None:
    """Every variable in the ConfigMaps is one the settings object reads (no silent typos)."""
    known = {"KAFKA_BOOTSTRAP_SERVERS", "REDIS_URL"} | {
        f"NEWSWORKER_{name.upper()}" for name in Settings.model_fields
    }
    for folder in OVERLAYS:
        for doc in render(folder):
            if doc["kind"] == "ConfigMap":
                unknown = set(doc["data"]) - known
                assert not unknown, (folder, unknown)
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    env = compose["services"]["worker"]["environment"]
    assert set(env) <= known


def test_compose_file_parses_offline() -> None:
    result = subprocess.run(
        [tool("docker-compose"), "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    worker = compose["services"]["worker"]
    assert "container_name" not in worker and "ports" not in worker  # --scale worker=3 works
    assert worker["depends_on"]["topics"]["condition"] == "service_completed_successfully"
    assert compose["services"]["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"


def test_compose_kafka_keeps_its_data_in_its_volume() -> None:
    """The image writes server.properties from the environment alone: the log dir must be
    named there and be the mount point of the named volume, or the broker's data stays in
    the container."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    kafka = compose["services"]["kafka"]
    log_dirs = kafka["environment"].get("KAFKA_LOG_DIRS")
    assert log_dirs, "KAFKA_LOG_DIRS is not set: the broker would write /tmp inside the container"
    mounts = {}
    for volume in kafka["volumes"]:
        source, _, target = volume.partition(":")
        mounts[target.split(":")[0]] = source
    for log_dir in log_dirs.split(","):
        assert mounts.get(log_dir) in compose["volumes"], (log_dir, mounts)


def test_compose_builds_the_project_image_it_runs() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    for name, service in compose["services"].items():
        if service.get("image", "").startswith("newsworker:"):
            assert service.get("build") == ".", f"{name} would be pulled, not built"
            assert service.get("pull_policy") == "build", name


def test_dockerfile_runs_as_non_root_with_healthcheck() -> None:
    text = (ROOT / "Dockerfile").read_text()
    users = re.findall(r"^USER\s+(\S+)", text, re.MULTILINE)
    assert users and users[-1] not in {"root", "0"}
    assert re.search(r"^HEALTHCHECK .*", text, re.MULTILINE)
    assert "NerModel()" in text  # the model is loaded at build time: baked in


def dockerignored(path: str, patterns: list[str]) -> bool:
    """Whether the build context leaves ``path`` out (prefix and glob rules of .dockerignore)."""
    import fnmatch

    parts = path.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    return any(
        fnmatch.fnmatch(prefix, pattern.rstrip("/")) for pattern in patterns for prefix in prefixes
    )


def test_image_carries_no_dev_only_code() -> None:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    copied = re.findall(r"^COPY (?!--from)(\S+)", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    shipped = [
        str(path.relative_to(ROOT))
        for folder in copied
        for path in (ROOT / folder).rglob("*")
        if path.is_file() and not dockerignored(str(path.relative_to(ROOT)), patterns)
    ]
    assert any(p.startswith("workers/adapters/") for p in shipped)
    assert not [p for p in shipped if p.startswith(("workers/devtools/", "bench/", "tests/"))]
    assert "find_spec('workers.devtools') is not None" in (ROOT / "Dockerfile").read_text()
