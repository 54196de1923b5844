"""Reliability under an operator's worst day (issue 7): a process killed between commit and
response, a database that hangs instead of refusing, a broker outage, the drain after it."""
