package bot

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/artifacts"
	"github.com/setbot/setbot/artifacts/artifactstest"
)

// secrets maps each secret filled into the realistic config to the setting
// that must be reported as redacted or dropped.
var secrets = map[string]string{
	"Db-Pa55word":          "SqlSettings.DataSource",
	"Replica-Pa55":         "SqlSettings.DataSourceReplicas[0]",
	"ldap-bind-pw":         "LdapSettings.BindPassword",
	"link-salt-123456789":  "FileSettings.PublicLinkSalt",
	"AKIA-s3-secret":       "FileSettings.AmazonS3SecretAccessKey",
	"smtp-pw":              "EmailSettings.SMTPPassword",
	"gitlab-oauth-secret":  "GitLabSettings.Secret",
	"es-password":          "ElasticsearchSettings.Password",
	"redis-pw":             "CacheSettings.RedisPassword",
	"at-rest-key-abcdef":   "SqlSettings.AtRestEncryptKey",
	"giphy-sdk-key":        "ServiceSettings.GiphySdkKey",
	"jira-webhook-secret":  "PluginSettings.Plugins.jira (dropped)",
	"github-client-secret": "PluginSettings.Plugins.github (dropped)",
	"plugin-api-token":     "PluginSettings.Plugins.com.example.custom (dropped)",
	"dsn-pw-in-plugin":     "PluginSettings.Plugins.com.example.custom (dropped)",
	"future-key-value":     "NewerSettings (dropped)",
}

