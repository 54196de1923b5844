"""services/notifier — 通知: Notifications (inbox, e-mail, SMS, webhooks), templates, delivery log, outbound integration endpoints."""
