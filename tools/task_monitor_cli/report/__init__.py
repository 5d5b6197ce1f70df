"""The report: figures from the tasks' latest states (``figures``) and a self-contained page (``html``)."""

from task_monitor_cli.report.figures import Report, build_report, report_json, report_rows, total_row
from task_monitor_cli.report.html import render_html

__all__ = ["Report", "build_report", "render_html", "report_json", "report_rows", "total_row"]
