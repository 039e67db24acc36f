package artifacts

// Size limits for uploads. The dispatcher downloads at most MaxUploadBytes of
// any file (Chat.File's max); Check then holds each kind to its own limit.
// Mattermost's own file-size limit (FileSettings.MaxFileSize) defaults to
// 100 MB, so a single log rotated by Mattermost (LogSettings: 100 MB) fits.
const (
	// MaxConfigBytes is the largest config.json accepted. A real one is
	// 40–200 KB; 4 MiB leaves room for many plugin settings.
	MaxConfigBytes = 4 << 20
	// MaxLogBytes is the largest single log upload (plain, .gz or .zip),
	// as uploaded. Mattermost rotates its log at 100 MB.
	MaxLogBytes = 128 << 20
	// MaxProfileBytes is the largest pprof profile or goroutine dump upload.
	MaxProfileBytes = 64 << 20
	// MaxPacketBytes is the largest support packet (zip) accepted.
	MaxPacketBytes = 256 << 20
	// MaxUploadBytes is what the dispatcher downloads at most: the largest of
	// the limits above.
	MaxUploadBytes = MaxPacketBytes

	// MaxUnpackedBytes is the most bytes decompressed from one upload, all
	// entries together: the guard against zip, tar and gzip bombs (a gzip
	// inside an archive counts too). Each file inside an archive is also
	// held to MaxLogBytes unpacked.
	MaxUnpackedBytes = 512 << 20
	// MaxProfileUnpackedBytes is the most a gzip-compressed profile may
	// decompress to; the profile is decoded in memory.
	MaxProfileUnpackedBytes = 128 << 20
	// MaxZipEntries is the most entries a zip or tar may have.
	MaxZipEntries = 1000
	// MaxCompressionRatio is the largest declared uncompressed:compressed
	// ratio of a zip entry. Text logs compress 5–30×; bombs 1000× and more.
	MaxCompressionRatio = 200
	// MaxLineBytes is the longest line of a text that masking takes: a
	// line is masked whole, so it is the most of a log held in memory.
	// As large as a configuration, so any text that could be one is
	// never refused for it; a real log line is a few hundred bytes.
	MaxLineBytes = MaxConfigBytes
	// sniffBytes is how much of a file's start is examined to classify it.
	sniffBytes = 64 << 10
)
