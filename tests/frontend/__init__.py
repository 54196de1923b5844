"""Tests of what the front-end teams build on (issue 9): CORS, who am I, labels, actions that name
their URLs, a readable timeline, Chinese errors, the demo data and the due date's agreement."""
