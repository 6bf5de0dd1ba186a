"""保密服务保障规划器 · the dashboard: ``streamlit run dashboards/app.py``.

The first start makes the store (``PLANNER_DB``, or ``data/planner.db``), imports the
bundled reference congress and plans it, and asks for the first commander account
(or takes it from ``PLANNER_ADMIN_USER`` / ``PLANNER_ADMIN_PASSWORD``). There is no
default account. Until someone signs in, the sign-in page is the only page there is;
after it, the pages are those of the person's role.

Streamlit runs this file as ``__main__``. A worker process the rehearsal starts (spawn)
runs it again as ``__mp_main__``: it then only sets the import path and does nothing else.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for folder in (HERE.parent, HERE):  # the planner package, and ui.py and shell.py
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

if __name__ == "__main__":
    import shell

    shell.main()
