"""Rules engine: grades, competencies, commission, eligibility, working-day deadlines."""
