"""Date arithmetic for the rule data's deadlines (deadlines.yaml). Pure."""

import datetime

from compliance.ruleset.model import Deadline


def add_deadline(start: datetime.date, deadline: Deadline) -> datetime.date:
    """`start` plus the deadline's days; working days skip Saturdays and Sundays (the rules
    carry no holiday calendar, so a public holiday is counted as a working day)."""
    if deadline.unit == "calendar_days":
        return start + datetime.timedelta(days=deadline.days)
    day, left = start, deadline.days
    while left:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day
