"""Report file names: safe, readable, unique, always inside the output folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from srccheck.report.paths import MAX_STEM_BYTES, report_paths, report_stem


@pytest.mark.parametrize(
    ("article", "root", "stem"),
    [
        ("seeds/000_5d9a.txt", None, "000_5d9a"),
        ("seeds/de/Bericht über Kiew.md", "seeds", "de__Bericht_über_Kiew"),
        ("../../etc/passwd", None, "passwd"),
        ("/etc/passwd", None, "passwd"),
        ("/etc/passwd", "/srv/seeds", "passwd"),  # outside the root: file name only
        ("seeds/a.b.c.txt", None, "a_b_c"),  # no dot survives: with_suffix() stays safe
        ("seeds/a\x00b\nc\u202e.txt", None, "a_b_c"),  # control and bidi characters
        ("seeds/what?#%*.txt", None, "what"),
        ("seeds/Ελληνικά_日本語.txt", None, "Ελληνικά_日本語"),
        ("seeds/index.txt", None, "index_"),  # the run index's name is reserved
        ("seeds/INDEX.md", None, "INDEX_"),
        ("seeds/con.txt", None, "con_"),  # Windows device name
        ("seeds/....txt", None, "article"),
        ("seeds/-rf.txt", None, "rf"),
        ("seeds/__a___b__.txt", None, "a_b"),  # `__` only ever separates folders
    ],
)
def test_report_stem(article: str, root: str | None, stem: str) -> None:
    assert report_stem(Path(article), Path(root) if root else None) == stem


def test_long_names_are_cut_and_stay_distinct() -> None:
    a = report_stem(Path("ä" * 200 + "1.txt"))
    b = report_stem(Path("ä" * 200 + "2.txt"))
    assert a != b
    assert len(a.encode()) <= MAX_STEM_BYTES
    assert a.startswith("ää")


def test_single_article_gets_its_plain_name(tmp_path: Path) -> None:
    out = report_paths([Path("seeds/000_5d9a.txt")], tmp_path)
    assert out == {Path("seeds/000_5d9a.txt"): tmp_path / "000_5d9a"}


def test_same_name_in_different_folders_keeps_the_folders(tmp_path: Path) -> None:
    out = report_paths([Path("seeds/de/a.txt"), Path("seeds/en/a.txt")], tmp_path)
    assert [p.name for p in out.values()] == ["de__a", "en__a"]


def test_names_equal_after_cleaning_or_case_get_hash_suffixes(tmp_path: Path) -> None:
    articles = [Path("s/x y.txt"), Path("s/x_y.md"), Path("s/X Y.html"), Path("s/other.txt")]
    stems = [p.name for p in report_paths(articles, tmp_path).values()]
    assert len({s.casefold() for s in stems}) == 4
    assert all(s.startswith(("x_y-", "X_Y-")) and len(s) == len("x_y-") + 8 for s in stems[:3])
    assert stems[3] == "other"


def test_result_does_not_depend_on_the_order_of_articles(tmp_path: Path) -> None:
    articles = [Path("s/x y.txt"), Path("s/x_y.md"), Path("s/a.txt"), Path("s/a.txt/../a.txt")]
    forward = report_paths(articles, tmp_path)
    backward = report_paths(articles[::-1], tmp_path)
    assert forward == backward
    assert len(set(forward.values())) == len(forward)


def test_explicit_root(tmp_path: Path) -> None:
    out = report_paths([Path("seeds/de/a.txt")], tmp_path, root=Path("seeds"))
    assert out[Path("seeds/de/a.txt")] == tmp_path / "de__a"


_path_text = st.text(alphabet=st.characters(exclude_characters="\x00"), min_size=1, max_size=60)
_segments = st.lists(
    st.one_of(_path_text, st.sampled_from(["..", ".", "", "/", "~", "index", "CON", "a b"])),
    min_size=1,
    max_size=6,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_segments, min_size=1, max_size=8))
def test_every_report_path_is_a_unique_direct_child_of_the_output(
    tmp_path_factory: pytest.TempPathFactory, articles_parts: list[list[str]]
) -> None:
    output = tmp_path_factory.getbasetemp() / "reports"
    articles = [Path(*parts) for parts in articles_parts]
    result = report_paths(articles, output)
    assert set(result) == set(articles)
    stems = [path.name for path in result.values()]
    assert len({s.casefold() for s in stems}) == len(stems)
    for base in result.values():
        for suffix in (".json", ".html"):
            file = base.with_suffix(suffix)
            assert file.parent == output
            assert file.name == base.name + suffix
            assert Path(os.path.realpath(file)).parent == Path(os.path.realpath(output))
        assert base.name.casefold() != "index"
        assert not any(c in base.name for c in "./\\\x00")
        assert len(base.name.encode()) <= MAX_STEM_BYTES + 1 + 8 + 3
