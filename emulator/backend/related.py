"""Related assets (Admin API): ``add_related_assets``, ``delete_related_assets`` and their ``_by_asset_ids`` forms.

Cloudinary's relations are two-way: relating A to B also relates B to A. Targets are named by fully qualified
public id (``image/upload/dog``) or, in the ``by_asset_ids`` forms, by asset id; at most 10 per call. Each target
is answered on its own in ``success`` or ``failed``; an unknown source asset is a 404. Relations are kept by
asset id, so they follow a rename; those of a deleted asset are no longer listed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from emulator.backend.models import Resource, ResourceKey
from emulator.errors import BadRequest, NotFound

MAX_TARGETS = 10


class Relations(Protocol):
    """Pairs of related assets, stored in both directions."""

    def relate(self, cloud: str, asset_id: str, others: Sequence[str]) -> None: ...

    def unrelate(self, cloud: str, asset_id: str, others: Sequence[str]) -> None: ...

    def related(self, cloud: str, asset_id: str) -> list[str]:
        """The asset ids related to this one, in the order they were related."""
        ...


class Assets(Protocol):
    def get(self, key: ResourceKey) -> Resource | None: ...

    def find_by_asset_id(self, cloud: str, asset_id: str) -> Resource | None: ...


@dataclass(frozen=True)
class TargetResult:
    asset: str  # as the request named it
    ok: bool
    message: str
    status: int = 200


@dataclass(frozen=True)
class RelationOutcome:
    results: tuple[TargetResult, ...]


class RelatedAssets:
    def __init__(self, repo: Assets, relations: Relations) -> None:
        self.repo = repo
        self.relations = relations

    def source(self, cloud: str, key: ResourceKey | None = None, asset_id: str | None = None) -> Resource:
        found = self.repo.get(key) if key is not None else self._by_asset_id(cloud, asset_id or "")
        if found is None:
            raise NotFound(f"Resource not found - {key.public_id if key is not None else asset_id}")
        return found

    def change(self, source: Resource, targets: Sequence[str], *, add: bool, by_asset_id: bool) -> RelationOutcome:
        """Relate (``add``) or unrelate each target to ``source``; each answered on its own."""
        if not targets:
            raise BadRequest(f"Missing required parameter - {'assets_to_relate' if add else 'assets_to_unrelate'}")
        if len(targets) > MAX_TARGETS:
            raise BadRequest(f"Too many assets - at most {MAX_TARGETS} may be related or unrelated in one call")
        cloud = source.key.cloud
        results, ids = [], []
        for target in targets:
            found = self._by_asset_id(cloud, target) if by_asset_id else self._qualified(cloud, target)
            if found is None:
                results.append(TargetResult(target, False, "asset not found", 404))
            elif found.asset_id == source.asset_id:
                results.append(TargetResult(target, False, "an asset cannot be related to itself", 400))
            else:
                ids.append(found.asset_id)
                results.append(TargetResult(target, True, "success"))
        if add:
            self.relations.relate(cloud, source.asset_id, ids)
        else:
            self.relations.unrelate(cloud, source.asset_id, ids)
        return RelationOutcome(tuple(results))

    def of(self, resource: Resource) -> list[Resource]:
        """The assets related to this one that still exist."""
        found = (self._by_asset_id(resource.key.cloud, a) for a in self.relations.related(resource.key.cloud,
                                                                                          resource.asset_id))
        return [r for r in found if r is not None]

    def _by_asset_id(self, cloud: str, asset_id: str) -> Resource | None:
        found = self.repo.find_by_asset_id(cloud, asset_id)
        return None if found is None or found.placeholder else found

    def _qualified(self, cloud: str, name: str) -> Resource | None:
        """``<resource_type>/<type>/<public_id>``."""
        resource_type, _, rest = name.partition("/")
        type, _, public_id = rest.partition("/")
        if not (resource_type and type and public_id):
            return None
        found = self.repo.get(ResourceKey(cloud, public_id, resource_type, type))
        return None if found is None or found.placeholder else found
