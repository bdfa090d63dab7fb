"""Step 4: completions and waivers, roster imports and the compliance engine."""
