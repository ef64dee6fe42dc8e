"""Task form definitions (one JSON file per BPMN form key) and the loader that turns them into marshmallow schemas."""
