# Reference numbers for the multistage variance and for totals, from R survey.
#
# Sibling of make_reference.R (whose reference.csv stays as it was): reads
# design_multistage.csv, design_stratified.csv and design_twostage.csv
# (written by make_designs.py) and writes reference_multistage.csv in the same
# format (case, quantity, method, level, value to 17 significant digits).
# Regenerate with (from this folder):
#
#     Rscript make_reference_multistage.R
#
# Designs
#   multistage:      svydesign(ids = ~psu + ssu, strata = ~psu_stratum + stratum,
#                    fpc = ~psu_population_size + population_size, weights = ~weight,
#                    nest = TRUE): R's multistage recursion (survey.ultimate.cluster
#                    FALSE, the default), lonely second-stage stratum "adjust".
#   multistage_pps:  the same sample with a pips first stage in stratum C
#                    (psu_pi_pps, weight_pps). R has no fpc for it; written the way
#                    the library documents it: stratum C's PSUs with probability 1
#                    form a certainty stratum "C (certainty)" (N1 = n1), its other
#                    PSUs get N1 = Inf (with replacement: f = 1 and the stage-2
#                    multiplier n1/N1 = 0).
# Quantities
#   as make_reference.R (mean, se, deff, deff_replace, df, n, svyciprop
#   intervals and the formula: intervals), and for totals
#   svytotal(~y) and svytotal(~I(1 - y)): total_1, se_total_1, total_0,
#   se_total_0, and confint(svytotal, df = degf(design)) as total_1_low /
#   total_1_high / total_0_low / total_0_high at level 0.95 and 0.90.
#   Totals are also written for cases of reference.csv (stratified, domains,
#   the ultimate-cluster two-stage design), with only the total_* quantities.

suppressPackageStartupMessages(library(survey))
here <- function(f) file.path(getwd(), f)

out <- list()
emit <- function(case, quantity, method, level, value) {
  out[[length(out) + 1]] <<- data.frame(
    case = case, quantity = quantity, method = method, level = level,
    value = ifelse(is.na(value), "NA", format(value, digits = 17)),
    stringsAsFactors = FALSE
  )
}

levels <- c(0.95, 0.90, 0.99)

formula_cis <- function(case, p, v, n, df, level) {
  a <- (1 - level) / 2
  neff_raw <- if (p > 0 && p < 1 && v > 0) p * (1 - p) / v else n
  if (p > 0 && p < 1 && v > 0) {
    rat <- if (df > 0) (qt(a, n - 1) / qt(a, df))^2 else 0
    nkg <- min(n, neff_raw * rat)
  } else {
    nkg <- n
  }
  x <- nkg * p
  emit(case, "ci_low", "formula:korn-graubard", level, if (x > 0) qbeta(a, x, nkg - x + 1) else 0)
  emit(case, "ci_high", "formula:korn-graubard", level, if (x < nkg) qbeta(1 - a, x + 1, nkg - x) else 1)
  x <- neff_raw * p
  m <- neff_raw
  emit(case, "ci_low", "formula:clopper-pearson", level, if (x > 0) qbeta(a, x, m - x + 1) else 0)
  emit(case, "ci_high", "formula:clopper-pearson", level, if (x < m) qbeta(1 - a, x + 1, m - x) else 1)
}

run_totals <- function(case, design, outcome) {
  f1 <- as.formula(paste0("~", outcome))
  f0 <- as.formula(paste0("~I(1 - ", outcome, ")"))
  df <- degf(design)
  for (k in c("1", "0")) {
    t <- svytotal(if (k == "1") f1 else f0, design)
    emit(case, paste0("total_", k), "", NA, unname(coef(t))[1])
    emit(case, paste0("se_total_", k), "", NA, unname(SE(t))[1])
    for (level in c(0.95, 0.90)) {
      ci <- confint(t, level = level, df = df)
      emit(case, paste0("total_", k, "_low"), "wald-t", level, ci[1])
      emit(case, paste0("total_", k, "_high"), "wald-t", level, ci[2])
    }
  }
}

