package artifacts

import (
	"bytes"
	"regexp"
	"strings"
)

// ConfigSections are the top-level sections of a Mattermost configuration:
// the fields of model.Config in github.com/mattermost/mattermost/server/public
// v0.4.4 (bot's tests keep this list equal to the struct's).
var ConfigSections = []string{
	"ServiceSettings", "TeamSettings", "ClientRequirements", "SqlSettings", "LogSettings",
	"ExperimentalAuditSettings", "PasswordSettings", "FileSettings", "EmailSettings",
	"RateLimitSettings", "PrivacySettings", "SupportSettings", "AnnouncementSettings",
	"ThemeSettings", "GitLabSettings", "GoogleSettings", "Office365Settings", "OpenIdSettings",
	"LdapSettings", "ComplianceSettings", "LocalizationSettings", "SamlSettings",
	"NativeAppSettings", "IntuneSettings", "CacheSettings", "ClusterSettings", "MetricsSettings",
	"ExperimentalSettings", "AnalyticsSettings", "ElasticsearchSettings", "DataRetentionSettings",
	"MobileEphemeralModeSettings", "MessageExportSettings", "JobSettings", "PluginSettings",
	"DisplaySettings", "GuestAccountsSettings", "ImageProxySettings", "CloudSettings",
	"FeatureFlags", "ImportSettings", "ExportSettings", "WranglerSettings",
	"ConnectedWorkspacesSettings", "AccessControlSettings", "ContentFlaggingSettings",
	"AutoTranslationSettings", "AIRecapSettings",
}

// configKeyWords are settings only a configuration carries, beside its
// sections: a text holding one as a JSON key holds configuration.
var configKeyWords = []string{"DataSource", "DataSourceReplicas", "DataSourceSearchReplicas", "AtRestEncryptKey", "PublicLinkSalt"}

// configKey matches a configuration section or setting used as a JSON key,
// plain or escaped inside another JSON string (a log record's message).
var configKey = regexp.MustCompile(`\\?"(` + strings.Join(append(append([]string{}, ConfigSections...), configKeyWords...), "|") + `)\\?"\s*:`)

// configAnchors are the fixed parts of configKey's names: each match holds
// one, so holdsConfig only runs the regexp around them.
var configAnchors = [][]byte{[]byte("Settings"), []byte("FeatureFlags"), []byte("ClientRequirements"), []byte("DataSource"), []byte("AtRestEncryptKey"), []byte("PublicLinkSalt")}

// Around an anchor, how far configKey may reach: back to the opening quote
// of the longest name ("MobileEphemeralModeSettings", 27 bytes, and `\"`),
// and forward over the closing quote and the space before the colon.
const anchorBefore, anchorAfter = 32, 256

// longestAnchor is the length of the longest of configAnchors.
const longestAnchor = len("ClientRequirements")

// holdsConfig reports whether b holds Mattermost configuration settings:
// one of its section names, or a setting only a configuration has, as a JSON
// key. It decides by content only, and errs towards yes: what holds
// configuration is redacted or refused, never kept as it is.
func holdsConfig(b []byte) bool {
	for _, a := range configAnchors {
		for i := 0; i < len(b); {
			j := bytes.Index(b[i:], a)
			if j < 0 {
				break
			}
			j += i
			if configKey.Match(b[max(0, j-anchorBefore):min(len(b), j+len(a)+anchorAfter)]) {
				return true
			}
			i = j + len(a)
		}
	}
	return false
}

// utf8BOM is the byte-order mark some Windows editors put before JSON.
var utf8BOM = []byte{0xef, 0xbb, 0xbf}

func stripBOM(b []byte) []byte { return bytes.TrimPrefix(b, utf8BOM) }

// lenientJSON returns b without a byte-order mark and without trailing
// commas (a comma followed only by whitespace and then } or ]) outside
// strings: the two slips a hand-edited config.json has that Mattermost's
// own loader forgives. b itself is not changed.
func lenientJSON(b []byte) []byte {
	b = stripBOM(b)
	out := make([]byte, 0, len(b))
	inString, escaped := false, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == ',':
			j := i + 1
			for j < len(b) && (b[j] == ' ' || b[j] == '\t' || b[j] == '\n' || b[j] == '\r') {
				j++
			}
			if j < len(b) && (b[j] == '}' || b[j] == ']') {
				continue // drop the trailing comma
			}
		}
		out = append(out, c)
	}
	return out
}

// isTar reports whether b starts with a POSIX or GNU tar header: "ustar" at
// offset 257 (the magic field of the header block, see archive/tar).
func isTar(b []byte) bool {
	const magicOffset = 257
	return len(b) >= magicOffset+5 && string(b[magicOffset:magicOffset+5]) == "ustar"
}
