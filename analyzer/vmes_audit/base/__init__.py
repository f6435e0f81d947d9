"""The base every layer may use: errors, encodings, packaged resources, interrupts, the findings
model, French formatting and the safe output folder. It imports nothing else of vmes_audit."""
