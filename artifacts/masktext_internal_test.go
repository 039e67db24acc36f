package artifacts

import (
	"bytes"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// mayHoldSecret answers as maskTrigger does, on ASCII lines (its fast way)
// and on any other.
func TestMayHoldSecretAgreesWithMaskTrigger(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := append([]string{"Pass", "PWD", "sEcReT", "toKen", "KEY", "Auth", "BEARER", "salt", "DataSource", "Signature", "CREDENTIAL",
		"://", "@", "/hooks/", "/WebHook", "pas", "s", "to", "ke", "/hook", ":/", "a", " ", "\t", "x=1", "é", "ſ", "\u212a", "ſecret", "\u212aey", "\xff"},
		triggerWords...)
	var lower []byte
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(8) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		line := []byte(b.String() + "\n")
		if got, want := mayHoldSecret(line, &lower), maskTrigger.Match(line); got != want {
			t.Fatalf("mayHoldSecret(%q) = %v, maskTrigger %v", line, got, want)
		}
	}
}

// configScanner finds configuration settings in a text read in pieces of
// any size exactly where holdsConfig finds them in the whole text.
func TestConfigScannerAgreesWithHoldsConfig(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	defer func(c int) { configChunk = c }(configChunk)
	configChunk = 100 // scans at many places in a short text
	keys := []string{`"SqlSettings"`, `\"ServiceSettings\"`, `"DataSource"`, `"FeatureFlags"`, `"ClientRequirements"`, `"MobileEphemeralModeSettings"`, `"NotASettings"`, `"Settings"`}
	for range 1000 {
		var b bytes.Buffer
		for range rng.IntN(6) {
			b.WriteString(strings.Repeat("x", rng.IntN(400)))
			b.WriteString(keys[rng.IntN(len(keys))])
			b.WriteString(strings.Repeat(" \n"[rng.IntN(2):][:1], rng.IntN(300)))
			if rng.IntN(2) == 0 {
				b.WriteString(": {}")
			}
		}
		text := b.Bytes()
		var s configScanner
		for rest := text; len(rest) > 0; {
			n := min(len(rest), 1+rng.IntN(120))
			s.write(rest[:n])
			rest = rest[n:]
			if rng.IntN(20) == 0 {
				s.holds() // a look half way changes nothing
			}
		}
		if got, want := s.holds(), holdsConfig(text); got != want {
			t.Fatalf("scanner %v, holdsConfig %v on %q", got, want, text)
		}
	}
	for _, a := range configAnchors {
		if len(a) > longestAnchor {
			t.Errorf("anchor %s is longer than longestAnchor", a)
		}
	}
}

// oneJSONObject, for a text too large to read whole, tells a JSON
// document as looksLikeJSONDocument does, but for a single log record.
func TestOneJSONObjectAgreesWithLooksLikeJSONDocument(t *testing.T) {
	for _, text := range []string{
		`{"ServiceSettings": {"SiteURL": "x"}}`, "\xef\xbb\xbf{\"a\": 1}\n", "  \n {\"a\": [1, {\"b\": null}]}  \n",
		`{"level":"info","msg":"x"}` + "\n" + `{"level":"info","msg":"y"}`, `{"a": 1} trailing`, `{"a": `, `{"a": 1}}`,
		`[1, 2]`, `plain text`, `{"a": 1,}`, `{}`, `{"a": "\u00e9"}`,
	} {
		b := []byte(text)
		got := oneJSONObject(func() (io.Reader, func(), error) { return bytes.NewReader(b), func() {}, nil }, b)
		want := looksLikeJSONDocument(bytes.TrimSpace(stripBOM(bytes.TrimSpace(b))))
		if got != want {
			t.Errorf("oneJSONObject(%q) = %v, looksLikeJSONDocument %v", text, got, want)
		}
	}
}
