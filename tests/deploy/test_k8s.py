"""deploy/k8s (issue 16 item 5), checked without a cluster: ``kubectl kustomize`` renders the base and
both overlays; every object passes a strict schema (the Kubernetes kinds: kubernetes-validate's
copy of the API's schemas; the operators' kinds: deploy/schemas); and what no schema sees holds —
every pod is hardened and probed, every command is one the ``gongkai`` CLI has, every GONGKAI_*
variable a setting some process reads with a value it accepts, the NetworkPolicies let each pod
reach exactly what it needs, and the Ingress routes every path owner of DESIGN §10 to its owner."""

from __future__ import annotations

import copy
import functools
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import kubernetes_validate
import pytest
import yaml

from services.embedded import all_specs
from shared.settings import SERVICE_NAMES
from tests.deploy.support import gongkai_command_problem, refused_values, unknown_settings

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
SCHEMAS = ROOT / "deploy" / "schemas"
TARGETS = ("base", "overlays/dev", "overlays/prod")
OVERLAYS = ("overlays/dev", "overlays/prod")
# The oldest Kubernetes the manifests promise to fit, and the newest whose schemas are shipped.
KUBERNETES_VERSIONS = ("1.32", kubernetes_validate.latest_version())
PORT = 8000
# The pods the operators make for their custom resources (their documented labels): what our
# NetworkPolicies select them by.
OPERATOR_POD_LABELS = {
    "Cluster": lambda name: {"cnpg.io/cluster": name},
    "RabbitmqCluster": lambda name: {"app.kubernetes.io/name": name, "app.kubernetes.io/component": "rabbitmq"},
}
OPERATOR_PORTS = {"Cluster": 5432, "RabbitmqCluster": 5672}
# Secrets the operators create themselves (RabbitMQ Cluster Operator: <cluster>-default-user).
OPERATOR_SECRETS = {"gongkai-rabbitmq-default-user"}
_REFERENCE = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")

Objects = list[dict[str, Any]]


@pytest.fixture(scope="module", autouse=True)
def _schemas_read_once() -> Iterator[None]:
    """kubernetes-validate reads its (large) JSON schemas again for every object: keep them, for
    this module, so the objects of three renderings in two versions take a second, not thirty."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            kubernetes_validate.utils, "schema_contents", functools.cache(kubernetes_validate.utils.schema_contents)
        )
        yield


@pytest.fixture(scope="module")
def rendered() -> dict[str, Objects]:
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl (Debian package kubectl, with kustomize built in) is needed to render deploy/k8s"
    out: dict[str, Objects] = {}
    for target in TARGETS:
        result = subprocess.run([kubectl, "kustomize", str(K8S / target)], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"kubectl kustomize {target}:\n{result.stderr}"
        out[target] = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    return out


def of_kind(objects: Objects, kind: str) -> Objects:
    return [o for o in objects if o["kind"] == kind]


def pod_templates(objects: Objects) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(workload, pod template) of every Deployment and Job."""
    for o in objects:
        if o["kind"] in ("Deployment", "Job"):
            yield o, o["spec"]["template"]


def env_of(objects: Objects, container: dict[str, Any]) -> dict[str, str | None]:
    """A container's environment as the kubelet builds it: ConfigMaps of envFrom, then env (values
    from Secrets unknown: None), ``$(VAR)`` expanded against what came before."""
    config_maps = {c["metadata"]["name"]: c.get("data", {}) for c in of_kind(objects, "ConfigMap")}
    env: dict[str, str | None] = {}
    for source in container.get("envFrom", []):
        env.update(config_maps[source["configMapRef"]["name"]])
    for item in container.get("env", []):
        value = item.get("value")
        env[item["name"]] = None if value is None else _REFERENCE.sub(lambda m: env.get(m[1]) or "secret", value)
    return env


# --- schemas -----------------------------------------------------------------------------------


def crd_validator(api_version: str, kind: str) -> jsonschema.Draft202012Validator | None:
    path = SCHEMAS / f"{kind.lower()}-{api_version.replace('/', '-')}.yaml"
    if not path.exists():
        return None
    return jsonschema.Draft202012Validator(yaml.safe_load(path.read_text(encoding="utf-8")))


