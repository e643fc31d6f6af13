"""/api/v1/imports: upload a feed and read import reports (admins)."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app
from flask.views import MethodView
from flask_smorest.error_handler import ErrorSchema
from flask_smorest.fields import Upload
from marshmallow import Schema

from reintegrate.api import ApiBlueprint
from reintegrate.api.schemas import ImportRunOut
from reintegrate.auth import current_actor
from reintegrate.db import db
from reintegrate.schemas.imports import ImportForm
from reintegrate.schemas.returnees import ReturneeListRows
from reintegrate.services import imports, uploads

blp = ApiBlueprint(
    "imports_api",
    __name__,
    url_prefix="/api/v1/imports",
    description="Feed and returnee-list imports: one transaction per run, with a kept report.",
)


class ImportFile(Schema):
    file = Upload(required=True)


@blp.route("")
class Imports(MethodView):
    @blp.arguments(ImportForm, location="form")
    @blp.arguments(ImportFile, location="files")
    @blp.response(
        201, ImportRunOut, description="Imported (status succeeded, or partial with rejected rows)."
    )
    @blp.alt_response(
        422,
        schema={"anyOf": [ImportRunOut, ErrorSchema]},
        description="Nothing imported: the report says why; or the form itself is invalid.",
    )
    @blp.alt_response(413, description="The file is over IMPORT_MAX_MB.")
    def post(self, form: dict[str, Any], files: dict[str, Any]):  # type: ignore[no-untyped-def]
        """Import a feed file (admins), or a returnee list (`kind=returnees`: officers, or an
        admin naming the `officer`); same rules and report as `reintegrate import`."""
        upload = files["file"]
        if imports.upload_too_large(upload.stream, current_app.config["IMPORT_MAX_BYTES"]):
            abort(413)
        run = uploads.import_upload(
            db.sessions(),
            current_actor(),
            upload.stream,
            upload.filename or "upload",
            form,
            rules=ReturneeListRows(),
        )
        return run, (422 if imports.exit_code(run) == 2 else 201)

    @blp.response(200, ImportRunOut(many=True))
    def get(self):  # type: ignore[no-untyped-def]
        """The latest 100 import reports, newest first."""
        with db.transaction() as session:
            return imports.recent_runs(session, current_actor())


@blp.route("/<int(max=2147483647):run_id>")
class ImportById(MethodView):
    @blp.response(200, ImportRunOut)
    def get(self, run_id: int):  # type: ignore[no-untyped-def]
        """One import report."""
        with db.transaction() as session:
            return imports.get_run(session, current_actor(), run_id)
