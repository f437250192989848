import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if not os.environ.get("TREMORLAB_DATA") and (ROOT.parent / "shared" / "data").is_dir():
    os.environ["TREMORLAB_DATA"] = str(ROOT.parent / "shared" / "data")
