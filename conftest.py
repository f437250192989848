import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent

# The sample data sits beside the repository in development and CI (the Makefile sets the same default).
if not os.environ.get("TREMORLAB_DATA") and (ROOT.parent / "shared" / "data").is_dir():
    os.environ["TREMORLAB_DATA"] = str(ROOT.parent / "shared" / "data")
