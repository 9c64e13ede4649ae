"""The local dev stack: a real Apache Kafka broker (KRaft, one node) and redis-server.

Kafka comes from the official Apache Kafka artifacts: ``$KAFKA_HOME/libs`` when
``KAFKA_HOME`` is set, else ``org.apache.kafka:kafka_2.13`` resolved from Maven
Central with Maven into a cache folder. Its log dir is formatted once with the
storage tool, then the broker runs with a small heap. Everything the stack
writes (data, logs, pid files) stays under one folder (``stack_dir``).

When ``KAFKA_BOOTSTRAP_SERVERS`` / ``REDIS_URL`` are set, that service is
external and left alone.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from topics.specs import largest_record
from workers.config import Settings
from workers.errors import StackError

KAFKA_VERSION = "4.4.0"
LOG4J_VERSION = "2.25.5"
KAFKA_HEAP = "-Xms256m -Xmx768m"
#: Credentials of the dev stack's SASL listener (Kafka port + 2): local test
#: credentials of a broker bound to 127.0.0.1, not secrets of any deployment.
DEV_SASL_USER = "newsworker"
DEV_SASL_PASSWORD = "dev-only-sasl-password"  # noqa: S105
DEV_SASL_ADMIN_PASSWORD = "dev-only-admin-password"  # noqa: S105

_POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>newsworker.devstack</groupId>
  <artifactId>kafka-broker</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>{kafka}</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-slf4j-impl</artifactId>
      <version>{log4j}</version>
    </dependency>
  </dependencies>
</project>
"""

_LOG4J = """Configuration:
  Appenders:
    Console:
      name: STDOUT
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: WARN
      AppenderRef:
        - ref: STDOUT
    Logger:
      - name: kafka.server.KafkaRaftServer
        level: INFO
"""

INSTALL_HINTS = {
    "java": "apt-get install -y openjdk-17-jre-headless",
    "mvn": "apt-get install -y maven",
    "redis-server": "apt-get install -y redis-server",
    "openssl": "apt-get install -y openssl",
}


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int

    def answers(self, timeout: float = 0.5) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=timeout):
                return True
        except OSError:
            return False


