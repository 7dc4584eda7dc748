"""Reading a spreadsheet's first sheet as rows of ``{field: cell}`` by recognised headers."""

from __future__ import annotations

from typing import IO

from plugins.wages.linkage import cells

MAX_ROWS = 5000
HEADER_SEARCH = 10


class SheetUnreadable(ValueError):
    """The upload is not a spreadsheet we can read, or has no recognisable header row."""


def read_cells(stream: IO[bytes]) -> list[list[object]]:
    """The first sheet's cells (.xlsx or .xls), as python values."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(stream)
        return book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for every kind of bad file
        raise SheetUnreadable("无法读取该文件，请上传 Excel 表格（.xlsx 或 .xls）") from exc


def rows_by_field(grid: list[list[object]], synonyms: dict[str, tuple[str, ...]], required: set[str]):
    """Find the header row (the first of the top rows naming every required column) and return
    ``(header_row_number, [(row_number, {field: cell})])``; row numbers are the sheet's, from 1."""
    wanted = {cells.header_key(name): field for field, names in synonyms.items() for name in names}
    for index, row in enumerate(grid[:HEADER_SEARCH]):
        columns: dict[int, str] = {}
        for col, cell in enumerate(row):
            field = wanted.get(cells.header_key(cell))
            if field and field not in columns.values():
                columns[col] = field
        if required <= set(columns.values()):
            body = grid[index + 1 :]
            if len(body) > MAX_ROWS:
                raise SheetUnreadable(f"一次最多导入 {MAX_ROWS} 行，请拆分后再导入")
            rows = [
                (
                    index + 2 + offset,
                    {field: (row[col] if col < len(row) else None) for col, field in columns.items()},
                )
                for offset, row in enumerate(body)
            ]
            return index + 1, rows
    names = "、".join(synonyms[field][0] for field in sorted(required))
    raise SheetUnreadable(f"找不到表头：前{HEADER_SEARCH}行中没有同时包含“{names}”的一行")
