"""What a build leaves beside the index for the processes that serve it: the
prepared files of the new build (``lookup.artefact``), made from the build's own
frames before it is switched in, so the first process to serve it maps them.
They include the identities an age rule leaves on the day of the build
(``lookup.identity.with_age_cut``): a process loading them on a later day makes
those whose cut has changed since per view."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

import polars as pl
from sqlalchemy import Engine

from core.errors import IndexNotReadyError
from core.logs import log, log_error
from linkage import index_tables as t
from lookup.artefact import prune, save_prepared
from lookup.identity import with_age_cut
from lookup.index import assemble_index, current_build_id, stored_frames

#: Called by ``linkage.build.build_index`` with the build id and its frames.
SaveBuild = Callable[[str, Mapping[str, pl.DataFrame]], None]


def saver(engine: Engine, folder: Path) -> SaveBuild:
    """Assemble the new build as a serving process would and save it in ``folder``,
    keeping the files of the build still served and deleting older ones.

    A disk that cannot take them is logged, not fatal (processes then read the
    rows); a build that cannot be assembled fails, so it is never switched in.
    """

    def save(build_id: str, frames: Mapping[str, pl.DataFrame]) -> None:
        index = assemble_index(build_id, stored_frames(frames))
        # made from the build's own records, not read back from the database
        index = with_age_cut(index, date.today(), frames[t.records.name])
        try:
            serving = {current_build_id(engine)}
        except IndexNotReadyError:
            serving = set()
        try:
            prune(folder, {build_id, *serving})
            save_prepared(index, folder)
        except OSError as exc:
            log_error("index_prepared_not_saved", exc, build_id=build_id)
            return
        log("index_prepared_saved", build_id=build_id)

    return save
