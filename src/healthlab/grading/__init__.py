"""Teacher-side grading with nbgrader. Nothing a student's lesson imports ever imports this."""
