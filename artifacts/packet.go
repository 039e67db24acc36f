package artifacts

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"path"
	"strings"

	"github.com/setbot/setbot"
)

// PacketFacts is what a Mattermost support packet told setbot.
type PacketFacts struct {
	Version  string          // Mattermost server version, as ParseVersion normalises it; "" when absent
	Database setbot.Database // from diagnostics.yaml or support_packet.yaml; zero when absent
	// Parts are the files taken out of the packet, each checked like an
	// upload of its own, with Blob set (and the configuration redacted).
	// Only accepted parts are listed.
	Parts []Checked
	// LeftOut names the parts setbot would have kept but refused (a log
	// that holds configuration settings, a configuration cut short).
	LeftOut []string
}

// Part kinds: the files of a support packet setbot keeps, by base name.
// See server/channels/app/platform/support_packet.go.
var packetParts = map[string]setbot.ArtifactKind{
	"sanitized_config.json": setbot.ArtifactConfig,
	"config.json":           setbot.ArtifactConfig,
	"cpu.prof":              setbot.ArtifactCPUProfile,
	"heap.prof":             setbot.ArtifactHeapProfile,
	"goroutines":            setbot.ArtifactStackDump,
}

func (k *checker) checkPacket(f setbot.File, zr *zip.Reader) Checked {
	name, size := displayName(f.Name), f.Content.Len()
	if size > MaxPacketBytes {
		return refuse(f, "%s is %s; support packets are limited to %s.", name, HumanBytes(size), HumanBytes(MaxPacketBytes))
	}
	facts := &PacketFacts{}
	yaml := map[string]string{}
	for _, e := range zr.File {
		if e.FileInfo().IsDir() {
			continue
		}
		base := path.Base(e.Name)
		if packetMarkers[base] {
			b, err := readEntry(e, MaxConfigBytes)
			if err != nil {
				return refuse(f, "%s is a damaged support packet (%s cannot be read). Download it again.", name, base)
			}
			for k, v := range flatYAML(b) {
				yaml[base+":"+k] = v
			}
			continue
		}
		kind, ok := packetParts[base]
		if !ok && strings.HasSuffix(base, ".log") {
			kind, ok = setbot.ArtifactLog, true
		}
		if !ok {
			continue
		}
		if c := k.checkPart(f, facts, e, kind); c != nil {
			return *c
		}
	}
	facts.Version, facts.Database = packetVersion(yaml)
	a := setbot.Attachment{Kind: setbot.ArtifactSupportPacket, Name: f.Name, FileID: f.ID, Size: size, Note: packetNote(facts)}
	return Checked{Attachment: a, Packet: facts}
}

// checkPart takes one part out of a packet (to a temporary file, at most
// MaxProfileUnpackedBytes) and checks it like an upload of its own. An
// accepted part of the kind its name says joins facts.Parts; it keeps
// itself as its blob when its check kept nothing else. A part that cannot
// be unpacked refuses the whole packet (the Checked returned).
func (k *checker) checkPart(f setbot.File, facts *PacketFacts, e *zip.File, kind setbot.ArtifactKind) *Checked {
	rc, err := e.Open()
	var part kept
	if err == nil {
		part, err = k.copyTo(rc, MaxProfileUnpackedBytes)
		rc.Close()
	}
	if err != nil {
		c := refuseUnpack(f, err, MaxProfileUnpackedBytes)
		return &c
	}
	c := k.check(setbot.File{Name: partName(e.Name), Content: part.content, Size: part.content.Len()})
	switch {
	case c.OK() && c.Attachment.Kind == kind:
		if c.Blob == nil {
			c = withBlob(c.Attachment, part)
		} else {
			k.tmp.drop(part.content)
		}
		facts.Parts = append(facts.Parts, c)
	case kind == setbot.ArtifactConfig || kind == setbot.ArtifactLog:
		facts.LeftOut = append(facts.LeftOut, partName(e.Name))
		fallthrough
	default:
		k.tmp.drop(part.content)
	}
	return nil
}

// partName names a file taken out of a packet; a cluster's packet keeps
// each node's files under the node's name ("node1/mattermost.log").
func partName(p string) string {
	return strings.ReplaceAll(strings.Trim(path.Clean(p), "/"), "/", "-")
}

// packetVersion reads the server version and database from the packet's
// YAML files, newest layout first.
func packetVersion(y map[string]string) (string, setbot.Database) {
	first := func(keys ...string) string {
		for _, k := range keys {
			if v := y[k]; v != "" {
				return v
			}
		}
		return ""
	}
	version := first("diagnostics.yaml:server.version", "metadata.yaml:server_version", "support_packet.yaml:server_version")
	if v, err := ParseVersion(version); err == nil {
		version = v
	}
	dbType := first("diagnostics.yaml:database.type", "support_packet.yaml:database_type")
	dbVersion := first("diagnostics.yaml:database.version", "support_packet.yaml:database_version")
	db, err := ParseDatabase(dbType + " " + dbVersion)
	if err != nil {
		db = setbot.Database{}
	}
	return version, db
}

func packetNote(p *PacketFacts) string {
	var parts []string
	if p.Version != "" {
		parts = append(parts, "Mattermost "+p.Version)
	}
	if p.Database.Type != "" {
		parts = append(parts, p.Database.Type+" "+p.Database.Version)
	}
	for _, c := range p.Parts {
		parts = append(parts, fmt.Sprintf("%s (%s)", c.Attachment.Name, KindName(c.Attachment.Kind)))
	}
	left := ""
	if len(p.LeftOut) > 0 {
		left = "; left out, as they may hold secrets I cannot redact: " + strings.Join(p.LeftOut, ", ")
	}
	if len(parts) == 0 {
		return "support packet with nothing setbot could use" + left
	}
	return "support packet: " + strings.Join(parts, ", ") + left
}

// flatYAML reads the simple block mappings of a support packet's YAML files
// into dotted keys ("server.version" → "10.11.4"). Lists, anchors and
// multi-line scalars are skipped: setbot needs a few scalar fields only.
func flatYAML(b []byte) map[string]string {
	out := map[string]string{}
	type level struct {
		indent int
		key    string
	}
	var stack []level
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), " \t\r")
		trimmed := strings.TrimLeft(line, " ")
		if trimmed == "" || strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, "-") {
			continue
		}
		indent := len(line) - len(trimmed)
		key, value, ok := strings.Cut(trimmed, ":")
		if !ok {
			continue
		}
		for len(stack) > 0 && stack[len(stack)-1].indent >= indent {
			stack = stack[:len(stack)-1]
		}
		full := strings.TrimSpace(key)
		if len(stack) > 0 {
			full = stack[len(stack)-1].key + "." + full
		}
		value = strings.TrimSpace(value)
		if value == "" {
			stack = append(stack, level{indent, full})
			continue
		}
		out[full] = strings.Trim(value, `"'`)
	}
	return out
}
