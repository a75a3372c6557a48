"""The catalogue as an Excel workbook, both ways: exported for review and bulk editing, imported as drafts.

Importing is all or nothing, like the working-day calendar: ``parse_catalog`` reports every bad cell with
its sheet, Excel row and column, ``validate_content`` (the catalogue's only rule book) runs on every item
and its errors are located in the workbook too, and ``catalog_import`` writes nothing unless the whole file
is valid. It never publishes: existing items get a new draft, new items are created as drafts.

The rooms: ``sheets`` is the layout (sheets, columns, fixed labels), ``template`` what the instructions sheet says,
``export`` writes workbooks, ``cells`` reads one cell, ``parsing`` reads and checks a whole workbook, and
``importing`` writes it as drafts.
"""

from .export import catalog_template, export_catalog
from .importing import CatalogImportError, ImportResult, JobProgress, catalog_import
from .parsing import CellError, ParsedCatalog, ParsedItem, locate, parse_catalog
from .sheets import SHEETS

__all__ = [
    "SHEETS",
    "CatalogImportError",
    "CellError",
    "ImportResult",
    "JobProgress",
    "ParsedCatalog",
    "ParsedItem",
    "catalog_import",
    "catalog_template",
    "export_catalog",
    "locate",
    "parse_catalog",
]
