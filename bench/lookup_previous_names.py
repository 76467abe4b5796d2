"""Are people who changed their family name found by the one they had before?

python bench/lookup_previous_names.py --data DIR [--json]

``DIR`` is a generated and built folder (``bench/lookup_speed.py`` makes one).
Each true person with a previous family name (``truth/people.csv``:
``previous_last_name``) who is in the index is searched for by their first name
and that previous family name, once alone and once with their date of birth: a
referral from someone who knew the family before. A search finds them when any
index person holding one of their records is listed (``found_name_only``,
``found_with_dob``), and the first card's label says "previous surname" when a
record states that name was theirs (``labelled``: share of those listed first
with the date of birth). Someone whose every record was made before the change
is found by the name the records bear, without any stated previous name.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]


def renamed_people(truth: Path) -> pl.DataFrame:
    """True people with a previous family name, and the one they have now."""
    cols = ["person_id", "first_name", "last_name", "previous_last_name", "dob"]
    people = pl.read_csv(truth / "people.csv", columns=cols,
                         schema_overrides={"dob": pl.Date})  # fmt: skip
    return people.filter(pl.col("previous_last_name").is_not_null())


def run(data: Path) -> dict:
    from bench.lookup_queries import true_people
    from core.config import load_config
    from core.db import make_engine
    from linkage.index_tables import records as records_table
    from lookup.index import load_index, read_table
    from lookup.match_words import STATED_PREVIOUS
    from lookup.query import parse_query
    from lookup.search import search

    config = load_config(data / "config.toml")
    engine = make_engine(config.storage.index_url)
    index = load_index(engine)
    held = read_table(engine, records_table, index.build_id,
                      ("source", "record_id", "person_id"))  # fmt: skip
    truth = true_people(data / "truth", held)
    renamed = renamed_people(data / "truth").filter(
        pl.col("person_id").is_in(list(truth))
    )
    today, limit = date.today(), config.app.max_results
    counts = {"name_only": 0, "with_dob": 0, "first": 0, "labelled": 0}
    for person in renamed.iter_rows(named=True):
        want = truth[person["person_id"]]
        for key, dob in (("name_only", ""), ("with_dob", person["dob"])):
            given = dob.strftime("%d/%m/%Y") if dob else ""
            query = parse_query(person["first_name"], person["previous_last_name"],
                                given, "", today)  # fmt: skip
            found = search(index, query, today, limit)
            ids = [c.person_id for c in found]
            counts[key] += bool(want.intersection(ids))
            if key == "with_dob" and ids and ids[0] in want:
                counts["first"] += 1
                counts["labelled"] += STATED_PREVIOUS in found[0].matched_on
    n = renamed.height
    result = {
        "renamed_in_index": n,
        "found_name_only": round(counts["name_only"] / n, 4) if n else None,
        "found_with_dob": round(counts["with_dob"] / n, 4) if n else None,
        "labelled": round(counts["labelled"] / counts["first"], 4)
        if counts["first"]
        else None,
        "found_counts": counts,
    }
    print(
        f"{n} renamed people in the index; searched by first name and previous "
        f"family name: found {counts['name_only']} ({result['found_name_only']}) "
        f"alone, {counts['with_dob']} ({result['found_with_dob']}) with the date "
        f"of birth; {counts['labelled']} of the {counts['first']} listed first "
        f'labelled "{STATED_PREVIOUS}"'
    )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="data folder")
    parser.add_argument("--json", action="store_true", help="print JSON last")
    args = parser.parse_args()
    result = run(args.data)
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    sys.exit(main())
