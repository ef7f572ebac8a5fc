"""Turn expected errors into a clear message and a non-zero exit, never a traceback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console

from failsafe.errors import FailSafeError

P = ParamSpec("P")
R = TypeVar("R")

err_console = Console(stderr=True)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Print a FailSafe or settings error as one line and exit with status 2."""
    try:
        yield
    except FailSafeError as exc:
        err_console.print(f"[bold red]error:[/] {exc.detail}")
        raise typer.Exit(code=2) from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "settings"
        err_console.print(f"[bold red]error:[/] invalid setting {where}: {first['msg']}")
        raise typer.Exit(code=2) from exc


def cli_command(func: Callable[P, R]) -> Callable[P, R]:
    """Decorate a command so expected errors end it cleanly."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with reported_errors():
            return func(*args, **kwargs)

    return wrapper
