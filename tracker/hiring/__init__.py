"""Step 3 blueprint: vacancies, candidates, screening, panels, scorecards and appointments."""
