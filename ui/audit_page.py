"""The auditor's workspace: filtered log, review queue, CSV export, subject access
requests, integrity check.

Auditors never see family data on the page: only events (who looked, when, why,
at which person ids). The one exception is a subject access report, one person
at a time, given as a download and recorded first (``subject_access``). Every
look at the log (with its filters), decision and export made here is audited.
"""

from __future__ import annotations

import streamlit as st

from core.errors import UserInputError
from governance.audit import EVENT_KINDS, Actor, canonical_json, verify_chain
from governance.audit_filter import (
    EventFilter,
    events_frame,
    record_audit_search,
    users_in_log,
)
from governance.flags import FLAG_LABELS
from governance.review import DECISIONS, decide, export_csv, queue, sync_queue
from governance.subject_access import FORMATS, RENDER, subject_access
from ui import state
from ui.audit_table import display
from ui.context import AppContext
from ui.text import md

MAX_EVENTS = 50_000
#: Review queue views: open items first, escalated ones stay until closed.
QUEUE_VIEWS = {"open": "Open", "escalated": "Escalated", "closed": "Closed"}


def _integrity(ctx: AppContext) -> None:
    if st.button("Check the log has not been altered", key="verify"):
        check = verify_chain(ctx.audit_engine)
        if check.valid:
            st.success(f"Audit log intact: {check.events:,} events checked.")
        else:
            st.error(
                f"Audit log altered at event {check.first_broken}. Preserve the "
                "database and tell the information-governance lead."
            )


def _filters(ctx: AppContext, actor: Actor) -> EventFilter:
    left, mid, searched_col, right = st.columns(4)
    user = left.selectbox("User", users_in_log(ctx.audit_engine, actor), index=None,
                          placeholder="All users", key="f_user")  # fmt: skip
    person = mid.text_input("Person id", key="f_person")
    searched = searched_col.text_input(
        "Name searched for (any part, any case)", key="f_searched"
    )
    purpose = right.selectbox("Purpose", ctx.config.app.purposes, index=None,
                              placeholder="All purposes", key="f_purpose")  # fmt: skip
    kinds_col, start_col, end_col = st.columns(3)
    kinds = kinds_col.multiselect("Kind", sorted(EVENT_KINDS),
                                  placeholder="All kinds", key="f_kinds")  # fmt: skip
    start = start_col.date_input("From (UTC)", value=None, format="DD/MM/YYYY",
                                 key="f_start")  # fmt: skip
    end = end_col.date_input("To (UTC)", value=None, format="DD/MM/YYYY",
                             key="f_end")  # fmt: skip
    return EventFilter(
        user=user, person=person.strip() or None,
        searched=searched.strip() or None, kinds=tuple(kinds), purpose=purpose,
        start=start, end=end,
    )  # fmt: skip


def _review(ctx: AppContext, actor: Actor) -> None:
    st.subheader("Review queue")
    status = st.radio("Show", QUEUE_VIEWS, horizontal=True, key="queue_status",
                      format_func=QUEUE_VIEWS.get)  # fmt: skip
    items = queue(ctx.audit_engine, status)
    if items.is_empty():
        st.caption(f"No {QUEUE_VIEWS[status].lower()} items.")
        return
    st.caption(f"{items.height:,} item(s), oldest first.")
    for item in items.head(20).iter_rows(named=True):
        with st.container(border=True):
            st.markdown(
                f"**{FLAG_LABELS.get(item['flag'], item['flag'])}** · "
                f"{item['user_id']} · {item['raised_at'][:16].replace('T', ' ')} UTC"
                f"  \n{md(item['detail'])}"
            )
            if item["note"]:
                st.caption(f"{item['status'].title()} by {md(item['decided_by'])}: "
                           f"{md(item['note'])}")  # fmt: skip
            if status == "closed":
                continue
            key = item["item_id"]
            note = st.text_input("Note", key=f"note_{key}")
            decision = st.radio("Decision", DECISIONS, horizontal=True,
                                key=f"decision_{key}")  # fmt: skip
            if st.button("Record decision", key=f"decide_{key}"):
                try:
                    decide(ctx.audit_engine, actor, key, decision, note)
                except UserInputError as exc:
                    st.error(str(exc))
                else:
                    st.rerun()


def _record_look(ctx: AppContext, actor: Actor, where: EventFilter) -> None:
    """Record each distinct look at the log once per session, before showing it."""
    asked = "audit_search_" + canonical_json(where.as_data())
    if not state.flag(asked):
        record_audit_search(ctx.audit_engine, actor, where)
        state.set_flag(asked)


def _subject_access(ctx: AppContext, actor: Actor) -> None:
    """One person's subject access report: prepared (and recorded) on request,
    then offered as a download only; nothing of it is drawn on the page."""
    st.subheader("Subject access request")
    st.caption(
        "What the index holds about one person, by source, and every access to "
        "their record, ready to redact. Preparing it is recorded."
    )
    left, mid, right = st.columns(3)
    person = left.text_input("Person id", key="sar_person").strip()
    ref = mid.text_input("Request reference", key="sar_ref").strip()
    fmt = right.selectbox("Format", FORMATS, key="sar_format")
    if not st.button("Prepare subject access report", key="sar_prepare"):
        return
    try:
        report = subject_access(ctx.audit_engine, actor, ctx.index(), person, ref,
                                ctx.config.app.local_authority, (fmt,))  # fmt: skip
    except UserInputError as exc:
        st.error(str(exc))
        return
    st.download_button(
        f"Download the report ({fmt})", RENDER[fmt](report),
        file_name=f"subject-access-{person}.{fmt}", key="sar_download",
        on_click="ignore", icon=":material/download:",
    )  # fmt: skip


def page(ctx: AppContext, actor: Actor) -> None:
    """Who looked at whom, when and why; no search and no family data."""
    st.header("Audit log")
    _record_look(ctx, actor, EventFilter())  # before even the list of users
    where = _filters(ctx, actor)
    _record_look(ctx, actor, where)
    shown = events_frame(ctx.audit_engine, actor, MAX_EVENTS, where)
    more = f" (the newest {MAX_EVENTS:,}: narrow the filters to see older ones)"
    st.caption(f"{shown.height:,} matching events, newest first"
               f"{more if shown.height >= MAX_EVENTS else ''}.")  # fmt: skip
    st.dataframe(display(shown), hide_index=True, width="stretch")
    if st.button("Prepare CSV export of these events", key="export"):
        csv_text = export_csv(ctx.audit_engine, actor, display(shown))
        st.download_button("Download CSV", csv_text, "audit-events.csv",
                           mime="text/csv", key="download")  # fmt: skip
    sync_queue(ctx.audit_engine, ctx.flag_rules, actor=actor)
    _review(ctx, actor)
    _subject_access(ctx, actor)
    _integrity(ctx)
