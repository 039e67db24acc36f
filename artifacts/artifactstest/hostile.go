package artifactstest

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"strings"

	"github.com/setbot/setbot"
)

// SecretMark starts every secret planted in a Hostile upload: no output of
// a check may hold it.
const SecretMark = "S3cr3t"

// Hostile is an upload built to leak secrets.
type Hostile struct {
	Name   string
	File   string // the upload's file name
	Data   []byte
	Refuse bool                // the upload must be refused
	Kind   setbot.ArtifactKind // what it must be taken as, when not refused
	// Model is set when only the real redactor (bot.RedactConfig) removes
	// the secrets: Redact, the stand-in, redacts by setting name only.
	Model bool
}

// secret is the n-th planted secret: "S3cr3t-07-x9".
func secret(n int) string { return fmt.Sprintf("%s-%02d-x9", SecretMark, n) }

// token is the n-th planted secret shaped as a token: 26 letters and digits.
func token(n int) string { return fmt.Sprintf("%s%02daBcDeFgHiJkLmNoPqR", SecretMark, n) }

// config is a small configuration with two secrets Redact finds by name,
// and more settings in extra (",\n  \"X\": {…}" or "").
func config(n int, extra string) string {
	return fmt.Sprintf(`{
  "ServiceSettings": {"SiteURL": "https://chat.example.com", "ListenAddress": ":8065"},
  "SqlSettings": {"DriverName": "postgres", "DataSource": "postgres://mmuser:%s@db:5432/mattermost?sslmode=disable"},
  "EmailSettings": {"SMTPPassword": "%s", "SMTPServer": "smtp.example.com"}%s
}
`, secret(n), secret(n+50), extra)
}

// secretLog is a log whose lines carry every kind of secret masking finds.
func secretLog(n int) []byte {
	lines := []string{
		`info  [2026-03-02 10:00:00.000 Z] Starting server caller="app/server.go:1"`,
		`error [2026-03-02 10:00:01.000 Z] db ping failed dsn=postgres://mmuser:%s@db:5432/mm?sslmode=disable`,
		`error [2026-03-02 10:00:02.000 Z] mysql failed dsn="mmuser:%s@tcp(db:3306)/mattermost?charset=utf8mb4"`,
		`debug [2026-03-02 10:00:03.000 Z] outgoing request Authorization: Bearer %s`,
		`debug [2026-03-02 10:00:04.000 Z] outgoing request Authorization: Basic %s`,
		`debug [2026-03-02 10:00:05.000 Z] GET /api/v4/x?token=%s&page=1`,
		`debug [2026-03-02 10:00:06.000 Z] GET https://gitlab.example.com/oauth?access_token=%s`,
		`warn  [2026-03-02 10:00:07.000 Z] login attempt password=%s user=bob`,
		`warn  [2026-03-02 10:00:08.000 Z] plugin config secret=%s`,
		`{"timestamp":"2026-03-02 10:00:09.000 Z","level":"debug","msg":"settings","password":"%s","token":"%s"}`,
		`{"timestamp":"2026-03-02 10:00:10.000 Z","level":"debug","msg":"request","headers":{"Authorization":"token %s"}}`,
		`{"timestamp":"2026-03-02 10:00:11.000 Z","level":"info","msg":"webhook","url":"https://chat.example.com/hooks/%s"}`,
		`info  [2026-03-02 10:00:12.000 Z] posting to https://hooks.slack.com/services/T000/B000/%s`,
	}
	var b strings.Builder
	k := 0
	for _, l := range lines {
		args := []any{}
		for range strings.Count(l, "%s") {
			args = append(args, secret(n*100+k))
			k++
		}
		fmt.Fprintf(&b, l+"\n", args...)
	}
	return []byte(b.String())
}

// Tar packs entries into a tar; TarGz into a gzip-compressed one.
func Tar(entries ...Entry) []byte {
	var out bytes.Buffer
	w := tar.NewWriter(&out)
	for _, e := range entries {
		if err := w.WriteHeader(&tar.Header{Name: e.Name, Mode: 0o644, Size: int64(len(e.Data)), Typeflag: tar.TypeReg}); err != nil {
			panic(err)
		}
		w.Write(e.Data)
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
	return out.Bytes()
}

// TarGz is Tar, gzip-compressed.
func TarGz(entries ...Entry) []byte { return Gzip(Tar(entries...)) }

// Unpack returns b and, recursively, every file inside it when it is a zip,
// a tar or gzip-compressed: what a person who opens the attachment sees.
func Unpack(b []byte) ([][]byte, error) {
	out := [][]byte{b}
	switch {
	case bytes.HasPrefix(b, []byte("PK\x03\x04")) || bytes.HasPrefix(b, []byte("PK\x05\x06")):
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return nil, fmt.Errorf("open zip: %w", err)
		}
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				return nil, fmt.Errorf("open zip entry: %w", err)
			}
			data, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				return nil, fmt.Errorf("read zip entry: %w", err)
			}
			more, err := Unpack(data)
			if err != nil {
				return nil, err
			}
			out = append(out, more...)
		}
	case len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b:
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("open gzip: %w", err)
		}
		data, err := io.ReadAll(zr)
		if err != nil {
			return nil, fmt.Errorf("read gzip: %w", err)
		}
		more, err := Unpack(data)
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
	case len(b) > 262 && string(b[257:262]) == "ustar":
		tr := tar.NewReader(bytes.NewReader(b))
		for {
			if _, err := tr.Next(); err == io.EOF {
				break
			} else if err != nil {
				return nil, fmt.Errorf("read tar: %w", err)
			}
			data, err := io.ReadAll(tr)
			if err != nil {
				return nil, fmt.Errorf("read tar entry: %w", err)
			}
			more, err := Unpack(data)
			if err != nil {
				return nil, err
			}
			out = append(out, more...)
		}
	}
	return out, nil
}
