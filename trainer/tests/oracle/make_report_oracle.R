#!/usr/bin/env Rscript
# Reference numbers for the validation report's statistics (issue 22), computed with R.
#
# Data: tests/fixtures/reference/trainer/breast_cancer.csv (y = 1 malignant) and split.csv (the
# committed stratified train/test split). Model: glm(y ~ `mean texture` + `mean smoothness` +
# `mean symmetry`, binomial) on the training rows -- deliberately a moderate model (AUC ~0.8) so
# that no bootstrap replicate separates.
#
# Deterministic references (the Rust test compares within 1e-9):
#   * coefficients of the fit (glm),
#   * rms::val.prob(p_test, y_test): "Intercept", "Slope"; calibration-in-the-large =
#     coef(glm(y ~ 1, offset = qlogis(p), binomial)),
#   * Hosmer-Lemeshow, g = 10: a transcription of ResourceSelection::hoslem.test (the package is
#     not in Debian; its code is 10 lines: quantile breaks, cut(include.lowest = TRUE), df = g - 2),
#   * binom.test(x, n)$conf.int (exact Clopper-Pearson) of sensitivity, specificity, PPV, NPV and
#     accuracy at threshold 0.5, train and test,
#   * rms::calibrate's grid (predy) and apparent curve (calibrated.orig).
# Monte-Carlo references (the Rust test checks the optimism within its Monte-Carlo error):
#   * rms::validate(fit, B = 1000) and rms::calibrate(fit, B = 1000) repeated with RUNS seeds:
#     the mean optimism over runs and its standard error sd/sqrt(RUNS).
#
# Provenance: written into "meta" of the JSON (R and package versions, command).
# Install (Debian 12): apt-get install -y --no-install-recommends r-base-core r-cran-rms
#   r-cran-jsonlite
# Run from the repository root:
#   Rscript trainer/tests/oracle/make_report_oracle.R
# Writes trainer/tests/oracle/report_oracle.json.

suppressMessages({
  library(rms)
  library(jsonlite)
})

ref <- file.path("tests", "fixtures", "reference", "trainer")
d <- read.csv(file.path(ref, "breast_cancer.csv"), check.names = FALSE)
sp <- read.csv(file.path(ref, "split.csv"))
train_rows <- sp$row[sp$set == "train"]  # 0-based, in split order
test_rows <- sp$row[sp$set == "test"]
vars <- c("mean texture", "mean smoothness", "mean symmetry")
mk <- function(rows) {
  x <- d[match(rows, d$row), vars]
  names(x) <- c("texture", "smoothness", "symmetry")
  x$y <- d$y[match(rows, d$row)]
  x
}
tr <- mk(train_rows)
te <- mk(test_rows)

g <- glm(y ~ texture + smoothness + symmetry, data = tr, family = binomial)
p_tr <- as.vector(predict(g, tr, type = "response"))
p_te <- as.vector(predict(g, te, type = "response"))

vp <- val.prob(p_te, te$y, pl = FALSE)
citl <- unname(coef(glm(te$y ~ 1, offset = qlogis(p_te), family = binomial))[1])

hoslem <- function(x, y, g = 10) {  # ResourceSelection::hoslem.test, transcribed
  qq <- unique(quantile(y, probs = seq(0, 1, 1 / g)))
  cutyhat <- cut(y, breaks = qq, include.lowest = TRUE)
  observed <- xtabs(cbind(y0 = 1 - x, y1 = x) ~ cutyhat)
  expected <- xtabs(cbind(yhat0 = 1 - y, yhat1 = y) ~ cutyhat)
  chisq <- sum((observed - expected)^2 / expected)
  list(chi2 = chisq, df = g - 2, p = 1 - pchisq(chisq, g - 2))
}
hl <- hoslem(te$y, p_te, 10)

props <- function(y, p, thr) {
  pos <- p >= thr
  tp <- sum(pos & y == 1); fp <- sum(pos & y == 0)
  tn <- sum(!pos & y == 0); fn <- sum(!pos & y == 1)
  one <- function(x, n) {
    ci <- binom.test(x, n)$conf.int
    list(x = x, n = n, low = ci[1], high = ci[2])
  }
  list(sensitivity = one(tp, tp + fn), specificity = one(tn, tn + fp),
       ppv = one(tp, tp + fp), npv = one(tn, tn + fn),
       accuracy = one(tp + tn, length(y)))
}

f <- lrm(y ~ texture + smoothness + symmetry, data = tr, x = TRUE, y = TRUE)
B <- 1000
RUNS <- 10
val_idx <- c("Dxy", "B", "Intercept", "Slope")
vals <- matrix(NA, RUNS, length(val_idx), dimnames = list(NULL, val_idx))
cal_corr <- NULL
cal_orig <- NULL
predy <- NULL
for (r in seq_len(RUNS)) {
  set.seed(20260 + r)
  v <- rms::validate(f, B = B)
  vals[r, ] <- v[val_idx, "optimism"]
  set.seed(30260 + r)
  cl <- rms::calibrate(f, B = B)
  predy <- cl[, "predy"]
  cal_orig <- cl[, "calibrated.orig"]
  cal_corr <- rbind(cal_corr, cl[, "calibrated.corrected"])
}
v_orig <- rms::validate(f, B = 2)[val_idx, "index.orig"]

out <- list(
  meta = list(
    r_version = R.version.string,
    rms = as.character(packageVersion("rms")),
    jsonlite = as.character(packageVersion("jsonlite")),
    command = "Rscript trainer/tests/oracle/make_report_oracle.R",
    data = "tests/fixtures/reference/trainer/breast_cancer.csv + split.csv",
    predictors = vars,
    threshold = 0.5,
    B = B, runs = RUNS
  ),
  coef = unname(coef(g)),
  val_prob = list(intercept = unname(vp["Intercept"]), slope = unname(vp["Slope"]),
                  citl = citl, brier = unname(vp["Brier"])),
  hosmer_lemeshow = hl,
  proportions = list(train = props(tr$y, p_tr, 0.5), test = props(te$y, p_te, 0.5)),
  validate = list(
    index_orig = as.list(v_orig),
    optimism_mean = as.list(colMeans(vals)),
    optimism_se = as.list(apply(vals, 2, sd) / sqrt(RUNS))
  ),
  calibrate = list(
    predy = unname(predy),
    calibrated_orig = unname(cal_orig),
    corrected_mean = unname(colMeans(cal_corr)),
    corrected_se = unname(apply(cal_corr, 2, sd) / sqrt(RUNS))
  )
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           file.path("trainer", "tests", "oracle", "report_oracle.json"))
