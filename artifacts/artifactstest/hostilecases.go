package artifactstest

import (
	"fmt"
	"strings"

	"github.com/setbot/setbot"
)

// HostileUploads are uploads built to leak secrets: configurations in every
// shape and wrapping, logs with every kind of secret, archives that mix
// them. Each plants its own secrets (SecretMark-<n>).
func HostileUploads() []Hostile {
	const cfg, lg = setbot.ArtifactConfig, setbot.ArtifactLog
	bom := "\xef\xbb\xbf"
	trailing := func(n int) string {
		return strings.Replace(config(n, ""), `"smtp.example.com"}`, "\"smtp.example.com\" ,\n\t},\n", 1)
	}
	full := []byte(config(5, ""))
	hs := []Hostile{
		{Name: "plain config", File: "config.json", Data: []byte(config(1, "")), Kind: cfg},
		{Name: "byte-order mark", File: "config.json", Data: []byte(bom + config(2, "")), Kind: cfg},
		{Name: "trailing commas", File: "config.json", Data: []byte(trailing(3)), Kind: cfg},
		{Name: "BOM, trailing commas, CRLF", File: "config.json", Data: []byte(bom + strings.ReplaceAll(trailing(4), "\n", "\r\n")), Kind: cfg},
		{Name: "cut short", File: "config.json", Data: full[:len(full)-40], Refuse: true},
		{Name: "cut short before the secret ends", File: "config.json", Data: full[:strings.Index(string(full), "-55-x9")], Refuse: true},
		{Name: "config.json.gz", File: "config.json.gz", Data: Gzip([]byte(config(6, ""))), Kind: cfg},
		{Name: "config.zip", File: "config.zip", Data: Zip(Entry{"config/config.json", []byte(config(7, ""))}), Kind: cfg},
		{Name: "config.tar.gz", File: "config.tar.gz", Data: TarGz(Entry{"config.json", []byte(bom + config(8, ""))}), Kind: cfg},
		{Name: "plain tar", File: "config.tar", Data: Tar(Entry{"config.json", []byte(config(9, ""))}), Kind: cfg},
		{Name: "logs.zip with config.json", File: "logs.zip", Data: Zip(Entry{"mattermost.log", secretLog(10)}, Entry{"config.json", []byte(config(10, ""))}), Kind: lg},
		{Name: "logs.tar.gz with config.json", File: "logs.tar.gz", Data: TarGz(Entry{"logs/mattermost.log", secretLog(11)}, Entry{"config/config.json", []byte(trailing(11))}), Kind: lg},
		{Name: "logs.zip with config.json.gz", File: "logs.zip", Data: Zip(Entry{"mattermost.log", PlainLog(3)}, Entry{"config.json.gz", Gzip([]byte(config(12, "")))}), Kind: lg},
		{Name: "logs.zip with a cut short config", File: "logs.zip", Data: Zip(Entry{"mattermost.log", PlainLog(3)}, Entry{"config.json", full[:len(full)-40]}), Kind: lg},
		{Name: "config named as a log", File: "mattermost.log", Data: []byte(config(13, "")), Kind: cfg},
		{Name: "config named as notes, with BOM", File: "notes.txt", Data: []byte(bom + config(14, "")), Kind: cfg},
		{Name: "config in a text log", File: "mattermost.log", Data: append(PlainLog(3), fmt.Sprintf(`"SqlSettings": {"DataSource": "mmuser:%s@tcp(db:3306)/mm"}`+"\n", secret(15))...), Refuse: true},
		{Name: "config escaped in a JSON log", File: "mattermost.log", Data: append(JSONLog(3), fmt.Sprintf(`{"level":"info","msg":"config changed","new":"{\"SqlSettings\":{\"DriverName\":\"%s\"}}"}`+"\n", secret(16))...), Refuse: true},
		{Name: "config after a goroutine dump", File: "goroutines.txt", Data: []byte("goroutine 1 [running]:\nmain.main()\n\t/src/main.go:5 +0x1d\n\n" + config(17, "")), Refuse: true},
		{Name: "plain log", File: "mattermost.log", Data: secretLog(18), Kind: lg},
		{Name: "gzipped log", File: "mattermost.log.gz", Data: Gzip(secretLog(19)), Kind: lg},
		{Name: "zipped logs", File: "logs.zip", Data: Zip(Entry{"a.log", secretLog(20)}, Entry{"b.log", JSONLog(3)}), Kind: lg},
		{Name: "tar.gz logs", File: "logs.tar.gz", Data: TarGz(Entry{"a.log", secretLog(21)}, Entry{"b.log.gz", Gzip(secretLog(22))}), Kind: lg},
		{Name: "zip holding a zip", File: "logs.zip", Data: Zip(Entry{"a.log", PlainLog(2)}, Entry{"inner.zip", Zip(Entry{"config.json", []byte(config(23, ""))})}), Kind: lg},
		{Name: "JSON log of one record with secrets", File: "mattermost.log", Data: []byte(fmt.Sprintf(`{"level":"debug","msg":"auth","password":"%s","access_token":"%s"}`, secret(24), secret(25))), Kind: lg},
		// Secrets that only the real redactor removes.
		{Name: "plugin webhook URL", File: "config.json", Data: []byte(config(26, fmt.Sprintf(`, "PluginSettings": {"Plugins": {"com.example.notify": {"url": "https://hooks.slack.com/services/T000/B000/%s"}}}`, secret(27)))), Kind: cfg, Model: true},
		{Name: "unknown plugin innocent name", File: "config.json", Data: []byte(config(28, fmt.Sprintf(`, "PluginSettings": {"Plugins": {"x": {"opaque": "%s", "n": 3}}}`, secret(29)))), Kind: cfg, Model: true},
		{Name: "URL credentials in a known setting", File: "config.json", Data: []byte(config(30, fmt.Sprintf(`, "ElasticsearchSettings": {"ConnectionURL": "https://elastic:%s@es.example.com:9200"}`, secret(31)))), Kind: cfg, Model: true},
		{Name: "access_token in a known URL", File: "config.json", Data: []byte(config(32, fmt.Sprintf(`, "AnnouncementSettings": {"NoticesURL": "https://notices.example.com/x?access_token=%s&key=%s"}`, secret(33), secret(34)))), Kind: cfg, Model: true},
		{Name: "long token in a URL path", File: "config.json", Data: []byte(config(35, fmt.Sprintf(`, "PluginSettings": {"MarketplaceURL": "https://market.example.com/%s/api"}`, token(36)))), Kind: cfg, Model: true},
		{Name: "unknown section", File: "config.json", Data: []byte(config(37, fmt.Sprintf(`, "NewerSettings": {"Opaque": "%s"}`, secret(38)))), Kind: cfg, Model: true},
		{Name: "unknown setting in a known section", File: "config.json", Data: []byte(strings.Replace(config(39, ""), `"ListenAddress"`, fmt.Sprintf(`"FutureOpaque": "%s", "ListenAddress"`, secret(40)), 1)), Kind: cfg, Model: true},
		{Name: "section spelled twice", File: "config.json", Data: []byte(config(41, fmt.Sprintf(`, "sqlsettings": {"DataSource": "%s"}`, secret(42)))), Refuse: true, Model: true},
		{Name: "secret in logging JSON", File: "config.json", Data: []byte(config(43, fmt.Sprintf(`, "LogSettings": {"AdvancedLoggingJSON": "{\"db\":{\"type\":\"x\",\"options\":{\"password\":\"%s\"}}}"}`, secret(44)))), Kind: cfg, Model: true},
		{Name: "secret as a setting's and a plugin's name", File: "config.json", Data: []byte(config(47, fmt.Sprintf(`, "%s": {"x": 1}, "PluginSettings": {"Plugins": {"%s": {"a": 1}}}`, token(48), token(49)))), Kind: cfg, Model: true},
		{Name: "MySQL DataSource and replicas", File: "config.json", Data: []byte(strings.Replace(config(45, ""), `"DriverName": "postgres"`, fmt.Sprintf(`"DataSourceReplicas": ["mmuser:%s@tcp(r1:3306)/mm",], "DriverName": "mysql"`, secret(46)), 1)), Kind: cfg, Model: true},
	}
	return hs
}
