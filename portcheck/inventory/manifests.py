"""Kubernetes manifests and docker-compose files as listeners.

YAML is read by ruamel.yaml as YAML 1.2, so compose's ``- 22:22`` stays the
string it was meant to be (YAML 1.1 reads it as the base-60 integer 1342).
Only the fields that declare listeners are walked, never the whole tree, so an
alias bomb costs nothing. A file that does not parse is one Skip; one holding
``{{`` is an unrendered Helm template.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from portcheck.inventory import Item, Listener, Skip, parse_ports
from portcheck.inventory.compose import compose_ports

MAX_DEPTH = 100
_BRACKETS = re.compile(r"[\[\]{}]")
#: Workload kinds and the path from the document to their pod spec.
POD_SPEC: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}


def load_documents(text: str, name: str) -> list[Any] | Skip:
    """Every YAML document of ``text``, or one Skip when the file does not parse."""
    if _flow_depth(text) > MAX_DEPTH:
        return Skip(name, "too deeply nested", f"more than {MAX_DEPTH} nested [ or {{")
    yaml = YAML(typ="rt")
    try:
        with warnings.catch_warnings():  # ruamel warns on reused anchors: not ours to report
            warnings.simplefilter("ignore")
            return [doc for doc in yaml.load_all(text) if doc is not None]
    except (YAMLError, RecursionError, ValueError) as error:
        if "{{" in text:
            return Skip(name, "unrendered template", "holds {{ ... }}: render it first")
        return Skip(name, "not YAML", _problem(error)[:160])


def _problem(error: Exception) -> str:
    """ruamel's own words and line (``found duplicate key "ports"``, line 12)."""
    problem = getattr(error, "problem", None) or str(error).strip() or "YAML error"
    mark = getattr(error, "problem_mark", None)
    where = f" at line {mark.line + 1}" if mark is not None else ""
    return " ".join(str(problem).split()) + where


def _flow_depth(text: str) -> int:
    """The deepest nesting of flow brackets, counted roughly (quotes are not skipped).

    ruamel.yaml takes seconds on 10,000 nested ``[``; real manifests, even
    dashboards embedded as JSON, stay far below the limit.
    """
    depth = deepest = 0
    for bracket in _BRACKETS.findall(text):
        depth = depth + 1 if bracket in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


def read_k8s(text: str, name: str) -> Iterator[Item]:
    documents = load_documents(text, name)
    if isinstance(documents, Skip):
        yield documents
        return
    for document in documents:
        yield from _k8s_object(document, name, depth=0)


def read_compose(text: str, name: str) -> Iterator[Item]:
    documents = load_documents(text, name)
    if isinstance(documents, Skip):
        yield documents
        return
    for document in documents:
        services = document.get("services") if isinstance(document, dict) else None
        if isinstance(services, dict):
            for service, body in services.items():
                if isinstance(body, dict):
                    yield from compose_ports(str(service), body.get("ports"), name)


def _k8s_object(document: Any, name: str, depth: int) -> Iterator[Item]:
    if not isinstance(document, dict):
        return
    kind = document.get("kind")
    if kind == "List" or (isinstance(kind, str) and kind.endswith("List")):
        items = document.get("items")
        if depth == 0 and isinstance(items, list):
            for item in items:
                yield from _k8s_object(item, name, depth + 1)
    elif kind == "Service":
        yield from _service(document, name)
    elif isinstance(kind, str) and kind in POD_SPEC:
        yield from _workload(document, _dig(document, POD_SPEC[kind]), name)


def _service(document: dict[Any, Any], name: str) -> Iterator[Item]:
    owner = _name(document)
    for entry in _list(_dig(document, ("spec", "ports"))):
        protocol = str(entry.get("protocol", "TCP")).lower()
        source = _where(name, entry)
        for field in ("port", "targetPort", "nodePort"):
            value = entry.get(field)
            if value is None or (field == "targetPort" and not _is_number(value)):
                continue  # a named targetPort refers to a container port declared elsewhere
            yield _listener(value, protocol, owner, source, f"Service {owner} {field}")


def _workload(document: dict[Any, Any], pod: Any, name: str) -> Iterator[Item]:
    owner = _name(document)
    if not isinstance(pod, dict):
        return
    for container in _list(pod.get("containers")) + _list(pod.get("initContainers")):
        for entry in _list(container.get("ports")):
            protocol = str(entry.get("protocol", "TCP")).lower()
            for field in ("containerPort", "hostPort"):
                value = entry.get(field)
                if value is not None:
                    what = f"{document.get('kind')} {owner} {field}"
                    yield _listener(value, protocol, owner, _where(name, entry), what)


def _listener(value: Any, protocol: str, service: str, source: str, what: str) -> Item:
    span = parse_ports(str(value)) if _is_number(value) else None
    if span is None:
        return Skip(source, "bad port", f"{what}: {str(value)[:40]}")
    return Listener(*span, protocol, service, source, what)


def _is_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _dig(document: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(document, dict):
            return None
        document = document.get(key)
    return document


def _list(value: Any) -> list[dict[Any, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _name(document: dict[Any, Any]) -> str:
    return str(_dig(document, ("metadata", "name")) or "")


def _where(name: str, node: Any) -> str:
    line = getattr(getattr(node, "lc", None), "line", None)
    return f"{name}:{line + 1}" if isinstance(line, int) else name
