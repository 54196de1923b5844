"""services/appraisal — 社会评议: Public-appraisal campaigns (社会评议): questionnaires, responses, panels, third-party scores, results."""
