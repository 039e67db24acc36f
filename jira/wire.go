package jira

import "encoding/json"

// Jira's JSON, as much of it as setbot reads or writes. Private: no other
// package sees Jira's shapes. Request bodies are setbot's own structs, so
// they carry no stray fields (go-jira's create sends "Password":"" inside
// assignee).

type nameRef struct {
	Name string `json:"name,omitempty"`
	ID   string `json:"id,omitempty"`
	Key  string `json:"key,omitempty"`
}

type entityProperty struct {
	Key   string `json:"key"`
	Value any    `json:"value"`
}

// issueCreate is POST /issue and PUT /issue/{key}.
type issueCreate struct {
	Fields     map[string]any              `json:"fields,omitempty"`
	Update     map[string][]map[string]any `json:"update,omitempty"`
	Properties []entityProperty            `json:"properties,omitempty"`
}

type createdIssue struct {
	ID  string `json:"id"`
	Key string `json:"key"`
}

type issueBean struct {
	ID     string      `json:"id"`
	Key    string      `json:"key"`
	Fields issueFields `json:"fields"`
}

type issueFields struct {
	Summary    string      `json:"summary"`
	Status     *statusBean `json:"status"`
	Assignee   *userBean   `json:"assignee"`
	Labels     []string    `json:"labels"`
	Attachment []struct {
		Filename string `json:"filename"`
		Size     int64  `json:"size"`
	} `json:"attachment"`
}

type statusBean struct {
	Name           string `json:"name"`
	StatusCategory struct {
		Key string `json:"key"`
	} `json:"statusCategory"`
}

func (f issueFields) status() string {
	if f.Status == nil {
		return ""
	}
	return f.Status.Name
}

func (f issueFields) done() bool { return f.Status.done() }

// done reports whether the status is in Jira's Done category.
func (s *statusBean) done() bool { return s != nil && s.StatusCategory.Key == "done" }

func (f issueFields) assigned() bool {
	return f.Assignee != nil && (f.Assignee.AccountID != "" || f.Assignee.Name != "")
}

// searchJQL is Cloud's POST /search/jql.
type searchJQL struct {
	JQL           string   `json:"jql"`
	Fields        []string `json:"fields"`
	MaxResults    int      `json:"maxResults"`
	NextPageToken string   `json:"nextPageToken,omitempty"`
}

// searchJQLPage is a page of Cloud's /search/jql, of issues decoded as B.
type searchJQLPage[B any] struct {
	Issues        []B    `json:"issues"`
	NextPageToken string `json:"nextPageToken"`
	IsLast        bool   `json:"isLast"`
}

// searchDC is Data Center's POST /search.
type searchDC struct {
	JQL        string   `json:"jql"`
	StartAt    int      `json:"startAt"`
	MaxResults int      `json:"maxResults"`
	Fields     []string `json:"fields"`
}

// searchDCPage is a page of Data Center's /search, of issues decoded as B.
type searchDCPage[B any] struct {
	Issues  []B `json:"issues"`
	StartAt int `json:"startAt"`
	Total   int `json:"total"`
}

// createMetaTypes is GET /issue/createmeta/{project}/issuetypes; Cloud
// names the list issueTypes, the document also allows createMetaIssueType,
// Data Center says values.
type createMetaTypes struct {
	IssueTypes []nameRef `json:"issueTypes"`
	Alt        []nameRef `json:"createMetaIssueType"`
	Values     []nameRef `json:"values"`
	Total      int       `json:"total"`
	IsLast     *bool     `json:"isLast"`
}

func (p createMetaTypes) list() []nameRef { return firstNonEmpty(p.IssueTypes, p.Alt, p.Values) }

type metaField struct {
	FieldID         string `json:"fieldId"`
	Name            string `json:"name"`
	Required        bool   `json:"required"`
	HasDefaultValue bool   `json:"hasDefaultValue"`
	AllowedValues   []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"allowedValues"`
}

// createMetaFields is GET /issue/createmeta/{project}/issuetypes/{id}.
type createMetaFields struct {
	Fields  []metaField `json:"fields"`
	Results []metaField `json:"results"`
	Values  []metaField `json:"values"`
	Total   int         `json:"total"`
	IsLast  *bool       `json:"isLast"`
}

func (p createMetaFields) list() []metaField { return firstNonEmpty(p.Fields, p.Results, p.Values) }

func firstNonEmpty[T any](lists ...[]T) []T {
	for _, l := range lists {
		if len(l) > 0 {
			return l
		}
	}
	return nil
}

type attachmentMeta struct {
	Enabled     bool  `json:"enabled"`
	UploadLimit int64 `json:"uploadLimit"`
}

// userBean is a Jira user as both deployments write it (user search,
// GET /myself, assignees, comment authors): an accountId on Cloud, a
// username and user key on Data Center.
type userBean struct {
	AccountID    string `json:"accountId"`
	Name         string `json:"name"`
	Key          string `json:"key"`
	DisplayName  string `json:"displayName"`
	EmailAddress string `json:"emailAddress"`
}

// id is how setbot names the account to Jira and in [jira.accounts]: the
// accountId on Cloud, the username on Data Center.
func (u *userBean) id(deployment string) string {
	if deployment == DataCenter {
		return u.Name
	}
	return u.AccountID
}

// is reports whether a is the account u.
func (u *userBean) is(a *userBean, deployment string) bool {
	if a == nil {
		return false
	}
	if deployment == DataCenter {
		return (a.Name != "" && a.Name == u.Name) || (a.Key != "" && a.Key == u.Key)
	}
	return a.AccountID != "" && a.AccountID == u.AccountID
}

type transitionList struct {
	Transitions []struct {
		ID string `json:"id"`
		To struct {
			Name string `json:"name"`
		} `json:"to"`
	} `json:"transitions"`
}

type transitionReq struct {
	Transition nameRef `json:"transition"`
}

// commentReq is POST /issue/{key}/comment.
type commentReq struct {
	Body       string           `json:"body"`
	Properties []entityProperty `json:"properties,omitempty"`
}

// commentPage is GET /issue/{key}/comment, paged with startAt, maxResults
// and total; properties only with expand=properties.
type commentPage struct {
	Comments []struct {
		ID         string    `json:"id"`
		Author     *userBean `json:"author"`
		Created    string    `json:"created"`
		Properties []struct {
			Key   string          `json:"key"`
			Value json.RawMessage `json:"value"`
		} `json:"properties"`
	} `json:"comments"`
	StartAt int `json:"startAt"`
	Total   int `json:"total"`
}
