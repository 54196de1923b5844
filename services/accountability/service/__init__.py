"""Use cases of the accountability service, one module per noun (DESIGN §1): each ``async def x(session, ctx,
…)`` writes its state, its audit entry and its events through ``ctx.journal`` and never commits —
the router (session dependency), the inbox handler or the sweep that calls it owns the transaction."""
