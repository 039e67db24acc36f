package artifacts_test

import (
	"testing"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/artifacts"
)

func TestParseVersion(t *testing.T) {
	good := map[string]string{
		"10.11.4": "10.11.4", "v9.5": "9.5", "11.0.0-rc2": "11.0.0-rc2", "10.5 ESR": "10.5 ESR",
		" v10.5.1 esr ": "10.5.1 ESR", "Mattermost 9.11.3": "9.11.3", "10.5 (ESR)": "10.5 ESR", "11.1.0-beta1": "11.1.0-beta1",
	}
	for in, want := range good {
		got, err := artifacts.ParseVersion(in)
		if err != nil || got != want {
			t.Errorf("ParseVersion(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "latest", "ten", "10", "1.2.3.4", "10.11.4 please", "PostgreSQL 14.5"} {
		if got, err := artifacts.ParseVersion(in); err == nil || setbot.ErrorCode(err) != setbot.EInvalid {
			t.Errorf("ParseVersion(%q) = %q, %v; want an EInvalid error", in, got, err)
		}
	}
}

func TestFindVersion(t *testing.T) {
	cases := map[string]string{
		"Customer on 10.11.4 with PostgreSQL 14.5 sees high CPU": "10.11.4",
		"PostgreSQL 14.5, Mattermost v9.5":                       "9.5",
		"running mattermost 10.5 esr since Monday":               "10.5 ESR",
		"postgres 13.4 only":                                     "",
		"it broke at 10:30":                                      "",
		"nothing here":                                           "",
	}
	for in, want := range cases {
		if got := artifacts.FindVersion(in); got != want {
			t.Errorf("FindVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseDatabase(t *testing.T) {
	good := map[string]setbot.Database{
		"PostgreSQL 14.5":          {Type: "PostgreSQL", Version: "14.5"},
		"postgres 15":              {Type: "PostgreSQL", Version: "15"},
		"pg 13.4":                  {Type: "PostgreSQL", Version: "13.4"},
		"MySQL 8.0.32":             {Type: "MySQL", Version: "8.0.32"},
		"we use Aurora MySQL 8.0":  {Type: "MySQL", Version: "8.0"},
		"postgres version 16.2":    {Type: "PostgreSQL", Version: "16.2"},
		"postgres 15.4 (Debian 1)": {Type: "PostgreSQL", Version: "15.4"},
	}
	for in, want := range good {
		got, err := artifacts.ParseDatabase(in)
		if err != nil || got != want {
			t.Errorf("ParseDatabase(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	if db, err := artifacts.ParseDatabase("postgres"); err == nil || db.Type != "PostgreSQL" || db.Version != "" {
		t.Errorf("type only: %+v, %v", db, err)
	}
	if _, err := artifacts.ParseDatabase("oracle 19c"); setbot.ErrorCode(err) != setbot.EInvalid {
		t.Errorf("oracle: %v", err)
	}
}
