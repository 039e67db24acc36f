package artifacts

import (
	"archive/zip"
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"path"

	"github.com/setbot/setbot"
)

// packetMarkers are files only a Mattermost support packet has: metadata.yaml
// (model.PacketMetadataFileName), diagnostics.yaml (v10+) and
// support_packet.yaml (before v10).
var packetMarkers = map[string]bool{"metadata.yaml": true, "diagnostics.yaml": true, "support_packet.yaml": true}

// checkZip opens a zip (read in place, through r) after checking its
// headers against the bomb limits, then treats it as a support packet or as
// a bundle of logs.
func (k *checker) checkZip(f setbot.File, r io.ReaderAt) Checked {
	name, size := displayName(f.Name), f.Content.Len()
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return refuse(f, "%s is a damaged zip file. Upload it again.", name)
	}
	if problem := bombCheck(zr); problem != "" {
		return refuse(f, "%s %s", name, problem)
	}
	for _, e := range zr.File {
		if packetMarkers[path.Base(e.Name)] {
			return k.checkPacket(f, zr)
		}
	}
	if size > MaxLogBytes {
		return refuse(f, "%s is %s; logs are limited to %s. Upload the part around the problem.", name, HumanBytes(size), HumanBytes(MaxLogBytes))
	}
	return k.checkLogZip(f, zr)
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
				displayName(e.Name), HumanBytes(int64(min(e.UncompressedSize64, 1<<62))), e.UncompressedSize64/max(e.CompressedSize64, 1))
		}
	}
	if total > MaxUnpackedBytes {
		return fmt.Sprintf("would unpack to %s; I accept at most %s.", HumanBytes(int64(min(total, 1<<62))), HumanBytes(MaxUnpackedBytes))
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

// checkLogZip checks a zip of logs member by member; see checkBundle.
func (k *checker) checkLogZip(f setbot.File, zr *zip.Reader) Checked {
	var entries []entry
	for _, e := range zr.File {
		if e.FileInfo().IsDir() {
			continue
		}
		entries = append(entries, entry{name: e.Name, open: zipOpener(e)})
	}
	return k.checkBundle(f, "zip", entries, func(w io.Writer) archiveWriter { return zipWriter{zip.NewWriter(w)} })
}

// zipOpener opens a zip entry, decompressing a gzip-compressed one
// (mattermost.log.gz, config.json.gz) on the way.
func zipOpener(e *zip.File) opener {
	return func() (io.Reader, func(), error) {
		rc, err := e.Open()
		if err != nil {
			return nil, nil, fmt.Errorf("open %s: %w", path.Base(e.Name), err)
		}
		return gunzipIfGzip(rc, func() { rc.Close() })
	}
}

// gunzipIfGzip returns r decompressed when it starts as gzip does, else as
// it is.
func gunzipIfGzip(r io.Reader, done func()) (io.Reader, func(), error) {
	br := bufio.NewReader(r)
	if magic, err := br.Peek(2); err != nil || !isGzip(magic) {
		return br, done, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		done()
		return nil, nil, fmt.Errorf("open gzip: %w", err)
	}
	zr.Multistream(true)
	return zr, done, nil
}

type zipWriter struct{ *zip.Writer }

func (w zipWriter) add(name string, content func(io.Writer) error) error {
	out, err := w.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
	if err != nil {
		return fmt.Errorf("create zip entry: %w", err)
	}
	return content(out)
}
