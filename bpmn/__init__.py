"""The shipped process models (BPMN and DMN) and their catalog."""
