"""Pure rules of the notifier service (通知, DESIGN §9; issue 15): no I/O, no clock reads — the part
to unit-test hardest. A broken rule raises ``shared.domain.DomainError`` (409) or ``InvalidInput`` (422).

- ``routing``      who is told of which event, on which channels, with which template: the YAML
  document (services/notifier/routing.yaml) validated, overrides merged
- ``recipients``   a route + event data + unit replica + subscriptions → deduplicated targets
- ``delivery``     pending → sent / failed → dead, exponential backoff with jitter, notification.failed
- ``breaker``      the circuit breaker per endpoint
- ``quiet_hours``  SMS held until the end of the quiet window (Asia/Shanghai)
- ``digest``       the daily digest per unit: what it lists, when, and what it replaces
- ``sms``          the segment count (GSM 7-bit 160/153, UCS-2 70/67) and cutting to fit
- ``integrations`` 12345 / provincial work-order status pushes, webhook endpoints of an event
- ``event_data``   reading dates out of consumed events' JSON data
"""
