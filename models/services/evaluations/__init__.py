"""Step 5: evaluation templates, cycles, the due engine, the workflow and recognition."""
