//! Building a [`ReportInput`](super::ReportInput) from a training run or from a model and a cohort.