// realisticConfig is a real model.Config with defaults set and secrets
// filled in, plus settings the struct does not know, as config.json bytes.
func realisticConfig(t testing.TB) []byte {
	t.Helper()
	var c model.Config
	c.SetDefaults()
	set := func(p **string, v string) { *p = model.NewPointer(v) }
	set(&c.ServiceSettings.SiteURL, "https://chat.acme.example")
	set(&c.SqlSettings.DriverName, model.DatabaseDriverPostgres)
	set(&c.SqlSettings.DataSource, "postgres://mmuser:Db-Pa55word@db.acme.internal:5432/mattermost?sslmode=require&connect_timeout=10")
	c.SqlSettings.DataSourceReplicas = []string{"postgres://mmuser:Replica-Pa55@replica1:5432/mattermost?sslmode=require"}
	set(&c.LdapSettings.BindPassword, "ldap-bind-pw")
	set(&c.FileSettings.PublicLinkSalt, "link-salt-123456789")
	set(&c.FileSettings.AmazonS3SecretAccessKey, "AKIA-s3-secret")
	set(&c.EmailSettings.SMTPPassword, "smtp-pw")
	set(&c.GitLabSettings.Secret, "gitlab-oauth-secret")
	set(&c.ElasticsearchSettings.Password, "es-password")
	set(&c.CacheSettings.RedisPassword, "redis-pw")
	set(&c.SqlSettings.AtRestEncryptKey, "at-rest-key-abcdef")
	set(&c.ServiceSettings.GiphySdkKey, "giphy-sdk-key")
	c.PluginSettings.Plugins = map[string]map[string]any{
		"jira":               {"webhooksecret": "jira-webhook-secret", "enablejiraui": true},
		"github":             {"githuboauthclientsecret": "github-client-secret", "username": "octo"},
		"com.example.custom": {"ApiToken": "plugin-api-token", "ArchiveDSN": "mysql://archiver:dsn-pw-in-plugin@tcp(arch:3306)/a", "Retries": 3},
	}
	b, err := json.MarshalIndent(&c, "", "    ")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	doc["NewerSettings"] = map[string]any{"SigningKey": "future-key-value", "Enable": true}
	b, err = json.MarshalIndent(doc, "", "    ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRedactConfig(t *testing.T) {
	in := realisticConfig(t)
	out, fields, err := RedactConfig(in)
	if err != nil {
		t.Fatal(err)
	}
	for secret, field := range secrets {
		if !bytes.Contains(in, []byte(secret)) {
			t.Fatalf("fixture lacks %q", secret)
		}
		if bytes.Contains(out, []byte(secret)) {
			t.Errorf("%s (%s) survived redaction", secret, field)
		}
		if !slices.Contains(fields, field) {
			t.Errorf("fields lack %s; got %v", field, fields)
		}
	}
	if !slices.IsSorted(fields) {
		t.Errorf("fields not sorted: %v", fields)
	}
	// What is not secret is kept, and the result is still a configuration.
	var c model.Config
	if err := json.Unmarshal(out, &c); err != nil {
		t.Fatal(err)
	}
	if *c.ServiceSettings.SiteURL != "https://chat.acme.example" {
		t.Errorf("SiteURL = %q", *c.ServiceSettings.SiteURL)
	}
	if got := *c.SqlSettings.DataSource; got != "postgres://****:****@db.acme.internal:5432/mattermost?connect_timeout=10&sslmode=require" {
		t.Errorf("DataSource = %q: host and database should be kept", got)
	}
	// Plugin settings are dropped, the plugins' ids kept (stricter since
	// issue 11: a plugin's secret settings cannot be told by name).
	if p := c.PluginSettings.Plugins; len(p) != 3 || len(p["github"]) != 0 || len(p["jira"]) != 0 {
		t.Errorf("plugin settings kept: %v", p)
	}
	if *c.ServiceSettings.ListenAddress != ":8065" {
		t.Errorf("ListenAddress = %q", *c.ServiceSettings.ListenAddress)
	}
	// Redacting the result again finds nothing new: it is a fixed point.
	again, fields2, err := RedactConfig(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, out) || len(fields2) != 0 {
		t.Errorf("second pass changed %v", fields2)
	}
	t.Logf("%d settings redacted: %v", len(fields), fields)
}

func TestRedactConfigDoesNotOverRedactDefaults(t *testing.T) {
	var c model.Config
	c.SetDefaults()
	b, _ := json.Marshal(&c)
	_, fields, err := RedactConfig(b)
	if err != nil {
		t.Fatal(err)
	}
	// Only settings whose name sounds secret, and the default DataSource
	// (it carries the default credentials mmuser:mostest).
	for _, f := range fields {
		if !secretName(f[strings.LastIndex(f, ".")+1:]) && f != "SqlSettings.DataSource" {
			t.Errorf("redacted %s, whose name does not sound secret", f)
		}
	}
	t.Logf("defaults redacted: %v", fields)
}

func TestRedactConfigRefuses(t *testing.T) {
	cases := map[string]string{
		"package.json":   `{"name": "my-app", "version": "1.0.0", "dependencies": {}}`,
		"array":          `[{"ServiceSettings": {}}]`,
		"not json":       `ServiceSettings: {}`,
		"two objects":    `{"ServiceSettings":{},"SqlSettings":{}} {}`,
		"wrong type":     `{"ServiceSettings": {"SiteURL": 42}, "SqlSettings": {"DataSource": "postgres://u:TopSecret1@h/db"}}`,
		"section string": `{"ServiceSettings": "x", "SqlSettings": {}}`,
	}
	for name, in := range cases {
		_, _, err := RedactConfig([]byte(in))
		if setbot.ErrorCode(err) != setbot.EInvalid {
			t.Errorf("%s: err = %v, want EInvalid", name, err)
			continue
		}
		if msg := setbot.ErrorMessage(err); strings.Contains(msg, "TopSecret1") || strings.Contains(msg, "my-app") {
			t.Errorf("%s: message quotes the file: %s", name, msg)
		}
	}
}

func TestRedactDSN(t *testing.T) {
	cases := map[string]string{
		"postgres://mmuser:pw@db:5432/mm?sslmode=disable":           "postgres://****:****@db:5432/mm?sslmode=disable",
		"mmuser:pw@tcp(db:3306)/mattermost?charset=utf8mb4":         "****:****@tcp(db:3306)/mattermost?charset=utf8mb4",
		"postgres://db:5432/mm?user=mmuser&password=pw&ssl=true":    "postgres://db:5432/mm?user=mmuser&password=****&ssl=true",
		"see https://user:tok@example.com/x and https://ok.example": "see https://****:****@example.com/x and https://ok.example",
		"https://chat.example.com":                                  "https://chat.example.com",
	}
	for in, want := range cases {
		if got := redactDSN(in); got != want {
			t.Errorf("redactDSN(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCheckWithRedactConfig runs artifacts.Check with the real redactor, on
// a config.json and on a support packet carrying it.
func TestCheckWithRedactConfig(t *testing.T) {
	cfg := realisticConfig(t)
	c := artifacts.Check(setbot.File{ID: "f1", Name: "config.json", Content: setbot.Content{Data: cfg}}, RedactConfig)
	if !c.OK() || c.Attachment.Kind != setbot.ArtifactConfig {
		t.Fatalf("config refused: %s", c.Problem)
	}
	packet, err := artifactstest.SupportPacket(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p := artifacts.Check(setbot.File{ID: "f2", Name: "support_packet.zip", Content: setbot.Content{Data: packet}}, RedactConfig)
	if !p.OK() || p.Packet == nil {
		t.Fatalf("packet refused: %s", p.Problem)
	}
	blobs := map[string][]byte{}
	for k, v := range c.Blobs() {
		blobs[k] = artifactstest.ReadContent(t, v)
	}
	for k, v := range p.Blobs() {
		blobs[k] = artifactstest.ReadContent(t, v)
	}
	configs := 0
	for _, b := range blobs {
		for secret := range secrets {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("a stored blob holds %q", secret)
			}
		}
		if bytes.Contains(b, []byte("ServiceSettings")) {
			configs++
		}
	}
	if configs != 1 { // the same redacted content, one key
		t.Errorf("%d config blobs, want 1", configs)
	}
	if !strings.Contains(p.Attachment.Note, "sanitized_config.json (Mattermost configuration)") {
		t.Errorf("packet note = %q", p.Attachment.Note)
	}
	bad := artifacts.Check(setbot.File{Name: "config.json", Content: setbot.Content{Data: []byte(`{"name":"x","scripts":{}}`)}}, RedactConfig)
	if bad.OK() || !strings.Contains(bad.Problem, "not a Mattermost configuration: it has no ServiceSettings section. Upload config.json") {
		t.Errorf("Problem = %q", bad.Problem)
	}
}

// TestNoSecretLeavesWithRedactConfig checks every hostile upload (configs
// with a BOM, trailing commas, cut short, gzipped, in zips and tars, inside
// logs; logs with secrets of every kind) and a support packet with the real
// redactor: no planted secret is in anything kept or said.
func TestNoSecretLeavesWithRedactConfig(t *testing.T) {
	cases := artifactstest.HostileUploads()
	if len(cases) < 25 {
		t.Fatalf("only %d hostile uploads", len(cases))
	}
	for _, h := range cases {
		t.Run(h.Name, func(t *testing.T) {
			c := artifactstest.AssertNoSecretLeaves(t, h, RedactConfig)
			t.Logf("problem %q; note %q; redacted %v", c.Problem, c.Attachment.Note, c.Attachment.Redacted)
		})
	}
	p, err := artifactstest.HostilePacket()
	if err != nil {
		t.Fatal(err)
	}
	c := artifacts.Check(setbot.File{Name: "support_packet.zip", Content: setbot.Content{Data: p}}, RedactConfig)
	if !c.OK() {
		t.Fatalf("packet refused: %s", c.Problem)
	}
	artifactstest.AssertNoSecretIn(t, c, p)
}

// TestConfigSectionsMatchModel keeps artifacts' list of sections, by which
// it recognises a configuration, equal to model.Config's fields.
func TestConfigSectionsMatchModel(t *testing.T) {
	var c model.Config
	c.SetDefaults()
	b, err := json.Marshal(&c)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for k := range doc {
		if !slices.Contains(artifacts.ConfigSections, k) {
			t.Errorf("artifacts.ConfigSections lacks %s", k)
		}
	}
	for _, k := range artifacts.ConfigSections {
		if _, ok := doc[k]; !ok {
			t.Errorf("artifacts.ConfigSections has %s, which model.Config does not", k)
		}
	}
}

// FuzzRedactConfig plants a secret in a setting of a configuration (a known
// one, a plugin's, an unknown one, inside a URL) around fuzzed text, and
// asserts the secret never survives RedactConfig.
func FuzzRedactConfig(f *testing.F) {
	f.Add(uint8(0), "prefix ", " suffix")
	f.Add(uint8(3), "https://x.example.com/", "")
	f.Add(uint8(5), "", "")
	f.Fuzz(func(t *testing.T, where uint8, before, after string) {
		const planted = "S3cr3tPlant3dV4lu3xyzAB"
		templates := []string{
			`{"ServiceSettings":{},"SqlSettings":{"DataSource":%s}}`,
			`{"ServiceSettings":{},"SqlSettings":{},"EmailSettings":{"SMTPPassword":%s}}`,
			`{"ServiceSettings":{},"SqlSettings":{},"PluginSettings":{"Plugins":{"p":{"x":%s}}}}`,
			`{"ServiceSettings":{"SiteURL":%s},"SqlSettings":{}}`,
			`{"ServiceSettings":{},"SqlSettings":{},"Future":{"x":%s}}`,
			`{"ServiceSettings":{"Future":%s},"SqlSettings":{}}`,
			`{"ServiceSettings":{},"SqlSettings":{"DataSourceReplicas":[%s]}}`,
		}
		tmpl := templates[int(where)%len(templates)]
		value := before + planted + after
		if int(where)%len(templates) == 3 { // a URL: the secret as its credentials
			value = "https://user:" + planted + "@" + after
		}
		v, _ := json.Marshal(value)
		out, _, err := RedactConfig([]byte(strings.Replace(tmpl, "%s", string(v), 1)))
		if err != nil {
			return
		}
		if bytes.Contains(out, []byte(planted)) {
			t.Fatalf("secret survived: %s", out)
		}
	})
}
