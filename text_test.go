package setbot

import "testing"

func TestTruncate(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
		cut  bool
	}{
		{"short", 10, "short", false},
		{"the server is down again", 20, "the server is down…", true},
		{"ééééé", 3, "ééé…", true},
		{"one two three four five", 12, "one two thre…", true}, // the space is too far back to cut at
	} {
		if got, cut := Truncate(c.in, c.n); got != c.want || cut != c.cut {
			t.Errorf("Truncate(%q, %d) = %q %v, want %q %v", c.in, c.n, got, cut, c.want, c.cut)
		}
	}
}

func TestURLProblem(t *testing.T) {
	for raw, want := range map[string]string{
		"https://chat.example.com":          "",
		"http://127.0.0.1:8065/path?q=1":    "",
		"ftp://x":                           "not an http(s) URL",
		"chat.example.com":                  "not an http(s) URL",
		"https://user:pw@chat.example.com/": "has credentials",
	} {
		if got := URLProblem(raw); got != want {
			t.Errorf("URLProblem(%q) = %q, want %q", raw, got, want)
		}
	}
}
