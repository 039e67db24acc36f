package setbot

import "testing"

func TestParseIssueKey(t *testing.T) {
	for in, want := range map[string]IssueKey{"SET-1": "SET-1", " set-42.": "SET-42", "`AB_2-9`": "AB_2-9", "[SET-7]": "SET-7", "(set-8),": "SET-8"} {
		if got, err := ParseIssueKey(in); err != nil || got != want {
			t.Errorf("ParseIssueKey(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "SET", "SET-", "SET-0", "1SET-2", "SET-1 OR 1=1", "SET-1\nx", "-1", "SÉT-1"} {
		if _, err := ParseIssueKey(in); ErrorCode(err) != EInvalid {
			t.Errorf("ParseIssueKey(%q) = %v, want EInvalid", in, err)
		}
	}
}