run_case <- function(case, design, outcome, svy_methods = c("mean", "asin", "xlogit", "logit", "beta")) {
  f <- as.formula(paste0("~", outcome))
  m <- svymean(f, design, deff = TRUE)
  m_rep <- svymean(f, design, deff = "replace")
  p <- unname(coef(m))[1]
  v <- unname(vcov(m))[1, 1]
  n <- nrow(design)
  df <- degf(design)
  emit(case, "mean", "", NA, p)
  emit(case, "se", "", NA, sqrt(v))
  emit(case, "deff", "", NA, unname(deff(m))[1])
  emit(case, "deff_replace", "", NA, unname(deff(m_rep))[1])
  emit(case, "df", "", NA, df)
  emit(case, "n", "", NA, n)
  for (level in levels) {
    for (method in svy_methods) {
      ci <- tryCatch(
        suppressWarnings(confint(svyciprop(f, design, method = method, level = level))),
        error = function(e) c(NA, NA)
      )
      emit(case, "ci_low", method, level, ci[1])
      emit(case, "ci_high", method, level, ci[2])
    }
    formula_cis(case, p, v, n, df, level)
  }
  run_totals(case, design, outcome)
}

# ---------------------------------------------------------------- multistage (SRS stage 1)
options(survey.lonely.psu = "adjust")
ms <- read.csv(here("design_multistage.csv"), stringsAsFactors = FALSE)
d_ms <- svydesign(ids = ~psu + ssu, strata = ~psu_stratum + stratum,
                  fpc = ~psu_population_size + population_size,
                  weights = ~weight, nest = TRUE, data = ms)
for (y in c("y75", "y995")) run_case(paste0("multistage|", y), d_ms, y)
run_case("multistage|y75|province=A", subset(d_ms, province == "A"), "y75")
run_case("multistage|y995|province=A", subset(d_ms, province == "A"), "y995")

# ---------------------------------------------------------------- multistage, pips stratum C
pps <- ms
is_c <- pps$psu_stratum == "C"
certain <- is_c & pps$psu_pi_pps >= 1
pps$psu_stratum[certain] <- "C (certainty)"
n_cert <- length(unique(pps$psu[certain]))
pps$psu_population_size[certain] <- n_cert
pps$psu_population_size[is_c & !certain] <- Inf
d_pps <- svydesign(ids = ~psu + ssu, strata = ~psu_stratum + stratum,
                   fpc = ~psu_population_size + population_size,
                   weights = ~weight_pps, nest = TRUE, data = pps)
run_case("multistage_pps|y75", d_pps, "y75")

# ---------------------------------------------------------------- totals of reference.csv cases
options(survey.lonely.psu = "fail")
st <- read.csv(here("design_stratified.csv"), stringsAsFactors = FALSE)
d_st <- svydesign(ids = ~1, strata = ~stratum, fpc = ~population_size, weights = ~weight, data = st)
for (y in c("y75", "y995")) run_totals(paste0("stratified|", y), d_st, y)
run_totals("stratified|y75|province=A", subset(d_st, province == "A"), "y75")
d_nofpc <- svydesign(ids = ~1, strata = ~stratum, weights = ~weight, data = st)
run_totals("stratified_nofpc|y75", d_nofpc, "y75")
ts <- read.csv(here("design_twostage.csv"), stringsAsFactors = FALSE)
d_ts <- svydesign(ids = ~psu, strata = ~psu_stratum, fpc = ~psu_population_size,
                  weights = ~weight, nest = TRUE, data = ts)
run_totals("twostage|y75", d_ts, "y75")
run_totals("twostage|y75|province=A", subset(d_ts, province == "A"), "y75")

ref <- do.call(rbind, out)
file <- "reference_multistage.csv"
writeLines(c(
  paste0("# R ", R.version$major, ".", R.version$minor, ", survey ", packageVersion("survey"),
         "; written by make_reference_multistage.R; do not edit"),
  paste(names(ref), collapse = ",")
), file)
write.table(ref, file, sep = ",", row.names = FALSE, col.names = FALSE,
            quote = TRUE, append = TRUE)
cat("wrote", nrow(ref), "rows\n")
