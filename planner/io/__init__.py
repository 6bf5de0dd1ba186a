"""Files in and out: tables from CSV or .xlsx, the scenario loaded from them (checked row by
row), the plan's contract files, uploads, spreadsheet-safe text, the data folder and the
one door through which a name becomes a path, and the generated congresses."""
