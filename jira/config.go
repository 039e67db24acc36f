package jira

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/setbot/setbot"
)

// Deployments setbot speaks to.
const (
	Cloud      = "cloud"      // Jira Cloud: Basic email + API token
	DataCenter = "datacenter" // Jira Data Center: Bearer personal access token
)

// Config is the [jira] table of setbot's configuration.
type Config struct {
	URL        string `toml:"url"`        // https://example.atlassian.net
	Deployment string `toml:"deployment"` // "cloud" or "datacenter"
	Email      string `toml:"email"`      // Cloud only: the account the API token belongs to
	// Token is the API token (Cloud) or personal access token (Data Center).
	// The caller applies the SETBOT_JIRA_TOKEN override. Never logged.
	Token   string `toml:"token"`
	Project string `toml:"project"` // the SET project key

	// Accounts maps a Mattermost username to a Jira accountId (Cloud) or
	// username (Data Center).
	Accounts map[string]string `toml:"accounts"`

	IssueTypes IssueTypes `toml:"issue_types"`
	Priorities Priorities `toml:"priorities"`
	// Labels are put on every ticket setbot files (besides the fingerprint,
	// customer-reported and priority labels).
	Labels []string `toml:"labels"`
	// Component is the SET team's component. Unset means the default; an
	// explicit empty string means none (hence the pointer).
	Component *string `toml:"component"`
	// TeamField, when its ID is set, carries the SET team in a custom field.
	TeamField TeamField `toml:"team_field"`
	// InProgressStatus is the status a new ticket is moved to.
	InProgressStatus string `toml:"in_progress_status"`
	// HandoverTeams maps a team name (as typed in "handover KEY team") to how
	// that team owns a ticket in Jira.
	HandoverTeams map[string]HandoverTeam `toml:"handover_teams"`
}

// IssueTypes names the Jira issue type for each intake type.
type IssueTypes struct {
	Bug      string `toml:"bug"`
	Feature  string `toml:"feature"`
	Question string `toml:"question"`
}

// Priorities names the Jira priority for each support level.
type Priorities struct {
	L1 string `toml:"L1"`
	L2 string `toml:"L2"`
	L3 string `toml:"L3"`
	L4 string `toml:"L4"`
}

// TeamField is a custom field that names the owning team.
type TeamField struct {
	ID    string `toml:"id"`    // customfield_10001
	Value string `toml:"value"` // the SET team's value
	// Kind is "option" (a select list: sent as {"value": …}) or "text".
	Kind string `toml:"kind"`
}

// HandoverTeam is how a team owns a ticket: a component, an assignee, or both.
type HandoverTeam struct {
	Component string `toml:"component"`
	Assignee  string `toml:"assignee"` // accountId (Cloud) or username (Data Center)
	// Invite are Mattermost usernames of the team's people: setbot (not
	// Jira) invites them to the incident's channel on hand-over.
	Invite []string `toml:"invite"`
}

// Defaults for the optional keys.
const (
	DefaultComponent        = "Sustained Engineering"
	DefaultInProgressStatus = "In Progress"
	DefaultLabel            = "sustained-engineering"
)

// SetDefaults fills the optional keys that are unset.
func (c *Config) SetDefaults() {
	if c.Deployment == "" {
		c.Deployment = Cloud
	}
	c.URL = strings.TrimRight(strings.TrimSpace(c.URL), "/")
	for _, d := range []struct {
		v   *string
		def string
	}{
		{&c.IssueTypes.Bug, "Bug"}, {&c.IssueTypes.Feature, "Story"}, {&c.IssueTypes.Question, "Task"},
		{&c.Priorities.L1, "Highest"}, {&c.Priorities.L2, "High"}, {&c.Priorities.L3, "Medium"}, {&c.Priorities.L4, "Low"},
	} {
		if *d.v == "" {
			*d.v = d.def
		}
	}
	if c.Labels == nil {
		c.Labels = []string{DefaultLabel}
	}
	if c.Component == nil {
		def := DefaultComponent
		c.Component = &def
	}
	if c.TeamField.ID != "" && c.TeamField.Kind == "" {
		c.TeamField.Kind = "option"
	}
	if c.InProgressStatus == "" {
		c.InProgressStatus = DefaultInProgressStatus
	}
}

