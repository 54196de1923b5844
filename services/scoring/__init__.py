"""services/scoring — 考核: Appraisal schemes (考核方案), indicator trees, score sheets, deductions, grades and rankings."""
