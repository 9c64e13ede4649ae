"""Every Kafka client of every overlay gets the credentials its settings ask for.

Three clients talk to Kafka in a deployment: the worker container, the
``topics`` init container and KEDA's lag scaler. An overlay that switches
Kafka to SASL or TLS must give each of them a password and, for TLS, a CA;
the scaler must agree with the workers on brokers, group and topic. Read
from the rendered manifests (``kubectl kustomize``), as they would be applied.
"""

from __future__ import annotations

import base64
import posixpath
from typing import Any

import pytest

from tests.deploy.test_manifests import OVERLAYS, render
from topics.specs import RAW

SASL_TO_KEDA = {
    "PLAIN": "plaintext",
    "SCRAM-SHA-256": "scram_sha256",
    "SCRAM-SHA-512": "scram_sha512",
}


def by_kind(docs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [d for d in docs if d["kind"] == kind]


def secret_data(docs: list[dict[str, Any]], name: str) -> dict[str, str] | None:
    """A rendered secret's values (None when the overlay leaves the secret to the operator)."""
    for secret in by_kind(docs, "Secret"):
        if secret["metadata"]["name"] == name:
            data = {k: base64.b64decode(v).decode() for k, v in secret.get("data", {}).items()}
            return {**data, **secret.get("stringData", {})}
    return None


def environment(container: dict[str, Any], docs: list[dict[str, Any]]) -> dict[str, Any]:
    """A container's variables: plain values as strings, secret references as ('secret', name,
    key)."""
    maps = {m["metadata"]["name"]: m.get("data", {}) for m in by_kind(docs, "ConfigMap")}
    env: dict[str, Any] = {}
    for source in container.get("envFrom", []):
        ref = source.get("configMapRef")
        if ref:
            assert ref["name"] in maps, f"envFrom names a missing ConfigMap {ref['name']}"
            env.update(maps[ref["name"]])
    for var in container.get("env", []):
        if "value" in var:
            env[var["name"]] = var["value"]
        elif "secretKeyRef" in var.get("valueFrom", {}):
            ref = var["valueFrom"]["secretKeyRef"]
            env[var["name"]] = ("secret", ref["name"], ref["key"])
    return env


def mounted_files(pod: dict[str, Any], container: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Path -> (secret name, key) of every secret key mounted into the container."""
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    files = {}
    for mount in container.get("volumeMounts", []):
        secret = volumes[mount["name"]].get("secret")
        if not secret:
            continue
        for item in secret.get("items", []):
            path = posixpath.join(mount["mountPath"], item["path"])
            files[path] = (secret["secretName"], item["key"])
    return files


def kafka_clients(docs: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    clients = []
    for deployment in by_kind(docs, "Deployment"):
        pod = deployment["spec"]["template"]["spec"]
        for container in pod.get("initContainers", []) + pod["containers"]:
            clients.append(
                (container["name"], environment(container, docs), pod | {"_c": container})
            )
    return clients


@pytest.mark.parametrize("folder", OVERLAYS)
def test_every_kafka_client_has_its_credentials(folder: str) -> None:
    docs = render(folder)
    clients = kafka_clients(docs)
    assert {name for name, _, _ in clients} >= {"topics", "worker"}
    for name, env, pod in clients:
        where = f"{folder}: {name}"
        protocol = env.get("NEWSWORKER_KAFKA_SECURITY_PROTOCOL", "PLAINTEXT")
        files = mounted_files(pod, pod["_c"])
        assert env.get("KAFKA_BOOTSTRAP_SERVERS"), where
        assert isinstance(env.get("REDIS_URL"), tuple) or name == "topics", where
        if protocol.startswith("SASL"):
            assert env.get("NEWSWORKER_KAFKA_SASL_MECHANISM") in SASL_TO_KEDA, where
            assert env.get("NEWSWORKER_KAFKA_SASL_USERNAME"), where
            password_file = env.get("NEWSWORKER_KAFKA_SASL_PASSWORD_FILE")
            has_file = isinstance(password_file, str) and password_file in files
            assert has_file or isinstance(env.get("NEWSWORKER_KAFKA_SASL_PASSWORD"), tuple), (
                f"{where}: SASL without a password (no mounted password file, no secret env)"
            )
        if protocol in {"SSL", "SASL_SSL"}:
            cafile = env.get("NEWSWORKER_KAFKA_SSL_CAFILE")
            assert isinstance(cafile, str) and cafile in files, (
                f"{where}: TLS without the broker's CA mounted ({cafile!r} not in {sorted(files)})"
            )


@pytest.mark.parametrize("folder", OVERLAYS)
def test_keda_reads_the_lag_the_workers_make(folder: str) -> None:
    docs = render(folder)
    (_, env, _) = next(c for c in kafka_clients(docs) if c[0] == "worker")
    auths = {a["metadata"]["name"]: a for a in by_kind(docs, "TriggerAuthentication")}
    for scaled in by_kind(docs, "ScaledObject"):
        for trigger in scaled["spec"]["triggers"]:
            if trigger["type"] != "kafka":
                continue
            meta = trigger["metadata"]
            assert meta["bootstrapServers"] == env["KAFKA_BOOTSTRAP_SERVERS"], folder
            assert meta["consumerGroup"] == env["NEWSWORKER_CONSUMER_GROUP"], folder
            assert meta["topic"] == RAW.name(env["NEWSWORKER_TOPIC_PREFIX"]), folder
            protocol = env.get("NEWSWORKER_KAFKA_SECURITY_PROTOCOL", "PLAINTEXT")
            if protocol == "PLAINTEXT":
                continue
            ref = trigger.get("authenticationRef")
            assert ref and ref["name"] in auths, (
                f"{folder}: {protocol} but no TriggerAuthentication"
            )
            params = {r["parameter"]: r for r in auths[ref["name"]]["spec"]["secretTargetRef"]}
            values = secret_data(docs, next(iter(params.values()))["name"]) if params else None
            needed = {"sasl", "username", "password"} if protocol.startswith("SASL") else set()
            if protocol in {"SSL", "SASL_SSL"}:
                needed |= {"tls", "ca"}
            assert needed <= set(params), f"{folder}: KEDA lacks {needed - set(params)}"
            if values is not None:  # the overlay's example secret: its values must agree too
                for ref_ in params.values():
                    assert ref_["key"] in values, f"{folder}: secret has no {ref_['key']}"
                if "sasl" in params:
                    mechanism = env["NEWSWORKER_KAFKA_SASL_MECHANISM"]
                    assert values[params["sasl"]["key"]] == SASL_TO_KEDA[mechanism], folder
                if "tls" in params:
                    assert values[params["tls"]["key"]] == "enable", folder


@pytest.mark.parametrize("folder", OVERLAYS)
def test_the_autoscaler_owns_the_replica_count_and_settings_roll_pods(folder: str) -> None:
    docs = render(folder)
    (deployment,) = by_kind(docs, "Deployment")
    scalers = by_kind(docs, "ScaledObject") + by_kind(docs, "HorizontalPodAutoscaler")
    assert scalers, folder
    assert "replicas" not in deployment["spec"], f"{folder}: replicas would fight the autoscaler"
    for scaled in by_kind(docs, "ScaledObject"):
        if scaled["spec"].get("minReplicaCount", 0) > 0:
            assert "cooldownPeriod" not in scaled["spec"], f"{folder}: cooldownPeriod does nothing"
    (config,) = by_kind(docs, "ConfigMap")
    name = config["metadata"]["name"]
    assert name.startswith("newsworker-config-") and len(name) > len("newsworker-config-"), (
        f"{folder}: a ConfigMap without a content hash never restarts pods when it changes"
    )
    strategy = deployment["spec"]["strategy"]["rollingUpdate"]
    assert strategy["maxSurge"] >= 1 and strategy["maxUnavailable"] == 0
