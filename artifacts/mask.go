package artifacts

import (
	"regexp"
	"strings"
)

// Masked replaces every secret value masking finds.
const Masked = "****"

// minTokenRun is the shortest run of letters and digits in a URL's path or
// query that is taken for a token: Mattermost's IDs and webhook keys are 26,
// Slack's webhook secrets 24, GitHub's tokens 36 and more.
const minTokenRun = 20

// secretKey is a key name that announces a secret value. It matches inside
// longer names on purpose (client_secret, X-Api-Key, monkey): masking too
// much is the safe mistake.
const secretKey = `[A-Za-z0-9_.-]*(?:passw(?:or)?d|pwd|secret|token|api_?key|apikey|key|signature|credential|salt|datasource)[A-Za-z0-9_.-]*`

// logRules are what masking replaces, in order. Each keeps what names the
// value and replaces the value with Masked.
var logRules = []struct {
	re   *regexp.Regexp
	repl string
}{
	// scheme://user:password@host (postgres://, mysql://, amqp://, https://),
	// up to the last @ of the authority so a password may hold @.
	{regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)[^\s/?#@"']*:[^\s/?#"']*@`), "${1}" + Masked + ":" + Masked + "@"},
	// go-sql-driver's DSN: user:password@tcp(host)/db, @unix(…), @(…), @/db
	{regexp.MustCompile(`[^\s:@"'=/]*:[^\s@"']*@((?:tcp|unix)?\(|/)`), Masked + ":" + Masked + "@${1}"},
	// Authorization: Bearer|Basic|token <value>, as a header or a JSON key
	{regexp.MustCompile(`(?i)((?:proxy-)?authorization\\?"?\s*[:=]\s*\\?"?(?:(?:bearer|basic|token|digest|negotiate)\s+)?)[^\s"'\\,;]+`), "${1}" + Masked},
	{regexp.MustCompile(`(?i)(\bbearer\s+)[A-Za-z0-9._~+/=-]+`), "${1}" + Masked},
	// "password": "…", \"token\":\"…\" (JSON, or JSON escaped in a message).
	// An escaped value masks up to the next bare quote: more, never less.
	{regexp.MustCompile(`(?i)(\\?"` + secretKey + `\\?"\s*:\s*\\?")(?:[^"\\]|\\.)*`), "${1}" + Masked},
	// password=…, token: …, ?access_token=…&key=… (query strings, key=value logs)
	{regexp.MustCompile(`(?i)(` + secretKey + `\s*[=:]\s*["']?)[^&\s"',;]+`), "${1}" + Masked},
	// webhook URLs, whose path is the secret: Slack's /services/T…/B…/…,
	// Mattermost's /hooks/<id>, and anything under /webhook(s)/
	{regexp.MustCompile(`(?i)(hooks\.slack\.com/services/|/hooks/|/webhooks?/)[^\s"'?#]+`), "${1}" + Masked},
}

// maskLine masks the secrets in one line of a log and says how many values
// it replaced.
func maskLine(line string) (string, int) {
	n := 0
	for _, r := range logRules {
		line = r.re.ReplaceAllStringFunc(line, func(m string) string {
			out := r.re.ReplaceAllString(m, r.repl)
			if out != m {
				n++
			}
			return out
		})
	}
	return line, n
}

// urlPattern finds URLs: a scheme, "://", and what follows up to a space or
// a quote.
var urlPattern = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>]*`)

// tokenRun is a run of letters and digits long enough to be a token.
var tokenRun = regexp.MustCompile(`[A-Za-z0-9]{20,}`)

// MaskURLs replaces the secrets of every URL in s: credentials (user:pass@),
// the value of a query parameter whose name sounds secret (token,
// access_token, key…) or that holds a token-long run, any path segment that
// holds a run of minTokenRun letters and digits, and the whole path of a
// webhook URL. It also applies the masking of logs. It reports how many
// values it replaced. bot uses it on every string of a configuration.
func MaskURLs(s string) (string, int) {
	n := 0
	s = urlPattern.ReplaceAllStringFunc(s, func(u string) string {
		out, k := maskURL(u)
		n += k
		return out
	})
	s, k := maskLine(s)
	return s, n + k
}

func maskURL(u string) (string, int) {
	n := 0
	scheme, rest, _ := strings.Cut(u, "://")
	end := strings.IndexAny(rest, "?#")
	if end < 0 {
		end = len(rest)
	}
	hier, tail := rest[:end], rest[end:]
	if at := strings.LastIndexByte(hier, '@'); at >= 0 { // userinfo, even one holding '/'
		user := Masked
		if strings.Contains(hier[:at], ":") {
			user = Masked + ":" + Masked
		}
		if hier[:at] != user {
			hier, n = user+hier[at:], n+1
		}
	}
	segs := strings.Split(hier, "/")
	hook := false
	for i := 1; i < len(segs); i++ {
		seg := strings.ToLower(segs[i])
		switch {
		case hook && segs[i] != "" && segs[i] != Masked:
			segs[i], n = Masked, n+1
		case tokenRun.MatchString(segs[i]):
			segs[i], n = Masked, n+1
		case seg == "hooks" || seg == "webhook" || seg == "webhooks" || (seg == "services" && strings.Contains(segs[0], "slack")):
			hook = true
		}
	}
	return scheme + "://" + strings.Join(segs, "/") + maskQuery(tail, &n), n
}

var secretKeyName = regexp.MustCompile(`(?i)^` + secretKey + `$|^(?:code|auth|state|sas|sv)$`)

// maskQuery masks the values of a query string ("?a=1&token=…#frag").
func maskQuery(tail string, n *int) string {
	if tail == "" {
		return ""
	}
	parts := strings.FieldsFunc(tail[1:], func(r rune) bool { return r == '&' || r == ';' })
	out := tail[:1]
	for i, p := range parts {
		k, v, hasValue := strings.Cut(p, "=")
		if hasValue && v != "" && v != Masked && (secretKeyName.MatchString(k) || tokenRun.MatchString(v)) {
			v, *n = Masked, *n+1
		}
		if i > 0 {
			out += "&"
		}
		out += k
		if hasValue {
			out += "=" + v
		}
	}
	return out
}

// plainName is a setting name or plugin id: an identifier no longer than
// Mattermost's plugin ids (model.MaxPluginIdLength, 190).
var plainName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]{0,189}$`)

// PlainName reports whether a name taken from a file (a setting, a plugin
// id) may be shown in a reply: an identifier without a token-long run of
// letters and digits that holds a digit. A section name such as
// ConnectedWorkspacesSettings is shown; a name that could be a secret is not.
func PlainName(name string) bool {
	if !plainName.MatchString(name) {
		return false
	}
	for _, run := range tokenRun.FindAllString(name, -1) {
		if strings.ContainsAny(run, "0123456789") {
			return false
		}
	}
	return true
}
