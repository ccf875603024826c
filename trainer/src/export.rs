//! Model export: the only producer of model artifacts (encoder of the core's artifact format).
