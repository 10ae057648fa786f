"""What a publisher module declares: `Publisher`, the one class every source's quirks are written as."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Publisher:
    """One news source whose copy has forms of its own.

    `hosts` are the domains of its sites (a subdomain counts: "en.people.cn" is "people.cn");
    `agencies` the names its copy is credited by, spelled as the media rows of
    `schemas/reference/organizations.tsv` spell them (a publisher with agency names is a wire);
    `hooks` its forms, by hook name, as regular-expression sources (the hook names and who reads
    them are listed in `extractors.publishers`).
    """

    name: str
    hooks: Mapping[str, str] = field(default_factory=dict)
    hosts: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()

    def serves(self, host: str | None) -> bool:
        """`host` is one of its hosts or a subdomain of one."""
        host = (host or "").lower().rstrip(".")
        return bool(host) and any(host == h or host.endswith("." + h) for h in self.hosts)
