"""One root exception; spec errors name file and field, build errors name section and cell."""

from __future__ import annotations


class DesignkitError(Exception):
    """Root of every error designkit reports to a user (never with a traceback)."""

    exit_code = 1


class SpecError(DesignkitError):
    """A spec file (or an override) is missing, unreadable or invalid: exit status 2."""

    exit_code = 2

    def __init__(self, source: str, problems: list[tuple[str, str]] | str):
        if isinstance(problems, str):
            problems = [("", problems)]
        self.source = source
        self.problems = problems
        lines = [f"{source}: {field}: {what}" if field else f"{source}: {what}" for field, what in problems]
        super().__init__("\n".join(lines))


class BuildError(DesignkitError):
    """A section notebook failed or left out what the article needs: exit status 1."""

    exit_code = 1

    def __init__(self, section: str, notebook: str, message: str, *, cell: int | None = None,
                 ename: str = "", evalue: str = ""):
        self.section, self.notebook, self.cell = section, notebook, cell
        self.ename, self.evalue = ename, evalue
        where = f"section {section!r} ({notebook}"
        where += f", cell {cell})" if cell is not None else ")"
        detail = f": {ename}: {evalue}" if ename else ""
        super().__init__(f"{where}: {message}{detail}")
