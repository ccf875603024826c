//! The validation report: tables (CSV), figures (SVG) and a self-contained index.html.
