# Reference numbers for R survey 4.5's svyciprop(method = "wilson") on the
# apistrat design (tests/test_estimation_r_reference.py, issue #15.5).
#
# The installed survey (4.1.1, Debian r-cran-survey) has no "wilson" method.
# survey 4.5 (CRAN, R/svyttest.R, function svyciprop) computes it as follows,
# and so does this script, from survey 4.1.1's own svymean and degf:
#   m    <- svymean(~y, design);  n* = coef(m) (1 - coef(m)) / vcov(m)  (no df factor)
#   df   <- degf(design)          (4.5 reads it from the svystat, which stores degf(design))
#   t    <- qt(alpha / 2, df, lower.tail = FALSE)
#   ci   <- (m + t^2 / (2 n*) -/+ t / (2 n*) sqrt(4 n* m (1 - m) + t^2)) / (1 + t^2 / n*)
# The normal-quantile version (qnorm for qt) is what beian_audit now calls
# "wilson-normal"; the script writes both, so the test also shows how far
# apart they are on this design.
#
# Writes design_apistrat.csv (the design columns of survey's data(api)
# apistrat: stratum = stype, population_size = fpc, weight = pw, and the 0/1
# outcomes sch_wide = sch.wide == "Yes", awards = awards == "Yes",
# both_met = comp.imp == "Yes") and reference_wilson.csv (same format as
# reference.csv). Regenerate with (from this folder):
#
#     Rscript make_reference_wilson.R

suppressPackageStartupMessages(library(survey))
data(api)
frame <- data.frame(
  stratum = as.character(apistrat$stype),
  population_size = apistrat$fpc,
  weight = apistrat$pw,
  sch_wide = as.integer(apistrat$sch.wide == "Yes"),
  awards = as.integer(apistrat$awards == "Yes"),
  comp_imp = as.integer(apistrat$comp.imp == "Yes")
)
write.csv(frame, "design_apistrat.csv", row.names = FALSE)
design <- svydesign(ids = ~1, strata = ~stratum, fpc = ~population_size, weights = ~weight,
                    data = frame)

out <- list()
emit <- function(case, quantity, method, level, value) {
  out[[length(out) + 1]] <<- data.frame(
    case = case, quantity = quantity, method = method, level = level,
    value = ifelse(is.na(value), "NA", format(value, digits = 17)),
    stringsAsFactors = FALSE
  )
}
wilson <- function(p, n_eff, q) {
  c((p + q^2 / (2 * n_eff) - q / (2 * n_eff) * sqrt(4 * n_eff * p * (1 - p) + q^2)) /
      (1 + q^2 / n_eff),
    (p + q^2 / (2 * n_eff) + q / (2 * n_eff) * sqrt(4 * n_eff * p * (1 - p) + q^2)) /
      (1 + q^2 / n_eff))
}
for (y in c("sch_wide", "awards", "comp_imp")) {
  case <- paste0("apistrat|", y)
  m <- svymean(as.formula(paste0("~", y)), design)
  p <- unname(coef(m))[1]
  v <- unname(vcov(m))[1, 1]
  df <- degf(design)
  n_eff <- p * (1 - p) / v
  emit(case, "mean", "", NA, p)
  emit(case, "se", "", NA, sqrt(v))
  emit(case, "df", "", NA, df)
  emit(case, "n", "", NA, nrow(design))
  for (level in c(0.95, 0.90, 0.99)) {
    alpha <- 1 - level
    ci_t <- wilson(p, n_eff, qt(alpha / 2, df, lower.tail = FALSE))
    ci_z <- wilson(p, n_eff, qnorm(alpha / 2, lower.tail = FALSE))
    emit(case, "ci_low", "formula:wilson", level, ci_t[1])
    emit(case, "ci_high", "formula:wilson", level, ci_t[2])
    emit(case, "ci_low", "formula:wilson-normal", level, ci_z[1])
    emit(case, "ci_high", "formula:wilson-normal", level, ci_z[2])
  }
}
ref <- do.call(rbind, out)
writeLines(c(
  paste0("# R ", R.version$major, ".", R.version$minor, ", survey ", packageVersion("survey"),
         "; survey 4.5 svyciprop(method = 'wilson') written out by make_reference_wilson.R;",
         " do not edit"),
  paste(names(ref), collapse = ",")
), "reference_wilson.csv")
write.table(ref, "reference_wilson.csv", sep = ",", row.names = FALSE, col.names = FALSE,
            quote = TRUE, append = TRUE)
cat("wrote", nrow(ref), "rows\n")
