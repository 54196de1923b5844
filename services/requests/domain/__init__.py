"""Pure rules of the requests service: no I/O, no clock reads — the part to unit-test hardest.
A broken rule raises ``shared.domain.DomainError`` (a conflict, 409) or ``InvalidInput`` (422).

- ``rules``     named rule sets (答复期限等时限), one chosen per deployment
- ``deadlines`` the statutory clock (答复期限) over the application's clock facts, explaining itself
- ``fees``      信息处理费 (条例 第四十二条; 国办函〔2020〕109号)
- ``states``    the application's state machine, with the 保密审查 guards on a reply
- ``outcomes``  outcome codes ↔ rows of the annual-report table 三 (国办公开办函〔2021〕30号)
"""
