"""Job-description analysis and resume matching for tailoring."""
