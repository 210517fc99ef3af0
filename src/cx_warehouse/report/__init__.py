"""The leadership report: one self-contained HTML page rendered from the built warehouse's marts
(`cxw report`, written by `cxw demo`; docs/leadership-report.md)."""
