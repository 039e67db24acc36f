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
// that must be reported as redacted.
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
	"jira-webhook-secret":  "PluginSettings.Plugins.jira.webhooksecret",
	"github-client-secret": "PluginSettings.Plugins.github.githuboauthclientsecret",
	"plugin-api-token":     "PluginSettings.Plugins.com.example.custom.ApiToken",
	"dsn-pw-in-plugin":     "PluginSettings.Plugins.com.example.custom.ArchiveDSN",
	"future-key-value":     "NewerSettings.SigningKey",
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
	if c.PluginSettings.Plugins["github"]["username"] != "octo" || c.PluginSettings.Plugins["jira"]["enablejiraui"] != true {
		t.Errorf("plugin settings lost: %v", c.PluginSettings.Plugins)
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
	c := artifacts.Check(setbot.File{ID: "f1", Name: "config.json", Data: cfg}, RedactConfig)
	if !c.OK() || c.Attachment.Kind != setbot.ArtifactConfig {
		t.Fatalf("config refused: %s", c.Problem)
	}
	packet, err := artifactstest.SupportPacket(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p := artifacts.Check(setbot.File{ID: "f2", Name: "support_packet.zip", Data: packet}, RedactConfig)
	if !p.OK() || p.Packet == nil {
		t.Fatalf("packet refused: %s", p.Problem)
	}
	blobs := map[string][]byte{}
	for k, v := range c.Blobs() {
		blobs[k] = v
	}
	for k, v := range p.Blobs() {
		blobs[k] = v
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
	bad := artifacts.Check(setbot.File{Name: "config.json", Data: []byte(`{"name":"x","scripts":{}}`)}, RedactConfig)
	if bad.OK() || !strings.Contains(bad.Problem, "not a Mattermost configuration: it has no ServiceSettings section. Upload config.json") {
		t.Errorf("Problem = %q", bad.Problem)
	}
}
