"""A real Apache Kafka broker (KRaft, one node) from the official artifacts.

Kafka comes from ``$KAFKA_HOME/libs`` when ``KAFKA_HOME`` is set, else
``org.apache.kafka:kafka_2.13`` resolved from Maven Central with Maven into a
cache folder (:func:`kafka_classpath`). Its log dir is formatted once with the
storage tool, then the broker runs with a small heap. Besides the plaintext
listener it has a SASL listener (port + 2: PLAIN and SCRAM with local test
credentials) and a TLS listener (port + 3, throw-away CA), so credentials and
TLS pass-through are tested against the real broker.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

from workers.adapters.endpoint import Endpoint
from workers.devtools.processes import cache_dir, require_tool, wait_listening
from workers.devtools.tls import make_test_ca
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


def kafka_classpath() -> str:
    """The broker's Java classpath: ``$KAFKA_HOME/libs``, else the Maven-resolved cache."""
    home = os.environ.get("KAFKA_HOME")
    if home:
        libs = Path(home) / "libs"
        if not libs.is_dir():
            raise StackError(f"KAFKA_HOME={home} has no libs/ folder")
        return f"{libs}/*"
    libs = cache_dir() / f"kafka-{KAFKA_VERSION}" / "libs"
    if not (libs / f"kafka_2.13-{KAFKA_VERSION}.jar").exists():
        resolve_kafka(libs)
    return f"{libs}/*"


def resolve_kafka(libs: Path) -> None:
    """Copy Kafka and its runtime dependencies from Maven Central into ``libs``."""
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


def broker_properties(
    endpoint: Endpoint, data_dir: Path, keystore: Path, max_message_bytes: int
) -> str:
    """``server.properties`` of the one-node KRaft broker with its four listeners."""
    host, port = endpoint.host, endpoint.port
    controller, sasl, tls = port + 1, port + 2, port + 3
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
            f"log.dirs={data_dir}",
            "num.partitions=1",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=10",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "transaction.state.log.num.partitions=10",
            "group.initial.rebalance.delay.ms=0",
            "auto.create.topics.enable=false",
            "log.retention.check.interval.ms=60000",
            f"message.max.bytes={max_message_bytes}",
            "",
        ]
    )


class KafkaBroker:
    """One local broker whose config, data, TLS material and log live in ``folder``."""

    def __init__(self, folder: Path, endpoint: Endpoint, max_message_bytes: int) -> None:
        self.folder = folder
        self.endpoint = endpoint
        self.max_message_bytes = max_message_bytes

    @property
    def log_path(self) -> Path:
        """The broker's log file."""
        return self.folder / "broker.log"

    def tls_files(self) -> tuple[Path, Path]:
        """The throw-away CA and PEM keystore (key + certificate) of the TLS listener."""
        folder = self.folder / "tls"
        ca, keystore = folder / "ca.pem", folder / "server-keystore.pem"
        if not (keystore.exists() and ca.exists()):
            ca, cert, key = make_test_ca(folder, self.endpoint.host)
            keystore.write_text(key.read_text() + cert.read_text())
        return ca, keystore

    def start(self, pid_file: Path) -> None:
        """Format the log dir once, start the broker detached, wait until it serves requests.

        The broker's pid is written to ``pid_file`` as soon as it is started.
        """
        java = require_tool("java")
        classpath = kafka_classpath()
        self.folder.mkdir(parents=True, exist_ok=True)
        props = self.folder / "server.properties"
        _, keystore = self.tls_files()
        props.write_text(
            broker_properties(self.endpoint, self.folder / "data", keystore, self.max_message_bytes)
        )
        (self.folder / "log4j2.yaml").write_text(_LOG4J)
        if not (self.folder / "data" / "meta.properties").exists():
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
        with open(self.log_path, "ab") as log:
            process = subprocess.Popen(
                [
                    java,
                    *KAFKA_HEAP.split(),
                    "-XX:+UseG1GC",
                    "-Djava.awt.headless=true",
                    f"-Dlog4j2.configurationFile={self.folder / 'log4j2.yaml'}",
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
        pid_file.write_text(str(process.pid))
        wait_listening(self.endpoint, "kafka", process, self.log_path, 120)
        self._wait_serving(120)

    def _run_java(self, java: str, classpath: str, args: list[str]) -> str:
        result = subprocess.run(
            [
                java,
                "-Xmx256m",
                f"-Dlog4j2.configurationFile={self.folder / 'log4j2.yaml'}",
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

    def _wait_serving(self, seconds: float) -> None:
        from kafka import KafkaAdminClient

        deadline = time.monotonic() + seconds
        last = ""
        while time.monotonic() < deadline:
            try:
                admin = KafkaAdminClient(
                    bootstrap_servers=f"{self.endpoint.host}:{self.endpoint.port}",
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
