"""finmodel: cash runway and risk-adjusted NPV of clinical-stage biotech companies."""
