"""UNO side of the PDF pool: drives one running soffice, one document per request.

Run as a script by an interpreter that can ``import uno`` (Debian's ``python3-uno`` belongs
to ``/usr/bin/python3``, which need not be qujat's interpreter), so it imports nothing from
qujat. Line protocol, one JSON object per line:

* argument: the UNO connection string of the soffice to drive;
* first answer: ``{"ready": true}`` once connected, or ``{"ready": false, "error": ...}``;
* request ``{"src": "/abs/in.docx", "dst": "/abs/out.pdf"}`` answers ``{"ok": true}`` or
  ``{"ok": false, "error": "...", "lost": bool}`` (``lost``: soffice is gone, restart it);
* end of input: the worker asks soffice to terminate and exits.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any, TextIO

CONNECT_SECONDS = float(os.environ.get("QUJAT_UNO_CONNECT_SECONDS", "60"))
DOCX_FILTER = "MS Word 2007 XML"
PDF_FILTER = "writer_pdf_Export"


def _properties(**values: Any) -> tuple[Any, ...]:
    import uno  # noqa: F401 - registers the com.sun.star import hook
    from com.sun.star.beans import PropertyValue

    return tuple(PropertyValue(Name=name, Value=value) for name, value in values.items())


def connect(connection: str) -> Any:
    """The soffice ``Desktop`` behind ``connection``; retries while soffice is starting."""
    import uno
    from com.sun.star.connection import NoConnectException
    from com.sun.star.uno import RuntimeException   # a pipe torn down while soffice starts

    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + CONNECT_SECONDS
    while True:
        try:
            context = resolver.resolve(connection)
            break
        except (NoConnectException, RuntimeException):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    return context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)


def alive(desktop: Any) -> bool:
    """Whether the bridge to soffice still answers."""
    try:
        desktop.getFrames()
    except Exception:  # noqa: BLE001 - any failure of a trivial call means the bridge is gone
        return False
    return True


def convert(desktop: Any, source: Path, target: Path) -> None:
    """Load ``source`` hidden, store it as PDF at ``target``, close it."""
    import uno

    load = {"Hidden": True, "ReadOnly": True, "MacroExecutionMode": 0, "UpdateDocMode": 0}
    if source.suffix.lower() == ".docx":
        load["FilterName"] = DOCX_FILTER
    document = desktop.loadComponentFromURL(uno.systemPathToFileUrl(str(source)), "_blank", 0,
                                            _properties(**load))
    if document is None:
        raise ValueError("the document could not be loaded (damaged, or not a Word document)")
    try:
        document.storeToURL(uno.systemPathToFileUrl(str(target)),
                            _properties(FilterName=PDF_FILTER, Overwrite=True))
    finally:
        try:
            document.close(True)
        except Exception:  # noqa: BLE001 - a document that refuses to close is disposed instead
            document.dispose()


def describe(error: BaseException) -> str:
    """A one-line description of a UNO or Python error."""
    message = getattr(error, "Message", None) or str(error) or type(error).__name__
    return " ".join(message.split())[:300]


def serve(desktop: Any, requests: TextIO, answers: TextIO) -> None:
    for line in requests:
        request = json.loads(line)
        try:
            convert(desktop, Path(request["src"]), Path(request["dst"]))
            answer: dict[str, Any] = {"ok": True}
        except Exception as error:  # noqa: BLE001 - every failure is answered, the loop goes on
            answer = {"ok": False, "error": describe(error), "lost": not alive(desktop)}
        answers.write(json.dumps(answer) + "\n")
        answers.flush()
        if answer.get("lost"):
            return
    try:
        desktop.terminate()
    except Exception:  # noqa: BLE001 - soffice quitting drops the bridge mid-call
        return


def main() -> None:
    # The protocol owns the original stdout; anything else printing goes to stderr.
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    try:
        desktop = connect(sys.argv[1])
    except Exception as error:  # noqa: BLE001 - reported to the parent, which gives up
        answers.write(json.dumps({"ready": False, "error": describe(error)}) + "\n")
        answers.flush()
        sys.exit(1)
    answers.write(json.dumps({"ready": True}) + "\n")
    answers.flush()
    serve(desktop, sys.stdin, answers)
    answers.close()
    os._exit(0)         # skip interpreter teardown: pyuno can crash in it after the bridge closed


if __name__ == "__main__":
    main()
