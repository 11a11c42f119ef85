package web

// ParseMissingReports is parseMissingReports, for the fuzz test.
var ParseMissingReports = parseMissingReports

// SafeNext is safeNext, for the fuzz test.
var SafeNext = safeNext

// ParseForecast is parseForecast, for the fuzz test.
var ParseForecast = parseForecast
