"""/api/v1 duplicate queue: pairs that may be one person, their merge, dismissal and undo."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from reintegrate.api import ApiBlueprint
from reintegrate.api.schemas import ReturneeOut
from reintegrate.auth import current_actor
from reintegrate.db import db
from reintegrate.schemas.fields import page_field, page_size_field, record_id
from reintegrate.services import merges, registry, reviews

blp = ApiBlueprint(
    "duplicates_api",
    __name__,
    url_prefix="/api/v1",
    description="The duplicate queue: merge a pair into one case, or mark two people as different.",
)

_CONFLICT = "The pair is settled, a case is already merged, or the cases clash (see `rule`)."


class DuplicateOut(Schema):
    id = fields.Integer()
    returnee_ids = fields.List(
        fields.Integer(), metadata={"description": "The two cases, lower id first."}
    )
    score = fields.Integer(
        validate=validate.Range(min=0, max=100),
        metadata={"description": "How strongly the evidence says one person, 0 to 100."},
    )
    reasons = fields.List(fields.String())
    status = fields.String(validate=validate.OneOf(reviews.STATUSES))
    created_at = fields.DateTime()
    merge_id = fields.Method(
        "_merge_id",
        metadata={"type": "integer", "nullable": True, "description": "The merge to undo."},
    )

    def _merge_id(self, review: Any) -> int | None:
        merge = review.active_merge
        return merge.id if merge is not None else None


class DuplicateArgs(Schema):
    status = fields.String(load_default="open", validate=validate.OneOf(reviews.STATUSES))
    page = page_field()
    page_size = page_size_field()


class DuplicatePageOut(Schema):
    items = fields.List(fields.Nested(DuplicateOut))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()
    pages = fields.Integer()


class MergeIn(Schema):
    keep = record_id(required=True, metadata={"description": "The case that survives."})


class _MergedView:
    """The surviving case with the id of the merge that made it."""

    def __init__(self, returnee: Any, merge_id: int) -> None:
        self._returnee = returnee
        self.merge_id = merge_id

    def __getattr__(self, name: str) -> Any:
        return getattr(self._returnee, name)


class MergedOut(ReturneeOut):
    merge_id = fields.Integer(metadata={"description": "Undo with POST /merges/{merge_id}/undo."})


class MergeOut(Schema):
    id = fields.Integer()
    review_id = fields.Integer()
    kept_id = fields.Integer()
    merged_id = fields.Integer()
    at = fields.DateTime()
    undone_at = fields.DateTime(allow_none=True)


@blp.route("/duplicates")
class Duplicates(MethodView):
    @blp.arguments(DuplicateArgs, location="query")
    @blp.response(200, DuplicatePageOut)
    def get(self, args: dict[str, Any]):  # type: ignore[no-untyped-def]
        """Pairs in your provinces (both cases), strongest first; open ones by default."""
        with db.transaction() as session:
            return reviews.page(
                session,
                current_actor(),
                args["status"],
                page=args["page"],
                page_size=args["page_size"],
            )


@blp.route("/duplicates/<int(max=2147483647):review_id>/merge")
class DuplicateMerge(MethodView):
    @blp.arguments(MergeIn)
    @blp.response(200, MergedOut)
    @blp.alt_response(409, description=_CONFLICT)
    def post(self, data: dict[str, Any], review_id: int):  # type: ignore[no-untyped-def]
        """Merge the pair into the case `keep`: the other's rows move to it, and its case
        number finds it. Both cases must be in your provinces."""
        actor = current_actor()
        with db.transaction() as session:
            merge = merges.merge(session, actor, review_id, data["keep"])
            kept = registry.get(session, actor, merge.kept_id, audited=False)
            return _MergedView(kept, merge.id)


@blp.route("/duplicates/<int(max=2147483647):review_id>/dismiss")
class DuplicateDismiss(MethodView):
    @blp.response(200, DuplicateOut)
    @blp.alt_response(409, description=_CONFLICT)
    def post(self, review_id: int):  # type: ignore[no-untyped-def]
        """Not the same person: the pair is never proposed again."""
        with db.transaction() as session:
            return reviews.dismiss(session, current_actor(), review_id)


@blp.route("/merges/<int(max=2147483647):merge_id>/undo")
class MergeUndo(MethodView):
    @blp.response(200, MergeOut)
    @blp.alt_response(409, description="Already undone, or a later merge must be undone first.")
    def post(self, merge_id: int):  # type: ignore[no-untyped-def]
        """Give back exactly what the merge moved and changed; the pair is open again."""
        with db.transaction() as session:
            return merges.undo(session, current_actor(), merge_id)