def schema_problem(obj: dict[str, Any]) -> str | None:
    validator = crd_validator(obj["apiVersion"], obj["kind"])
    try:
        if validator is not None:
            validator.validate(obj)
        else:
            for version in KUBERNETES_VERSIONS:
                kubernetes_validate.validate(obj, version, strict=True)
    except kubernetes_validate.SchemaNotFoundError:
        return f"no schema for {obj['apiVersion']} {obj['kind']} (add it to deploy/schemas)"
    except jsonschema.ValidationError as exc:
        return f"{'/'.join(map(str, exc.absolute_path))}: {exc.message}"
    return None


@pytest.mark.parametrize("target", TARGETS)
def test_every_object_passes_its_schema(rendered: dict[str, Objects], target: str) -> None:
    problems = {f"{o['kind']}/{o['metadata']['name']}": schema_problem(o) for o in rendered[target]}
    assert {name: p for name, p in problems.items() if p} == {}


def test_the_schemas_refuse_a_misspelt_field(rendered: dict[str, Objects]) -> None:
    """Strict means strict: an unknown field fails in both kinds of schema (else the test above
    would pass anything)."""
    objects = rendered["overlays/prod"]
    for kind in ("Deployment", "NetworkPolicy", "Cluster", "Database", "ScheduledBackup", "RabbitmqCluster"):
        broken = copy.deepcopy(of_kind(objects, kind)[0])
        broken["spec"]["replicsa"] = 2
        assert schema_problem(broken), kind


# --- pods --------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", TARGETS)
def test_every_pod_is_hardened_probed_and_sized(rendered: dict[str, Objects], target: str) -> None:
    problems: list[str] = []
    for workload, template in pod_templates(rendered[target]):
        name, pod = workload["metadata"]["name"], template["spec"]
        pod_security = pod.get("securityContext", {})
        if not pod_security.get("runAsNonRoot") or pod_security.get("seccompProfile") != {"type": "RuntimeDefault"}:
            problems.append(f"{name}: pod not runAsNonRoot with seccomp RuntimeDefault")
        tmp_volumes = {v["name"] for v in pod.get("volumes", []) if "emptyDir" in v}
        for container in pod["containers"]:
            security = container.get("securityContext", {})
            if not (
                security.get("readOnlyRootFilesystem") is True
                and security.get("allowPrivilegeEscalation") is False
                and security.get("capabilities", {}).get("drop") == ["ALL"]
            ):
                problems.append(f"{name}: container not read-only, unprivileged, without capabilities")
            if not any(
                m["mountPath"] == "/tmp" and m["name"] in tmp_volumes for m in container.get("volumeMounts", [])
            ):
                problems.append(f"{name}: no writable /tmp (emptyDir)")
            resources = container.get("resources", {})
            for bound in ("requests", "limits"):
                if not {"cpu", "memory"} <= set(resources.get(bound, {})):
                    problems.append(f"{name}: no cpu and memory {bound}")
            if workload["kind"] == "Deployment":
                probes = {
                    p: container.get(f"{p}Probe", {}).get("httpGet", {}).get("path")
                    for p in ("startup", "liveness", "readiness")
                }
                if probes != {"startup": "/healthz", "liveness": "/healthz", "readiness": "/readyz"}:
                    problems.append(f"{name}: probes {probes}")
                if "replicas" in workload["spec"]:
                    problems.append(f"{name}: sets replicas, which its HorizontalPodAutoscaler owns")
    assert problems == []


@pytest.mark.parametrize("target", TARGETS)
def test_every_command_is_a_gongkai_command(rendered: dict[str, Objects], target: str) -> None:
    commands = {
        w["metadata"]["name"]: [*c["command"], *c.get("args", [])]
        for w, t in pod_templates(rendered[target])
        for c in t["spec"]["containers"]
    }
    assert {name: gongkai_command_problem(argv) for name, argv in commands.items()} == dict.fromkeys(commands)
    served = sorted(argv[2] for argv in commands.values() if argv[1] == "serve-one")
    assert served == sorted(SERVICE_NAMES)
    assert sum(argv[1:2] == ["gateway"] for argv in commands.values()) == 1
    assert sum(argv[1:2] == ["migrate"] for argv in commands.values()) == 1


