"""Actions on workbook files: build the master, refresh, share, import."""
