package dispatch

import (
	"context"
	"fmt"
	"os"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/artifacts"
	"github.com/setbot/setbot/store"
)

// checkFiles downloads and checks a post's files, with the typing indicator
// on while it works. A large checked file is a temporary file: putBlobs
// keeps what the intake needs of it in the store, and removeChecked
// removes it once that has committed (outcome.cleanup).
func (d *intake) checkFiles(ctx context.Context, m setbot.Message) []artifacts.Checked {
	if err := d.chat.Typing(ctx, m.ChannelID, "", ""); err != nil {
		d.log.Debug().Err(err).Msg("typing indicator")
	}
	var out []artifacts.Checked
	for _, id := range m.FileIDs {
		out = append(out, d.checkFile(ctx, id))
	}
	return out
}

// errBudgetWait is why a file was not checked when setbot stopped while it
// waited for the uploads ahead of it.
var errBudgetWait = setbot.Errorf(setbot.EUnavailable, "I was restarting while it waited its turn to be checked; upload it again in a minute")

// checkFile downloads one upload (to a temporary file, when large) and
// checks it within the budget of bytes checked at once (checkBudgetBytes).
// The download is removed when the check is done, whatever happened.
func (d *intake) checkFile(ctx context.Context, id setbot.FileID) artifacts.Checked {
	f, err := d.chat.File(ctx, id, artifacts.MaxUploadBytes)
	defer removeTemp(f.Content)
	if err == nil {
		release, berr := d.checks.acquire(ctx, f.Content.Len())
		if berr != nil {
			err = errBudgetWait
		} else {
			defer release()
		}
	}
	if err != nil {
		d.log.Warn().Err(err).Str("file_id", string(id)).Msg("take an upload")
		return artifacts.Checked{Attachment: setbot.Attachment{Name: f.Name, FileID: id, Size: f.Size},
			Problem: fmt.Sprintf("I couldn't take %s: %s", nameOr(f.Name), setbot.ErrorMessage(err))}
	}
	c := artifacts.Check(f, d.ext.Redact, artifacts.TempDir(d.db.TempDir()))
	for _, b := range c.Blobs() {
		if b.Path != "" {
			// Flushed now, outside the store's transaction, so that
			// PutBlobFile's own sync holds its lock only briefly.
			if err := store.SyncFile(b.Path); err != nil {
				d.log.Warn().Err(err).Msg("sync a checked upload")
			}
		}
	}
	return c
}

// putBlobs keeps what a check made in the store, in tx: small content in
// bbolt, a file as a blob file.
func putBlobs(tx *store.Tx, c artifacts.Checked) error {
	for k, b := range c.Blobs() {
		var err error
		if b.Path != "" {
			err = tx.PutBlobFile(k, b.Path)
		} else {
			err = tx.PutBlob(k, b.Data)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// removeChecked removes the temporary files of checked uploads.
func removeChecked(cs []artifacts.Checked) {
	for _, c := range cs {
		c.Remove()
	}
}

// removeTemp removes a download's temporary file, if it has one.
func removeTemp(c setbot.Content) {
	if c.Path != "" {
		os.Remove(c.Path)
	}
}