@pytest.mark.parametrize("target", TARGETS)
def test_every_setting_is_real_and_accepted(rendered: dict[str, Objects], target: str) -> None:
    objects = rendered[target]
    for workload, template in pod_templates(objects):
        for container in template["spec"]["containers"]:
            env = env_of(objects, container)
            assert unknown_settings(set(env)) == set(), workload["metadata"]["name"]
            known = {name: value for name, value in env.items() if value is not None}
            assert refused_values(known) == {}, workload["metadata"]["name"]


@pytest.mark.parametrize("target", TARGETS)
def test_variables_are_defined_before_they_are_used(rendered: dict[str, Objects], target: str) -> None:
    """``$(VAR)`` is expanded only from variables listed earlier; otherwise it stays literal text
    (a database URL with the password ``$(DB_PASSWORD)``)."""
    for workload, template in pod_templates(rendered[target]):
        for container in template["spec"]["containers"]:
            defined: set[str] = set()
            for item in container.get("env", []):
                missing = set(_REFERENCE.findall(item.get("value", ""))) - defined
                assert not missing, f"{workload['metadata']['name']}: {item['name']} uses {missing} before they exist"
                defined.add(item["name"])


@pytest.mark.parametrize("target", OVERLAYS)
def test_each_service_reaches_its_own_database_and_the_broker(rendered: dict[str, Objects], target: str) -> None:
    objects = rendered[target]
    clusters = {o["metadata"]["name"] for o in of_kind(objects, "Cluster")}
    brokers = {o["metadata"]["name"] for o in of_kind(objects, "RabbitmqCluster")}
    databases = {o["spec"]["name"] for o in of_kind(objects, "Database")}
    databases |= {o["spec"]["bootstrap"]["initdb"]["database"] for o in of_kind(objects, "Cluster")}
    assert databases == set(SERVICE_NAMES)
    # One role per service, its password from its own Secret; a service holds no other's.
    (cluster,) = of_kind(objects, "Cluster")
    roles = {r["name"]: r["passwordSecret"]["name"] for r in cluster["spec"]["managed"]["roles"]}
    assert roles == {name: f"gongkai-db-{name}" for name in SERVICE_NAMES}
    for workload, template in pod_templates(objects):
        args = template["spec"]["containers"][0]["args"]
        held = sorted(s for s in referenced(workload, {"secretKeyRef"}) if s.startswith("gongkai-db-"))
        if args[0] == "serve-one":
            assert held == [f"gongkai-db-{args[1]}"], workload["metadata"]["name"]
        else:  # the migration runs every service's as that service; the gateway holds none
            assert held == (sorted(roles.values()) if args[0] == "migrate" else []), workload["metadata"]["name"]
        env = env_of(objects, template["spec"]["containers"][0])
        for name, url in env.items():
            if name.endswith("_DATABASE_URL"):
                service, parts = name.removeprefix("GONGKAI_").removesuffix("_DATABASE_URL").lower(), urlsplit(url)
                assert parts.hostname in {f"{c}-rw" for c in clusters}, url
                assert (parts.username, parts.path) == (service, f"/{service}"), url
            if name == "GONGKAI_BUS_URL":
                assert urlsplit(url).hostname in brokers, url


# Where objects name a Secret: env, CloudNativePG's role passwords, initdb owner and backup
# credentials (objects with a ``name``), the Ingress's TLS (a ``secretName`` string).
SECRET_FIELDS = {"secretKeyRef", "passwordSecret", "secret", "accessKeyId", "secretAccessKey", "secretName"}


