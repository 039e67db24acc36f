package jira

import (
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

func validConfig() Config {
	c := Config{URL: "https://example.atlassian.net/", Email: "bot@example.com", Token: testToken, Project: "SET"}
	c.SetDefaults()
	return c
}

func TestConfigDefaults(t *testing.T) {
	c := validConfig()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Deployment != Cloud || c.URL != "https://example.atlassian.net" || c.component() != DefaultComponent ||
		c.InProgressStatus != "In Progress" || c.Priorities.L1 != "Highest" || c.IssueTypes.Bug != "Bug" ||
		len(c.Labels) != 1 || c.Labels[0] != DefaultLabel {
		t.Fatalf("defaults not applied: %+v", c)
	}
}

func TestConfigDecodeExplicitEmptyComponent(t *testing.T) {
	var wrap struct {
		Jira Config `toml:"jira"`
	}
	doc := `
[jira]
url = "https://jira.example.com"
deployment = "datacenter"
token = "pat"
project = "SET"
component = ""
[jira.accounts]
alice = "alice.jira"
[jira.priorities]
L1 = "Blocker"
L2 = "Critical"
L3 = "Major"
L4 = "Minor"
[jira.handover_teams.platform]
component = "Platform"
`
	md, err := toml.Decode(doc, &wrap)
	if err != nil {
		t.Fatal(err)
	}
	if len(md.Undecoded()) != 0 {
		t.Fatalf("undecoded keys: %v", md.Undecoded())
	}
	c := wrap.Jira
	c.SetDefaults()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.component() != "" || c.Priorities.L2 != "Critical" || c.Accounts["alice"] != "alice.jira" ||
		c.HandoverTeams["platform"].Component != "Platform" {
		t.Fatalf("decoded wrongly: %+v", c)
	}
}

func TestConfigValidateNamesKey(t *testing.T) {
	tests := []struct {
		mut  func(*Config)
		want string
	}{
		{func(c *Config) { c.Deployment = "x" }, `jira.deployment: must be "cloud" or "datacenter", got "x"`},
		{func(c *Config) { c.URL = "" }, "jira.url:"},
		{func(c *Config) { c.URL = "ftp://x" }, "jira.url:"},
		{func(c *Config) { c.URL = "https://u:p@x" }, "jira.url: must not contain credentials"},
		{func(c *Config) { c.Email = "" }, "jira.email:"},
		{func(c *Config) { c.Token = "" }, "jira.token:"},
		{func(c *Config) { c.Project = "" }, "jira.project:"},
		{func(c *Config) { c.Priorities.L3 = " " }, "jira.priorities.L3:"},
		{func(c *Config) { c.Priorities.L3 = ""; c.Priorities.L1 = "Blocker"; c.SetDefaults() }, ""},
		{func(c *Config) { c.IssueTypes.Question = "" }, "jira.issue_types.question:"},
		{func(c *Config) { c.Labels = []string{"a b"} }, "jira.labels[0]:"},
		{func(c *Config) { c.TeamField = TeamField{ID: "team"} }, "jira.team_field.id:"},
		{func(c *Config) { c.TeamField = TeamField{ID: "customfield_1", Kind: "option"} }, "jira.team_field.value:"},
		{func(c *Config) { c.HandoverTeams = map[string]HandoverTeam{"web": {}} }, "jira.handover_teams.web:"},
		{func(c *Config) { c.Accounts = map[string]string{"bob": ""} }, "jira.accounts.bob:"},
	}
	for _, tt := range tests {
		c := validConfig()
		tt.mut(&c)
		err := c.Validate()
		if tt.want == "" {
			if err != nil || c.Priorities.L3 != "Medium" || c.Priorities.L1 != "Blocker" {
				t.Errorf("defaults per key: %v %+v", err, c.Priorities)
			}
			continue
		}
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Validate() = %v, want prefix %q", err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), testToken) {
			t.Errorf("Validate() leaks the token: %v", err)
		}
	}
}
