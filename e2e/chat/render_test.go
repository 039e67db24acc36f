package chat

import (
	"errors"
	"strings"
	"testing"
)

func TestMarkdownPlain(t *testing.T) {
	in := "**Review** the ticket:\n" +
		"- **Summary:** GET `/api/v4/users/me` takes 20 s\n" +
		"  - nested *item*\n" +
		"Filed [SET-7](http://127.0.0.1:8089/browse/SET-7), see <https://example.com/x>.\n" +
		"> quoted \\*stars\\*\n" +
		"```\ngo tool pprof -top cpu.pprof\n```\n" +
		"| a | b |\n| --- | --- |\n| 1 | 2 |\n\n"
	want := []string{
		"Review the ticket:",
		"• Summary: GET `/api/v4/users/me` takes 20 s",
		"  • nested *item*",
		"Filed SET-7 (http://127.0.0.1:8089/browse/SET-7), see https://example.com/x.",
		"│ quoted *stars*",
		"    go tool pprof -top cpu.pprof",
		"| a | b |",
		"-------------",
		"| 1 | 2 |",
	}
	got := style{}.Markdown(in)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestMarkdownCodeSpansAreLeftAlone(t *testing.T) {
	got := style{}.Markdown("run `add **KEY** [x](y)` or **new**")
	if want := "run `add **KEY** [x](y)` or new"; len(got) != 1 || got[0] != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestMarkdownColours(t *testing.T) {
	got := ansi.Markdown("**bold** and `code`")[0]
	if want := "\x1b[1mbold\x1b[0m and \x1b[36m`code`\x1b[0m"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestLinkWithItsAddressAsTextIsShownOnce(t *testing.T) {
	got := style{}.Markdown("[http://a.example/b](http://a.example/b)")[0]
	if got != "http://a.example/b" {
		t.Errorf("got %q", got)
	}
}

func TestSayShowsSentences(t *testing.T) {
	if got := Say(sorry("There is no button to press here yet.")); got != "There is no button to press here yet." {
		t.Errorf("got %q", got)
	}
	if got := Say(errors.New("dial tcp: refused")); !strings.HasPrefix(got, "Something went wrong") {
		t.Errorf("got %q", got)
	}
}

func TestHelpListsEveryCommand(t *testing.T) {
	help := strings.Join(helpText(), "\n")
	for name, cmd := range commands {
		if !strings.Contains(help, cmd.usage) {
			t.Errorf("/help does not show /%s", name)
		}
	}
}

func TestWriteSamples(t *testing.T) {
	dir := t.TempDir()
	if err := WriteSamples(dir); err != nil {
		t.Fatal(err)
	}
	for _, name := range SampleNames() {
		if lines := sampleLines(dir); !strings.Contains(strings.Join(lines, "\n"), name) {
			t.Errorf("the sample list does not name %s", name)
		}
	}
	if err := WriteSamples(dir); err != nil { // the second run keeps what is there
		t.Fatal(err)
	}
}

func TestWrapKeepsIndentation(t *testing.T) {
	got := wrap("  • Configuration: config.json (Mattermost configuration; 4 secret settings redacted)", 40)
	want := []string{
		"  • Configuration: config.json",
		"    (Mattermost configuration; 4 secret",
		"    settings redacted)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := wrap("\x1b[1mshort\x1b[0m line", 10); len(got) != 1 {
		t.Errorf("escapes counted as width: %q", got)
	}
}
