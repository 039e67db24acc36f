package jira

import "unicode/utf8"

func utf8Valid(s string) bool { return utf8.ValidString(s) }

// testToken is a token distinctive enough that finding it in output is a leak.
const testToken = "s3cr3t-T0KEN-do-not-log"
