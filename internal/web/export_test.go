package web

// ParseMissingReports is parseMissingReports, for the fuzz test.
var ParseMissingReports = parseMissingReports
