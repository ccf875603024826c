//! C ABI over radscore-core (see issue: C ABI).
