package artifacts

import (
	"archive/zip"
	"bytes"
	"fmt"
	"path"
	"strings"

	"github.com/setbot/setbot"
)

// packetMarkers are files only a Mattermost support packet has: metadata.yaml
// (model.PacketMetadataFileName), diagnostics.yaml (v10+) and
// support_packet.yaml (before v10).
var packetMarkers = map[string]bool{"metadata.yaml": true, "diagnostics.yaml": true, "support_packet.yaml": true}

// checkZip opens a zip after checking its headers against the bomb limits,
// then treats it as a support packet or as a bundle of logs.
func checkZip(f setbot.File, redact ConfigRedactor) Checked {
	name := displayName(f.Name)
	zr, err := zip.NewReader(bytes.NewReader(f.Data), int64(len(f.Data)))
	if err != nil {
		return refuse(f, "%s is a damaged zip file. Upload it again.", name)
	}
	if problem := bombCheck(zr); problem != "" {
		return refuse(f, "%s %s", name, problem)
	}
	for _, e := range zr.File {
		if packetMarkers[path.Base(e.Name)] {
			return checkPacket(f, zr, redact)
		}
	}
	if len(f.Data) > MaxLogBytes {
		return refuse(f, "%s is %s; logs are limited to %s. Upload the part around the problem.", name, humanBytes(int64(len(f.Data))), humanBytes(MaxLogBytes))
	}
	return checkLogZip(f, zr)
}

// bombCheck refuses archives whose headers promise too much. The reader
// enforces the declared sizes, so a header that lies fails while reading.
func bombCheck(zr *zip.Reader) string {
	if len(zr.File) > MaxZipEntries {
		return fmt.Sprintf("has %s entries; I accept at most %s.", thousands(len(zr.File)), thousands(MaxZipEntries))
	}
	var total uint64
	for _, e := range zr.File {
		total += e.UncompressedSize64
		if e.UncompressedSize64 > 1<<20 && e.UncompressedSize64/max(e.CompressedSize64, 1) > MaxCompressionRatio {
			return fmt.Sprintf("looks like a zip bomb: %s would unpack to %s, %d times its packed size. I do not open it.",
				displayName(e.Name), humanBytes(int64(min(e.UncompressedSize64, 1<<62))), e.UncompressedSize64/max(e.CompressedSize64, 1))
		}
	}
	if total > MaxUnpackedBytes {
		return fmt.Sprintf("would unpack to %s; I accept at most %s.", humanBytes(int64(min(total, 1<<62))), humanBytes(MaxUnpackedBytes))
	}
	return ""
}

// readEntry reads one zip entry, at most limit bytes.
func readEntry(e *zip.File, limit int64) ([]byte, error) {
	rc, err := e.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return readLimited(rc, limit)
}

func checkLogZip(f setbot.File, zr *zip.Reader) Checked {
	name := displayName(f.Name)
	var logs, lines int
	var skipped []string
	json := false
	for _, e := range zr.File {
		if e.FileInfo().IsDir() {
			continue
		}
		rc, err := e.Open()
		if err != nil {
			return refuse(f, "%s is a damaged zip file. Upload it again.", name)
		}
		st, err := scanText(rc, MaxUnpackedBytes)
		rc.Close()
		if err != nil {
			return refuseUnpack(f, err, MaxUnpackedBytes)
		}
		if !isText(st.head) || looksLikeStackDump(st.head) {
			skipped = append(skipped, path.Base(e.Name))
			continue
		}
		logs++
		lines += st.lines
		json = json || isLogRecord(firstLine(st.head))
	}
	if logs == 0 {
		return refuse(f, "%s holds no text logs. %s", name, howTo(setbot.ArtifactLog))
	}
	format := "plain text"
	if json {
		format = "JSON lines"
	}
	note := fmt.Sprintf("zip of %d %s log(s), %s lines", logs, format, thousands(lines))
	if len(skipped) > 0 {
		note += "; not logs, ignored: " + strings.Join(skipped, ", ")
	}
	return Checked{Attachment: setbot.Attachment{
		Kind: setbot.ArtifactLog, Name: f.Name, FileID: f.ID, Size: int64(len(f.Data)), Note: note,
	}}
}
