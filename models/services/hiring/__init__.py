"""Step 3: vacancies, criteria, candidates, screening, the panel and the decision."""
