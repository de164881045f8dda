"""Exports: tables (csv/xlsx/parquet); later maps and REFI-QDA."""
from .project_tables import SEGMENT_ENRICHERS, TABLES, export_table, segments_table
from .tables import FORMATS, escape_csv_cell, write_table, write_xlsx

__all__ = [
    "FORMATS",
    "SEGMENT_ENRICHERS",
    "TABLES",
    "escape_csv_cell",
    "export_table",
    "segments_table",
    "write_table",
    "write_xlsx",
]