// Validate reports the first problem with the configuration, naming its key.
func (c Config) Validate() error {
	switch {
	case c.URL == "":
		return fmt.Errorf("jira.url: must be set, e.g. https://example.atlassian.net")
	case setbot.URLProblem(c.URL) == setbot.URLNotHTTP:
		return fmt.Errorf("jira.url: must be an http(s) URL, got %q", c.URL)
	case setbot.URLProblem(c.URL) == setbot.URLCredentials:
		return fmt.Errorf("jira.url: must not contain credentials; use jira.email and jira.token")
	}
	if c.Deployment != Cloud && c.Deployment != DataCenter {
		return fmt.Errorf("jira.deployment: must be %q or %q, got %q", Cloud, DataCenter, c.Deployment)
	}
	if c.Deployment == Cloud && c.Email == "" {
		return fmt.Errorf("jira.email: must be set for Jira Cloud (the account the API token belongs to)")
	}
	if c.Token == "" {
		return fmt.Errorf("jira.token: must be set (or SETBOT_JIRA_TOKEN)")
	}
	if c.Project == "" {
		return fmt.Errorf("jira.project: must be set to the SET project key")
	}
	// In file order, so that the same file always names the same key.
	for _, kv := range [][2]string{
		{"jira.issue_types.bug", c.IssueTypes.Bug}, {"jira.issue_types.feature", c.IssueTypes.Feature},
		{"jira.issue_types.question", c.IssueTypes.Question},
		{"jira.priorities.L1", c.Priorities.L1}, {"jira.priorities.L2", c.Priorities.L2},
		{"jira.priorities.L3", c.Priorities.L3}, {"jira.priorities.L4", c.Priorities.L4},
		{"jira.in_progress_status", c.InProgressStatus},
	} {
		if strings.TrimSpace(kv[1]) == "" {
			return fmt.Errorf("%s: must not be empty", kv[0])
		}
	}
	for i, l := range c.Labels {
		if l == "" || strings.ContainsAny(l, " \t\n") {
			return fmt.Errorf("jira.labels[%d]: a Jira label cannot be empty or contain spaces, got %q", i, l)
		}
	}
	if c.TeamField.ID != "" {
		if !strings.HasPrefix(c.TeamField.ID, "customfield_") {
			return fmt.Errorf("jira.team_field.id: must be a custom field id like customfield_10001, got %q", c.TeamField.ID)
		}
		if c.TeamField.Value == "" {
			return fmt.Errorf("jira.team_field.value: must be set when jira.team_field.id is")
		}
		if c.TeamField.Kind != "option" && c.TeamField.Kind != "text" {
			return fmt.Errorf("jira.team_field.kind: must be \"option\" or \"text\", got %q", c.TeamField.Kind)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(c.HandoverTeams)) {
		if t := c.HandoverTeams[name]; t.Component == "" && t.Assignee == "" {
			return fmt.Errorf("jira.handover_teams.%s: set a component, an assignee, or both", name)
		}
	}
	for _, mm := range slices.Sorted(maps.Keys(c.Accounts)) {
		if c.Accounts[mm] == "" {
			return fmt.Errorf("jira.accounts.%s: must not be empty", mm)
		}
	}
	return nil
}

// component returns the SET component, "" for none.
func (c Config) component() string {
	if c.Component == nil {
		return ""
	}
	return *c.Component
}

// priorityName returns the Jira priority for a support level, "" when unset.
func (c Config) priorityName(p setbot.Priority) string {
	if !p.Valid() {
		return ""
	}
	return [...]string{"", c.Priorities.L1, c.Priorities.L2, c.Priorities.L3, c.Priorities.L4}[p]
}

// issueTypeName returns the Jira issue type for an intake type; unset
// intakes are filed as bugs.
func (c Config) issueTypeName(t setbot.IssueType) string {
	switch t {
	case setbot.TypeFeature:
		return c.IssueTypes.Feature
	case setbot.TypeQuestion:
		return c.IssueTypes.Question
	}
	return c.IssueTypes.Bug
}
