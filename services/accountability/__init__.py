"""services/accountability — 责任追究: Accountability cases (责任追究): violations, factors, hearings, decisions, sanctions, rectification orders, appeals."""