def referenced(node: Any, fields: set[str]) -> Iterator[str]:
    """The names ``node`` refers to under any of ``fields``, at any depth."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in fields:
                yield value if isinstance(value, str) else value["name"]
            else:
                yield from referenced(value, fields)
    elif isinstance(node, list):
        for item in node:
            yield from referenced(item, fields)


@pytest.mark.parametrize("target", TARGETS)
def test_every_reference_resolves(rendered: dict[str, Objects], target: str) -> None:
    """ConfigMaps, claims and Services referred to are in the output; Secrets are either in it (the
    dev overlay generates its own), made by an operator, or listed in docs/operations.md."""
    objects = rendered[target]
    names = {(o["kind"], o["metadata"]["name"]) for o in objects}
    assert {("ConfigMap", n) for n in referenced(objects, {"configMapRef"})} <= names
    assert {("PersistentVolumeClaim", n) for n in referenced(objects, {"claimName"})} <= names
    assert {("Service", n) for n in referenced(of_kind(objects, "Ingress"), {"service"})} <= names
    documented = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    secrets = set(referenced(objects, SECRET_FIELDS)) - OPERATOR_SECRETS
    assert {s for s in secrets if ("Secret", s) not in names and f"`{s}`" not in documented} == set()


@pytest.mark.parametrize("target", OVERLAYS)
def test_every_process_has_a_budget_and_an_autoscaler(rendered: dict[str, Objects], target: str) -> None:
    objects = rendered[target]
    deployments = {d["metadata"]["name"]: d for d in of_kind(objects, "Deployment")}
    scaled = {h["spec"]["scaleTargetRef"]["name"]: h["spec"] for h in of_kind(objects, "HorizontalPodAutoscaler")}
    assert set(scaled) == set(deployments)
    floor = 1 if target == "overlays/dev" else 2
    assert {name: spec["minReplicas"] for name, spec in scaled.items()} == dict.fromkeys(deployments, floor)
    budgets = [p["spec"]["selector"]["matchLabels"] for p in of_kind(objects, "PodDisruptionBudget")]
    for name, deployment in deployments.items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert sum(matches(b, labels) for b in budgets) == 1, name
    images = {c["image"] for _, t in pod_templates(objects) for c in t["spec"]["containers"]}
    assert len(images) == 1 and ":" in images.pop(), "one image, with the overlay's tag"


# --- network -----------------------------------------------------------------------------------


def matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


def pods(objects: Objects) -> dict[str, tuple[dict[str, str], set[int]]]:
    """Every pod of the namespace: ours (by workload) and the operators' → (labels, ports)."""
    found = {
        w["metadata"]["name"]: (
            t["metadata"]["labels"],
            {p["containerPort"] for c in t["spec"]["containers"] for p in c.get("ports", [])},
        )
        for w, t in pod_templates(objects)
    }
    for o in objects:
        if o["kind"] in OPERATOR_POD_LABELS:
            found[o["metadata"]["name"]] = (
                OPERATOR_POD_LABELS[o["kind"]](o["metadata"]["name"]),
                {OPERATOR_PORTS[o["kind"]]},
            )
    return found


def allowed(policies: Objects, direction: str, pod: dict[str, str], peer: dict[str, str] | str, port: int) -> bool:
    """Whether NetworkPolicy lets ``pod`` send (Egress) to / receive (Ingress) from ``peer`` (labels
    in the namespace, or "world" for an address outside the cluster) on TCP ``port``."""
    selecting = [
        p
        for p in policies
        if direction in p["spec"]["policyTypes"] and matches(p["spec"]["podSelector"].get("matchLabels", {}), pod)
    ]
    if not selecting:
        return True
    key, side = ("egress", "to") if direction == "Egress" else ("ingress", "from")
    for policy in selecting:
        for rule in policy["spec"].get(key, []):
            ports = {p["port"] for p in rule.get("ports", []) if p.get("protocol", "TCP") == "TCP"}
            if rule.get("ports") and port not in ports:
                continue
            if side not in rule or any(admits(other, peer) for other in rule[side]):
                return True
    return False


