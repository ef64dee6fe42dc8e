"""The double-random draw (双随机): its rules, inputs, execution, public records and redraws."""
