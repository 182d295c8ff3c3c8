"""Writes parsed predictions for a user: the one path from every import format to rows.

Every value goes through the bulk service (`predictions.services.bulk`), which applies
the rules of the single-row services (`predictions.rules`), and evidence through the
sources services; this package only maps their problems to the file's rows and columns,
finds what an earlier import already brought, and previews the result
(docs/decisions/0003-bulk-import-path.md).

- `writer`: the batches, from records to the bulk service's write;
- `keys`: records already in the account (by uid and import key, never by primary key);
- `rows`: predictions, options, forecasts and edits;
- `resolution`: the resolution history;
- `evidence`: evidence links and their sources;
- `preview`: the summary sentence and preview table.

Everything happens inside the caller's transaction; nothing is written once any problem
is found (validation continues, so the preview can list every error).
"""

from reports.imports.writing.preview import PreviewRow, Summary
from reports.imports.writing.writer import Writer, write_records

__all__ = ["PreviewRow", "Summary", "Writer", "write_records"]
