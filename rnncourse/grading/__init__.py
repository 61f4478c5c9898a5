"""Grading of learners' notebooks with the course's checks (`python -m rnncourse.grade`).

One module per step: `submissions` (what to grade, which lesson), `sandbox` (limited child
processes), `execute` (run the notebook, first child), `transport` (carry the learner's functions
out of the kernel by value), `checker` and `integrity` (call the checks in a fresh second child and
notice tampering), `grader` (one submission and many), `report` (tables, CSV, JSON).
"""
