"""deploy/k8s validated offline: Kubernetes' own schemas (kubernetes-validate, strict), Triton probed
on its health endpoints with the compose files' flags, Services and autoscalers that point at
something that exists."""


import pytest
import yaml

from tests.deploy.conftest import ROOT, compose_config

K8S = ROOT / "deploy" / "k8s"
FILES = sorted(p for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")


def resources() -> list[dict]:
    return [doc for path in FILES for doc in yaml.safe_load_all(path.read_text()) if doc]


def by_kind(kind: str) -> dict[str, dict]:
    return {r["metadata"]["name"]: r for r in resources() if r["kind"] == kind}


def container(deployment: str) -> dict:
    [c] = by_kind("Deployment")[deployment]["spec"]["template"]["spec"]["containers"]
    return c


def port_number(c: dict, port) -> int:
    return port if isinstance(port, int) else next(p["containerPort"] for p in c["ports"] if p["name"] == port)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_resource_validates_against_the_kubernetes_schema_strictly(path):
    import kubernetes_validate

    for doc in yaml.safe_load_all(path.read_text()):
        kubernetes_validate.validate(doc, kubernetes_validate.latest_version(), strict=True)


def test_kustomization_lists_every_manifest():
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    assert sorted(kustomization["resources"]) == sorted(p.name for p in FILES)


def test_triton_runs_the_compose_command_probed_on_its_health_endpoints():
    c = container("fvi-triton")
    assert c["args"] == compose_config("cpu")["services"]["triton"]["command"]
    for probe, path in (("readinessProbe", "/v2/health/ready"), ("startupProbe", "/v2/health/ready"),
                        ("livenessProbe", "/v2/health/live")):
        assert c[probe]["httpGet"]["path"] == path and port_number(c, c[probe]["httpGet"]["port"]) == 8000
    mounts = {m["mountPath"]: m for m in c["volumeMounts"]}
    assert mounts["/models"].get("readOnly") is True and "/dev/shm" in mounts


def test_gateway_reaches_triton_through_its_service_and_is_probed():
    c = container("fvi-gateway")
    env = {e["name"]: e["value"] for e in c["env"]}
    host, port = env["FVI_TRITON_URLS"].split(":")
    service = by_kind("Service")[host]
    assert port_number(container("fvi-triton"), next(p["targetPort"] for p in service["spec"]["ports"]
                                                      if p["port"] == int(port))) == 8001
    assert c["readinessProbe"]["httpGet"]["path"] == "/readyz" and c["livenessProbe"]["httpGet"]["path"] == "/healthz"


def test_services_select_pods_of_a_deployment():
    labels = [d["spec"]["template"]["metadata"]["labels"] for d in by_kind("Deployment").values()]
    for name, service in by_kind("Service").items():
        selector = service["spec"]["selector"]
        assert any(selector.items() <= l.items() for l in labels), name


def test_autoscalers_scale_existing_deployments_from_two_replicas():
    deployments = by_kind("Deployment")
    for hpa in by_kind("HorizontalPodAutoscaler").values():
        assert hpa["spec"]["scaleTargetRef"]["name"] in deployments
        assert 2 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]
    assert "fvi-triton" in {h["spec"]["scaleTargetRef"]["name"] for h in by_kind("HorizontalPodAutoscaler").values()}
