"""LangGraph coach: plans, calls the typed tools, checks evidence, composes guidance.

Filled by the agent issue; the room exists so the layout is the users' from day one."""
