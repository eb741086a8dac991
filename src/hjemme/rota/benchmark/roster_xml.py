"""Writes a roster in the benchmark's XML roster format, so the published evaluator can check it.

The format (schedulingbenchmarks.org / Staff Roster Solutions): a ``<Roster>`` root naming the
instance in ``<SchedulingPeriodFile>``, one ``<Employee ID=…>`` per person holding one ``<Assign>``
with ``<Day>`` (0-based) and ``<Shift>`` per worked day.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET


def roster_to_xml(instance_file: str, roster: dict[str, dict[int, str]]) -> str:
    """The XML text of ``roster`` (employee -> day -> shift) for the instance file ``instance_file``."""
    root = ET.Element("Roster")
    ET.SubElement(root, "SchedulingPeriodFile").text = instance_file
    for employee, days in roster.items():
        node = ET.SubElement(root, "Employee", ID=employee)
        for day in sorted(days):
            assign = ET.SubElement(node, "Assign")
            ET.SubElement(assign, "Day").text = str(day)
            ET.SubElement(assign, "Shift").text = days[day]
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
