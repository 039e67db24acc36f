package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/setbot/setbot"
)

// fileServer stands in for Mattermost's file endpoints: the file's info
// says size bytes; the download sends body (cut short when cut is set).
func fileServer(t *testing.T, size int64, body []byte, cut bool) *Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v4/files/f1/info":
			json.NewEncoder(w).Encode(model.FileInfo{Id: "f1", Name: "mattermost.log", Size: size})
		case "/api/v4/files/f1":
			if cut {
				w.Header().Set("Content-Length", "999999999")
			}
			w.Write(body)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return &Client{api: model.NewAPIv4Client(srv.URL), cfg: Config{TempDir: t.TempDir()}}
}

func TestFileKeepsASmallUploadInMemory(t *testing.T) {
	c := fileServer(t, 5, []byte("hello"), false)
	f, err := c.File(context.Background(), "f1", 1<<20)
	if err != nil || f.Content.Path != "" || string(f.Content.Data) != "hello" || f.Name != "mattermost.log" {
		t.Fatalf("File = %+v, %v", f, err)
	}
	assertNoFiles(t, c.cfg.TempDir)
}

func TestFileStreamsALargeUploadToATemporaryFile(t *testing.T) {
	body := bytes.Repeat([]byte("a log line\n"), 3<<20/11)
	c := fileServer(t, int64(len(body)), body, false)
	f, err := c.File(context.Background(), "f1", 64<<20)
	if err != nil {
		t.Fatal(err)
	}
	if f.Content.Data != nil || !strings.HasPrefix(f.Content.Path, c.cfg.TempDir) || f.Content.Len() != int64(len(body)) {
		t.Fatalf("content %q, %d bytes in memory, len %d", f.Content.Path, len(f.Content.Data), f.Content.Len())
	}
	got, err := os.ReadFile(f.Content.Path)
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("downloaded file differs (%v)", err)
	}
	os.Remove(f.Content.Path)
}

func TestFileFailuresLeaveNoFile(t *testing.T) {
	big := bytes.Repeat([]byte("x"), 2<<20)
	for name, c := range map[string]*Client{
		"cut short":        fileServer(t, int64(len(big)), big, true),
		"larger than said": fileServer(t, 10, big, false),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := c.File(context.Background(), "f1", 1<<20+100)
			if err == nil {
				t.Fatal("no error")
			}
			if name == "larger than said" && setbot.ErrorCode(err) != setbot.ETooLarge {
				t.Errorf("code %s: %v", setbot.ErrorCode(err), err)
			}
			assertNoFiles(t, c.cfg.TempDir)
		})
	}
}

func TestFileRefusesATooLargeUploadBeforeDownloading(t *testing.T) {
	c := fileServer(t, 10<<20, nil, false)
	if _, err := c.File(context.Background(), "f1", 1<<20); setbot.ErrorCode(err) != setbot.ETooLarge {
		t.Fatalf("err = %v", err)
	}
}

func assertNoFiles(t *testing.T, dir string) {
	t.Helper()
	es, _ := os.ReadDir(dir)
	for _, e := range es {
		t.Errorf("left behind: %s", e.Name())
	}
}
