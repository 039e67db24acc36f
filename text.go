package setbot

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// Truncate cuts text to at most n runes (plus "…"), at a word boundary when
// one is near, and reports whether it cut.
func Truncate(s string, n int) (string, bool) {
	if utf8.RuneCountInString(s) <= n {
		return s, false
	}
	cut := string([]rune(s)[:n])
	if i := strings.LastIndexAny(cut, " \n\t"); i > len(cut)*3/4 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " \n\t") + "…", true
}

// What URLProblem finds wrong.
const (
	URLNotHTTP     = "not an http(s) URL"
	URLCredentials = "has credentials"
)

// URLProblem says what is wrong with raw as the address of an outside
// system in setbot's configuration: "" when it is an absolute http(s) URL
// without credentials, else URLNotHTTP or URLCredentials. Callers name the
// key, and never repeat a value that may hold a secret.
func URLProblem(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return URLNotHTTP
	case u.User != nil:
		return URLCredentials
	}
	return ""
}
