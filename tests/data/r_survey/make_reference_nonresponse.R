# Reference numbers for tests/test_estimation_nonresponse.py (issue #15.1):
# the weighting-class (MAR within stratum) nonresponse adjustment, and the
# worst / best cases, computed with R survey from design_stratified.csv.
#
# Writes design_nonresponse.csv: design_stratified.csv with a column `status`
# ("correct" / "incorrect" from y75, then, by row number i = 1..n,
# "unreachable" when i %% 7 == 3, "refused" when i %% 11 == 5, "pending" when
# i %% 13 == 0), and reference_nonresponse.csv (the format of reference.csv).
#
# Pending rows (not verified yet) are left out in every case, and the resolved
# rows of their stratum (respondents and nonrespondents) carry their weight:
# verification runs in PRN order within strata, so the resolved rows of a
# stratum are a simple random sample of it (n_h = resolved rows, N_h unchanged).
#
# MAR, by hand (no survey function does it for us in 4.1): in each stratum h,
# W_h = sum of the weights of all its drawn rows; W_h^R = that of the respondents; respondents get
# weight w * W_h / W_h^R; nonrespondents and pending rows are dropped. Then
#   svydesign(ids = ~1, strata = ~stratum, fpc = ~population_size, weights = ~w_mar)
# on the respondents: they are the sample of each stratum, N_h unchanged
# (Lohr 2010, sect. 8.5; Kalton & Flores-Cervantes 2003).
# Worst / best: every nonrespondent counted 0 / 1; the resolved rows get
# weight w * W_h / W_h^(resolved) and pending rows are dropped.
#
# Regenerate with (from this folder):
#
#     Rscript make_reference_nonresponse.R

suppressPackageStartupMessages(library(survey))
options(survey.lonely.psu = "adjust")  # beian_audit's default lonely_psu
st <- read.csv("design_stratified.csv", stringsAsFactors = FALSE)
i <- seq_len(nrow(st))
status <- ifelse(st$y75 == 1, "correct", "incorrect")
status[i %% 7 == 3] <- "unreachable"
status[i %% 11 == 5] <- "refused"
status[i %% 13 == 0] <- "pending"
st$status <- status
write.csv(st[, c("stratum", "population_size", "weight", "province", "status")],
          "design_nonresponse.csv", row.names = FALSE)

resp <- status %in% c("correct", "incorrect")
nonresp <- status %in% c("unreachable", "refused")
resolved <- resp | nonresp
w_all <- tapply(st$weight, st$stratum, sum)
w_r <- tapply(st$weight * resp, st$stratum, sum)
w_res <- tapply(st$weight * resolved, st$stratum, sum)
stopifnot(all(w_r > 0))  # every stratum keeps a respondent
st$w_mar <- ifelse(resp, st$weight * (w_all / w_r)[st$stratum], NA)
st$w_res <- ifelse(resolved, st$weight * (w_all / w_res)[st$stratum], NA)
st$y <- ifelse(status == "correct", 1, ifelse(status == "incorrect", 0, NA))
d_mar <- svydesign(ids = ~1, strata = ~stratum, fpc = ~population_size, weights = ~w_mar,
                   data = st[resp, ])
st$y_worst <- ifelse(nonresp, 0, st$y)
st$y_best <- ifelse(nonresp, 1, st$y)
d_all <- svydesign(ids = ~1, strata = ~stratum, fpc = ~population_size, weights = ~w_res,
                   data = st[resolved, ])

out <- list()
emit <- function(case, quantity, value) {
  out[[length(out) + 1]] <<- data.frame(
    case = case, quantity = quantity, method = "", level = NA,
    value = format(value, digits = 17), stringsAsFactors = FALSE
  )
}
run <- function(case, design, outcome) {
  design <- subset(design, !is.na(design$variables[[outcome]]))  # na.rm = TRUE semantics
  m <- svymean(as.formula(paste0("~", outcome)), design)
  emit(case, "mean", unname(coef(m))[1])
  emit(case, "se", sqrt(unname(vcov(m))[1, 1]))
  emit(case, "df", degf(design))
  emit(case, "n", nrow(design))
}
run("mar", d_mar, "y")
run("mar|province=A", subset(d_mar, province == "A"), "y")
run("worst", d_all, "y_worst")
run("best", d_all, "y_best")
run("worst|province=A", subset(d_all, province == "A"), "y_worst")
emit("counts", "n_respondents", sum(resp))
emit("counts", "n_nonrespondents", sum(nonresp))
emit("counts", "n_pending", sum(status == "pending"))

ref <- do.call(rbind, out)
writeLines(c(
  paste0("# R ", R.version$major, ".", R.version$minor, ", survey ", packageVersion("survey"),
         "; written by make_reference_nonresponse.R; do not edit"),
  paste(names(ref), collapse = ",")
), "reference_nonresponse.csv")
write.table(ref, "reference_nonresponse.csv", sep = ",", row.names = FALSE, col.names = FALSE,
            quote = TRUE, append = TRUE)
cat("wrote", nrow(ref), "rows\n")
