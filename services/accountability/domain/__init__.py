"""Pure rules of the accountability service (责任追究, DESIGN §8): no I/O, no clock reads — the part
to unit-test hardest. A broken rule raises ``shared.domain.DomainError`` (409) or ``InvalidInput`` (422).

- ``catalogue``  violations (第五条), sanctions (第六条), mitigating (第八条) and aggravating (第九条)
  factors, with the article each comes from
- ``ladders``    sanction ladders as data (第七条; seed 004 第二十七条(四)), ``recommend``, departures
- ``assessment`` attribution of responsibility (seed 004 第二十七条(三)), repeat offence (第九条(四))
- ``cases``      the case state machine with the hearing guard (seed 004 第二十八条)
- ``deadlines``  rectification (20 working days), appeal window and decision (seed 004 第二十九条),
  escalation of overdue orders
- ``reactions``  what each consumed event means: open a case, append a finding, order rectification
- ``report``     counts per violation and sanction for the annual report's 责任追究情况
"""
