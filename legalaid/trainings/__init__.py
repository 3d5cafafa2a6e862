"""Law-enforcement sensitivity training sessions (Objective 2.3)."""