def admits(other: dict[str, Any], peer: dict[str, str] | str) -> bool:
    """Whether one ``to``/``from`` entry covers ``peer`` (pods of another namespace never are)."""
    if peer == "world":
        return "ipBlock" in other
    return (
        isinstance(peer, dict)
        and "podSelector" in other
        and "namespaceSelector" not in other
        and matches(other["podSelector"].get("matchLabels", {}), peer)
    )


def can_connect(policies: Objects, source: dict[str, str], target: dict[str, str], port: int) -> bool:
    return allowed(policies, "Egress", source, target, port) and allowed(policies, "Ingress", target, source, port)


@pytest.mark.parametrize("target", OVERLAYS)
def test_network_policies_open_exactly_what_each_pod_needs(rendered: dict[str, Objects], target: str) -> None:
    objects = rendered[target]
    policies = of_kind(objects, "NetworkPolicy")
    all_pods = pods(objects)
    for policy in policies:  # a selector that selects nothing is a typo
        assert any(matches(policy["spec"]["podSelector"]["matchLabels"], labels) for labels, _ in all_pods.values())
    services = {f"gongkai-{name}": all_pods[f"gongkai-{name}"][0] for name in SERVICE_NAMES}
    gateway, migrate = all_pods["gongkai-gateway"][0], all_pods["gongkai-migrate"][0]
    database, broker = all_pods["gongkai-pg"][0], all_pods["gongkai-rabbitmq"][0]
    for name, labels in services.items():
        assert can_connect(policies, labels, database, 5432), f"{name} → PostgreSQL"
        assert can_connect(policies, labels, broker, 5672), f"{name} → RabbitMQ"
        assert can_connect(policies, gateway, labels, PORT), f"gateway → {name}"
        assert not can_connect(policies, labels, database, 5672) and not can_connect(policies, labels, broker, 5432)
        for other_name, other in services.items():  # services talk through events only (DESIGN §1)
            assert not can_connect(policies, labels, other, PORT), f"{name} → {other_name}"
        assert allowed(policies, "Egress", labels, "world", 587) == (name == "gongkai-notifier"), f"{name} → SMTP"
    assert can_connect(policies, migrate, database, 5432)
    assert not can_connect(policies, migrate, broker, 5672)
    assert not can_connect(policies, gateway, database, 5432) and not can_connect(policies, gateway, broker, 5672)


# --- ingress -----------------------------------------------------------------------------------


@pytest.mark.parametrize("target", TARGETS)
def test_the_ingress_routes_every_path_owner_to_its_owner(rendered: dict[str, Objects], target: str) -> None:
    """DESIGN §10's owners, read from the service specs: each prefix and each admin path goes to the
    Service whose pods run ``serve-one <owner>``; nothing else is published but the shared paths
    and the gateway's merged docs (never /metrics, /healthz, /readyz)."""
    objects = rendered[target]
    (ingress,) = of_kind(objects, "Ingress")
    routes = {p["path"]: p["backend"]["service"]["name"] for p in ingress["spec"]["rules"][0]["http"]["paths"]}
    assert all(p["pathType"] == "Prefix" for p in ingress["spec"]["rules"][0]["http"]["paths"])
    serving: dict[str, str] = {}  # Service name → what its pods run
    for service in of_kind(objects, "Service"):
        for _, template in pod_templates(objects):
            if matches(service["spec"]["selector"], template["metadata"]["labels"]):
                args = template["spec"]["containers"][0]["args"]
                serving[service["metadata"]["name"]] = args[1] if args[0] == "serve-one" else args[0]
    expected = {
        prefix: spec.name for spec in all_specs() for prefix in (*spec.path_prefixes, f"/api/v1/admin/{spec.name}")
    }
    assert {path: serving.get(routes.get(path, "")) for path in expected} == expected
    extra = {path: serving[service] for path, service in routes.items() if path not in expected}
    assert extra.pop("/api/v1/me") in SERVICE_NAMES and extra.pop("/api/v1/labels") in SERVICE_NAMES
    assert set(extra.values()) == {"gateway"} and set(extra) <= {
        "/docs",
        "/redoc",
        "/openapi.json",
        "/static-offline-docs",
    }
