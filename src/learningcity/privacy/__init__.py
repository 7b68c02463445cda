"""Personal data: the privacy notice and consents, export and erasure, retention, the staff access log."""
