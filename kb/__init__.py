"""Training knowledge base in PostgreSQL + pgvector (SportsRAG); filled by the KB issue."""
