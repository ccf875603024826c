#!/usr/bin/env Rscript
# Reference numbers for categorical clinical variables (issue 22): R's glm with factors
# (treatment contrasts, one odds ratio per non-reference level) and the likelihood-ratio test of
# a factor as a whole, which radscore's clinical screen uses.
#
# Data: tests/fixtures/reference/trainer/breast_cancer.csv (y = 1 malignant) and split.csv. This
# script derives a small clinical table from it and writes it as a fixture, so the Rust test reads
# exactly what R fitted:
#   * label   = "malignant" / "benign" (text labels: radscore train --positive-class malignant),
#   * texture = `mean texture` (numeric),
#   * signal  = tertiles of `mean smoothness` named "hypo" < "iso" < "hyper" (text factor; R's
#               factor() sorts the levels alphabetically in the C locale: hyper, hypo, iso, so
#               the reference is "hyper"),
#   * tic     = quartiles of `mean symmetry` coded 1..4 (numeric codes as a factor), reference
#               level "2" (radscore --reference-level tic=2; R relevel(tic, ref = "2")).
# Fits on the training rows (split.csv):
#   * univariate: glm(y ~ v) for each variable; OR = exp(b), Wald 95 % CI exp(b -+ qnorm(.975) se)
#     (confint.default), Wald p (summary); for a factor also anova(fit, test = "Chisq") p,
#   * multivariate: glm(y ~ texture + signal + tic); ORs, Wald CIs and p; drop1(fit, test = "LRT")
#     p of each factor,
#   * the combined predictions: predict(type = "response") of the multivariate fit on every row.
# Every glm runs to convergence (glm.control(epsilon = 1e-14, maxit = 100); R's default 1e-8 on
# the deviance leaves coefficients ~1e-7 from the maximum), so 1e-9 comparisons are meaningful.
# Install (Debian 12): apt-get install -y --no-install-recommends r-base-core r-cran-jsonlite
# Run from the repository root:
#   Rscript trainer/tests/oracle/make_factor_oracle.R
# Writes trainer/tests/oracle/factor_cohort.csv and trainer/tests/oracle/factor_oracle.json.

suppressMessages(library(jsonlite))
ctl <- glm.control(epsilon = 1e-14, maxit = 100)
invisible(Sys.setlocale("LC_COLLATE", "C"))

ref <- file.path("tests", "fixtures", "reference", "trainer")
d <- read.csv(file.path(ref, "breast_cancer.csv"), check.names = FALSE)
sp <- read.csv(file.path(ref, "split.csv"))
d <- d[order(d$row), ]
set <- sp$set[match(d$row, sp$row)]
tert <- quantile(d$`mean smoothness`, c(1 / 3, 2 / 3), type = 7)
sig <- ifelse(d$`mean smoothness` <= tert[1], "hypo",
              ifelse(d$`mean smoothness` <= tert[2], "iso", "hyper"))
quart <- quantile(d$`mean symmetry`, c(.25, .5, .75), type = 7)
tic <- 1 + (d$`mean symmetry` > quart[1]) + (d$`mean symmetry` > quart[2]) +
  (d$`mean symmetry` > quart[3])
cohort <- data.frame(
  patient_id = sprintf("P%03d", d$row),
  label = ifelse(d$y == 1, "malignant", "benign"),
  split = set,
  texture = d$`mean texture`,
  signal = sig,
  tic = tic,
  check.names = FALSE
)
write.csv(cohort, file.path("trainer", "tests", "oracle", "factor_cohort.csv"),
          row.names = FALSE, quote = FALSE)

tr <- cohort[cohort$split == "train", ]
tr$y <- as.integer(tr$label == "malignant")
tr$signal <- factor(tr$signal)                      # levels hyper, hypo, iso (C locale)
tr$tic <- relevel(factor(tr$tic), ref = "2")        # levels 2, 1, 3, 4

rows_of <- function(fit, var, levels = NULL) {
  cf <- summary(fit)$coefficients
  ci <- confint.default(fit)
  terms <- if (is.null(levels)) var else paste0(var, levels)
  lapply(seq_along(terms), function(k) {
    t <- terms[k]
    list(level = if (is.null(levels)) NULL else levels[k],
         or = unname(exp(cf[t, "Estimate"])),
         ci_low = unname(exp(ci[t, 1])), ci_high = unname(exp(ci[t, 2])),
         p = unname(cf[t, "Pr(>|z|)"]))
  })
}
lv <- function(f) levels(tr[[f]])[-1]

uni <- list()
uni$texture <- list(rows = rows_of(glm(y ~ texture, binomial, tr, control = ctl), "texture"))
for (f in c("signal", "tic")) {
  fit <- glm(as.formula(paste("y ~", f)), binomial, tr, control = ctl)
  uni[[f]] <- list(reference = levels(tr[[f]])[1], levels = lv(f),
                   p_lr = anova(fit, test = "Chisq")[f, "Pr(>Chi)"],
                   rows = rows_of(fit, f, lv(f)))
}
multi_fit <- glm(y ~ texture + signal + tic, binomial, tr, control = ctl)
dr <- drop1(multi_fit, test = "LRT")
multi <- list(
  texture = list(rows = rows_of(multi_fit, "texture")),
  signal = list(reference = "hyper", p_lr = dr["signal", "Pr(>Chi)"],
                rows = rows_of(multi_fit, "signal", lv("signal"))),
  tic = list(reference = "2", p_lr = dr["tic", "Pr(>Chi)"],
             rows = rows_of(multi_fit, "tic", lv("tic")))
)
all <- cohort
all$signal <- factor(all$signal, levels = levels(tr$signal))
all$tic <- factor(all$tic, levels = levels(tr$tic))
out <- list(
  meta = list(
    r_version = R.version.string,
    jsonlite = as.character(packageVersion("jsonlite")),
    command = "Rscript trainer/tests/oracle/make_factor_oracle.R",
    data = "tests/fixtures/reference/trainer/breast_cancer.csv + split.csv -> factor_cohort.csv",
    model = "glm(y ~ texture + signal + tic, binomial), training rows"
  ),
  n_train = nrow(tr),
  univariate = uni,
  multivariate = multi,
  coef = as.list(coef(multi_fit)),
  loglik = as.numeric(logLik(multi_fit)),
  probability = unname(predict(multi_fit, all, type = "response"))
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"),
           file.path("trainer", "tests", "oracle", "factor_oracle.json"))
