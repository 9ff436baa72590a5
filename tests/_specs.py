"""Small hand-made specs shared by the scaling and reliability tests, and the in-process article of any spec."""

from designkit.model.spec import validate


def comp(name, kind, capacity, **extra):
    """One component as a spec mapping, with throwaway prose."""
    return {"name": name, "kind": kind, "responsibility": "r", "technology": "t",
            "capacity": capacity, **extra}


def make_spec(components, read_path, write_path, **scale):
    """Totals form: 10K reads/s and 1K writes/s on average; peak 2x -> 20K + 2K = 22K/s."""
    base = {"reads": "10K/s", "writes": "1K/s", "peak_factor": "2x", "record_size": "1 KB",
            "retention": "1 year"}
    return validate({"name": "Hand", "scale": base | scale, "components": components,
                     "read_path": read_path, "write_path": write_path})


def article_of(ref, overrides=None) -> str:
    """The in-process article.md of an example or spec file (what its notebooks assemble)."""
    from designkit.model import analyze, estimate, load_spec
    from designkit.views.pages.full_article import article_at
    spec = load_spec(ref, overrides)
    cap = estimate(spec.scale)
    return article_at(spec, cap, analyze(spec, cap))
