"""The five Gongkai services (DESIGN §1). Each has the same inside: app, api/, schemas, models,
domain/, service, handlers, migrations/."""
