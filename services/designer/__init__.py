"""The process designer's use cases: BPMN processes and DMN decisions, validated, versioned and deployed."""
