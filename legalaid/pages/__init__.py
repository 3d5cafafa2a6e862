"""Pages every visitor shares: home, language choice, health check and error pages."""
