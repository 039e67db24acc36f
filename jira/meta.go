package jira

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/setbot/setbot"
)

// maxMetaPage is the most createmeta results Jira serves per page.
const maxMetaPage = 200

// projectMeta is what setbot learned about the project at start-up.
type projectMeta struct {
	issueTypes  map[string]issueTypeMeta // by configured issue type name
	uploadLimit int64                    // bytes
	attachments bool
}

// issueTypeMeta is one issue type's create screen.
type issueTypeMeta struct {
	id     string
	fields map[string]metaField // by field id
}

func (m issueTypeMeta) has(field string) bool { _, ok := m.fields[field]; return ok }

// Check reads the project's create screens (the createmeta endpoints that
// replaced the removed ?expand form) and the attachment settings, caches
// them, and reports what would make filing fail: a configured issue type,
// priority or component Jira does not know, or a required field setbot does
// not fill, by name. Call it at start-up.
func (c *Client) Check(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, err := c.loadMeta(ctx)
	if err != nil {
		return c.public("check the Jira project", err)
	}
	c.meta = m
	return nil
}

// ensureMeta returns the cached metadata, reading it on first use.
func (c *Client) ensureMeta(ctx context.Context) (*projectMeta, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.meta != nil {
		return c.meta, nil
	}
	m, err := c.loadMeta(ctx)
	if err != nil {
		return nil, err
	}
	c.meta = m
	return m, nil
}

func (c *Client) loadMeta(ctx context.Context) (*projectMeta, error) {
	types, err := c.metaTypes(ctx)
	if err != nil {
		return nil, err
	}
	m := &projectMeta{issueTypes: map[string]issueTypeMeta{}}
	for _, want := range []struct{ key, name string }{
		{"jira.issue_types.bug", c.cfg.IssueTypes.Bug},
		{"jira.issue_types.feature", c.cfg.IssueTypes.Feature},
		{"jira.issue_types.question", c.cfg.IssueTypes.Question},
	} {
		if _, done := m.issueTypes[want.name]; done {
			continue
		}
		i := slices.IndexFunc(types, func(t nameRef) bool { return strings.EqualFold(t.Name, want.name) })
		if i < 0 {
			var have []string
			for _, t := range types {
				have = append(have, t.Name)
			}
			return nil, setbot.Errorf(setbot.EUnconfigured, "%s: Jira project %s has no issue type %q (it has: %s).",
				want.key, c.cfg.Project, want.name, strings.Join(have, ", "))
		}
		it, err := c.metaFields(ctx, types[i].ID)
		if err != nil {
			return nil, err
		}
		if err := c.checkScreen(want.name, it); err != nil {
			return nil, err
		}
		m.issueTypes[want.name] = it
	}
	var am attachmentMeta
	if err := c.do(ctx, call{op: "read Jira's attachment settings", method: http.MethodGet, path: apiPath("attachment/meta")}, &am); err != nil {
		return nil, err
	}
	m.attachments, m.uploadLimit = am.Enabled, am.UploadLimit
	return m, nil
}

func (c *Client) metaTypes(ctx context.Context) ([]nameRef, error) {
	var all []nameRef
	for {
		var page createMetaTypes
		q := url.Values{"startAt": {strconv.Itoa(len(all))}, "maxResults": {strconv.Itoa(maxMetaPage)}}
		if err := c.do(ctx, call{op: "read the project's issue types", method: http.MethodGet,
			path: apiPath("issue/createmeta/%s/issuetypes", c.cfg.Project), query: q}, &page); err != nil {
			return nil, err
		}
		all = append(all, page.list()...)
		if len(page.list()) == 0 || len(all) >= page.Total || (page.IsLast != nil && *page.IsLast) {
			return all, nil
		}
	}
}

func (c *Client) metaFields(ctx context.Context, typeID string) (issueTypeMeta, error) {
	it := issueTypeMeta{id: typeID, fields: map[string]metaField{}}
	for n := 0; ; {
		var page createMetaFields
		q := url.Values{"startAt": {strconv.Itoa(n)}, "maxResults": {strconv.Itoa(maxMetaPage)}}
		if err := c.do(ctx, call{op: "read the project's create screen", method: http.MethodGet,
			path: apiPath("issue/createmeta/%s/issuetypes/%s", c.cfg.Project, typeID), query: q}, &page); err != nil {
			return it, err
		}
		for _, f := range page.list() {
			it.fields[f.FieldID] = f
		}
		n += len(page.list())
		if len(page.list()) == 0 || n >= page.Total || (page.IsLast != nil && *page.IsLast) {
			return it, nil
		}
	}
}

// filledFields are the fields setbot sets on every ticket.
func (c *Client) filledFields() map[string]string {
	f := map[string]string{
		"summary": "", "issuetype": "", "project": "", "description": "", "labels": "",
		"priority": "jira.priorities",
	}
	if c.cfg.component() != "" {
		f["components"] = "jira.component"
	}
	if c.cfg.TeamField.ID != "" {
		f[c.cfg.TeamField.ID] = "jira.team_field.id"
	}
	return f
}

// checkScreen reports what in the configuration the create screen of
// issue type typeName cannot take.
func (c *Client) checkScreen(typeName string, it issueTypeMeta) error {
	filled := c.filledFields()
	for id, f := range it.fields {
		if _, ok := filled[id]; f.Required && !f.HasDefaultValue && !ok {
			return setbot.Errorf(setbot.EUnconfigured,
				"jira: project %s requires the field %q (%s) on %s tickets, which setbot does not fill; give it a default in Jira or make it optional.",
				c.cfg.Project, f.Name, id, typeName)
		}
	}
	for _, need := range []string{"summary", "description", "labels"} {
		if !it.has(need) {
			return setbot.Errorf(setbot.EUnconfigured, "jira: the create screen of %s %s tickets lacks the %s field, which setbot needs; add it to the screen.",
				c.cfg.Project, typeName, need)
		}
	}
	for id, key := range filled {
		if key != "" && id != "priority" && !it.has(id) {
			return setbot.Errorf(setbot.EUnconfigured, "%s: the create screen of %s %s tickets has no field %s; add it or clear the key.",
				key, c.cfg.Project, typeName, id)
		}
	}
	if f, ok := it.fields["priority"]; ok && len(f.AllowedValues) > 0 {
		for i, name := range []string{c.cfg.Priorities.L1, c.cfg.Priorities.L2, c.cfg.Priorities.L3, c.cfg.Priorities.L4} {
			if !allowed(f, name) {
				return setbot.Errorf(setbot.EUnconfigured, "jira.priorities.L%d: Jira has no priority %q.", i+1, name)
			}
		}
	}
	if f, ok := it.fields["components"]; ok && c.cfg.component() != "" && len(f.AllowedValues) > 0 && !allowed(f, c.cfg.component()) {
		return setbot.Errorf(setbot.EUnconfigured, "jira.component: project %s has no component %q.", c.cfg.Project, c.cfg.component())
	}
	return nil
}

func allowed(f metaField, name string) bool {
	return slices.ContainsFunc(f.AllowedValues, func(v struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}) bool {
		return strings.EqualFold(v.Name, name) || strings.EqualFold(v.Value, name)
	})
}

// tooLargeLine is how a ticket or comment links a file it could not attach.
func tooLargeLine(name, mattermostLink string, limit int64) string {
	return fmt.Sprintf("%s — too large for Jira's upload limit of %s, so it stays in Mattermost", link(name, mattermostLink), uploadLimitText(limit))
}

// uploadLimitText is a limit for a sentence: "10 MB".
func uploadLimitText(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d KB", n>>10)
}
