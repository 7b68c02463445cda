"""E-mail sent by background jobs, sent once: a job the worker retries never sends a message twice."""
