//! Feature extraction: image + mask + recipe → value, with a caller-supplied scratch buffer.
