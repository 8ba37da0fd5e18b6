"""Credit domain: credit file, ratios, scorecard, grades, limits and the checks built on them."""
