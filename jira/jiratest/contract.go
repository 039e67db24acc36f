package jiratest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// SpecFile is the name of Atlassian's OpenAPI document for Jira Cloud,
// kept in shared/jira beside the checkout (see shared/jira/README.md).
const SpecFile = "jira-cloud-platform-v3.openapi.json"

// specServer is the server URL the document declares; requests are
// rewritten onto it before they are matched.
const specServer = "https://your-domain.atlassian.net"

// Contract checks requests and responses against the OpenAPI document.
// Safe for concurrent use.
type Contract struct {
	router routers.Router
}

var (
	contractOnce sync.Once
	contractVal  *Contract
	contractErr  error
)

// SpecPath finds shared/jira/<SpecFile> beside the module root (the
// directory holding go.mod, found upwards from the working directory), or
// at $SETBOT_JIRA_OPENAPI. It returns "" when the file is absent.
func SpecPath() string {
	if p := os.Getenv("SETBOT_JIRA_OPENAPI"); p != "" {
		return p
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(dir, "..", "shared", "jira", SpecFile)
			if _, err := os.Stat(p); err == nil {
				return p
			}
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// LoadContract loads the document at path (about a second; the result for
// the first path is cached for the process). It does not call doc.Validate:
// the document fails it on an unrelated default outside its enum
// (/rest/api/3/classification-levels).
func LoadContract(path string) (*Contract, error) {
	contractOnce.Do(func() {
		doc, err := openapi3.NewLoader().LoadFromFile(path)
		if err != nil {
			contractErr = fmt.Errorf("load %s: %w", path, err)
			return
		}
		r, err := gorillamux.NewRouter(doc)
		if err != nil {
			contractErr = fmt.Errorf("route %s: %w", path, err)
			return
		}
		contractVal = &Contract{router: r}
	})
	return contractVal, contractErr
}

var checkOptions = &openapi3filter.Options{
	// go-jira sends read-only fields (avatarUrls); setbot's own bodies do
	// not, but the contract is about what Jira accepts.
	ExcludeReadOnlyValidations: true,
	AuthenticationFunc:         openapi3filter.NoopAuthenticationFunc,
	MultiError:                 false,
}

// uploadOptions skip the body of attachment uploads: kin-openapi cannot
// decode the document's multipart schema (an array of MultipartFile), so the
// fake's handler checks the upload itself (parts named "file", the
// X-Atlassian-Token: no-check header, the size limit).
var uploadOptions = &openapi3filter.Options{
	ExcludeReadOnlyValidations: true,
	ExcludeRequestBody:         true,
	AuthenticationFunc:         openapi3filter.NoopAuthenticationFunc,
}

func isUpload(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/attachments")
}

// Exchange is one request and the fake's answer to it.
type Exchange struct {
	Request *http.Request
	Body    []byte // the request body
	Status  int
	Header  http.Header
	Reply   []byte
}

// Check returns the contract violations of one exchange, as sentences.
func (c *Contract) Check(x Exchange) []string {
	if skip := exempt(x); skip {
		return nil
	}
	req, err := specRequest(x.Request, x.Body)
	if err != nil {
		return []string{err.Error()}
	}
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		return []string{fmt.Sprintf("%s %s: no such operation in the contract: %v", x.Request.Method, x.Request.URL.Path, err)}
	}
	opts := checkOptions
	if isUpload(x.Request) {
		opts = uploadOptions
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	var out []string
	if !unassignRequest(x) {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			out = append(out, fmt.Sprintf("request %s %s violates the contract: %v", x.Request.Method, x.Request.URL.Path, short(err)))
		}
	}
	if x.Status == http.StatusNoContent {
		// The document gives some 204s an application/json body; a 204 has
		// none (RFC 9110 §15.3.5), and Jira sends none.
		return out
	}
	rin := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: x.Status, Header: x.Header,
		Body: io.NopCloser(bytes.NewReader(x.Reply)), Options: checkOptions,
	}
	if err := openapi3filter.ValidateResponse(context.Background(), rin); err != nil {
		out = append(out, fmt.Sprintf("response %d to %s %s violates the contract: %v", x.Status, x.Request.Method, x.Request.URL.Path, short(err)))
	}
	return out
}

// exempt reports the exchanges the contract cannot judge: the fake's own
// /_fake endpoints.
func exempt(x Exchange) bool {
	return !strings.HasPrefix(x.Request.URL.Path, "/rest/api/")
}

// unassignRequest reports PUT …/assignee with {"accountId": null}: the
// operation's text says it unassigns, but its schema rejects the null.
func unassignRequest(x Exchange) bool {
	if x.Request.Method != http.MethodPut || !strings.HasSuffix(x.Request.URL.Path, "/assignee") {
		return false
	}
	var body map[string]any
	if json.Unmarshal(x.Body, &body) != nil {
		return false
	}
	v, ok := body["accountId"]
	if !ok {
		v, ok = body["name"]
	}
	return ok && v == nil
}

// specRequest rewrites a request onto the document's server, and v2 paths
// onto v3: Cloud's v2 and v3 share operations, and v2's plain strings pass
// v3's free-form fields and untyped comment body.
func specRequest(r *http.Request, body []byte) (*http.Request, error) {
	u, err := url.Parse(specServer)
	if err != nil {
		return nil, err
	}
	path := r.URL.Path
	if strings.HasPrefix(path, "/rest/api/2/") {
		path = "/rest/api/3/" + strings.TrimPrefix(path, "/rest/api/2/")
	}
	u.Path = path
	u.RawQuery = r.URL.RawQuery
	req, err := http.NewRequest(r.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = r.Header.Clone()
	return req, nil
}

// short trims kin-openapi's long schema dumps to the first lines.
func short(err error) string {
	s := err.Error()
	var me openapi3.MultiError
	if errors.As(err, &me) && len(me) > 0 {
		s = me[0].Error()
	}
	if i := strings.Index(s, "\nSchema:"); i > 0 {
		s = s[:i]
	}
	if len(s) > 600 {
		s = s[:600] + "…"
	}
	return s
}