def parse_endpoint(value: str, default_port: int) -> Endpoint:
    first = value.split(",")[0].strip()
    if "://" in first:
        parts = urlsplit(first)
        return Endpoint(parts.hostname or "127.0.0.1", parts.port or default_port)
    host, _, port = first.rpartition(":")
    return Endpoint(host or "127.0.0.1", int(port) if port else default_port)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_test_ca(folder: Path, host: str) -> tuple[Path, Path, Path]:
    """A throw-away CA and a server certificate (with its key) for ``host``, via openssl.

    For local test listeners only: (CA certificate, server certificate, server key).
    """
    openssl = require_tool("openssl")
    folder.mkdir(parents=True, exist_ok=True)
    ca, ca_key = folder / "ca.pem", folder / "ca.key"
    cert, key, csr, ext = (folder / n for n in ("srv.pem", "srv.key", "srv.csr", "ext.cnf"))
    ext.write_text(f"subjectAltName=IP:{host},DNS:localhost\n")
    steps = [
        [
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            ca_key,
            "-out",
            ca,
            "-days",
            "3650",
            "-subj",
            "/CN=newsworker-test-ca",
        ],
        [
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            key,
            "-out",
            csr,
            "-subj",
            f"/CN={host}",
        ],
        [
            "x509",
            "-req",
            "-in",
            csr,
            "-CA",
            ca,
            "-CAkey",
            ca_key,
            "-CAcreateserial",
            "-out",
            cert,
            "-days",
            "3650",
            "-extfile",
            ext,
        ],
    ]
    for step in steps:
        result = subprocess.run(
            [openssl, *map(str, step)], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise StackError(f"openssl failed: {result.stderr.strip()[-300:]}")
    return ca, cert, key


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise StackError(f"{name} not found; install it with: {INSTALL_HINTS[name]}")
    return path


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "newsworker"


class DevStack:
    """Start, stop and report the local Kafka broker and Redis server."""

    def __init__(self, settings: Settings, *, external_kafka: bool, external_redis: bool) -> None:
        self.settings = settings
        self.root = settings.stack_dir.resolve()
        self.external_kafka = external_kafka
        self.external_redis = external_redis
        self.kafka = parse_endpoint(settings.kafka_bootstrap_servers, 9092)
        self.redis = parse_endpoint(settings.redis_url.get_secret_value(), 6379)

    @classmethod
    def from_env(cls, settings: Settings) -> DevStack:
        return cls(
            settings,
            external_kafka=bool(os.environ.get("KAFKA_BOOTSTRAP_SERVERS")),
            external_redis=bool(os.environ.get("REDIS_URL")),
        )

    # ----------------------------------------------------------------- paths
    @property
    def kafka_dir(self) -> Path:
        return self.root / "kafka"

    @property
    def redis_dir(self) -> Path:
        return self.root / "redis"

    def _pid(self, name: str) -> int | None:
        path = self.root / f"{name}.pid"
        try:
            pid = int(path.read_text().strip())
        except (OSError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except OSError:
            return None
        return pid

    # ----------------------------------------------------------------- kafka
    def kafka_classpath(self) -> str:
        home = os.environ.get("KAFKA_HOME")
        if home:
            libs = Path(home) / "libs"
            if not libs.is_dir():
                raise StackError(f"KAFKA_HOME={home} has no libs/ folder")
            return f"{libs}/*"
        libs = cache_dir() / f"kafka-{KAFKA_VERSION}" / "libs"
        if not (libs / f"kafka_2.13-{KAFKA_VERSION}.jar").exists():
            self._resolve_kafka(libs)
        return f"{libs}/*"

    def _resolve_kafka(self, libs: Path) -> None:
        mvn = require_tool("mvn")
        work = libs.parent
        work.mkdir(parents=True, exist_ok=True)
        (work / "pom.xml").write_text(_POM.format(kafka=KAFKA_VERSION, log4j=LOG4J_VERSION))
        print(f"resolving Apache Kafka {KAFKA_VERSION} from Maven Central into {libs} ...")
        staging = work / "libs.partial"
        shutil.rmtree(staging, ignore_errors=True)
        result = subprocess.run(
            [
                mvn,
                "-q",
                "-B",
                "-f",
                str(work / "pom.xml"),
                "dependency:copy-dependencies",
                f"-DoutputDirectory={staging}",
                "-DincludeScope=runtime",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            tail = (result.stdout + result.stderr).strip().splitlines()[-5:]
            raise StackError("maven could not resolve Kafka: " + " | ".join(tail))
        shutil.rmtree(libs, ignore_errors=True)
        staging.rename(libs)

    def _kafka_properties(self) -> str:
        host, port = self.kafka.host, self.kafka.port
        controller, sasl, tls = port + 1, port + 2, port + 3
        _, keystore = self.tls_files()
        plain = (
            "org.apache.kafka.common.security.plain.PlainLoginModule required "
            f'username="admin" password="{DEV_SASL_ADMIN_PASSWORD}" '
            f'user_admin="{DEV_SASL_ADMIN_PASSWORD}" '
            f'user_{DEV_SASL_USER}="{DEV_SASL_PASSWORD}";'
        )
        scram = "org.apache.kafka.common.security.scram.ScramLoginModule required;"
        return "\n".join(
            [
                "process.roles=broker,controller",
                "node.id=1",
                f"controller.quorum.voters=1@{host}:{controller}",
                f"listeners=PLAINTEXT://{host}:{port},CONTROLLER://{host}:{controller},"
                f"SASL_PLAINTEXT://{host}:{sasl},SSL://{host}:{tls}",
                f"advertised.listeners=PLAINTEXT://{host}:{port},SASL_PLAINTEXT://{host}:{sasl},"
                f"SSL://{host}:{tls}",
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,"
                "SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL",
                # A TLS listener (port + 3) with a throw-away CA, to test TLS pass-through.
                "listener.name.ssl.ssl.keystore.type=PEM",
                f"listener.name.ssl.ssl.keystore.location={keystore}",
                "listener.name.ssl.ssl.client.auth=none",
                # A SASL listener to test credentials pass-through (PLAIN and SCRAM).
                "sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
                f"listener.name.sasl_plaintext.plain.sasl.jaas.config={plain}",
                f"listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config={scram}",
                f"listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config={scram}",
                "inter.broker.listener.name=PLAINTEXT",
                f"log.dirs={self.kafka_dir / 'data'}",
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=10",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=10",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false",
                "log.retention.check.interval.ms=60000",
                f"message.max.bytes={largest_record(self.settings.max_message_bytes)}",
                "",
            ]
        )

    def tls_files(self) -> tuple[Path, Path]:
        """The dev broker's throw-away CA and PEM keystore (key + certificate for its host),
        made once with openssl."""
        folder = self.kafka_dir / "tls"
        ca, keystore = folder / "ca.pem", folder / "server-keystore.pem"
        if not (keystore.exists() and ca.exists()):
            ca, cert, key = make_test_ca(folder, self.kafka.host)
            keystore.write_text(key.read_text() + cert.read_text())
        return ca, keystore

    def start_kafka(self) -> None:
        if self.kafka.answers():
            print(f"kafka: already answering at {self.kafka.host}:{self.kafka.port}")
            return
        java = require_tool("java")
        classpath = self.kafka_classpath()
        self.kafka_dir.mkdir(parents=True, exist_ok=True)
        props = self.kafka_dir / "server.properties"
        props.write_text(self._kafka_properties())
        (self.kafka_dir / "log4j2.yaml").write_text(_LOG4J)
        if not (self.kafka_dir / "data" / "meta.properties").exists():
            cluster = self._run_java(java, classpath, ["kafka.tools.StorageTool", "random-uuid"])
            self._run_java(
                java,
                classpath,
                [
                    "kafka.tools.StorageTool",
                    "format",
                    "-t",
                    cluster.strip() or str(uuid.uuid4()),
                    "-c",
                    str(props),
                ],
            )
        log = open(self.kafka_dir / "broker.log", "ab")
        process = subprocess.Popen(
            [
                java,
                *KAFKA_HEAP.split(),
                "-XX:+UseG1GC",
                "-Djava.awt.headless=true",
                f"-Dlog4j2.configurationFile={self.kafka_dir / 'log4j2.yaml'}",
                "-cp",
                classpath,
                "kafka.Kafka",
                str(props),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        (self.root / "kafka.pid").write_text(str(process.pid))
        self._wait(self.kafka, "kafka", process, self.kafka_dir / "broker.log", 120)
        self._wait_kafka_ready(120)

    def _run_java(self, java: str, classpath: str, args: list[str]) -> str:
        result = subprocess.run(
            [
                java,
                "-Xmx256m",
                f"-Dlog4j2.configurationFile={self.kafka_dir / 'log4j2.yaml'}",
                "-cp",
                classpath,
                *args,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise StackError(f"kafka storage tool failed: {result.stderr.strip()[-400:]}")
        return result.stdout

    def _wait_kafka_ready(self, seconds: float) -> None:
        from kafka import KafkaAdminClient

        deadline = time.monotonic() + seconds
        last = ""
        while time.monotonic() < deadline:
            try:
                admin = KafkaAdminClient(
                    bootstrap_servers=f"{self.kafka.host}:{self.kafka.port}",
                    request_timeout_ms=5000,
                    client_id="newsworker-devstack",
                )
                try:
                    admin.describe_cluster()
                    return
                finally:
                    admin.close()
            except Exception as exc:
                last = str(exc)
                time.sleep(1)
        raise StackError(f"kafka did not become ready: {last}")

    # ----------------------------------------------------------------- redis
    def start_redis(self) -> None:
        if self.redis.answers():
            print(f"redis: already answering at {self.redis.host}:{self.redis.port}")
            return
        server = require_tool("redis-server")
        self.redis_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.redis_dir / "redis.log", "ab")
        process = subprocess.Popen(
            [
                server,
                "--bind",
                self.redis.host,
                "--port",
                str(self.redis.port),
                "--dir",
                str(self.redis_dir),
                "--appendonly",
                "yes",
                "--save",
                "",
                "--protected-mode",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        (self.root / "redis.pid").write_text(str(process.pid))
        self._wait(self.redis, "redis", process, self.redis_dir / "redis.log", 30)

    # ----------------------------------------------------------------- common
    def _wait(
        self,
        endpoint: Endpoint,
        name: str,
        process: subprocess.Popen[bytes],
        log: Path,
        seconds: float,
    ) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if endpoint.answers():
                return
            if process.poll() is not None:
                tail = log.read_text(errors="replace").strip().splitlines()[-5:]
                raise StackError(f"{name} exited with {process.returncode}: " + " | ".join(tail))
            time.sleep(0.3)
        raise StackError(f"{name} did not answer at {endpoint.host}:{endpoint.port} in {seconds}s")

    def up(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if self.external_redis:
            print("redis: external (REDIS_URL set), not started")
        else:
            self.start_redis()
        if self.external_kafka:
            print("kafka: external (KAFKA_BOOTSTRAP_SERVERS set), not started")
        else:
            self.start_kafka()
        self.print_endpoints()

    def print_endpoints(self) -> None:
        print(f"KAFKA_BOOTSTRAP_SERVERS={self.settings.kafka_bootstrap_servers}")
        from workers.config import redact_url

        print(f"REDIS_URL={redact_url(self.settings.redis_url.get_secret_value())}")

    def _stop(self, name: str, seconds: float) -> None:
        pid = self._pid(name)
        if pid is None:
            print(f"{name}: not running (started here)")
            return
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self._pid(name) is None:
                break
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
            time.sleep(0.3)
        else:
            os.kill(pid, signal.SIGKILL)
        (self.root / f"{name}.pid").unlink(missing_ok=True)
        print(f"{name}: stopped")

    def down(self) -> None:
        if not self.external_kafka:
            self._stop("kafka", 60)
        if not self.external_redis:
            self._stop("redis", 20)

    def status(self) -> bool:
        """Print each service's state; True when both answer."""
        ok = True
        for name, endpoint, external in (
            ("kafka", self.kafka, self.external_kafka),
            ("redis", self.redis, self.external_redis),
        ):
            answers = endpoint.answers()
            ok = ok and answers
            where = "external" if external else f"pid {self._pid(name) or '-'}"
            state = "up" if answers else "down"
            print(f"{name}: {state} at {endpoint.host}:{endpoint.port} ({where})")
        return ok
